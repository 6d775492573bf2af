import { describe, expect, it } from 'vitest';
import {
  activeCount,
  activeCounts,
  allocateDensities,
  countsDensity,
  erkRaw,
  erRaw,
  overallDensity,
} from '../../../src/sparsity/densities';
import { denseFlopsPerExample, fanIn, fanOut, numel } from '../../../src/sparsity/layers';
import type { MaskableLayer } from '../../../src/sparsity/layers';
import { LENET5_CAFFE, LENET_300_100 } from './models';

describe('layers', () => {
  it('numel, fan-in and fan-out follow [out, in] and [cout, cin, kh, kw]', () => {
    const [fc1] = LENET_300_100;
    const [, conv2] = LENET5_CAFFE;
    expect(numel(fc1!)).toBe(235200);
    expect(fanIn(fc1!)).toBe(784);
    expect(fanOut(fc1!)).toBe(300);
    expect(numel(conv2!)).toBe(25000);
    expect(fanIn(conv2!)).toBe(500); // 20·5·5
    expect(fanOut(conv2!)).toBe(1250); // 50·5·5
  });

  it('dense FLOPs per example = 2·MACs; conv needs its output size', () => {
    expect(denseFlopsPerExample(LENET_300_100[0]!)).toBe(2 * 784 * 300);
    expect(denseFlopsPerExample(LENET5_CAFFE[0]!)).toBe(2 * 1 * 25 * 20 * 24 * 24);
    expect(() => denseFlopsPerExample({ name: 'c', kind: 'conv', shape: [2, 2, 3, 3] })).toThrow(/outH/);
    expect(() => numel({ name: 'bad', kind: 'conv', shape: [2, 2] })).toThrow(/4 dims/);
  });
});

// Spec §1.2 ERK test vectors: [S, ε, per-layer densities].
const LENET_300_100_ERK: [number, number, number[]][] = [
  [0.8, 35.202, [0.1622, 0.4694, 1.0]],
  [0.9, 17.264, [0.0796, 0.2302, 1.0]],
  [0.95, 8.35, [0.0385, 0.1113, 0.9185]],
  [0.98, 3.34, [0.0154, 0.0445, 0.3674]],
];
const LENET5_ERK: [number, number, number[]][] = [
  [0.8, 58.406, [1.0, 0.1869, 0.1898, 1.0]],
  [0.9, 27.21, [1.0, 0.0871, 0.0884, 1.0]],
  [0.95, 11.712, [0.7261, 0.0375, 0.0381, 1.0]],
  [0.98, 4.482, [0.2779, 0.0143, 0.0146, 0.4572]],
];

describe('ERK reproduces the reference tables (docs/METHODS.md §1.2)', () => {
  const cases = [
    ...LENET_300_100_ERK.map((row) => ['LeNet-300-100', LENET_300_100, ...row] as const),
    ...LENET5_ERK.map((row) => ['LeNet-5-Caffe', LENET5_CAFFE, ...row] as const),
  ];
  it.each(cases)('%s at S = %s', (_name, layers, s, eps, want) => {
    const { densities, epsilon } = allocateDensities(layers, 1 - s, { kind: 'erk' });
    expect(densities).toHaveLength(want.length);
    densities.forEach((d, l) => expect(Math.abs(d - want[l]!)).toBeLessThan(1e-4));
    // ε is printed to 3 decimals
    expect(Math.abs(epsilon! - eps)).toBeLessThan(5e-4);
    expect(Math.abs(overallDensity(layers, densities) - (1 - s))).toBeLessThan(1e-4);
    // the solved allocation satisfies d_l = min(1, ε·raw_l)
    densities.forEach((d, l) => expect(d).toBeCloseTo(Math.min(1, epsilon! * erkRaw(layers[l]!)), 12));
  });

  it('power scale 0 makes every raw 1, i.e. uniform', () => {
    const { densities } = allocateDensities(LENET5_CAFFE, 0.1, { kind: 'erk', powerScale: 0 });
    densities.forEach((d) => expect(d).toBeCloseTo(0.1, 12));
  });

  it('density 1 is all dense, density 0 all empty', () => {
    expect(allocateDensities(LENET5_CAFFE, 1, { kind: 'erk' }).densities).toEqual([1, 1, 1, 1]);
    expect(allocateDensities(LENET5_CAFFE, 0, { kind: 'erk' }).densities).toEqual([0, 0, 0, 0]);
  });
});

