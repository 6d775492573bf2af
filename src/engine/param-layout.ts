// Where every parameter lives. All parameters of all layers and members share flat buffers (one
// each for weights, gradients, mask, optimizer state and ITOP "fired"), so the optimizer is one
// dispatch over everything. Each weight layer's weight and bias segments start on a 256-byte
// boundary (minStorageBufferOffsetAlignment), so GEMM and mask kernels bind them as their own
// arrays:
//   weight segment (members, numel): dense (out, in), conv (cout, cin, kh, kw)
//   bias segment   (members, outChannels)
// Biases are never masked: their mask entries are 1.
// With ToST ghost skips, each weight layer also has a ghost segment (members, numel of its bypass:
// dense (out, in), conv (cout, cin)) after all the layers' segments: dense, never pruned (mask 1
// while the bypass lives, 0 once it is removed), and not counted in densities, ITOP or masks.
import { ghostSpec, namedWeightLayers, weightShape, type LayerSpec, type WeightLayerSpec } from './layers';

export const SEGMENT_ALIGN_FLOATS = 64; // 256 bytes

export interface Segment {
  /** First float of the segment in the flat buffers. */
  offset: number;
  /** Floats per member. */
  perMember: number;
  members: number;
}

/** One maskable (dense or conv) layer's parameters. */
export interface LayerParams {
  spec: WeightLayerSpec;
  /** conv1, dense3, …: the name the UI, GPU labels and messages use (layers.ts weightLayerName). */
  name: string;
  /** Index of the layer in the network's layer list (pool layers have no parameters). */
  layerIndex: number;
  numel: number;
  outChannels: number;
  fanIn: number;
  fanOut: number;
  weight: Segment;
  bias: Segment;
  /** The ToST ghost bypass (when the layout has ghosts): its spec and weight segment. */
  ghost?: { spec: WeightLayerSpec; numel: number; weight: Segment };
}

export interface ParamLayout {
  /** The weight layers, in network order. */
  layers: LayerParams[];
  /** Length of every flat parameter buffer, in floats. */
  totalFloats: number;
  members: number;
}

const align = (n: number): number => Math.ceil(n / SEGMENT_ALIGN_FLOATS) * SEGMENT_ALIGN_FLOATS;

/**
 * `options.slotted` marks the weight layers whose weights live elsewhere (the sparse storage's
 * slots): their weight segments take no room (perMember 0), which is the GPU layout of a network
 * with sparse layers (gpuLayoutOf). Host arrays always use the full layout.
 */
export function layoutParams(specs: readonly LayerSpec[], members: number, options: { ghost?: boolean; slotted?: readonly boolean[] } = {}): ParamLayout {
  let cursor = 0;
  const take = (perMember: number): Segment => {
    const seg = { offset: cursor, perMember, members };
    cursor = align(cursor + perMember * members);
    return seg;
  };
  const layers: LayerParams[] = [];
  for (const { spec, name, layerIndex } of namedWeightLayers(specs)) {
    const s = weightShape(spec);
    const weight = options.slotted?.[layers.length] ? { offset: cursor, perMember: 0, members } : take(s.numel);
    layers.push({ spec, name, layerIndex, ...s, weight, bias: take(s.outChannels) });
  }
  if (options.ghost) {
    for (const l of layers) {
      const spec = ghostSpec(l.spec);
      const numel = weightShape(spec).numel;
      l.ghost = { spec, numel, weight: take(numel) };
    }
  }
  return { layers, totalFloats: Math.max(cursor, SEGMENT_ALIGN_FLOATS), members };
}

/**
 * The layout of the network's flat GPU buffers: `layout` itself when no layer is slotted,
 * otherwise the same layers without the slotted layers' weight segments.
 */
export function gpuLayoutOf(specs: readonly LayerSpec[], layout: ParamLayout, slotted: readonly boolean[]): ParamLayout {
  if (!slotted.some(Boolean)) return layout;
  return layoutParams(specs, layout.members, { ghost: layout.layers.some((l) => l.ghost), slotted });
}

/**
 * Copies every segment of `from` (laid out as `a`) into `to` (laid out as `b`), skipping the
 * weight segments that either layout leaves empty: host ↔ GPU flat arrays of one network.
 */
export function copySegments(from: Float32Array, a: ParamLayout, to: Float32Array, b: ParamLayout): void {
  a.layers.forEach((la, i) => {
    const lb = b.layers[i]!;
    const pairs: [Segment, Segment][] = [[la.weight, lb.weight], [la.bias, lb.bias]];
    if (la.ghost && lb.ghost) pairs.push([la.ghost.weight, lb.ghost.weight]);
    for (const [sa, sb] of pairs) {
      if (sa.perMember === 0 || sb.perMember === 0) continue;
      const n = sa.perMember * sa.members;
      to.set(from.subarray(sa.offset, sa.offset + n), sb.offset);
    }
  });
}

/** The buffer range holding a segment (all members), for a bind group entry. */
export function segmentBinding(buffer: GPUBuffer, seg: Segment): GPUBufferBinding {
  return { buffer, offset: seg.offset * 4, size: seg.perMember * seg.members * 4 };
}

/** Index of member m's element i of a segment in the flat arrays. */
export function flatIndex(seg: Segment, member: number, i: number): number {
  return seg.offset + member * seg.perMember + i;
}

/**
 * The layout a trainer of this setup builds: ghost segments only while ToST's ghost skips can
 * live (endFraction > 0). Trainer.create, the memory estimate and the checkpoint check use it.
 */
export function setupLayout(s: { layers: readonly LayerSpec[]; members: number; tost?: { ghost?: { endFraction: number } } }): ParamLayout {
  const ghost = s.tost?.ghost;
  return layoutParams(s.layers, s.members, { ghost: ghost !== undefined && ghost.endFraction > 0 });
}
