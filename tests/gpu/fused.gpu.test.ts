// fused.train_steps (shaders/fused.wgsl), driven through FusedSteps, against its CPU reference
// (src/reference/fused.ts): K = 5..12 whole training steps in one dispatch, widths and batches off
// every multiple of 4 and 64, M = 1 and 3, random masks with a fully masked row and column per
// member, SGD (nesterov, weight decay) and Adam (coupled and decoupled), label smoothing, tanh,
// pswish and ReLU layers under ToST step records. The layer path is compared bit for bit in
// tests/gpu/engine/fused-parity.gpu.test.ts; this file checks the math itself.
import { describe, expect, it } from 'vitest';
import { FusedSteps } from '../../src/engine/fused-steps';
import type { LayerActivation, LayerSpec } from '../../src/engine/layers';
import type { StepParams } from '../../src/engine/network';
import { layoutParams, type ParamLayout } from '../../src/engine/param-layout';
import { GpuError, bindKernel, withErrorScopes, type BoundKernel } from '../../src/gpu';
import { FUSED_FLAG_DECOUPLED, FUSED_FLAG_NESTEROV, fusedTrainSteps, type FusedInput } from '../../src/reference/fused';
import { mulberry32 } from '../../src/util/rng';
import { expectClose, randomArray, randomMask, useGpu, type GpuHarness } from './harness';

const gpu = useGpu(['fused.train_steps']);

// float32 (GPU) against float64 (reference, rounded to float32 between phases): every op carries a
// relative error of about 6e-8, a step chains ~10 of them over sums of at most 37 terms, and K ≤ 12
// steps compound it through the weights; 1e-4 relative leaves two orders of magnitude above that,
// and atol covers entries whose value is a cancellation near 0 (a bias gradient, a weight crossing 0).
const TOL = { atol: 1e-5, rtol: 1e-4 };

type DenseSpec = Extract<LayerSpec, { kind: 'dense' }>;
const dense = (nIn: number, nOut: number, activation: LayerActivation): DenseSpec => ({ kind: 'dense', nIn, nOut, activation });
/** 3→7 tanh →5 ReLU (ToST's smooth activation at some steps) →4. */
const NET_A = [dense(3, 7, 'tanh'), dense(7, 5, 'relu'), dense(5, 4, 'none')];
/** 2→13 pswish →3 (ToST records leave a pswish layer alone). */
const NET_B = [dense(2, 13, 'pswish'), dense(13, 3, 'none')];

interface Case {
  name: string;
  specs: DenseSpec[];
  batch: number;
  steps: number;
  optimizer: 'sgd' | 'adam';
  flags: number;
}

const CASES: Case[] = [
  { name: 'SGD nesterov + weight decay, 3→7→5→4, batch 6', specs: NET_A, batch: 6, steps: 7, optimizer: 'sgd', flags: FUSED_FLAG_NESTEROV },
  { name: 'Adam (coupled decay), 3→7→5→4, batch 37', specs: NET_A, batch: 37, steps: 5, optimizer: 'adam', flags: 0 },
  { name: 'Adam decoupled, 2→13→3, batch 37', specs: NET_B, batch: 37, steps: 12, optimizer: 'adam', flags: FUSED_FLAG_DECOUPLED },
  { name: 'SGD momentum, 2→13→3, batch 6', specs: NET_B, batch: 6, steps: 9, optimizer: 'sgd', flags: 0 },
];

