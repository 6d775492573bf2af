// Activations, softmax cross-entropy, optimizers and batch gather vs their CPU references.
// Elementwise kernels run over flat ranges that hold every member, so "M members" means the
// range is M times longer; the loss and gather kernels take the member from workgroup_id.z.
import { describe, expect, it } from 'vitest';
import { ACTIVATION_KINDS, activationBackward, activationForward, scaleAdd } from '../../src/reference/activation';
import { PAD_INDEX, gatherF32, gatherU8 } from '../../src/reference/data';
import { PAD_LABEL, softmaxCrossEntropy } from '../../src/reference/loss';
import { adamStep, resetState, sgdStep } from '../../src/reference/optimizer';
import { packU8 } from '../../src/util/packing';
import { expectClose, randomArray, randomMask, useGpu } from './harness';

const gpu = useGpu([
  'activation.forward',
  'activation.backward',
  'activation.scale_add',
  'loss.softmax_xent',
  'optimizer.sgd',
  'optimizer.adam',
  'optimizer.reset_state',
  'data.gather_u8',
  'data.gather_f32',
]);
const TOL = { atol: 1e-6, rtol: 1e-5 };
const SIZES = [5, 300, 1027];

describe.each([1, 3])('activations, %i member(s)', (members) => {
  it.each(ACTIVATION_KINDS.flatMap((k) => SIZES.map((n) => [k, n] as const)))('%s over %i elements', async (kind, n) => {
    const h = gpu();
    const total = members * n;
    const x = randomArray(total, total + kind.length, 4);
    const dy = randomArray(total, total + 1);
    const beta = 1.7;
    const params = { n: total, kind: ACTIVATION_KINDS.indexOf(kind), beta };
    const bufs = { x: h.upload('x', x), dy: h.upload('dy', dy), y: h.empty('y', total), dx: h.empty('dx', total) };
    await h.run(
      ['activation.forward', { resources: { x: bufs.x, out: bufs.y }, params, members: 1 }],
      ['activation.backward', { resources: { x: bufs.x, dy: bufs.dy, out: bufs.dx }, params, members: 1 }],
    );
    const tol = { atol: 2e-6, rtol: 2e-5 }; // exp/tanh are a few ULP on GPUs
    expectClose(await h.readF32(bufs.y), activationForward(kind, x, beta), tol, `${kind} forward`);
    expectClose(await h.readF32(bufs.dx), activationBackward(kind, x, dy, beta), tol, `${kind} backward`);
  });
});

describe('scale_add (the ghost bypass axpby)', () => {
  it.each([
    [5, 0.3, 1],
    [1027, 1e-4, 1],
    [300, 0.7, 0],
    [300, 1, 1],
  ])('%i elements, alpha %f, beta %f', async (n, alpha, beta) => {
    const h = gpu();
    const x = randomArray(n, n + 11, 3);
    // beta = 0: out's old contents (NaN here) must not leak into the result.
    const before = beta === 0 ? new Float32Array(n).fill(NaN) : randomArray(n, n + 12, 3);
    const out = h.upload('out', before);
    await h.run(['activation.scale_add', { resources: { x: h.upload('x', x), out }, params: { n, alpha, beta }, members: 1 }]);
    expectClose(await h.readF32(out), scaleAdd(x, before, alpha, beta), { atol: 1e-6, rtol: 1e-5 }, 'scale_add');
  });
});

describe.each([1, 3])('softmax cross-entropy, %i member(s)', (members) => {
  it.each([
    [4, 2, 0, 1, 0],
    [37, 10, 0, 1, 0],
    [65, 10, 0.1, 1, 0],
    [9, 13, 0.3, 1, 0],
    [33, 10, 0, 200, 0],
    [37, 10, 0.1, 1, 4], // every 4th row a padding row (PAD_LABEL): loss, correct and dlogits 0
  ])('batch %i, %i classes, label smoothing %f, temperature %f, padding every %i rows', async (batch, classes, alpha, temperature, padEvery) => {
    const h = gpu();
    const logits = randomArray(members * batch * classes, batch * classes + members, 6);
    const labels = new Uint32Array(members * batch).map((_, i) => (padEvery > 0 && i % padEvery === padEvery - 1 ? PAD_LABEL : (i * 7 + 3) % classes));
    const bufs = {
      logits: h.upload('logits', logits),
      labels: h.upload('labels', labels),
      dlogits: h.empty('dlogits', logits.length),
      loss: h.empty('loss', labels.length),
      correct: h.empty('correct', labels.length),
    };
    await h.run([
      'loss.softmax_xent',
      {
        resources: { logits: bufs.logits, labels: bufs.labels, dlogits: bufs.dlogits, loss: bufs.loss, correct: bufs.correct },
        params: { batch, classes, alpha, temperature },
        members,
      },
    ]);
    const want = softmaxCrossEntropy(members, batch, classes, logits, labels, alpha, temperature);
    expectClose(await h.readF32(bufs.dlogits), want.dlogits, { atol: 1e-6 / temperature, rtol: 1e-4 }, 'dlogits');
    expectClose(await h.readF32(bufs.loss), want.loss, { atol: 1e-5, rtol: 1e-5 }, 'loss');
    expectClose(await h.readF32(bufs.correct), want.correct, { atol: 0, rtol: 0 }, 'correct');
  });
});

