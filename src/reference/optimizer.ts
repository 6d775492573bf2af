// CPU reference for the masked optimizer steps. Every array is one flat parameter tensor
// (e.g. (members, out, in)); all of w, g, mask and the state arrays have the same shape and are
// updated IN PLACE (math in float64, stored back as float32).
//
// g' = denseState ? g : g * mask      (denseState: state also accumulates at inactive entries,
//                                      so a regrown connection starts with history)
// SGD:  g' += weightDecay * w;  buf = momentum * buf + g'
//       d = nesterov ? g' + momentum * buf : buf;   w = (w - lr * d) * mask
// Adam: if !decoupled: g' += weightDecay * w
//       m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2;  bc1 = 1 - b1^step;  bc2 = 1 - b2^step
//       if decoupled (AdamW): w = w * (1 - lr * weightDecay)
//       w = (w - (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps)) * mask    (PyTorch's formula)
//
// Inactive weights (mask 0) are written as exactly +0, never -0 or NaN.

import { assert } from '../util/assert';

function checkSame(fn: string, w: Float32Array, arrays: Record<string, Float32Array>): void {
  for (const [name, a] of Object.entries(arrays)) {
    assert(a.length === w.length, `${fn}: ${name} has length ${a.length}, expected ${w.length} (w)`);
  }
}

/** Applies the mask: +0 where the mask is 0, otherwise value * mask. */
function masked(value: number, maskValue: number): number {
  return maskValue === 0 ? 0 : value * maskValue;
}

export interface SgdParams {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  denseState: boolean;
}

export function sgdStep(
  w: Float32Array, // (param shape), updated in place
  g: Float32Array, // (param shape) gradient
  mask: Float32Array, // (param shape) 0/1
  buf: Float32Array, // (param shape) momentum buffer, updated in place
  p: SgdParams,
): void {
  checkSame('sgdStep', w, { g, mask, buf });
  for (let i = 0; i < w.length; i++) {
    let gi = p.denseState ? g[i]! : g[i]! * mask[i]!;
    gi += p.weightDecay * w[i]!;
    const b = p.momentum * buf[i]! + gi;
    buf[i] = b;
    const d = p.nesterov ? gi + p.momentum * b : b;
    w[i] = masked(w[i]! - p.lr * d, mask[i]!);
  }
}

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  step: number; // 1-based count of steps taken including this one
  denseState: boolean;
}

export function adamStep(
  w: Float32Array, // (param shape), updated in place
  g: Float32Array, // (param shape) gradient
  mask: Float32Array, // (param shape) 0/1
  m: Float32Array, // (param shape) first moment, updated in place
  v: Float32Array, // (param shape) second moment, updated in place
  p: AdamParams,
): void {
  checkSame('adamStep', w, { g, mask, m, v });
  assert(Number.isInteger(p.step) && p.step >= 1, `adamStep: step is 1-based, got ${p.step}`);
  const bc1 = 1 - Math.pow(p.beta1, p.step);
  const bc2 = 1 - Math.pow(p.beta2, p.step);
  for (let i = 0; i < w.length; i++) {
    let gi = p.denseState ? g[i]! : g[i]! * mask[i]!;
    if (!p.decoupled) gi += p.weightDecay * w[i]!;
    const mi = p.beta1 * m[i]! + (1 - p.beta1) * gi;
    const vi = p.beta2 * v[i]! + (1 - p.beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let wi = w[i]!;
    if (p.decoupled) wi *= 1 - p.lr * p.weightDecay;
    // m and v are used at float64 precision here (not re-read after the float32 store).
    wi -= ((p.lr / bc1) * mi) / (Math.sqrt(vi) / Math.sqrt(bc2) + p.eps);
    w[i] = masked(wi, mask[i]!);
  }
}

/** Zeroes every state array at the given flat indices (state reset for regrown connections). */
export function resetState(indices: Uint32Array, ...states: Float32Array[]): void {
  for (const [s, state] of states.entries()) {
    for (const idx of indices) {
      assert(idx < state.length, `resetState: index ${idx} is out of range for states[${s}] (length ${state.length})`);
      state[idx] = 0;
    }
  }
}
