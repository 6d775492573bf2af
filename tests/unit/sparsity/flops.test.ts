import { describe, expect, it } from 'vitest';
import { allocateDensities } from '../../../src/sparsity/densities';
import { FlopsAccumulator, denseForwardFlops, sparseForwardFlops, trainingFlopsPerStep } from '../../../src/sparsity/flops';
import { initialLastUpdate, isUpdateStep } from '../../../src/sparsity/schedule';
import type { DstSchedule } from '../../../src/sparsity/schedule';
import { LENET5_CAFFE, LENET_300_100 } from './models';

describe('forward FLOPs (docs/METHODS.md §1.2, §1.9)', () => {
  it('LeNet-5-Caffe dense forward = 2·(20·25·576 + 50·500·64 + 800·500 + 500·10)', () => {
    expect(denseForwardFlops(LENET5_CAFFE)).toBe(2 * (288000 + 1600000 + 400000 + 5000));
  });

  const table: [number, number, number][] = [
    // S, ERK f_S/f_D, uniform f_S/f_D (docs/METHODS.md §1.2)
    [0.8, 0.291, 0.2],
    [0.9, 0.204, 0.1],
    [0.95, 0.126, 0.05],
    [0.98, 0.048, 0.02],
  ];
  it.each(table)('LeNet-5-Caffe at S = %s: ERK %s vs uniform %s of dense', (s, erk, uniform) => {
    const fD = denseForwardFlops(LENET5_CAFFE);
    const erkD = allocateDensities(LENET5_CAFFE, 1 - s, { kind: 'erk' }).densities;
    const uniD = allocateDensities(LENET5_CAFFE, 1 - s, { kind: 'uniform' }).densities;
    expect(Math.abs(sparseForwardFlops(LENET5_CAFFE, erkD) / fD - erk)).toBeLessThan(2e-3);
    expect(Math.abs(sparseForwardFlops(LENET5_CAFFE, uniD) / fD - uniform)).toBeLessThan(2e-3);
  });

  it('for an MLP f_S/f_D equals the overall density', () => {
    const { densities } = allocateDensities(LENET_300_100, 0.05, { kind: 'erk' });
    expect(sparseForwardFlops(LENET_300_100, densities) / denseForwardFlops(LENET_300_100)).toBeCloseTo(0.05, 12);
  });
});

describe('training FLOPs per step (docs/METHODS.md §1.9 table)', () => {
  const input = { fS: 1, fD: 10, deltaT: 4, batch: 2 };
  it('dense 3f_D, static/SET 3f_S, SNFS 2f_S + f_D, RigL (3f_S·ΔT + 2f_S + f_D)/(ΔT + 1), × batch', () => {
    expect(trainingFlopsPerStep('dense', input)).toBe(60);
    expect(trainingFlopsPerStep('static', input)).toBe(6);
    expect(trainingFlopsPerStep('set', input)).toBe(6);
    expect(trainingFlopsPerStep('snfs', input)).toBe(24);
    expect(trainingFlopsPerStep('rigl', input)).toBeCloseTo(((12 + 2 + 10) / 5) * 2, 12); // 9.6
  });

  it('exact accumulation over ΔT ordinary steps + 1 update equals the RigL average', () => {
    const acc = new FlopsAccumulator('rigl', input);
    for (let i = 0; i < 4; i++) acc.step(false);
    acc.step(true);
    expect(acc.cumulative()).toBe(4 * 3 * 2 + (2 + 10) * 2); // 48
    expect(acc.cumulative()).toBeCloseTo(5 * trainingFlopsPerStep('rigl', input), 12);
    expect(acc.ratioToDense()).toBeCloseTo(48 / (3 * 10 * 2 * 5), 15);
  });

  it('charges RigL only on the schedule’s real update steps (none after T_end)', () => {
    const schedule: DstSchedule = { deltaT: 100, alpha: 0.3, decay: 'cosine', tEnd: 750, beginStep: 0 };
    const acc = new FlopsAccumulator('rigl', { fS: 1, fD: 10, batch: 1 });
    let last = initialLastUpdate(schedule);
    for (let t = 0; t < 1000; t++) {
      const update = isUpdateStep(schedule, t, last);
      if (update) last = t;
      acc.step(update);
    }
    // updates at 0, 100, …, 700: 8 of them
    expect(acc.cumulative()).toBe(992 * 3 + 8 * 12);
    expect(acc.stepCount()).toBe(1000);
  });

  it('other methods, ratios to dense and a live change of f_S', () => {
    const dense = new FlopsAccumulator('dense', { fS: 1, fD: 10, batch: 3 });
    dense.step(true);
    expect(dense.ratioToDense()).toBe(1);
    const snfs = new FlopsAccumulator('snfs', { fS: 1, fD: 10, batch: 3 });
    snfs.step();
    snfs.step(true);
    expect(snfs.ratioToDense()).toBeCloseTo(12 / 30, 15);
    const set = new FlopsAccumulator('set', { fS: 1, fD: 10, batch: 1 });
    set.step(true); // SET's update adds nothing
    set.setSparseFlops(2);
    set.step();
    expect(set.cumulative()).toBe(3 + 6);
    expect(new FlopsAccumulator('static', { fS: 1, fD: 10, batch: 1 }).ratioToDense()).toBe(0);
  });
});
