// CPU reference for fused.train_steps (shaders/fused.wgsl, src/engine/fused-steps.ts): K whole
// training steps of a small MLP for M ensemble members, so the fused kernel has a reference of its
// own like every other kernel (docs/ARCHITECTURE.md §3). It is nothing but the layer path's
// references composed, in the kernel's order, per step k:
//
//   gather     x0, y = gatherF32(indices[m][indexOffset_k ..], (v − mean) / std)        data.ts
//   forward    z_l = x_l·(w_l ⊙ mask_l)ᵀ + b_l;  x_{l+1} = f_l(z_l) (none: z_l)        dense.ts, activation.ts
//   loss       softmax cross-entropy, label smoothing, temperature 1 → dlogits         loss.ts
//   metrics    per-member sums of loss and correct over the batch                      reduce.ts
//   backward   gz_l = g·f_l'(z_l);  dW_l masked;  db_l;  g = dX_l (l > 0)              activation.ts, dense.ts, reduce.ts
//   optimizer  SGD or Adam over every layer's weight and bias segment, masked          optimizer.ts
//
// All backward products use the step's weights from before its optimizer update. f_l is the
// layer's own activation with beta 1 (as Network.activationParams runs it), except that a ReLU
// layer runs the step's ToST smooth activation when the record has one. Biases are optimized under
// their mask entries (1 in every layout). The optimizer never keeps dense state (the fused path
// refuses methods that need it), so inactive weights come out as exactly +0.
//
// Shapes: every flat array (weights, mask, state1, state2, grads) has layout.totalFloats floats;
// layer l's weights are (members, nOut, nIn) from layout.layers[l].weight.offset, its biases
// (members, nOut) from .bias.offset (src/engine/param-layout.ts). points (n, dim), labels (n),
// indices (members, indexStride). Out: lossSums and correctSums (steps, members); grads are the
// last step's (zero outside the layers' segments). Math in float64, float32 between the phases.

import { assert } from '../util/assert';
import { activationBackward, activationForward, type ActivationKind } from './activation';
import { gatherF32 } from './data';
import { denseBackwardInput, denseBackwardWeight, denseForward, type DenseShape } from './dense';
import { softmaxCrossEntropy } from './loss';
import { adamStep, sgdStep } from './optimizer';
import { biasGrad } from './reduce';

/** Optimizer flag bits (shaders/optimizer.wgsl, fused.wgsl). */
export const FUSED_FLAG_NESTEROV = 1;
export const FUSED_FLAG_DECOUPLED = 4;

/** A dense layer (the engine's dense LayerSpec fits). */
export interface FusedLayerSpec {
  nIn: number;
  nOut: number;
  activation: ActivationKind | 'none';
}

export interface FlatSegment {
  offset: number;
  perMember: number;
}

/** Where each layer's parameters live (the engine's ParamLayout fits). */
export interface FusedLayout {
  layers: readonly { weight: FlatSegment; bias: FlatSegment }[];
  totalFloats: number;
  members: number;
}

/** One step's values (the engine's StepParams fits; its ring slot and ghost α are not read). */
export interface FusedStepRecord {
  indexOffset: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Adam's bias corrections 1 − β1^t and 1 − β2^t at this step's 1-based count t. */
  bc1: number;
  bc2: number;
  /** ToST: what ReLU layers compute at this step (absent: ReLU). */
  activation?: { kind: ActivationKind; beta: number };
}

export interface FusedInput {
  specs: readonly FusedLayerSpec[];
  layout: FusedLayout;
  weights: Float32Array;
  mask: Float32Array;
  state1: Float32Array; // momentum | Adam m
  state2: Float32Array; // Adam v (unused by SGD)
  data: { points: Float32Array; labels: Uint32Array; dim: number; classes: number; mean: number; std: number };
  indices: Uint32Array;
  indexStride: number;
  batch: number;
  steps: readonly FusedStepRecord[];
  optimizer: 'sgd' | 'adam';
  flags: number;
  labelSmoothing: number;
}

export interface FusedOutput {
  weights: Float32Array;
  grads: Float32Array;
  state1: Float32Array;
  state2: Float32Array;
  lossSums: Float32Array; // (steps, members)
  correctSums: Float32Array; // (steps, members)
}

/** What layer `spec` computes at the step of record `r` (null: no activation). */
function activationAt(spec: FusedLayerSpec, r: FusedStepRecord): { kind: ActivationKind; beta: number } | null {
  if (spec.activation === 'none') return null;
  if (spec.activation === 'relu' && r.activation) return r.activation;
  return { kind: spec.activation, beta: 1 };
}

/** The 1-based step t whose corrections the record carries (adamStep takes t, the kernel bc1 and bc2). */
function adamStepOf(r: FusedStepRecord): number {
  const near = (t: number, beta: number, bc: number): boolean => Math.abs(1 - beta ** t - bc) <= 1e-6 * bc;
  const fits = (t: number): boolean => Number.isInteger(t) && t >= 1 && near(t, r.beta1, r.bc1) && near(t, r.beta2, r.bc2);
  const t = [Math.log1p(-r.bc1) / Math.log(r.beta1), Math.log1p(-r.bc2) / Math.log(r.beta2)].map(Math.round).find(fits);
  assert(t !== undefined, `fusedTrainSteps: bc1 ${r.bc1} and bc2 ${r.bc2} are not 1 − β^t of one step t (β1 ${r.beta1}, β2 ${r.beta2})`);
  return t;
}