/** A full problem: data, index rows, parameters under a random mask, mid-run optimizer state and K step records. */
function problem(c: Case, members: number, seed: number, garbageUnderMask = false): { input: FusedInput; steps: StepParams[]; layout: ParamLayout } {
  const layout = layoutParams(c.specs, members);
  const total = layout.totalFloats;
  const dim = c.specs[0]!.nIn;
  const classes = c.specs.at(-1)!.nOut;
  const rand = mulberry32(seed);
  const n = 53;
  const points = randomArray(n * dim, seed + 1, 2);
  const labels = Uint32Array.from({ length: n }, () => rand.int(classes));
  const indexStride = 2 * c.batch + 5;
  const indices = Uint32Array.from({ length: members * indexStride }, () => rand.int(n));

  const flat = (): Float32Array => new Float32Array(total);
  const [weights, mask, state1, state2] = [flat(), flat(), flat(), flat()];
  layout.layers.forEach((l, li) => {
    const { nIn, nOut } = c.specs[li]!;
    const w0 = l.weight.offset;
    const m = randomMask(members * l.numel, seed + 10 + li, 0.6);
    for (let mb = 0; mb < members; mb++) {
      // One fully masked row (an output unit with no inputs) and column (an input nobody reads) per member.
      for (let i = 0; i < nIn; i++) m[mb * l.numel + (mb % nOut) * nIn + i] = 0;
      for (let o = 0; o < nOut; o++) m[mb * l.numel + o * nIn + ((mb + 1) % nIn)] = 0;
    }
    mask.set(m, w0);
    const w = randomArray(m.length, seed + 20 + li, 0.9);
    const s1 = randomArray(m.length, seed + 30 + li, 0.05);
    const s2 = randomArray(m.length, seed + 40 + li, 0.03).map((v) => v * v);
    const live = (a: Float32Array, i: number): number => (m[i] ? a[i]! : garbageUnderMask ? (i % 3 === 0 ? -0 : a[i]! + 0.5) : 0);
    weights.set(w.map((_, i) => live(w, i)), w0);
    state1.set(s1.map((_, i) => live(s1, i)), w0);
    if (c.optimizer === 'adam') state2.set(s2.map((_, i) => live(s2, i)), w0);
    const b0 = l.bias.offset;
    weights.set(randomArray(members * nOut, seed + 50 + li, 0.2), b0);
    mask.fill(1, b0, b0 + members * nOut); // biases are never masked
    state1.set(randomArray(members * nOut, seed + 60 + li, 0.05), b0);
    if (c.optimizer === 'adam') state2.set(randomArray(members * nOut, seed + 70 + li, 0.03).map((v) => v * v), b0);
  });

  const t0 = 4; // Adam has taken t0 steps before this dispatch
  const smooth = [{ kind: 'pswish', beta: 3 }, undefined, { kind: 'swish', beta: 1 }, { kind: 'pswish', beta: 0.5 }] as const;
  const steps: StepParams[] = Array.from({ length: c.steps }, (_, k) => {
    const [beta1, beta2] = [0.9, 0.999];
    const activation = smooth[k % smooth.length];
    return {
      indexOffset: (k * 3) % (indexStride - c.batch + 1),
      ringSlot: k,
      lr: (c.optimizer === 'sgd' ? 0.1 : 0.01) * (1 - k / (2 * c.steps)),
      momentum: 0.9,
      weightDecay: 5e-3,
      beta1,
      beta2,
      eps: 1e-8,
      bc1: 1 - beta1 ** (t0 + k + 1),
      bc2: 1 - beta2 ** (t0 + k + 1),
      ...(activation ? { activation: { ...activation } } : {}),
    };
  });
  const data = { points, labels, dim, classes, mean: 0.3, std: 1.7 };
  const input: FusedInput = { specs: c.specs, layout, weights, mask, state1, state2, data, indices, indexStride, batch: c.batch, steps, optimizer: c.optimizer, flags: c.flags, labelSmoothing: 0.1 };
  return { input, steps, layout };
}

