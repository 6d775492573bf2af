// Where every parameter lives. All parameters of all layers and members share flat buffers (one
// each for weights, gradients, mask, optimizer state and ITOP "fired"), so the optimizer is one
// dispatch over everything. Each layer's weight and bias segments start on a 256-byte boundary
// (minStorageBufferOffsetAlignment), so GEMM and mask kernels bind them as their own arrays:
//   weight segment (members, out, in)   bias segment (members, out)
// Biases are never masked: their mask entries are 1.

export const SEGMENT_ALIGN_FLOATS = 64; // 256 bytes

export interface Segment {
  /** First float of the segment in the flat buffers. */
  offset: number;
  /** Floats per member. */
  perMember: number;
  members: number;
}

export interface DenseLayerParams {
  nIn: number;
  nOut: number;
  weight: Segment;
  bias: Segment;
}

export interface ParamLayout {
  layers: DenseLayerParams[];
  /** Length of every flat parameter buffer, in floats. */
  totalFloats: number;
  members: number;
}

const align = (n: number): number => Math.ceil(n / SEGMENT_ALIGN_FLOATS) * SEGMENT_ALIGN_FLOATS;

export function layoutDenseParams(shapes: readonly { nIn: number; nOut: number }[], members: number): ParamLayout {
  let cursor = 0;
  const take = (perMember: number): Segment => {
    const seg = { offset: cursor, perMember, members };
    cursor = align(cursor + perMember * members);
    return seg;
  };
  const layers = shapes.map(({ nIn, nOut }) => ({ nIn, nOut, weight: take(nIn * nOut), bias: take(nOut) }));
  return { layers, totalFloats: Math.max(cursor, SEGMENT_ALIGN_FLOATS), members };
}

/** The buffer range holding a segment (all members), for a bind group entry. */
export function segmentBinding(buffer: GPUBuffer, seg: Segment): GPUBufferBinding {
  return { buffer, offset: seg.offset * 4, size: seg.perMember * seg.members * 4 };
}

/** Index of member m's element i of a segment in the flat arrays. */
export function flatIndex(seg: Segment, member: number, i: number): number {
  return seg.offset + member * seg.perMember + i;
}