function check(p: FusedInput): void {
  const { layout, specs, data } = p;
  const fn = 'fusedTrainSteps';
  assert(specs.length > 0 && specs.length === layout.layers.length, `${fn}: ${specs.length} specs for ${layout.layers.length} layout layers`);
  assert(specs[0]!.nIn === data.dim, `${fn}: the first layer takes ${specs[0]!.nIn} features, the data has ${data.dim}`);
  assert(specs.at(-1)!.nOut === data.classes, `${fn}: the last layer has ${specs.at(-1)!.nOut} outputs for ${data.classes} classes`);
  specs.forEach((s, l) => {
    if (l > 0) assert(s.nIn === specs[l - 1]!.nOut, `${fn}: layer ${l} takes ${s.nIn} features, layer ${l - 1} gives ${specs[l - 1]!.nOut}`);
    const { weight, bias } = layout.layers[l]!;
    assert(weight.perMember === s.nIn * s.nOut && bias.perMember === s.nOut, `${fn}: layer ${l}'s segments do not match ${s.nIn} -> ${s.nOut}`);
  });
  for (const [name, a] of Object.entries({ weights: p.weights, mask: p.mask, state1: p.state1, state2: p.state2 })) {
    assert(a.length === layout.totalFloats, `${fn}: ${name} has length ${a.length}, expected ${layout.totalFloats}`);
  }
}

/** Runs `p.steps` training steps; the inputs are not changed. */
export function fusedTrainSteps(p: FusedInput): FusedOutput {
  check(p);
  const { specs, layout, data, batch: B } = p;
  const M = layout.members;
  const K = p.steps.length;
  const out: FusedOutput = {
    weights: p.weights.slice(),
    grads: new Float32Array(layout.totalFloats),
    state1: p.state1.slice(),
    state2: p.state2.slice(),
    lossSums: new Float32Array(K * M),
    correctSums: new Float32Array(K * M),
  };
  // A segment's floats for all members: (members, perMember), a view (the optimizer writes through it).
  const seg = (a: Float32Array, s: FlatSegment): Float32Array => a.subarray(s.offset, s.offset + s.perMember * M);
  const shape = (l: number): DenseShape => ({ members: M, batch: B, nIn: specs[l]!.nIn, nOut: specs[l]!.nOut });
  const segments = layout.layers.flatMap((l) => [l.weight, l.bias]);

  p.steps.forEach((r, k) => {
    const gatherShape = { members: M, batch: B, dim: data.dim, indexStride: p.indexStride, indexOffset: r.indexOffset };
    const { x: x0, y: labels } = gatherF32(gatherShape, data.points, data.labels, p.indices, data.mean, data.std);

    // Forward: xs[l] is layer l's input, zs[l] its pre-activation.
    const xs = [x0];
    const zs: Float32Array[] = [];
    specs.forEach((spec, l) => {
      const { weight, bias } = layout.layers[l]!;
      const z = denseForward(shape(l), xs[l]!, seg(out.weights, weight), seg(p.mask, weight), seg(out.weights, bias));
      const f = activationAt(spec, r);
      zs.push(z);
      xs.push(f ? activationForward(f.kind, z, f.beta) : z);
    });

    const { dlogits, loss, correct } = softmaxCrossEntropy(M, B, data.classes, zs.at(-1)!, labels, p.labelSmoothing);
    out.lossSums.set(biasGrad(M, B, 1, 1, loss), k * M);
    out.correctSums.set(biasGrad(M, B, 1, 1, correct), k * M);

    // Backward, last layer first; g is the gradient of layer l's output.
    let g = dlogits;
    for (let l = specs.length - 1; l >= 0; l--) {
      const { weight, bias } = layout.layers[l]!;
      const f = activationAt(specs[l]!, r);
      const gz = f ? activationBackward(f.kind, zs[l]!, g, f.beta) : g;
      seg(out.grads, weight).set(denseBackwardWeight(shape(l), gz, xs[l]!, seg(p.mask, weight)));
      seg(out.grads, bias).set(biasGrad(M, B, specs[l]!.nOut, 1, gz));
      if (l > 0) g = denseBackwardInput(shape(l), gz, seg(out.weights, weight), seg(p.mask, weight));
    }

    // The optimizer over every weight and bias segment, in place.
    for (const s of segments) {
      const [w, grad, mask, s1] = [seg(out.weights, s), seg(out.grads, s), seg(p.mask, s), seg(out.state1, s)];
      if (p.optimizer === 'sgd') {
        const nesterov = (p.flags & FUSED_FLAG_NESTEROV) !== 0;
        sgdStep(w, grad, mask, s1, { lr: r.lr, momentum: r.momentum, nesterov, weightDecay: r.weightDecay, denseState: false });
      } else {
        const decoupled = (p.flags & FUSED_FLAG_DECOUPLED) !== 0;
        const step = adamStepOf(r);
        adamStep(w, grad, mask, s1, seg(out.state2, s), { lr: r.lr, beta1: r.beta1, beta2: r.beta2, eps: r.eps, weightDecay: r.weightDecay, decoupled, step, denseState: false });
      }
    }
  });
  return out;
}
