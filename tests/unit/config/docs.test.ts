// docs/CONFIG.md stays in step with the schema: every field of every variant is documented, and
// the default config and the two examples are quoted there exactly (and are valid).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExperimentConfig, defaultConfig } from '../../../src/config';
import { EDST_FASHION, LOTTERY_MNIST } from './examples';

const DOC = readFileSync(resolve(__dirname, '../../../docs/CONFIG.md'), 'utf8');

/** Inputs that between them switch on every variant and every optional field. */
const VARIANTS: object[] = [
  {},
  { data: { dataset: 'blobs' } },
  { data: { dataset: 'user' } },
  { data: { dataset: 'mnist' } },
  { model: { kind: 'lenet5-caffe' } },
  { sparsity: { distribution: { kind: 'uniform' }, mask: { kind: 'grasp' } } },
  { sparsity: { distribution: { kind: 'er', epsilon: 20 }, mask: { kind: 'snip' } } },
  { sparsity: { mask: { kind: 'synflow' } } },
  { sparsity: { mask: { kind: 'lottery', pruneFraction: 0.2 } } },
  { training: { optimizer: { kind: 'adam' }, schedule: { kind: 'cosine' } } },
  { training: { schedule: { kind: 'onecycle' } } },
  { ensemble: { mode: 'edst', refineEpochs: 20 } },
  { ensemble: { mode: 'prune-and-tune' } },
  { tost: { smoothActivation: { kind: 'pswish' }, layerRescaledInit: { kind: 'gradinit' } } },
];

function leafPaths(x: unknown, path = ''): string[] {
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    return Object.entries(x).flatMap(([k, v]) => leafPaths(v, path === '' ? k : `${path}.${k}`));
  }
  return [path];
}

describe('docs/CONFIG.md', () => {
  it('documents every field of every variant', () => {
    const paths = new Set(VARIANTS.flatMap((v) => leafPaths(ExperimentConfig.parse(v))));
    expect(paths.size).toBeGreaterThan(70);
    const missing = [...paths].filter((p) => !DOC.includes(`| \`${p}\` |`));
    expect(missing).toEqual([]);
  });

  it('quotes the default config and the examples exactly', () => {
    for (const example of [defaultConfig(), EDST_FASHION, LOTTERY_MNIST]) {
      expect(DOC).toContain(`\`\`\`json\n${JSON.stringify(example, null, 2)}\n\`\`\``);
    }
  });
});
