// The convolutional path of the engine. One training step of a small CNN (conv same -> relu ->
// pool -> conv valid -> tanh -> dense) with learning rate 0 leaves the step's gradients in the
// gradient buffer: they must equal the chain of CPU reference kernels on the same weights, masks
// and batch. Then LeNet-5-Caffe at full size trains under RigL with exact counts.
import { describe, expect, it } from 'vitest';
import { Trainer, lenet5CaffeLayers, type LayerSpec, type TrainerSetup } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { activationBackward, activationForward } from '../../../src/reference/activation';
import { convBackwardInput, convBackwardWeight, convForward, maxPool2Backward, maxPool2Forward, type ConvShape } from '../../../src/reference/conv';
import { denseBackwardInput, denseBackwardWeight, denseForward } from '../../../src/reference/dense';
import { softmaxCrossEntropy } from '../../../src/reference/loss';
import { biasGrad } from '../../../src/reference/reduce';
import { expectClose, randomArray, useDevice } from '../harness';
import { baseSetup } from '../points-setup';

const device = useDevice();

const SMALL_CNN: LayerSpec[] = [
  { kind: 'conv', cin: 1, inH: 10, inW: 9, cout: 3, k: 3, padding: 'same', activation: 'relu' },
  { kind: 'maxpool2', channels: 3, inH: 10, inW: 9 },
  { kind: 'conv', cin: 3, inH: 5, inW: 4, cout: 4, k: 3, padding: 'valid', activation: 'tanh' },
  { kind: 'dense', nIn: 24, nOut: 5, activation: 'none' },
];

function cnnSetup(layers: readonly LayerSpec[], values: Float32Array, labels: Uint32Array, dim: number, over: Partial<TrainerSetup> = {}): TrainerSetup {
  const all = Uint32Array.from(labels.keys());
  return baseSetup({ kind: 'points', values, dim, labels, mean: 0, std: 1 }, { train: all, test: all }, {
    layers,
    members: 2,
    batch: labels.length,
    density: 0.6,
    densityRule: { kind: 'uniform', denseFirst: false, denseLast: false },
    method: 'static',
    schedule: { deltaT: 100, alpha: 0.3, decay: 'cosine', tEnd: 100, beginStep: 0 },
    optimizer: { kind: 'sgd', momentum: 0, nesterov: false, weightDecay: 0 },
    lr: { kind: 'constant', lr: 0 },
    totalSteps: 10,
    labelSmoothing: 0.1,
    stepsPerSubmit: 4,
    ...over,
  });
}

