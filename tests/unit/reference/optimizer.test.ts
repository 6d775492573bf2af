// Two hand-worked steps of each optimizer on tiny arrays. The arithmetic is written out; values
// are stored as float32 between steps, hence toBeCloseTo rather than exact equality.

import { describe, expect, it } from 'vitest';
import { adamStep, resetState, sgdStep, type AdamParams, type SgdParams } from '../../../src/reference/optimizer';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);

function expectClose(actual: Float32Array, expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i], `entry ${i}`).toBeCloseTo(e, digits));
}

describe('sgdStep', () => {
  const base: SgdParams = { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0, denseState: false };

  it('momentum: two steps by hand, the masked entry stays exactly 0', () => {
    const w = f32(1, -2, 0);
    const mask = f32(1, 1, 0);
    const buf = f32(0, 0, 0);
    sgdStep(w, f32(0.5, 1, 3), mask, buf, base);
    // g' = g*mask = [0.5, 1, 0];  buf = [0.5, 1, 0];  w = [1 - 0.05, -2 - 0.1, 0]
    expectClose(buf, [0.5, 1, 0]);
    expectClose(w, [0.95, -2.1, 0]);
    sgdStep(w, f32(0.5, -1, 3), mask, buf, base);
    // buf = [0.9*0.5 + 0.5, 0.9*1 - 1, 0] = [0.95, -0.1, 0];  w = [0.95 - 0.095, -2.1 + 0.01, 0]
    expectClose(buf, [0.95, -0.1, 0]);
    expectClose(w, [0.855, -2.09, 0]);
    expect(Object.is(w[2], 0)).toBe(true);
  });

  it('nesterov with weight decay: two steps by hand', () => {
    const p: SgdParams = { ...base, nesterov: true, weightDecay: 0.01 };
    const w = f32(1, -2, 0);
    const mask = f32(1, 1, 0);
    const buf = f32(0, 0, 0);
    sgdStep(w, f32(0.5, 1, 3), mask, buf, p);
    // g' = [0.5 + 0.01*1, 1 + 0.01*(-2), 0] = [0.51, 0.98, 0];  buf = g'
    // d = g' + 0.9*buf = [0.51 + 0.459, 0.98 + 0.882] = [0.969, 1.862]
    // w = [1 - 0.0969, -2 - 0.1862] = [0.9031, -2.1862]
    expectClose(buf, [0.51, 0.98, 0]);
    expectClose(w, [0.9031, -2.1862, 0]);
    sgdStep(w, f32(0.5, -1, 3), mask, buf, p);
    // g' = [0.5 + 0.009031, -1 - 0.021862] = [0.509031, -1.021862]
    // buf = [0.9*0.51 + 0.509031, 0.9*0.98 - 1.021862] = [0.968031, -0.139862]
    // d = [0.509031 + 0.8712279, -1.021862 - 0.1258758] = [1.3802589, -1.1477378]
    // w = [0.9031 - 0.13802589, -2.1862 + 0.11477378] = [0.76507411, -2.07142622]
    expectClose(buf, [0.968031, -0.139862, 0]);
    expectClose(w, [0.76507411, -2.07142622, 0], 5);
    expect(Object.is(w[2], 0)).toBe(true);
  });

  it('denseState lets momentum accumulate at masked entries while w stays +0', () => {
    const mask = f32(1, 0);
    const g = f32(1, 2);
    const dense = { w: f32(1, 0), buf: f32(0, 0) };
    const sparse = { w: f32(1, 0), buf: f32(0, 0) };
    for (let step = 0; step < 2; step++) {
      sgdStep(dense.w, g, mask, dense.buf, { ...base, denseState: true });
      sgdStep(sparse.w, g, mask, sparse.buf, base);
    }
    // buf: step 1 = g = [1, 2]; step 2 = 0.9*[1, 2] + [1, 2] = [1.9, 3.8];  w[0] = 1 - 0.1 - 0.19
    expectClose(dense.buf, [1.9, 3.8]);
    expectClose(dense.w, [0.71, 0]);
    // w[1] - lr*d = -0.38 would be -0 after a plain multiply by the mask: it must be +0.
    expect(Object.is(dense.w[1], 0)).toBe(true);
    expectClose(sparse.buf, [1.9, 0]);
    expect(Object.is(sparse.w[1], 0)).toBe(true);
  });

  it('names a state array with the wrong length', () => {
    expect(() => sgdStep(f32(1, 2), f32(1, 2), f32(1, 1), f32(0), base)).toThrow(/buf/);
  });
});

