// The gradient checker must be able to FAIL: wrong gradients are fed through the same helper
// that the kernel tests use and must be rejected.

import { describe, expect, it } from 'vitest';
import { denseBackwardInput, denseBackwardWeight, denseForward, type DenseShape } from '../../../src/reference/dense';
import { mulberry32 } from '../../../src/util/rng';
import { gradCheck, ones, randomArray, randomMask, scaled, type GradCheckSpec } from './gradcheck';

const s: DenseShape = { members: 2, batch: 3, nIn: 4, nOut: 5 };

function denseCase(wrongDx: (dx: Float32Array) => Float32Array): GradCheckSpec {
  const rng = mulberry32(7);
  const x = randomArray(rng, s.members * s.batch * s.nIn);
  const w = randomArray(rng, s.members * s.nOut * s.nIn);
  const mask = randomMask(rng, w.length, 0.6);
  const bias = randomArray(rng, s.members * s.nOut);
  return {
    inputs: [x],
    forward: ([xx]) => denseForward(s, xx!, w, mask, bias),
    vjp: (r) => [wrongDx(denseBackwardInput(s, r, w, mask))],
  };
}

describe('gradCheck helper', () => {
  it('accepts the correct gradient', () => {
    const res = gradCheck(denseCase((dx) => dx));
    expect(res.failures).toEqual([]);
    expect(res.ok).toBe(true);
    expect(res.checked).toBe(s.members * s.batch * s.nIn);
  });

  it('rejects a gradient scaled by 1.1', () => {
    const res = gradCheck(denseCase((dx) => scaled(dx, 1.1)));
    expect(res.ok).toBe(false);
    expect(res.failures.length).toBeGreaterThan(0);
  });

  it('rejects a gradient with a single entry off by 2%', () => {
    const res = gradCheck(
      denseCase((dx) => {
        const bad = Float32Array.from(dx);
        bad[5] = bad[5]! * 1.02 + 0.01;
        return bad;
      }),
    );
    expect(res.ok).toBe(false);
    expect(res.failures[0]).toMatch(/^input 0\[5\]/);
  });

  it('rejects the gradient with the two members swapped', () => {
    const half = (s.members * s.batch * s.nIn) / 2;
    const res = gradCheck(denseCase((dx) => Float32Array.from(dx, (_, i) => dx[(i + half) % dx.length]!)));
    expect(res.ok).toBe(false);
  });

  it('rejects the unmasked weight gradient when the forward is masked', () => {
    const rng = mulberry32(8);
    const x = randomArray(rng, s.members * s.batch * s.nIn);
    const w = randomArray(rng, s.members * s.nOut * s.nIn);
    const mask = randomMask(rng, w.length, 0.5);
    const bias = new Float32Array(s.members * s.nOut);
    const res = gradCheck({
      inputs: [w],
      forward: ([ww]) => denseForward(s, x, ww!, mask, bias),
      vjp: (r) => [denseBackwardWeight(s, r, x, null)],
    });
    expect(res.ok).toBe(false);
  });

  it('flags a vacuous check where every gradient is zero', () => {
    const res = gradCheck({
      inputs: [ones(4)],
      forward: () => new Float32Array(3),
      vjp: () => [new Float32Array(4)],
    });
    expect(res.ok).toBe(false);
    expect(res.failures.join()).toMatch(/vacuous/);
  });
});
