// Run files are checked before anything changes: every problem is named.
import { describe, expect, it } from 'vitest';
import { RUN_FORMAT, defaultConfig, parseSavedRun, runFileText, type SavedRun } from '../../../src/state';

const row = (step: number) => ({ step, epoch: 0, loss: 1, trainAccuracy: 0.5, testAccuracy: null, testLoss: null, lr: 0.1, density: 0.5, flopsRatio: 0.6, trainingFlops: 1, itop: null });
const good = (): SavedRun => ({ format: RUN_FORMAT, version: 1, name: 'a', savedAt: '2026-11-22T00:00:00Z', config: defaultConfig(), step: 3, history: [row(0), row(1), row(2)] });

describe('saved runs', () => {
  it('a run file round-trips (without its checkpoint)', () => {
    const r = parseSavedRun(JSON.parse(runFileText({ ...good(), checkpoint: { step: 3 } as never })));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.run.history).toHaveLength(3);
      expect(r.run.checkpoint).toBeUndefined();
      expect(r.run.config).toEqual(defaultConfig());
    }
  });
  it('names what is wrong: format, version, rows, the config, and the order of steps', () => {
    const bad = (patch: object) => {
      const r = parseSavedRun({ ...JSON.parse(runFileText(good())), ...patch });
      return r.ok ? [] : r.errors;
    };
    expect(bad({ format: 'something else' })[0]).toMatch(/^format: is not a playground run file/);
    expect(bad({ version: 2 })[0]).toMatch(/^version: must be 1/);
    expect(bad({ history: [{ ...row(0), trainAccuracy: 3 }] })[0]).toMatch(/^history\.0\.trainAccuracy/);
    expect(bad({ config: { version: 1, sparsity: { target: 2 } } })[0]).toMatch(/^config\.sparsity\.target/);
    expect(bad({ history: [row(1), row(0)] })[0]).toMatch(/steps must increase/);
    expect(bad({ history: [row(5)] })[0]).toMatch(/past the run's step 3/);
    expect(parseSavedRun('hello').ok).toBe(false);
  });
});
