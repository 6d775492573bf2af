// Editing the experiment config from a control: set one field (a dotted path) on a copy, let the
// schema fill in defaults and check the rules, then store it. Most edits rebuild the run; the
// sparsity slider acts live on a dynamic run instead (config liveSparsityRefusal says where not).
import { appStore, parseConfig, withPath, type ExperimentConfig } from '../state';

export type EditResult = { ok: true } | { ok: false; errors: string[] };

/** A copy of `config` with `path` (dots) set to `value`. */
export function withField(config: ExperimentConfig | Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  return withPath(config as Record<string, unknown>, path, value);
}

/** Applies an edited config input: stores it when valid and rebuilds the run unless `live`. */
export function applyConfigInput(input: Record<string, unknown>, options: { live?: boolean } = {}): EditResult {
  const r = parseConfig(input);
  if (!r.ok) return { ok: false, errors: r.errors.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`) };
  const s = appStore.getState();
  s.setConfig(r.config);
  // A live edit the running network cannot follow (setSparsity says false) rebuilds like any other.
  if (!(options.live && s.session?.setSparsity(r.config.sparsity.target))) void s.session?.rebuild();
  return { ok: true };
}
