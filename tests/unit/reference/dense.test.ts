import { describe, expect, it } from 'vitest';
import { denseBackwardInput, denseBackwardWeight, denseForward, type DenseShape } from '../../../src/reference/dense';
import { mulberry32 } from '../../../src/util/rng';
import { gradCheck, ones, randomArray, randomMask, times } from './gradcheck';

describe('denseForward', () => {
  it('computes a hand-worked 3-in 2-out layer for a batch of 2', () => {
    const s: DenseShape = { members: 1, batch: 2, nIn: 3, nOut: 2 };
    const x = Float32Array.from([1, 2, 3, /* example 2 */ -1, 0, 2]);
    const w = Float32Array.from([1, 0, -1, /* out 1 */ 2, 1, 0.5]);
    const bias = Float32Array.from([0.5, -1]);
    // example 1: 1*1 + 2*0 + 3*(-1) + 0.5 = -1.5;   1*2 + 2*1 + 3*0.5 - 1 = 4.5
    // example 2: -1*1 + 0 + 2*(-1) + 0.5 = -2.5;    -1*2 + 0 + 2*0.5 - 1 = -2
    expect(Array.from(denseForward(s, x, w, ones(6), bias))).toEqual([-1.5, 4.5, -2.5, -2]);
    // Masking w[1][1] removes its 2*1 (example 1) and 0*1 (example 2) contributions.
    const mask = Float32Array.from([1, 1, 1, 1, 0, 1]);
    expect(Array.from(denseForward(s, x, w, mask, bias))).toEqual([-1.5, 2.5, -2.5, -2]);
  });

  it('keeps members independent and in the leading dimension', () => {
    const rng = mulberry32(1);
    const s: DenseShape = { members: 2, batch: 3, nIn: 4, nOut: 2 };
    const one: DenseShape = { ...s, members: 1 };
    const x = randomArray(rng, 2 * 3 * 4);
    const w = randomArray(rng, 2 * 2 * 4);
    const mask = randomMask(rng, w.length, 0.7);
    const bias = randomArray(rng, 2 * 2);
    const both = denseForward(s, x, w, mask, bias);
    for (let m = 0; m < 2; m++) {
      const ym = denseForward(one, x.subarray(m * 12, m * 12 + 12), w.subarray(m * 8, m * 8 + 8), mask.subarray(m * 8, m * 8 + 8), bias.subarray(m * 2, m * 2 + 2));
      expect(Array.from(both.subarray(m * 6, m * 6 + 6))).toEqual(Array.from(ym));
    }
  });

  it('names the argument with the wrong length', () => {
    const s: DenseShape = { members: 1, batch: 1, nIn: 2, nOut: 2 };
    expect(() => denseForward(s, new Float32Array(2), new Float32Array(4), new Float32Array(4), new Float32Array(3))).toThrow(/bias/);
    expect(() => denseBackwardInput(s, new Float32Array(2), new Float32Array(4), new Float32Array(5))).toThrow(/mask/);
    expect(() => denseBackwardWeight(s, new Float32Array(3), new Float32Array(2), null)).toThrow(/dy/);
  });
});

describe('dense mask semantics', () => {
  const rng = mulberry32(2);
  const s: DenseShape = { members: 2, batch: 3, nIn: 5, nOut: 4 };
  const x = randomArray(rng, 2 * 3 * 5);
  const w = randomArray(rng, 2 * 4 * 5);
  const mask = randomMask(rng, w.length, 0.5);
  const bias = randomArray(rng, 2 * 4);
  const dy = randomArray(rng, 2 * 3 * 4);
  // Same active weights, garbage at the inactive ones.
  const wGarbage = Float32Array.from(w, (v, i) => (mask[i] ? v : 1000 + i));

  it('masked weights contribute nothing to forward or backward-input', () => {
    expect(Array.from(denseForward(s, x, wGarbage, mask, bias))).toEqual(Array.from(denseForward(s, x, w, mask, bias)));
    expect(Array.from(denseBackwardInput(s, dy, wGarbage, mask))).toEqual(Array.from(denseBackwardInput(s, dy, w, mask)));
  });

  it('backward-weight with a mask zeroes inactive entries; with null it keeps them', () => {
    const restricted = denseBackwardWeight(s, dy, x, mask);
    const full = denseBackwardWeight(s, dy, x, null);
    let inactive = 0;
    for (let i = 0; i < w.length; i++) {
      if (mask[i]) {
        expect(restricted[i]).toBe(full[i]);
      } else {
        inactive++;
        expect(restricted[i] === 0).toBe(true); // may be -0: it is acc * 0
        expect(full[i]).not.toBe(0);
      }
    }
    expect(inactive).toBeGreaterThan(0);
  });
});

describe('dense gradients (finite differences)', () => {
  const rng = mulberry32(3);
  const s: DenseShape = { members: 2, batch: 3, nIn: 5, nOut: 4 };
  const x = randomArray(rng, 2 * 3 * 5);
  const w = randomArray(rng, 2 * 4 * 5);
  const mask = randomMask(rng, w.length, 0.6);
  const bias = randomArray(rng, 2 * 4);

  it('denseBackwardInput is dL/dx', () => {
    const res = gradCheck({
      inputs: [x],
      forward: ([xx]) => denseForward(s, xx!, w, mask, bias),
      vjp: (r) => [denseBackwardInput(s, r, w, mask)],
    });
    expect(res.failures).toEqual([]);
  });

  it('denseBackwardWeight with the mask is dL/dw of the masked layer', () => {
    const res = gradCheck({
      inputs: [w],
      forward: ([ww]) => denseForward(s, x, ww!, mask, bias),
      vjp: (r) => [denseBackwardWeight(s, r, x, mask)],
    });
    expect(res.failures).toEqual([]);
  });

  it('denseBackwardWeight with null mask is dL/d(effective weight w*mask), inactive entries included', () => {
    const res = gradCheck({
      inputs: [times(w, mask)],
      forward: ([weff]) => denseForward(s, x, weff!, ones(w.length), bias),
      vjp: (r) => [denseBackwardWeight(s, r, x, null)],
    });
    expect(res.failures).toEqual([]);
  });
});