describe('adamStep', () => {
  const base: AdamParams = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1, denseState: false };
  // bias corrections: step 1: bc1 = 0.1, bc2 = 0.001;  step 2: bc1 = 1 - 0.81 = 0.19, bc2 = 1 - 0.998001 = 0.001999

  function twoSteps(p: AdamParams): { w: Float32Array; m: Float32Array; v: Float32Array } {
    const w = f32(1, 0);
    const mask = f32(1, 0);
    const m = f32(0, 0);
    const v = f32(0, 0);
    adamStep(w, f32(0.5, 2), mask, m, v, { ...p, step: 1 });
    adamStep(w, f32(-0.25, 2), mask, m, v, { ...p, step: 2 });
    return { w, m, v };
  }

  it('plain Adam: two steps by hand', () => {
    const w = f32(1, 0);
    const mask = f32(1, 0);
    const m = f32(0, 0);
    const v = f32(0, 0);
    adamStep(w, f32(0.5, 2), mask, m, v, base);
    // m = 0.1*0.5 = 0.05;  v = 0.001*0.25 = 0.00025
    // w = 1 - (0.1/0.1) * 0.05 / (sqrt(0.00025)/sqrt(0.001) + 1e-8) = 1 - 0.05/0.5 = 0.9
    expectClose(m, [0.05, 0], 8);
    expectClose(v, [0.00025, 0], 10);
    expectClose(w, [0.9, 0]);
    adamStep(w, f32(-0.25, 2), mask, m, v, { ...base, step: 2 });
    // m = 0.9*0.05 + 0.1*(-0.25) = 0.02;  v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225
    // m/bc1 = 0.02/0.19 = 0.10526316;  sqrt(v/bc2) = sqrt(0.15620310) = 0.39522538
    // w = 0.9 - 0.1 * 0.10526316 / 0.39522538 = 0.9 - 0.02663370 = 0.87336630
    expectClose(m, [0.02, 0], 8);
    expectClose(v, [0.00031225, 0], 10);
    expectClose(w, [0.8733663, 0]);
    expect(Object.is(w[1], 0)).toBe(true);
  });

  it('Adam with L2 weight decay (coupled): two steps by hand', () => {
    const { w } = twoSteps({ ...base, weightDecay: 0.1 });
    // step 1: g' = 0.5 + 0.1*1 = 0.6, m = 0.06, v = 0.00036, w = 1 - 0.1 * 0.6/0.6 = 0.9
    // step 2: g' = -0.25 + 0.1*0.9 = -0.16;  m = 0.054 - 0.016 = 0.038
    //         v = 0.999*0.00036 + 0.001*0.0256 = 0.00038524
    //         w = 0.9 - 0.1 * (0.038/0.19) / sqrt(0.00038524/0.001999) = 0.9 - 0.02/0.43899... = 0.85444137
    expectClose(w, [0.85444137, 0]);
  });

  it('AdamW (decoupled weight decay): two steps by hand', () => {
    const { w } = twoSteps({ ...base, weightDecay: 0.1, decoupled: true });
    // step 1: w = 1*(1 - 0.1*0.1) = 0.99, then 0.99 - 0.1 = 0.89 (m, v as plain Adam)
    // step 2: w = 0.89*0.99 = 0.8811, then 0.8811 - 0.0266337 = 0.8544663
    expectClose(w, [0.8544663, 0]);
  });

  it('denseState accumulates moments at masked entries while w stays +0', () => {
    const dense = twoSteps({ ...base, denseState: true });
    // masked entry: m = 0.9*0.2 + 0.1*2 = 0.38;  v = 0.999*0.004 + 0.001*4 = 0.007996
    expectClose(dense.m, [0.02, 0.38], 7);
    expectClose(dense.v, [0.00031225, 0.007996], 9);
    expect(Object.is(dense.w[1], 0)).toBe(true);
    const sparse = twoSteps(base);
    expect(sparse.m[1]).toBe(0);
    expect(sparse.v[1]).toBe(0);
    expect(Object.is(sparse.w[1], 0)).toBe(true);
  });

  it('rejects step 0 (steps are 1-based)', () => {
    expect(() => adamStep(f32(1), f32(1), f32(1), f32(0), f32(0), { ...base, step: 0 })).toThrow(/1-based/);
  });
});

describe('resetState', () => {
  it('zeroes only the listed indices of every state array', () => {
    const a = f32(1, 2, 3, 4, 5);
    const b = f32(-1, -2, -3, -4, -5);
    resetState(Uint32Array.of(1, 3), a, b);
    expect(Array.from(a)).toEqual([1, 0, 3, 0, 5]);
    expect(Array.from(b)).toEqual([-1, 0, -3, 0, -5]);
  });

  it('rejects an out-of-range index', () => {
    expect(() => resetState(Uint32Array.of(5), f32(1, 2, 3, 4, 5))).toThrow(/out of range/);
  });
});
