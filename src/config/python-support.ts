// What the PyTorch package (python/sparse_playground, docs/SCALE-OUT.md) cannot train yet, in its
// own words: the playground's Export › PyTorch shows these before anything is downloaded, so a
// user learns at once that a config will be refused there, and why, field by field. The Python
// side refuses the same fields with the same messages (support.py `not_built`); the fixture of
// tests/python/reference.ts holds both lists equal on a set of configs.
import type { ConfigError } from './rules';
import type { ExperimentConfig } from './schema';

const NOT_YET = 'is not in the Python package yet (docs/SCALE-OUT.md lists what is)';

/** Fields of `c` the Python package refuses (empty: it trains this config). */
export function pythonRefusals(c: ExperimentConfig): ConfigError[] {
  const out: ConfigError[] = [];
  const say = (path: string, message: string) => out.push({ path, message });
  if (!['mnist', 'fashion-mnist', 'cifar10', 'cifar100'].includes(c.data.dataset)) say('data.dataset', `"${c.data.dataset}" is generated or drawn in the browser: the Python package trains mnist, fashion-mnist, cifar10 and cifar100`);
  if (c.sparsity.mask.kind === 'lottery') say('sparsity.mask.kind', `"lottery" ${NOT_YET}: use random, magnitude, snip, grasp or synflow`);
  if (c.ensemble.mode === 'prune-and-tune') say('ensemble.mode', `"${c.ensemble.mode}" ${NOT_YET}: use none, dst, edst or dense`);
  return out;
}
