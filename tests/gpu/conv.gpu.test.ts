// Convolution kernels (implicit GEMM) vs src/reference/conv.ts: forward, dX, masked and full dW
// (split over batch x pixels), bias gradient, for valid and same padding, plus 2x2 max-pool.
import { describe, it } from 'vitest';
import {
  convBackwardInput,
  convBackwardWeight,
  convForward,
  convGeometry,
  maxPool2Backward,
  maxPool2Forward,
  type ConvShape,
} from '../../src/reference/conv';
import { biasGrad } from '../../src/reference/reduce';
import { expectClose, randomArray, randomMask, useGpu } from './harness';

const gpu = useGpu([
  'conv.forward',
  'conv.backward_input',
  'conv.backward_weight',
  'conv.backward_weight_masked',
  'reduce.bias_grad',
  'reduce.sum_splits',
  'pool.max2_forward',
  'pool.max2_backward',
]);
const TOL = { atol: 3e-5, rtol: 3e-4 };

// Small relatives of LeNet-5-Caffe (1->20 5x5 on 28x28, 20->50 5x5) plus odd shapes.
const SHAPES: Omit<ConvShape, 'members'>[] = [
  { batch: 2, cin: 1, inH: 12, inW: 12, cout: 5, kh: 5, kw: 5, padding: 'valid' },
  { batch: 3, cin: 4, inH: 9, inW: 7, cout: 6, kh: 3, kw: 3, padding: 'same' },
  { batch: 2, cin: 3, inH: 8, inW: 8, cout: 7, kh: 5, kw: 5, padding: 'same' },
  { batch: 1, cin: 20, inH: 8, inW: 8, cout: 50, kh: 5, kw: 5, padding: 'valid' },
  // A ToST ghost bypass beside a valid 5x5 conv: 1x1, centre-cropped by 2 (negative padding).
  { batch: 2, cin: 3, inH: 9, inW: 8, cout: 4, kh: 1, kw: 1, padding: 'valid', crop: 2 },
];

function dimsOf(s: ConvShape, splits: number) {
  const g = convGeometry(s);
  return {
    batch: s.batch,
    cin: s.cin,
    in_h: s.inH,
    in_w: s.inW,
    cout: s.cout,
    kh: s.kh,
    kw: s.kw,
    out_h: g.outH,
    out_w: g.outW,
    pad_top: g.padTop,
    pad_left: g.padLeft,
    splits,
  };
}

const label = (s: Omit<ConvShape, 'members'>): string =>
  `${s.cin}->${s.cout} ${s.kh}x${s.kw} ${s.padding}${s.crop ? ` crop ${s.crop}` : ''} on ${s.inH}x${s.inW}, batch ${s.batch}`;