describe('convolutional networks', () => {
  it.each([
    ['masked dW on an ordinary step', false],
    ['full dW (dense gradient every step, port-compatible)', true],
  ])('one step of a small CNN gives the gradients of the CPU reference chain (2 members): %s', async (_what, full) => {
    const batch = 3;
    const x = randomArray(batch * 90, 17);
    const labels = Uint32Array.from([4, 0, 2]);
    const trainer = await Trainer.create(PipelineCache.for(device().device), cnnSetup(SMALL_CNN, x, labels, 90, { portCompatible: full }));
    const [row] = await trainer.train(1);
    const [w, mask, grads] = await Promise.all([trainer.readWeights(), trainer.readMask(), trainer.readGrads()]);
    const [c1, c2, fc] = trainer.layout.layers;
    const seg = (a: Float32Array, s: { offset: number; perMember: number; members: number }): Float32Array => a.slice(s.offset, s.offset + s.perMember * s.members);
    const M = 2;
    // The batch is the whole training set for every member: the same 3 examples (in some order).
    const xs = new Float32Array(M * batch * 90);
    xs.set(x, 0);
    xs.set(x, batch * 90);
    const ys = Uint32Array.from([...labels, ...labels]);
    const s1: ConvShape = { members: M, batch, cin: 1, inH: 10, inW: 9, cout: 3, kh: 3, kw: 3, padding: 'same' };
    const s2: ConvShape = { members: M, batch, cin: 3, inH: 5, inW: 4, cout: 4, kh: 3, kw: 3, padding: 'valid' };
    const sd = { members: M, batch, nIn: 24, nOut: 5 };
    const z1 = convForward(s1, xs, seg(w, c1!.weight), seg(mask, c1!.weight), seg(w, c1!.bias));
    const a1 = activationForward('relu', z1, 1);
    const p1 = maxPool2Forward(M, batch, 3, 10, 9, a1);
    const z2 = convForward(s2, p1.y, seg(w, c2!.weight), seg(mask, c2!.weight), seg(w, c2!.bias));
    const a2 = activationForward('tanh', z2, 1);
    const logits = denseForward(sd, a2, seg(w, fc!.weight), seg(mask, fc!.weight), seg(w, fc!.bias));
    const loss = softmaxCrossEntropy(M, batch, 5, logits, ys, 0.1);
    const g = loss.dlogits;
    const gA2 = denseBackwardInput(sd, g, seg(w, fc!.weight), seg(mask, fc!.weight));
    const gZ2 = activationBackward('tanh', z2, gA2, 1);
    const gP1 = convBackwardInput(s2, gZ2, seg(w, c2!.weight), seg(mask, c2!.weight));
    const gZ1 = activationBackward('relu', z1, maxPool2Backward(M, batch, 3, 10, 9, gP1, p1.argmax), 1);
    const tol = { atol: 1e-5, rtol: 1e-3 };
    const m = (s: { offset: number; perMember: number; members: number }): Float32Array | null => (full ? null : seg(mask, s));
    expectClose(seg(grads, fc!.weight), denseBackwardWeight(sd, g, a2, m(fc!.weight)), tol, 'dense dW');
    expectClose(seg(grads, fc!.bias), biasGrad(M, batch, 5, 1, g), tol, 'dense db');
    expectClose(seg(grads, c2!.weight), convBackwardWeight(s2, gZ2, p1.y, m(c2!.weight)), tol, 'conv2 dW');
    expectClose(seg(grads, c2!.bias), biasGrad(M, batch, 4, 6, gZ2), tol, 'conv2 db');
    expectClose(seg(grads, c1!.weight), convBackwardWeight(s1, gZ1, xs, m(c1!.weight)), tol, 'conv1 dW');
    expectClose(seg(grads, c1!.bias), biasGrad(M, batch, 3, 90, gZ1), tol, 'conv1 db');
    for (let mm = 0; mm < M; mm++) {
      const want = loss.loss.subarray(mm * batch, (mm + 1) * batch).reduce((a, v) => a + v, 0) / batch;
      expect(row!.loss[mm]).toBeCloseTo(want, 5);
    }
    trainer.destroy();
  });

  it('ToST ghost skips in a CNN (1x1 bypass, centre-cropped beside the valid conv): loss and gradients of the CPU chain with the bypasses', async () => {
    const batch = 3;
    const M = 2;
    const x = randomArray(batch * 90, 23);
    const labels = Uint32Array.from([1, 3, 0]);
    const trainer = await Trainer.create(PipelineCache.for(device().device), cnnSetup(SMALL_CNN, x, labels, 90, { labelSmoothing: 0, tost: { ghost: { initScale: 0.05, endFraction: 0.9 } } }));
    const [row] = await trainer.train(1); // lr 0: the parameters stay; step 0 has alpha = 1
    const [w, mask, grads] = await Promise.all([trainer.readWeights(), trainer.readMask(), trainer.readGrads()]);
    const [c1, c2, fc] = trainer.layout.layers;
    const seg = (a: Float32Array, s: { offset: number; perMember: number; members: number }): Float32Array => a.slice(s.offset, s.offset + s.perMember * s.members);
    const add = (a: Float32Array, b: Float32Array): Float32Array => a.map((v, i) => v + b[i]!);
    const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
    const xs = new Float32Array(M * batch * 90);
    xs.set(x, 0);
    xs.set(x, batch * 90);
    const ys = Uint32Array.from([...labels, ...labels]);
    const s1: ConvShape = { members: M, batch, cin: 1, inH: 10, inW: 9, cout: 3, kh: 3, kw: 3, padding: 'same' };
    const s2: ConvShape = { members: M, batch, cin: 3, inH: 5, inW: 4, cout: 4, kh: 3, kw: 3, padding: 'valid' };
    const g1: ConvShape = { ...s1, kh: 1, kw: 1, padding: 'valid' };
    const g2: ConvShape = { ...s2, kh: 1, kw: 1, padding: 'valid', crop: 1 };
    const sd = { members: M, batch, nIn: 24, nOut: 5 };
    const G = (l: typeof c1) => seg(w, l!.ghost!.weight);
    const z1 = add(convForward(s1, xs, seg(w, c1!.weight), seg(mask, c1!.weight), seg(w, c1!.bias)), convForward(g1, xs, G(c1), ones(M * 3), new Float32Array(M * 3)));
    const a1 = activationForward('relu', z1, 1);
    const p1 = maxPool2Forward(M, batch, 3, 10, 9, a1);
    const z2 = add(convForward(s2, p1.y, seg(w, c2!.weight), seg(mask, c2!.weight), seg(w, c2!.bias)), convForward(g2, p1.y, G(c2), ones(M * 12), new Float32Array(M * 4)));
    const a2 = activationForward('tanh', z2, 1);
    const logits = add(denseForward(sd, a2, seg(w, fc!.weight), seg(mask, fc!.weight), seg(w, fc!.bias)), denseForward(sd, a2, G(fc), ones(M * 120), new Float32Array(M * 5)));
    const loss = softmaxCrossEntropy(M, batch, 5, logits, ys, 0);
    const g = loss.dlogits;
    const gA2 = add(denseBackwardInput(sd, g, seg(w, fc!.weight), seg(mask, fc!.weight)), denseBackwardInput(sd, g, G(fc), ones(M * 120)));
    const gZ2 = activationBackward('tanh', z2, gA2, 1);
    const gP1 = add(convBackwardInput(s2, gZ2, seg(w, c2!.weight), seg(mask, c2!.weight)), convBackwardInput(g2, gZ2, G(c2), ones(M * 12)));
    const gZ1 = activationBackward('relu', z1, maxPool2Backward(M, batch, 3, 10, 9, gP1, p1.argmax), 1);
    const tol = { atol: 1e-5, rtol: 1e-3 };
    expectClose(seg(grads, fc!.ghost!.weight), denseBackwardWeight(sd, g, a2, null), tol, 'dense ghost dG');
    expectClose(seg(grads, c2!.ghost!.weight), convBackwardWeight(g2, gZ2, p1.y, null), tol, 'conv2 ghost dG (cropped)');
    expectClose(seg(grads, c1!.ghost!.weight), convBackwardWeight(g1, gZ1, xs, null), tol, 'conv1 ghost dG');
    expectClose(seg(grads, c1!.weight), convBackwardWeight(s1, gZ1, xs, seg(mask, c1!.weight)), tol, 'conv1 dW (through the bypasses)');
    for (let m = 0; m < M; m++) {
      const want = loss.loss.subarray(m * batch, (m + 1) * batch).reduce((a, v) => a + v, 0) / batch;
      expect(row!.loss[m]).toBeCloseTo(want, 5);
    }
    trainer.destroy();
  });

  it('LeNet-5-Caffe trains under RigL (ERK, 90% sparse) with exact counts in every layer', async () => {
    const n = 32;
    const x = randomArray(n * 784, 5).map((v) => (v + 1) / 2);
    const labels = Uint32Array.from({ length: n }, (_, i) => i % 10);
    const setup = cnnSetup(lenet5CaffeLayers(10), x, labels, 784, {
      batch: 8,
      density: 0.1,
      densityRule: { kind: 'erk' },
      method: 'rigl',
      schedule: { deltaT: 4, alpha: 0.3, decay: 'cosine', tEnd: 12, beginStep: 0 },
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      lr: { kind: 'constant', lr: 0.01 },
      totalSteps: 12,
    });
    const trainer = await Trainer.create(PipelineCache.for(device().device), setup);
    const initial = [...trainer.activeCounts];
    const t0 = performance.now();
    const rows = await trainer.train(12);
    const seconds = (performance.now() - t0) / 1000;
    // ERK at 90% for LeNet-5-Caffe (docs/METHODS.md §1.2 table): 1.0, 0.0871, 0.0884, 1.0.
    const densities = trainer.layout.layers.map((l, i) => initial[i]! / l.numel);
    expect(densities.map((d) => +d.toFixed(4))).toEqual([1, 0.0871, 0.0884, 1]);
    expect(rows.filter((r) => r.maskUpdate).length).toBe(3); // t = 0, 4, 8
    expect(rows.every((r) => r.loss.every(Number.isFinite))).toBe(true);
    const mask = await trainer.readMask();
    trainer.layout.layers.forEach((l, i) => {
      for (let m = 0; m < 2; m++) {
        const from = l.weight.offset + m * l.numel;
        expect(mask.subarray(from, from + l.numel).reduce((a, v) => a + v, 0), `layer ${i} member ${m}`).toBe(initial[i]);
      }
    });
    console.log(`LeNet-5-Caffe, 2 members, batch 8: ${rows.length} steps in ${seconds.toFixed(1)} s, loss ${rows[0]!.loss[0]!.toFixed(3)} -> ${rows.at(-1)!.loss[0]!.toFixed(3)}`);
    trainer.destroy();
  });
});
