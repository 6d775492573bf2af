import { describe, expect, it } from 'vitest';
import {
  convBackwardInput,
  convBackwardWeight,
  convForward,
  convGeometry,
  maxPool2Backward,
  maxPool2Forward,
  type ConvShape,
} from '../../../src/reference/conv';
import { denseForward } from '../../../src/reference/dense';
import { mulberry32 } from '../../../src/util/rng';
import { distinctArray, gradCheck, ones, randomArray, randomMask, times } from './gradcheck';

const x3 = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 1 channel, 3x3, rows 123/456/789
const single = (padding: 'valid' | 'same', k: number): ConvShape => ({
  members: 1, batch: 1, cin: 1, inH: 3, inW: 3, cout: 1, kh: k, kw: k, padding,
});

describe('convGeometry', () => {
  const base = { members: 1, batch: 1, cin: 1, inH: 7, inW: 6, cout: 1 };
  it('valid shrinks by k-1 with no padding', () => {
    expect(convGeometry({ ...base, kh: 3, kw: 5, padding: 'valid' })).toEqual({ outH: 5, outW: 2, padTop: 0, padLeft: 0 });
  });
  it('same keeps the size and puts the odd extra padding bottom/right', () => {
    expect(convGeometry({ ...base, kh: 3, kw: 5, padding: 'same' })).toEqual({ outH: 7, outW: 6, padTop: 1, padLeft: 2 });
    expect(convGeometry({ ...base, kh: 2, kw: 4, padding: 'same' })).toEqual({ outH: 7, outW: 6, padTop: 0, padLeft: 1 });
  });
  it('a crop drops pixels on every side (negative padding)', () => {
    expect(convGeometry({ ...base, kh: 1, kw: 1, padding: 'valid', crop: 2 })).toEqual({ outH: 3, outW: 2, padTop: -2, padLeft: -2 });
    expect(() => convGeometry({ ...base, kh: 1, kw: 1, padding: 'same', crop: 1 })).toThrow(/crop needs 'valid'/);
    expect(() => convGeometry({ ...base, kh: 1, kw: 1, padding: 'valid', crop: 3 })).toThrow(/leaves no output/);
  });
  it('a centre-cropped 1x1 conv reads the centre pixels (a ToST ghost beside a valid 3x3)', () => {
    const s: ConvShape = { members: 1, batch: 1, cin: 1, inH: 4, inW: 4, cout: 1, kh: 1, kw: 1, padding: 'valid', crop: 1 };
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    // centre 2x2 of the 4x4 ramp: 5 6 / 9 10, times w = 2, plus bias 1
    expect(Array.from(convForward(s, x, Float32Array.of(2), Float32Array.of(1), Float32Array.of(1)))).toEqual([11, 13, 19, 21]);
    const dx = convBackwardInput(s, Float32Array.of(1, 1, 1, 1), Float32Array.of(2), Float32Array.of(1));
    expect(Array.from(dx)).toEqual([0, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2, 0, 0, 0, 0, 0]);
  });
  it('rejects a valid kernel larger than the input', () => {
    expect(() => convGeometry({ ...base, kh: 8, kw: 3, padding: 'valid' })).toThrow(/larger than input/);
  });
});