/** One dispatch of all the steps through FusedSteps; returns the flat buffers and the ring after it. */
async function runGpu(h: GpuHarness, c: Case, p: ReturnType<typeof problem>): Promise<{ weights: Float32Array; grads: Float32Array; state1: Float32Array; state2: Float32Array; ring: Float32Array }> {
  const { input, steps, layout } = p;
  const M = layout.members;
  const buffers = {
    points: h.upload('points', input.data.points),
    labels: h.upload('labels', input.data.labels),
    indices: h.upload('indices', input.indices),
    ring: h.empty('ring', steps.length * M * 2),
    params: h.upload('params', input.weights),
    grads: h.empty('grads', layout.totalFloats),
    mask: h.upload('mask', input.mask),
    state1: h.upload('state1', input.state1),
    state2: h.upload('state2', input.state2),
  };
  const device = h.gpu.device;
  const bound: BoundKernel[] = [];
  const options = { specs: c.specs, layout, batch: c.batch, dim: input.data.dim, classes: input.data.classes, indexStride: input.indexStride, slots: steps.length, mean: input.data.mean, std: input.data.std, labelSmoothing: input.labelSmoothing, optimizer: c.optimizer, optimizerFlags: c.flags };
  await withErrorScopes(device, async () => {
    const bind = (name: Parameters<typeof bindKernel>[1], args: Parameters<typeof bindKernel>[2]): BoundKernel => {
      const k = bindKernel(h.cache, name, args);
      bound.push(k);
      return k;
    };
    const fused = new FusedSteps(h.cache, options, { ...buffers, layoutMembers: layout.members }, new Map(), bind, (label, floats) => h.empty(label, floats));
    const encoder = device.createCommandEncoder({ label: 'fused test' });
    fused.encode(encoder, steps);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  }).catch((e: unknown) => {
    throw e instanceof GpuError ? new Error(`${e.message}\n${e.detail ?? ''}`, { cause: e }) : e;
  });
  for (const k of bound) k.paramsBuffer.destroy();
  const [weights, grads, state1, state2, ring] = await Promise.all([buffers.params, buffers.grads, buffers.state1, buffers.state2, buffers.ring].map((b) => h.readF32(b)));
  return { weights: weights!, grads: grads!, state1: state1!, state2: state2!, ring: ring! };
}

describe.each([1, 3])('fused.train_steps vs the CPU reference, %i member(s)', (members) => {
  it.each(CASES)('$name, $steps steps in one dispatch', async (c) => {
    const p = problem(c, members, members * 101 + c.batch * 7 + c.steps);
    const got = await runGpu(gpu(), c, p);
    const want = fusedTrainSteps(p.input);
    expectClose(got.ring.filter((_, i) => i % 2 === 0), want.lossSums, TOL, 'per-step loss sums');
    expectClose(got.ring.filter((_, i) => i % 2 === 1), want.correctSums, { atol: 0, rtol: 0 }, 'per-step correct counts');
    expectClose(got.grads, want.grads, TOL, 'the last step\'s gradients');
    expectClose(got.weights, want.weights, TOL, 'weights');
    expectClose(got.state1, want.state1, TOL, c.optimizer === 'sgd' ? 'momentum' : 'Adam m');
    expectClose(got.state2, want.state2, TOL, 'Adam v');
  });
});

describe('fused.train_steps masked weights', () => {
  it.each(CASES.filter((c) => c.specs === NET_A))('stay exactly +0 from garbage under the mask ($name, M = 3)', async (c) => {
    const M = 3;
    const p = problem(c, M, 977, true);
    const got = await runGpu(gpu(), c, p);
    const want = fusedTrainSteps(p.input);
    const notPlusZero = (w: Float32Array): number[] => p.layout.layers.flatMap((l) => {
      const at = Array.from({ length: l.numel * M }, (_, i) => l.weight.offset + i);
      return at.filter((i) => p.input.mask[i] === 0 && !Object.is(w[i], 0));
    });
    expect(p.layout.layers.every((l) => p.input.mask.subarray(l.weight.offset, l.weight.offset + M * l.numel).includes(0))).toBe(true);
    expect(notPlusZero(got.weights), 'GPU weights under the mask that are not +0').toEqual([]);
    expect(notPlusZero(want.weights), 'reference weights under the mask that are not +0').toEqual([]);
    expectClose(got.weights, want.weights, TOL, 'weights');
  });
});
