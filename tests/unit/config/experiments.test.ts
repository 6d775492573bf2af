// The example experiments in experiments/ (one per method and ensemble mode): each is a valid
// config, and for generated data the ensemble adapter builds its run without error.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config';
import { generatedData } from '../../../src/engine/from-config';
import { ensembleSetupFromConfig } from '../../../src/ensemble/from-config';

const DIR = resolve(__dirname, '../../../experiments');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('experiments/', () => {
  it('has an example for every DST method and every ensemble mode', () => {
    const configs = files.map((f) => parseConfig(JSON.parse(readFileSync(join(DIR, f), 'utf8'))));
    const ok = configs.flatMap((c) => (c.ok ? [c.config] : []));
    expect(new Set(ok.map((c) => c.dst.method))).toEqual(new Set(['dense', 'static', 'set', 'rigl', 'snfs']));
    expect(new Set(ok.map((c) => c.ensemble.mode))).toEqual(new Set(['none', 'dst', 'dense', 'edst', 'prune-and-tune']));
  });
  it.each(files)('%s is a valid config that the adapter can build', (f) => {
    const r = parseConfig(JSON.parse(readFileSync(join(DIR, f), 'utf8')));
    if (!r.ok) throw new Error(`${f}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    const d = r.config.data.dataset;
    if (d === 'mnist' || d === 'fashion-mnist' || d === 'user') return; // needs the loaded images
    const { setup } = ensembleSetupFromConfig(r.config, generatedData(r.config));
    expect(setup.mode).toBe(r.config.ensemble.mode);
    expect(setup.base.totalSteps).toBeGreaterThan(0);
  });
});