describe.each([1, 3])('optimizers, %i member(s)', (members) => {
  const cases = [
    { nesterov: false, denseState: false, momentum: 0.9, weightDecay: 5e-4 },
    { nesterov: true, denseState: false, momentum: 0.9, weightDecay: 1e-4 },
    { nesterov: false, denseState: true, momentum: 0.5, weightDecay: 0 },
  ];
  it.each(SIZES.flatMap((n) => cases.map((c) => [n, c] as const)))('SGD over %i weights per member, %o', async (n, c) => {
    const h = gpu();
    const total = members * n;
    const mask = randomMask(total, total, 0.3);
    const w = randomArray(total, total + 1).map((v, i) => v * mask[i]!);
    const g = randomArray(total, total + 2);
    const buf = randomArray(total, total + 3, 0.1);
    const bufs = { w: h.upload('w', w), g: h.upload('g', g), mask: h.upload('mask', mask), buf: h.upload('buf', buf) };
    const flags = (c.nesterov ? 1 : 0) | (c.denseState ? 2 : 0);
    const params = { n: total, flags, lr: 0.05, momentum: c.momentum, weight_decay: c.weightDecay };
    // Two steps, so the momentum buffer is exercised.
    await h.run(
      ['optimizer.sgd', { resources: { w: bufs.w, g: bufs.g, mask: bufs.mask, state1: bufs.buf }, params, members: 1 }],
      ['optimizer.sgd', { resources: { w: bufs.w, g: bufs.g, mask: bufs.mask, state1: bufs.buf }, params, members: 1 }],
    );
    const p = { lr: 0.05, ...c };
    sgdStep(w, g, mask, buf, p);
    sgdStep(w, g, mask, buf, p);
    const gotW = await h.readF32(bufs.w);
    expectClose(gotW, w, TOL, 'w');
    expectClose(await h.readF32(bufs.buf), buf, TOL, 'momentum');
    for (let i = 0; i < total; i++) if (mask[i] === 0) expect(gotW[i], `masked w[${i}]`).toBe(0);
  });

  it.each(SIZES.flatMap((n) => [false, true].map((decoupled) => [n, decoupled] as const)))(
    'Adam over %i weights per member, decoupled weight decay %s',
    async (n, decoupled) => {
      const h = gpu();
      const total = members * n;
      const mask = randomMask(total, total + 9, 0.5);
      const w = randomArray(total, total + 1).map((v, i) => v * mask[i]!);
      const g = randomArray(total, total + 2);
      const m = new Float32Array(total);
      const v = new Float32Array(total);
      const bufs = { w: h.upload('w', w), g: h.upload('g', g), mask: h.upload('mask', mask), m: h.upload('m', m), v: h.upload('v', v) };
      const base = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, denseState: false };
      const calls = [1, 2, 3].map(
        (step) =>
          [
            'optimizer.adam',
            {
              resources: { w: bufs.w, g: bufs.g, mask: bufs.mask, state1: bufs.m, state2: bufs.v },
              params: {
                n: total,
                flags: decoupled ? 4 : 0,
                lr: base.lr,
                beta1: base.beta1,
                beta2: base.beta2,
                eps: base.eps,
                weight_decay: base.weightDecay,
                bc1: 1 - base.beta1 ** step,
                bc2: 1 - base.beta2 ** step,
              },
              members: 1,
            },
          ] as const,
      );
      await h.run(...calls.map(([k, a]) => [k, a] as [typeof k, typeof a]));
      for (const step of [1, 2, 3]) adamStep(w, g, mask, m, v, { ...base, step });
      const gotW = await h.readF32(bufs.w);
      expectClose(gotW, w, { atol: 1e-6, rtol: 1e-4 }, 'w');
      expectClose(await h.readF32(bufs.m), m, TOL, 'm');
      expectClose(await h.readF32(bufs.v), v, TOL, 'v');
      for (let i = 0; i < total; i++) if (mask[i] === 0) expect(gotW[i], `masked w[${i}]`).toBe(0);
    },
  );

  it('reset_state zeroes exactly the listed indices of one or two state buffers', async () => {
    const h = gpu();
    const total = members * 700;
    const s1 = randomArray(total, 5);
    const s2 = randomArray(total, 6);
    const indices = new Uint32Array(members * 40).map((_, i) => (i * 37 + 11) % total);
    const bufs = { idx: h.upload('indices', indices), s1: h.upload('s1', s1), s2: h.upload('s2', s2) };
    await h.run([
      'optimizer.reset_state',
      { resources: { indices: bufs.idx, state1: bufs.s1, state2: bufs.s2 }, params: { count: indices.length, states: 2 }, members: 1 },
    ]);
    resetState(indices, s1, s2);
    expectClose(await h.readF32(bufs.s1), s1, { atol: 0, rtol: 0 }, 'state1');
    expectClose(await h.readF32(bufs.s2), s2, { atol: 0, rtol: 0 }, 'state2');
    const only = randomArray(total, 8);
    const onlyBuf = h.upload('single state', only);
    await h.run([
      'optimizer.reset_state',
      { resources: { indices: bufs.idx, state1: onlyBuf }, params: { count: indices.length, states: 1 }, members: 1 },
    ]);
    resetState(indices, only);
    expectClose(await h.readF32(onlyBuf), only, { atol: 0, rtol: 0 }, 'single state');
  });
});

