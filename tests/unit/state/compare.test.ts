// Comparing runs: histories merged on one step axis, the sweep's plan and its chart rows.
import { describe, expect, it } from 'vitest';
import { compareChart, defaultConfig, lessonConfig, sweepPlan, sweepRows, type HistoryRow } from '../../../src/state';

const row = (step: number, testAccuracy: number | null): HistoryRow => ({ step, epoch: 0, loss: 1 / (step + 1), trainAccuracy: 0.5, testAccuracy, testLoss: null, lr: 0.1, density: 0.5, flopsRatio: 0.5, trainingFlops: step, itop: null });

describe('compareChart', () => {
  it('merges runs by step, one key per run, skipping missing values', () => {
    const c = compareChart([{ name: 'SET', rows: [row(0, null), row(10, 0.5), row(20, 0.7)] }, { name: 'RigL', rows: [row(10, 0.6), row(30, 0.8)] }], 'testAccuracy');
    expect(c.lines).toEqual([{ key: 'run0', name: 'SET' }, { key: 'run1', name: 'RigL' }]);
    expect(c.rows).toEqual([{ step: 10, run0: 0.5, run1: 0.6 }, { step: 20, run0: 0.7 }, { step: 30, run1: 0.8 }]);
  });
  it('thins long histories to at most maxPoints per run, keeping the last', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => row(i, i / 1000));
    const c = compareChart([{ name: 'a', rows }], 'loss', 100);
    expect(c.rows.length).toBeLessThanOrEqual(101);
    expect(c.rows.at(-1)!.step).toBe(999);
  });
});

describe('sweepPlan', () => {
  it('one run per method and sparsity, single-model, everything else kept', () => {
    const base = { ...defaultConfig(), seed: 42 };
    const plan = sweepPlan(base, ['static', 'rigl'], [0.5, 0.9]);
    expect(plan.map((p) => [p.method, p.sparsity])).toEqual([['static', 0.5], ['static', 0.9], ['rigl', 0.5], ['rigl', 0.9]]);
    for (const p of plan) {
      expect(p.config.seed).toBe(42);
      expect(p.config.dst.method).toBe(p.method);
      expect(p.config.sparsity.target).toBe(p.sparsity);
      expect(p.config.ensemble.mode).toBe('none');
    }
  });
  it('from an ensemble setup too, and refuses a point the schema refuses, naming it', () => {
    expect(sweepPlan(lessonConfig('free-tickets'), ['set'], [0.8])[0]!.config.ensemble.mode).toBe('none');
    expect(() => sweepPlan(lessonConfig('lottery-tickets'), ['rigl'], [0.8])).toThrow(/rigl at 80 %: dst.method/);
  });
});

describe('sweepRows', () => {
  it('one row per sparsity, ascending, a column per method', () => {
    expect(sweepRows([{ method: 'rigl', sparsity: 0.9, accuracy: 0.8 }, { method: 'static', sparsity: 0.5, accuracy: 0.9 }, { method: 'rigl', sparsity: 0.5, accuracy: 0.95 }])).toEqual([
      { sparsity: 0.5, static: 0.9, rigl: 0.95 },
      { sparsity: 0.9, rigl: 0.8 },
    ]);
  });
});