describe('convForward', () => {
  // Kernel with two taps: k[0][1] = 1, k[1][2] = 10 (asymmetric, so a flipped kernel would show).
  const k = Float32Array.from([0, 1, 0, 0, 0, 10, 0, 0, 0]);

  it('valid 3x3 over 3x3 gives one pixel', () => {
    // y = x[0][1]*1 + x[1][2]*10 + bias = 2 + 60 + 0.5
    expect(Array.from(convForward(single('valid', 3), x3, k, ones(9), Float32Array.of(0.5)))).toEqual([62.5]);
  });

  it('same 3x3 over 3x3 pads one pixel of zeros all round', () => {
    // y[oy][ox] = x[oy-1][ox] + 10*x[oy][ox+1]  (out of range = 0)
    //   row 0: 0+20, 0+30, 0+0      row 1: 1+50, 2+60, 3+0      row 2: 4+80, 5+90, 6+0
    expect(Array.from(convForward(single('same', 3), x3, k, ones(9), Float32Array.of(0)))).toEqual([20, 30, 0, 51, 62, 3, 84, 95, 6]);
  });

  it('same with an even 2x2 kernel pads only bottom/right', () => {
    // all-ones 2x2: y[oy][ox] = x[oy][ox] + x[oy][ox+1] + x[oy+1][ox] + x[oy+1][ox+1]
    expect(Array.from(convForward(single('same', 2), x3, ones(4), ones(4), Float32Array.of(0)))).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
  });

  it('masked taps contribute nothing', () => {
    const mask = Float32Array.from([1, 0, 1, 1, 1, 1, 1, 1, 1]); // removes the k[0][1] tap
    expect(Array.from(convForward(single('valid', 3), x3, k, mask, Float32Array.of(0)))).toEqual([60]);
    const rng = mulberry32(20);
    const s: ConvShape = { members: 2, batch: 2, cin: 2, inH: 5, inW: 4, cout: 3, kh: 3, kw: 3, padding: 'same' };
    const x = randomArray(rng, 2 * 2 * 2 * 5 * 4);
    const w = randomArray(rng, 2 * 3 * 2 * 9);
    const m = randomMask(rng, w.length, 0.5);
    const wGarbage = Float32Array.from(w, (v, i) => (m[i] ? v : 1e3 + i));
    const dy = randomArray(rng, 2 * 2 * 3 * 5 * 4);
    expect(Array.from(convForward(s, x, wGarbage, m, new Float32Array(6)))).toEqual(Array.from(convForward(s, x, w, m, new Float32Array(6))));
    expect(Array.from(convBackwardInput(s, dy, wGarbage, m))).toEqual(Array.from(convBackwardInput(s, dy, w, m)));
    const restricted = convBackwardWeight(s, dy, x, m);
    const full = convBackwardWeight(s, dy, x, null);
    for (let i = 0; i < w.length; i++) {
      if (m[i]) expect(restricted[i]).toBe(full[i]);
      else {
        expect(restricted[i] === 0).toBe(true); // may be -0: it is acc * 0
        expect(full[i]).not.toBe(0);
      }
    }
  });

  it('a 1x1 conv is a dense layer applied at every pixel, per member and batch', () => {
    const rng = mulberry32(21);
    const M = 2, B = 2, CI = 3, CO = 2, H = 2, W = 3;
    const s: ConvShape = { members: M, batch: B, cin: CI, inH: H, inW: W, cout: CO, kh: 1, kw: 1, padding: 'valid' };
    const x = randomArray(rng, M * B * CI * H * W);
    const w = randomArray(rng, M * CO * CI);
    const mask = randomMask(rng, w.length, 0.7);
    const bias = randomArray(rng, M * CO);
    const y = convForward(s, x, w, mask, bias);
    // Re-lay x as (members, batch*pixels, cin) and run the dense reference.
    const P = H * W;
    const xd = new Float32Array(M * B * P * CI);
    for (let m = 0; m < M; m++)
      for (let b = 0; b < B; b++)
        for (let c = 0; c < CI; c++)
          for (let p = 0; p < P; p++) xd[((m * B + b) * P + p) * CI + c] = x[((m * B + b) * CI + c) * P + p]!;
    const yd = denseForward({ members: M, batch: B * P, nIn: CI, nOut: CO }, xd, w, mask, bias);
    for (let m = 0; m < M; m++)
      for (let b = 0; b < B; b++)
        for (let c = 0; c < CO; c++)
          for (let p = 0; p < P; p++) expect(y[((m * B + b) * CO + c) * P + p]).toBeCloseTo(yd[((m * B + b) * P + p) * CO + c]!, 5);
  });

  it('names the argument with the wrong length', () => {
    expect(() => convForward(single('valid', 3), x3, ones(9), ones(8), Float32Array.of(0))).toThrow(/mask/);
    expect(() => convBackwardWeight(single('same', 3), new Float32Array(8), x3, null)).toThrow(/dy/);
  });
});

