// Maskable layers: the shape facts every sparsity policy needs (docs/METHODS.md §0, §1.2, §1.9).
//
// Only the weights of Dense and Conv layers are maskable; biases and normalisation parameters are
// never masked (docs/METHODS.md §0), so a MaskableLayer describes the weight tensor alone. Layouts match
// docs/ARCHITECTURE.md §2: dense `[out, in]`, conv `[cout, cin, kh, kw]`, row-major.
//
// FLOPs need a conv's output size, which the weight shape does not hold. We chose to carry it on the
// layer (`FlopsLayer = MaskableLayer & { outH, outW }`) rather than as a separate argument, so a list
// of layers is self-contained for every FLOPs function in ./flops.

import { assert } from '../util/assert';

export type LayerKind = 'dense' | 'conv';

export interface MaskableLayer {
  name: string;
  kind: LayerKind;
  /** dense: [out, in]; conv: [cout, cin, kh, kw]. Weights only. */
  shape: readonly number[];
}

/** A maskable layer plus, for convs, the spatial size of its output (required for conv FLOPs). */
export interface FlopsLayer extends MaskableLayer {
  outH?: number;
  outW?: number;
}

function checkShape(layer: MaskableLayer): void {
  const want = layer.kind === 'dense' ? 2 : 4;
  assert(layer.shape.length === want, `layer '${layer.name}': a ${layer.kind} shape has ${want} dims, got [${layer.shape.join(', ')}]`);
  for (const d of layer.shape) assert(Number.isInteger(d) && d > 0, `layer '${layer.name}': dims must be positive integers, got [${layer.shape.join(', ')}]`);
}

/** Number of weights N_l. */
export function numel(layer: MaskableLayer): number {
  checkShape(layer);
  return layer.shape.reduce((a, b) => a * b, 1);
}

/** Inputs feeding one output unit: dense `in`, conv `cin·kh·kw` (PyTorch's fan_in). */
export function fanIn(layer: MaskableLayer): number {
  checkShape(layer);
  const s = layer.shape;
  return layer.kind === 'dense' ? s[1]! : s[1]! * s[2]! * s[3]!;
}

/** Outputs one input unit feeds: dense `out`, conv `cout·kh·kw` (PyTorch's fan_out). */
export function fanOut(layer: MaskableLayer): number {
  checkShape(layer);
  const s = layer.shape;
  return layer.kind === 'dense' ? s[0]! : s[0]! * s[2]! * s[3]!;
}

/** The two "neuron" dims ER uses (no kernel dims): dense [in, out], conv [cin, cout]. */
export function inOutChannels(layer: MaskableLayer): { nIn: number; nOut: number } {
  checkShape(layer);
  return { nIn: layer.shape[1]!, nOut: layer.shape[0]! };
}

/**
 * Dense forward FLOPs of one layer for one example, FLOPs = 2 × MACs (docs/METHODS.md §0):
 * dense `2·in·out`; conv `2·cin·kh·kw·cout·outH·outW`. Bias adds (and activations, pooling) are
 * not counted, as is conventional (RigL / MicroNet); they are dense and small next to the MACs.
 */
export function denseFlopsPerExample(layer: FlopsLayer): number {
  const n = numel(layer);
  if (layer.kind === 'dense') return 2 * n;
  const { outH, outW } = layer;
  assert(
    outH !== undefined && outW !== undefined && Number.isInteger(outH) && Number.isInteger(outW) && outH > 0 && outW > 0,
    `layer '${layer.name}': conv FLOPs need positive integer outH and outW`,
  );
  return 2 * n * outH * outW;
}
