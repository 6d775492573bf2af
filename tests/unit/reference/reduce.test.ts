import { describe, expect, it } from 'vitest';
import { convForward, convGeometry, type ConvShape } from '../../../src/reference/conv';
import { denseForward, type DenseShape } from '../../../src/reference/dense';
import { biasGrad } from '../../../src/reference/reduce';
import { mulberry32 } from '../../../src/util/rng';
import { gradCheck, randomArray, randomMask } from './gradcheck';

describe('biasGrad', () => {
  it('sums a hand-written tensor over batch and pixels', () => {
    // members 2, batch 2, channels 2, pixels 3: dy[m][b][c][p]
    const dy = Float32Array.from([
      1, 2, 3, /* c1 */ 10, 20, 30, // m0 b0
      4, 5, 6, /* c1 */ 40, 50, 60, // m0 b1
      -1, -1, -1, /* c1 */ 0, 0, 1, // m1 b0
      0.5, 0.5, 0, /* c1 */ 2, 0, 0, // m1 b1
    ]);
    // m0: c0 = 1+2+3+4+5+6 = 21, c1 = 210;  m1: c0 = -3 + 1 = -2, c1 = 1 + 2 = 3
    expect(Array.from(biasGrad(2, 2, 2, 3, dy))).toEqual([21, 210, -2, 3]);
  });

  it('names dy when its length is wrong', () => {
    expect(() => biasGrad(1, 2, 3, 1, new Float32Array(5))).toThrow(/dy/);
  });

  it('is dL/dbias of a dense layer (pixels = 1)', () => {
    const rng = mulberry32(11);
    const s: DenseShape = { members: 2, batch: 3, nIn: 4, nOut: 5 };
    const x = randomArray(rng, 2 * 3 * 4);
    const w = randomArray(rng, 2 * 5 * 4);
    const mask = randomMask(rng, w.length, 0.5);
    const res = gradCheck({
      inputs: [randomArray(rng, 2 * 5)],
      forward: ([bias]) => denseForward(s, x, w, mask, bias!),
      vjp: (r) => [biasGrad(2, 3, 5, 1, r)],
    });
    expect(res.failures).toEqual([]);
  });

  it('is dL/dbias of a conv layer (pixels = outH*outW)', () => {
    const rng = mulberry32(12);
    const s: ConvShape = { members: 2, batch: 2, cin: 2, inH: 6, inW: 5, cout: 3, kh: 3, kw: 3, padding: 'valid' };
    const { outH, outW } = convGeometry(s);
    const x = randomArray(rng, 2 * 2 * 2 * 6 * 5);
    const w = randomArray(rng, 2 * 3 * 2 * 3 * 3);
    const mask = randomMask(rng, w.length, 0.5);
    const res = gradCheck({
      inputs: [randomArray(rng, 2 * 3)],
      forward: ([bias]) => convForward(s, x, w, mask, bias!),
      vjp: (r) => [biasGrad(2, 2, 3, outH * outW, r)],
    });
    expect(res.failures).toEqual([]);
  });
});