describe.each([1, 3])('conv2d, %i member(s)', (members) => {
  it.each(SHAPES.map((s) => [label(s), s] as const))('%s', async (_name, shape) => {
    const h = gpu();
    const s: ConvShape = { members, ...shape };
    const g = convGeometry(s);
    const seed = members * 100 + s.cin * 10 + s.kh;
    const x = randomArray(members * s.batch * s.cin * s.inH * s.inW, seed + 1);
    const w = randomArray(members * s.cout * s.cin * s.kh * s.kw, seed + 2, 0.3);
    const mask = randomMask(w.length, seed + 3, 0.5);
    const bias = randomArray(members * s.cout, seed + 4, 0.1);
    const dy = randomArray(members * s.batch * s.cout * g.outH * g.outW, seed + 5);
    const perMember = w.length / members;
    const splits = 4;
    const bufs = {
      x: h.upload('x', x),
      w: h.upload('w', w),
      mask: h.upload('mask', mask),
      bias: h.upload('bias', bias),
      dy: h.upload('dy', dy),
      y: h.empty('y', dy.length),
      dx: h.empty('dx', x.length),
      dwMasked: h.empty('dw masked', w.length),
      dwFull: h.empty('dw full', w.length),
      partials: h.empty('dw partials', w.length * splits),
      dwSplit: h.empty('dw split', w.length),
      db: h.empty('db', bias.length),
    };
    const dims = dimsOf(s, 1);
    await h.run(
      ['conv.forward', { resources: { a: bufs.x, b: bufs.w, mask: bufs.mask, bias: bufs.bias, c: bufs.y }, params: dims, members }],
      ['conv.backward_input', { resources: { a: bufs.dy, b: bufs.w, mask: bufs.mask, c: bufs.dx }, params: dims, members }],
      ['conv.backward_weight_masked', { resources: { a: bufs.dy, b: bufs.x, mask: bufs.mask, c: bufs.dwMasked }, params: dims, members }],
      ['conv.backward_weight', { resources: { a: bufs.dy, b: bufs.x, mask: bufs.mask, c: bufs.dwFull }, params: dims, members }],
      ['conv.backward_weight', { resources: { a: bufs.dy, b: bufs.x, mask: bufs.mask, c: bufs.partials }, params: dimsOf(s, splits), members }],
      ['reduce.sum_splits', { resources: { partials: bufs.partials, out: bufs.dwSplit }, params: { n: perMember, splits, masked: 0 }, members }],
      ['reduce.bias_grad', { resources: { dy: bufs.dy, db: bufs.db }, params: { batch: s.batch, channels: s.cout, pixels: g.outH * g.outW }, members }],
    );
    const wantFull = convBackwardWeight(s, dy, x, null);
    expectClose(await h.readF32(bufs.y), convForward(s, x, w, mask, bias), TOL, 'y');
    expectClose(await h.readF32(bufs.dx), convBackwardInput(s, dy, w, mask), TOL, 'dx');
    expectClose(await h.readF32(bufs.dwMasked), convBackwardWeight(s, dy, x, mask), TOL, 'dW masked');
    expectClose(await h.readF32(bufs.dwFull), wantFull, TOL, 'dW full');
    expectClose(await h.readF32(bufs.dwSplit), wantFull, TOL, 'dW full via split over batch x pixels');
    expectClose(await h.readF32(bufs.db), biasGrad(members, s.batch, s.cout, g.outH * g.outW, dy), TOL, 'db');
  });
});

describe.each([1, 3])('2x2 max-pool, %i member(s)', (members) => {
  it.each([
    [2, 3, 8, 8],
    [3, 2, 7, 9],
    [1, 5, 24, 24],
  ])('batch %i, %i channels, %ix%i', async (batch, channels, inH, inW) => {
    const h = gpu();
    const n = members * batch * channels * inH * inW;
    const x = randomArray(n, n + members);
    const outN = members * batch * channels * Math.floor(inH / 2) * Math.floor(inW / 2);
    const dy = randomArray(outN, outN + 7);
    const bufs = {
      x: h.upload('x', x),
      dy: h.upload('dy', dy),
      y: h.empty('y', outN),
      argmax: h.empty('argmax', outN),
      dx: h.empty('dx', n),
    };
    const params = { batch, channels, in_h: inH, in_w: inW };
    await h.run(
      ['pool.max2_forward', { resources: { src: bufs.x, argmax: bufs.argmax, dst: bufs.y }, params, members }],
      ['pool.max2_backward', { resources: { src: bufs.dy, argmax: bufs.argmax, dst: bufs.dx }, params, members }],
    );
    const want = maxPool2Forward(members, batch, channels, inH, inW, x);
    expectClose(await h.readF32(bufs.y), want.y, { atol: 0, rtol: 0 }, 'y');
    expectClose(await h.readU32(bufs.argmax), want.argmax, { atol: 0, rtol: 0 }, 'argmax');
    expectClose(await h.readF32(bufs.dx), maxPool2Backward(members, batch, channels, inH, inW, dy, want.argmax), { atol: 0, rtol: 0 }, 'dx');
  });
});
