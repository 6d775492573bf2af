// CPU reference for the minibatch gather: every member draws its own examples through its own
// row of an index table, and the gathered features are normalised on the fly.
//
//   idx     = indices[m * indexStride + indexOffset + b]
//   x[m][b][d] = (images[idx * dim + d] / 255 - mean) / std      (gatherU8, byte pixels)
//   x[m][b][d] = (points[idx * dim + d] - mean) / std            (gatherF32, float features)
//   y[m][b]    = labels[idx]
//
// The dataset holds N = labels.length examples of dim features each. The GPU kernel reads the
// bytes packed 4 to a u32 (util/packing.ts); this reference takes them unpacked.
// idx = PAD_INDEX is a padding slot (a partial last chunk of a scoring batch): x = 0, y = PAD_LABEL,
// which the loss ignores.

import { assert } from '../util/assert';
import { PAD_LABEL } from './loss';

/** An index-buffer entry that names no example: the slot is padding (shaders/data.wgsl PAD). */
export const PAD_INDEX = 0xffffffff;

export interface GatherShape {
  members: number;
  batch: number;
  dim: number;
  indexStride: number; // length of each member's index row
  indexOffset: number; // first position used in each row
}

function gather(
  fn: string,
  s: GatherShape,
  dataName: string,
  data: ArrayLike<number>, // (N, dim)
  labels: Uint32Array, // (N)
  indices: Uint32Array, // (members, indexStride)
  feature: (raw: number) => number,
): { x: Float32Array; y: Uint32Array } {
  const { members: M, batch: B, dim: D, indexStride, indexOffset } = s;
  for (const k of ['members', 'batch', 'dim', 'indexStride'] as const) {
    assert(Number.isInteger(s[k]) && s[k] > 0, `${fn}: shape.${k} must be a positive integer, got ${s[k]}`);
  }
  assert(
    Number.isInteger(indexOffset) && indexOffset >= 0 && indexOffset + B <= indexStride,
    `${fn}: indexOffset ${indexOffset} + batch ${B} must fit in indexStride ${indexStride}`,
  );
  const n = labels.length;
  assert(data.length === n * D, `${fn}: ${dataName} has length ${data.length}, expected ${n * D} (labels.length * dim)`);
  assert(indices.length === M * indexStride, `${fn}: indices has length ${indices.length}, expected ${M * indexStride}`);

  const x = new Float32Array(M * B * D);
  const y = new Uint32Array(M * B);
  for (let m = 0; m < M; m++) {
    for (let b = 0; b < B; b++) {
      const pos = m * indexStride + indexOffset + b;
      const idx = indices[pos]!;
      if (idx === PAD_INDEX) {
        y[m * B + b] = PAD_LABEL; // x stays 0
        continue;
      }
      assert(idx < n, `${fn}: indices[${pos}] = ${idx} is out of range (${n} examples)`);
      for (let d = 0; d < D; d++) x[(m * B + b) * D + d] = feature(data[idx * D + d]!);
      y[m * B + b] = labels[idx]!;
    }
  }
  return { x, y };
}

/** Byte images: x = (byte / 255 - mean) / std. Returns x: (members, batch, dim), y: (members, batch). */
export function gatherU8(
  s: GatherShape,
  images: Uint8Array, // (N, dim) bytes
  labels: Uint32Array, // (N)
  indices: Uint32Array, // (members, indexStride)
  mean: number,
  std: number,
): { x: Float32Array; y: Uint32Array } {
  assert(std > 0, `gatherU8: std must be positive, got ${std}`);
  return gather('gatherU8', s, 'images', images, labels, indices, (v) => (v / 255 - mean) / std);
}

/** Float points: x = (value - mean) / std. Returns x: (members, batch, dim), y: (members, batch). */
export function gatherF32(
  s: GatherShape,
  points: Float32Array, // (N, dim)
  labels: Uint32Array, // (N)
  indices: Uint32Array, // (members, indexStride)
  mean: number,
  std: number,
): { x: Float32Array; y: Uint32Array } {
  assert(std > 0, `gatherF32: std must be positive, got ${std}`);
  return gather('gatherF32', s, 'points', points, labels, indices, (v) => (v - mean) / std);
}
