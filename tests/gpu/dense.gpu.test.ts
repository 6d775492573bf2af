// Dense layer kernels vs src/reference/dense.ts and reduce.ts: forward, dX, masked and full dW
// (with and without split-K), bias gradient.
import { describe, it } from 'vitest';
import { denseBackwardInput, denseBackwardWeight, denseForward, type DenseShape } from '../../src/reference/dense';
import { biasGrad } from '../../src/reference/reduce';
import { expectClose, randomArray, randomMask, useGpu } from './harness';

const gpu = useGpu([
  'dense.forward',
  'dense.backward_input',
  'dense.backward_weight',
  'dense.backward_weight_masked',
  'reduce.bias_grad',
  'reduce.sum_splits',
]);
const TOL = { atol: 2e-5, rtol: 2e-4 };

// Batch and widths deliberately off the 32x32 tile (and one below a single tile).
const SHAPES: Omit<DenseShape, 'members'>[] = [
  { batch: 5, nIn: 7, nOut: 3 },
  { batch: 33, nIn: 40, nOut: 17 },
  { batch: 64, nIn: 100, nOut: 70 },
];

describe.each([1, 3])('dense layer, %i member(s)', (members) => {
  it.each(SHAPES)('forward, dX and bias grad at batch $batch, $nIn -> $nOut', async (shape) => {
    const h = gpu();
    const s: DenseShape = { members, ...shape };
    const seed = members * 1000 + shape.batch;
    const x = randomArray(members * s.batch * s.nIn, seed + 1);
    const w = randomArray(members * s.nOut * s.nIn, seed + 2, 0.5);
    const mask = randomMask(w.length, seed + 3, 0.4);
    const bias = randomArray(members * s.nOut, seed + 4, 0.1);
    const dy = randomArray(members * s.batch * s.nOut, seed + 5);
    const bufs = {
      x: h.upload('x', x),
      w: h.upload('w', w),
      mask: h.upload('mask', mask),
      bias: h.upload('bias', bias),
      dy: h.upload('dy', dy),
      y: h.empty('y', members * s.batch * s.nOut),
      dx: h.empty('dx', x.length),
      db: h.empty('db', bias.length),
    };
    const dims = { batch: s.batch, n_in: s.nIn, n_out: s.nOut, splits: 1 };
    await h.run(
      ['dense.forward', { resources: { a: bufs.x, b: bufs.w, mask: bufs.mask, bias: bufs.bias, c: bufs.y }, params: dims, members }],
      ['dense.backward_input', { resources: { a: bufs.dy, b: bufs.w, mask: bufs.mask, c: bufs.dx }, params: dims, members }],
      ['reduce.bias_grad', { resources: { dy: bufs.dy, db: bufs.db }, params: { batch: s.batch, channels: s.nOut, pixels: 1 }, members }],
    );
    expectClose(await h.readF32(bufs.y), denseForward(s, x, w, mask, bias), TOL, 'y');
    expectClose(await h.readF32(bufs.dx), denseBackwardInput(s, dy, w, mask), TOL, 'dx');
    expectClose(await h.readF32(bufs.db), biasGrad(members, s.batch, s.nOut, 1, dy), TOL, 'db');
  });

  it.each(SHAPES)('dW masked and full, split-K 1 and 3, at batch $batch, $nIn -> $nOut', async (shape) => {
    const h = gpu();
    const s: DenseShape = { members, ...shape };
    const seed = members * 2000 + shape.nIn;
    const x = randomArray(members * s.batch * s.nIn, seed + 1);
    const dy = randomArray(members * s.batch * s.nOut, seed + 2);
    const mask = randomMask(members * s.nOut * s.nIn, seed + 3, 0.3);
    const n = s.nOut * s.nIn;
    const bufs = {
      x: h.upload('x', x),
      dy: h.upload('dy', dy),
      mask: h.upload('mask', mask),
      dwMasked: h.empty('dw masked', members * n),
      dwFull: h.empty('dw full', members * n),
      partials: h.empty('dw partials', members * 3 * n),
      dwSplit: h.empty('dw split', members * n),
    };
    const dims = { batch: s.batch, n_in: s.nIn, n_out: s.nOut, splits: 1 };
    const rs = { a: bufs.dy, b: bufs.x, mask: bufs.mask };
    await h.run(
      ['dense.backward_weight_masked', { resources: { ...rs, c: bufs.dwMasked }, params: dims, members }],
      ['dense.backward_weight', { resources: { ...rs, c: bufs.dwFull }, params: dims, members }],
      ['dense.backward_weight', { resources: { ...rs, c: bufs.partials }, params: { ...dims, splits: 3 }, members }],
      ['reduce.sum_splits', { resources: { partials: bufs.partials, mask: bufs.mask, out: bufs.dwSplit }, params: { n, splits: 3, masked: 1 }, members }],
    );
    const wantMasked = denseBackwardWeight(s, dy, x, mask);
    expectClose(await h.readF32(bufs.dwMasked), wantMasked, TOL, 'dW masked');
    expectClose(await h.readF32(bufs.dwFull), denseBackwardWeight(s, dy, x, null), TOL, 'dW full');
    expectClose(await h.readF32(bufs.dwSplit), wantMasked, TOL, 'dW masked via split-K');
  });
});