describe('conv gradients (finite differences)', () => {
  const cases: [ConvShape['padding'], number, number][] = [
    ['valid', 3, 3],
    ['valid', 5, 5],
    ['same', 3, 3],
    ['same', 5, 5],
    ['same', 2, 3],
  ];
  for (const [padding, kh, kw] of cases) {
    describe(`${padding} ${kh}x${kw} on a 7x6 input, 2 members`, () => {
      const rng = mulberry32(100 + kh * 10 + kw);
      const s: ConvShape = { members: 2, batch: 2, cin: 2, inH: 7, inW: 6, cout: 3, kh, kw, padding };
      const x = randomArray(rng, 2 * 2 * 2 * 7 * 6);
      const w = randomArray(rng, 2 * 3 * 2 * kh * kw, 0.5);
      const mask = randomMask(rng, w.length, 0.6);
      const bias = randomArray(rng, 2 * 3);

      it('convBackwardInput is dL/dx', () => {
        const res = gradCheck({
          inputs: [x],
          forward: ([xx]) => convForward(s, xx!, w, mask, bias),
          vjp: (r) => [convBackwardInput(s, r, w, mask)],
        });
        expect(res.failures).toEqual([]);
      });

      it('convBackwardWeight with the mask is dL/dw', () => {
        const res = gradCheck({
          inputs: [w],
          forward: ([ww]) => convForward(s, x, ww!, mask, bias),
          vjp: (r) => [convBackwardWeight(s, r, x, mask)],
        });
        expect(res.failures).toEqual([]);
      });

      it('convBackwardWeight with null mask is dL/d(w*mask), inactive entries included', () => {
        const res = gradCheck({
          inputs: [times(w, mask)],
          forward: ([weff]) => convForward(s, x, weff!, ones(w.length), bias),
          vjp: (r) => [convBackwardWeight(s, r, x, null)],
        });
        expect(res.failures).toEqual([]);
      });
    });
  }
});

describe('maxPool2', () => {
  it('pools a known tensor, breaking ties by first position and dropping the odd row/column', () => {
    // members 1, batch 1, channels 2, 3x5 input -> 1x2 output
    const x = Float32Array.from([
      1, 5, 2, 0, 9, //
      3, 4, 8, 8, 7, //
      6, 6, 6, 6, 6, // dropped row (and column 4 above: the 9 never wins)
      // channel 1: all equal, so position (0,0) wins both windows
      2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    ]);
    const { y, argmax } = maxPool2Forward(1, 1, 2, 3, 5, x);
    // window (0,0): [1 5; 3 4] -> 5 at (0,1) = 1;  window (0,1): [2 0; 8 8] -> 8 first at (1,0) = 2
    expect(Array.from(y)).toEqual([5, 8, 2, 2]);
    expect(Array.from(argmax)).toEqual([1, 2, 0, 0]);

    const dx = maxPool2Backward(1, 1, 2, 3, 5, Float32Array.from([10, 20, 30, 40]), argmax);
    const expected = new Float32Array(30);
    expected[1] = 10; // (0,1)
    expected[5 + 2] = 20; // (1,2)
    expected[15] = 30; // channel 1 (0,0)
    expected[15 + 2] = 40; // channel 1 (0,2)
    expect(Array.from(dx)).toEqual(Array.from(expected));
  });

  it('maxPool2Backward is dL/dx (odd sizes, distinct values)', () => {
    const rng = mulberry32(30);
    const [M, B, C, H, W] = [2, 2, 2, 5, 7];
    // Values at least 0.05 apart: a +-0.01 perturbation never changes a winner.
    const x = distinctArray(rng, M * B * C * H * W, 0.05);
    const res = gradCheck({
      inputs: [x],
      forward: ([xx]) => maxPool2Forward(M, B, C, H, W, xx!).y,
      vjp: (r, [xx]) => [maxPool2Backward(M, B, C, H, W, r, maxPool2Forward(M, B, C, H, W, xx!).argmax)],
    });
    expect(res.failures).toEqual([]);
  });

  it('names the argument with the wrong length', () => {
    expect(() => maxPool2Forward(1, 1, 1, 3, 3, new Float32Array(8))).toThrow(/x/);
    expect(() => maxPool2Backward(1, 1, 1, 3, 3, new Float32Array(1), new Uint32Array(2))).toThrow(/argmax/);
  });
});