describe('ER', () => {
  const small: MaskableLayer[] = [
    { name: 'a', kind: 'dense', shape: [10, 10] }, // N 100, raw 20/100 = 0.2
    { name: 'b', kind: 'dense', shape: [100, 100] }, // N 10000, raw 200/10000 = 0.02
  ];

  it('solved globally: the overflowing layer goes dense and ε is re-solved (hand-computed)', () => {
    // first pass ε = 0.5·10100 / (0.2·100 + 0.02·10000) = 22.95 → a at 4.59 > 1 → dense;
    // re-solve: ε = (0.5·10000 − 0.5·100) / (0.02·10000) = 24.75 → b = 0.495.
    const { densities, epsilon } = allocateDensities(small, 0.5, { kind: 'er' });
    expect(epsilon).toBeCloseTo(24.75, 12);
    expect(densities[0]).toBe(1);
    expect(densities[1]).toBeCloseTo(0.495, 12);
  });

  it('with fixed ε (SET): min(1, ε(n_in+n_out)/(n_in·n_out)), independent of the target', () => {
    for (const target of [0.05, 0.5]) {
      const { densities, epsilon } = allocateDensities(LENET_300_100, target, { kind: 'er', epsilon: 20 });
      expect(epsilon).toBe(20);
      expect(densities[0]).toBeCloseTo((20 * 1084) / 235200, 12);
      expect(densities[1]).toBeCloseTo((20 * 400) / 30000, 12);
      expect(densities[2]).toBe(1); // 20·110/1000 = 2.2
    }
  });

  it('ignores kernel dims on convs, ERK does not', () => {
    const conv2 = LENET5_CAFFE[1]!;
    expect(erRaw(conv2)).toBeCloseTo(70 / 1000, 15); // (cin + cout)/(cin·cout)
    expect(erkRaw(conv2)).toBeCloseTo(80 / 25000, 15); // (50+20+5+5)/(50·20·5·5)
  });

  it('on an MLP, global ER equals ERK', () => {
    const er = allocateDensities(LENET_300_100, 0.05, { kind: 'er' });
    const erk = allocateDensities(LENET_300_100, 0.05, { kind: 'erk' });
    er.densities.forEach((d, l) => expect(d).toBeCloseTo(erk.densities[l]!, 12));
  });
});

describe('uniform', () => {
  it('every layer gets d', () => {
    const { densities, epsilon } = allocateDensities(LENET_300_100, 0.1, { kind: 'uniform' });
    expect(densities).toEqual([0.1, 0.1, 0.1]);
    expect(epsilon).toBeNull();
  });

  it('dense first/last: the other layers get d, so the overall density is above d', () => {
    const { densities } = allocateDensities(LENET_300_100, 0.1, { kind: 'uniform', denseFirst: true, denseLast: true });
    expect(densities).toEqual([1, 0.1, 1]);
    // (235200 + 0.1·30000 + 1000) / 266200
    expect(overallDensity(LENET_300_100, densities)).toBeCloseTo(239200 / 266200, 12);
    expect(allocateDensities(LENET_300_100, 0.1, { kind: 'uniform', denseLast: true }).densities).toEqual([0.1, 0.1, 1]);
  });
});

describe('active counts', () => {
  it('N − floor((1 − d)·N), with slack for float noise', () => {
    expect(activeCount(10, 0.9)).toBe(9); // (1 − 0.9)·10 = 0.9999999999999998 must count as 1 zero
    expect(activeCount(7, 0.5)).toBe(4); // floor(3.5) = 3 zeros
    expect(activeCount(100, 0.25)).toBe(25);
    expect(activeCount(100, 0)).toBe(0);
    expect(activeCount(100, 1)).toBe(100);
    expect(activeCount(0, 0.5)).toBe(0);
  });

  it('per layer, and their realised overall density', () => {
    const counts = activeCounts(LENET_300_100, [1, 0.1, 0.5]);
    expect(counts).toEqual([235200, 3000, 500]);
    expect(countsDensity(LENET_300_100, counts)).toBeCloseTo(238700 / 266200, 12);
    const { densities } = allocateDensities(LENET_300_100, 0.1, { kind: 'erk' });
    const total = activeCounts(LENET_300_100, densities).reduce((a, b) => a + b, 0);
    expect(Math.abs(total - 26620)).toBeLessThanOrEqual(3); // one rounding per layer
  });
});
