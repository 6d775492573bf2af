// Where the fused kernel (shaders/fused.wgsl) keeps things: the layer table of its plan buffer,
// each member's scratch in its state buffer, and the 16-word records of the steps it trains (or of
// the one forward setting an evaluation runs with). Pure: fused-steps.ts uploads it, the memory
// estimate (memory.ts) counts it.
import { ACTIVATION_KINDS } from '../reference/activation';
import type { LayerSpec } from './layers';
import type { StepParams } from './network';
import type { ParamLayout } from './param-layout';

export const WORDS_PER_LAYER = 16;
export const WORDS_PER_STEP = 16;
const NO_SMOOTH = 0xffffffff;

export interface FusedScratch {
  /** Per layer: n_in, n_out, w_off, w_stride, b_off, b_stride, activation, x_at, z_at, y_at, wt_at. */
  table: Uint32Array<ArrayBuffer>;
  /** Floats of one member's scratch, and where its gradient, loss, correct and label rows start. */
  stride: number;
  g0: number;
  g1: number;
  loss: number;
}

/**
 * Per-member scratch: x0 (batch, dim), then every layer's z (and y where it has an activation) and
 * its masked weights transposed (in, out), two gradient buffers of the widest layer, and loss,
 * correct and label per example.
 */
export function fusedScratch(specs: readonly LayerSpec[], layout: ParamLayout, batch: number, dim: number): FusedScratch {
  const table = new Uint32Array(layout.layers.length * WORDS_PER_LAYER);
  let at = batch * dim;
  let input = 0;
  let widest = 0;
  layout.layers.forEach((l, i) => {
    const spec = specs[l.layerIndex]!;
    if (spec.kind !== 'dense') throw new Error('the fused path runs dense layers only');
    const z = at;
    at += batch * spec.nOut;
    const y = spec.activation === 'none' ? z : at;
    if (spec.activation !== 'none') at += batch * spec.nOut;
    const act = spec.activation === 'none' ? 0 : ACTIVATION_KINDS.indexOf(spec.activation) + 1;
    const wt = at;
    at += l.numel;
    table.set([spec.nIn, spec.nOut, l.weight.offset, l.weight.perMember, l.bias.offset, l.bias.perMember, act, input, z, y, wt], i * WORDS_PER_LAYER);
    input = y;
    widest = Math.max(widest, spec.nOut, spec.nIn);
  });
  const g0 = at;
  const g1 = g0 + batch * widest;
  const loss = g1 + batch * widest;
  return { table, stride: loss + 3 * batch, g0, g1, loss };
}

/** Floats of the kernel's state buffer: params, grads, mask, state1, state2, then every member's scratch. */
export function fusedStateFloats(s: FusedScratch, layout: ParamLayout): number {
  return 5 * layout.totalFloats + layout.members * s.stride;
}

/** The records of `steps` (an evaluation: one, of which only the ToST activation is read). */
export function stepRecords(steps: readonly Partial<StepParams>[]): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(steps.length * WORDS_PER_STEP);
  const f = new Float32Array(words.buffer);
  steps.forEach((p, k) => {
    const r = k * WORDS_PER_STEP;
    words[r] = p.indexOffset ?? 0;
    words[r + 1] = p.ringSlot ?? 0;
    f.set([p.lr ?? 0, p.momentum ?? 0, p.weightDecay ?? 0, p.beta1 ?? 0, p.beta2 ?? 0, p.eps ?? 0, p.bc1 ?? 1, p.bc2 ?? 1], r + 2);
    words[r + 10] = p.activation ? ACTIVATION_KINDS.indexOf(p.activation.kind) : NO_SMOOTH;
    f[r + 11] = p.activation?.beta ?? 1;
  });
  return words;
}
