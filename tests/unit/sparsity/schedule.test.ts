import { describe, expect, it } from 'vitest';
import {
  dropFraction,
  initialLastUpdate,
  isDynamic,
  isUpdateStep,
  optimizerStepOnUpdate,
  pruneGrowCounts,
  snfsIsUpdateStep,
  snfsPruneRate,
} from '../../../src/sparsity/schedule';
import type { DstSchedule } from '../../../src/sparsity/schedule';
import { mulberry32 } from '../../../src/util/rng';

const rigl: DstSchedule = { deltaT: 100, alpha: 0.3, decay: 'cosine', tEnd: 1000, beginStep: 0 };

describe('update iterations', () => {
  it('first update at t = 0, then every ΔT, never after T_end', () => {
    const updates: number[] = [];
    let last = initialLastUpdate(rigl);
    expect(last).toBe(-100);
    for (let t = 0; t < 1500; t++) {
      if (isUpdateStep(rigl, t, last)) {
        updates.push(t);
        last = t;
      }
    }
    expect(updates).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('waits for beginStep and for ΔT since the last update', () => {
    const s = { ...rigl, beginStep: 50 };
    expect(isUpdateStep(s, 0, -100)).toBe(false);
    expect(isUpdateStep(s, 50, -100)).toBe(true);
    expect(isUpdateStep(s, 149, 50)).toBe(false);
    expect(isUpdateStep(s, 150, 50)).toBe(true);
  });
});

describe('drop fraction', () => {
  it('cosine: α at 0, α/2 at T_end/2, 0 at and after T_end', () => {
    expect(dropFraction(rigl, 0)).toBeCloseTo(0.3, 15);
    expect(dropFraction(rigl, 500)).toBeCloseTo(0.15, 15);
    expect(dropFraction(rigl, 250)).toBeCloseTo(0.15 * (1 + Math.SQRT1_2), 15);
    expect(dropFraction(rigl, 1000)).toBeCloseTo(0, 15);
    expect(dropFraction(rigl, 5000)).toBeCloseTo(0, 15);
  });

  it('constant: α throughout', () => {
    const s: DstSchedule = { ...rigl, alpha: 0.5, decay: 'constant' };
    expect([0, 400, 1000].map((t) => dropFraction(s, t))).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('pruneGrowCounts', () => {
  it('swaps k = floor(f·nnz) at a fixed target', () => {
    expect(pruneGrowCounts(100, 100, 0.3, 1000)).toEqual({ prune: 30, grow: 30 });
    expect(pruneGrowCounts(10, 10, 0.7, 100)).toEqual({ prune: 7, grow: 7 }); // 0.7·10 = 7.000000000000001
    expect(pruneGrowCounts(100, 100, 0.29, 1000)).toEqual({ prune: 29, grow: 29 }); // 28.999999999999996
    expect(pruneGrowCounts(100, 100, 0.299, 1000)).toEqual({ prune: 29, grow: 29 });
    expect(pruneGrowCounts(100, 100, 0, 1000)).toEqual({ prune: 0, grow: 0 });
  });

  it('moves to a new target: extra prunes when shrinking, extra grows when growing', () => {
    expect(pruneGrowCounts(100, 80, 0.3, 1000)).toEqual({ prune: 50, grow: 30 });
    expect(pruneGrowCounts(100, 120, 0.3, 1000)).toEqual({ prune: 30, grow: 50 });
  });

  it('clamps: prune ≤ nnz still lands on the target; target ≤ numel', () => {
    expect(pruneGrowCounts(100, 10, 0.3, 1000)).toEqual({ prune: 100, grow: 10 });
    expect(pruneGrowCounts(100, 2000, 0.3, 1000)).toEqual({ prune: 30, grow: 930 });
    expect(pruneGrowCounts(100, -5, 0.3, 1000)).toEqual({ prune: 100, grow: 0 });
  });

  it('without regrowing dropped positions, k shrinks to the inactive count', () => {
    expect(pruneGrowCounts(950, 950, 0.3, 1000, { regrowDropped: false })).toEqual({ prune: 50, grow: 50 });
    expect(pruneGrowCounts(950, 950, 0.3, 1000)).toEqual({ prune: 285, grow: 285 });
  });

  it('always ends at the clamped target within the available positions', () => {
    const rng = mulberry32(5);
    for (let i = 0; i < 2000; i++) {
      const numel = 1 + rng.int(300);
      const nnz = rng.int(numel + 1);
      const target = rng.int(numel + 40) - 20;
      const regrowDropped = rng.next() < 0.5;
      const { prune, grow } = pruneGrowCounts(nnz, target, rng.next(), numel, { regrowDropped });
      expect(nnz - prune + grow).toBe(Math.min(numel, Math.max(0, target)));
      expect(prune).toBeGreaterThanOrEqual(0);
      expect(prune).toBeLessThanOrEqual(nnz);
      expect(grow).toBeGreaterThanOrEqual(0);
      expect(grow).toBeLessThanOrEqual(regrowDropped ? numel - nnz + prune : numel - nnz);
    }
  });
});

describe('methods', () => {
  it('RigL skips the optimizer step on updates unless port-compatible; SET and SNFS step', () => {
    expect(optimizerStepOnUpdate('rigl', false)).toBe(false);
    expect(optimizerStepOnUpdate('rigl', true)).toBe(true);
    expect(optimizerStepOnUpdate('set', false)).toBe(true);
    expect(optimizerStepOnUpdate('snfs', false)).toBe(true);
    expect(['dense', 'static', 'set', 'rigl', 'snfs'].filter((m) => isDynamic(m as 'set'))).toEqual(['set', 'rigl', 'snfs']);
  });

  it('SNFS updates after the last step of each epoch, not after the final one', () => {
    const steps = Array.from({ length: 30 }, (_, t) => t).filter((t) => snfsIsUpdateStep(10, t, 30));
    expect(steps).toEqual([9, 19]);
    expect(snfsIsUpdateStep(10, 29)).toBe(true);
  });

  it('SNFS prune rate: 0.5 cosine-annealed to 0.005', () => {
    expect(snfsPruneRate(0, 100)).toBeCloseTo(0.5, 15);
    expect(snfsPruneRate(50, 100)).toBeCloseTo(0.005 + 0.495 / 2, 15);
    expect(snfsPruneRate(100, 100)).toBeCloseTo(0.005, 15);
  });
});