describe.each([1, 3])('batch gather, %i member(s)', (members) => {
  it.each([
    [50, 784, 16, 0, 0],
    [23, 9, 5, 3, 0],
    [100, 2, 33, 17, 0],
    [50, 784, 16, 0, 5], // the last 5 slots of each row are padding (PAD_INDEX): x 0, y PAD_LABEL
  ])('%i samples of dim %i, batch %i at offset %i, %i padding slots', async (samples, dim, batch, offset, pads) => {
    const h = gpu();
    const stride = samples; // each member's row is a permutation of the dataset
    const images = new Uint8Array(samples * dim).map((_, i) => (i * 131 + 7) % 256);
    const points = randomArray(samples * dim, samples + dim, 3);
    const labels = new Uint32Array(samples).map((_, i) => i % 10);
    const indices = new Uint32Array(members * stride).map((_, i) => (i % stride >= offset + batch - pads && i % stride < offset + batch ? PAD_INDEX : ((i % stride) * 7 + Math.floor(i / stride) * 3) % samples));
    const s = { members, batch, dim, indexStride: stride, indexOffset: offset };
    const mean = 0.1307;
    const std = 0.3081;
    const bufs = {
      images: h.upload('images', packU8(images)),
      points: h.upload('points', points),
      labels: h.upload('labels', labels),
      indices: h.upload('indices', indices),
      xu8: h.empty('x from u8', members * batch * dim),
      yu8: h.empty('y from u8', members * batch),
      xf32: h.empty('x from f32', members * batch * dim),
      yf32: h.empty('y from f32', members * batch),
    };
    const params = { batch, dim, index_stride: stride, index_offset: offset, mean, inv_std: 1 / std };
    await h.run(
      ['data.gather_u8', { resources: { images: bufs.images, labels: bufs.labels, indices: bufs.indices, x: bufs.xu8, y: bufs.yu8 }, params, members }],
      ['data.gather_f32', { resources: { points: bufs.points, labels: bufs.labels, indices: bufs.indices, x: bufs.xf32, y: bufs.yf32 }, params, members }],
    );
    const u8 = gatherU8(s, images, labels, indices, mean, std);
    const f32 = gatherF32(s, points, labels, indices, mean, std);
    expectClose(await h.readF32(bufs.xu8), u8.x, TOL, 'x (u8)');
    expectClose(await h.readU32(bufs.yu8), u8.y, { atol: 0, rtol: 0 }, 'y (u8)');
    expectClose(await h.readF32(bufs.xf32), f32.x, TOL, 'x (f32)');
    expectClose(await h.readU32(bufs.yf32), f32.y, { atol: 0, rtol: 0 }, 'y (f32)');
  });
});
