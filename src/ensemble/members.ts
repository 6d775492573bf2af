// Reading ensemble members out of the engine's flat buffers (docs/ARCHITECTURE.md §2: every per-member
// tensor is [member][...] inside one segment per layer), and what each member is made of.
import type { ParamLayout } from '../engine';

/** Member m's mask of each weight layer (views into `mask`, (numel) each). */
export function memberLayerMasks(layout: ParamLayout, mask: Float32Array, member: number): Float32Array[] {
  return layout.layers.map((l) => mask.subarray(l.weight.offset + member * l.numel, l.weight.offset + (member + 1) * l.numel));
}

/** Active mask entries per weight layer of member m. */
export function memberActiveCounts(layout: ParamLayout, mask: Float32Array, member: number): number[] {
  return memberLayerMasks(layout, mask, member).map((m) => m.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0));
}

/** Per layer: its name, size (maskable weights) and active entries, as the results JSON lists them. */
export function memberLayers(layout: ParamLayout, mask: Float32Array, member: number): { name: string; size: number; active: number }[] {
  const counts = memberActiveCounts(layout, mask, member);
  return layout.layers.map((l, i) => ({ name: l.name, size: l.numel, active: counts[i]! }));
}

/**
 * Copies member `from` of `src` (a flat array in `srcLayout`) into member `to` of `dst` (a flat
 * array in `dstLayout`): every weight layer's weights and biases. The two layouts must have the
 * same layers (they may differ in members, and ghost segments are not copied).
 */
export function copyMember(srcLayout: ParamLayout, src: Float32Array, from: number, dstLayout: ParamLayout, dst: Float32Array, to: number): void {
  if (srcLayout.layers.length !== dstLayout.layers.length) throw new Error('copyMember: the layouts have different layers');
  srcLayout.layers.forEach((l, i) => {
    const d = dstLayout.layers[i]!;
    if (d.numel !== l.numel || d.outChannels !== l.outChannels) throw new Error(`copyMember: layer ${l.name} differs in shape`);
    for (const [s, t] of [
      [l.weight, d.weight],
      [l.bias, d.bias],
    ] as const) {
      dst.set(src.subarray(s.offset + from * s.perMember, s.offset + (from + 1) * s.perMember), t.offset + to * t.perMember);
    }
  });
}

/** ITOP rate of member m from the "fired" buffer: the fraction of maskable weights ever active. */
export function memberItop(layout: ParamLayout, fired: Float32Array, member: number): number {
  let ever = 0;
  let total = 0;
  for (const l of layout.layers) {
    const from = l.weight.offset + member * l.numel;
    for (let i = from; i < from + l.numel; i++) ever += fired[i] !== 0 ? 1 : 0;
    total += l.numel;
  }
  return ever / total;
}
