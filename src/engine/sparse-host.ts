// Host conversions of the sparse storage (docs/ARCHITECTURE.md §7): between the position-space
// arrays every host read and write uses (checkpoints, views, masks at initialisation: (members,
// out, in) f32, param-layout.ts) and what the GPU keeps, the occupancy bitmap (members, out,
// words) u32 (a row starts on a word, bit c % 32 of word c / 32) and slots (members, cap) in row-
// major position order, the order sparse_index.wgsl fill_rows gives them. A member with fewer
// active positions than cap has zero padding slots at its end. CPU-side only: the GPU never holds
// a value per position of a sparse layer.

import { bitmapWordsPerRow } from '../gpu/registry-sparse-update';
import { CHANGE } from '../reference/mask-codes';

export interface HostShape {
  members: number;
  nOut: number;
  nIn: number;
}

/** The occupancy bitmap of a (members, out, in) array: a bit where the entry is non-zero. */
export function packBits(s: HostShape, mask: ArrayLike<number>): Uint32Array<ArrayBuffer> {
  const words = bitmapWordsPerRow(s.nIn);
  const out = new Uint32Array(s.members * s.nOut * words);
  for (let r = 0; r < s.members * s.nOut; r++) {
    for (let c = 0; c < s.nIn; c++) if (mask[r * s.nIn + c] !== 0) out[r * words + (c >>> 5)]! |= 1 << (c & 31);
  }
  return out;
}

/** A bitmap back to a (members, out, in) 0/1 array. */
export function unpackBits(s: HostShape, bits: Uint32Array): Float32Array {
  const words = bitmapWordsPerRow(s.nIn);
  const out = new Float32Array(s.members * s.nOut * s.nIn);
  for (let r = 0; r < s.members * s.nOut; r++) {
    for (let c = 0; c < s.nIn; c++) if ((bits[r * words + (c >>> 5)]! >>> (c & 31)) & 1) out[r * s.nIn + c] = 1;
  }
  return out;
}

/** Active positions per member of a (members, out, in) mask. */
export function activePerMember(s: HostShape, mask: ArrayLike<number>): number[] {
  const n = s.nOut * s.nIn;
  return Array.from({ length: s.members }, (_, m) => {
    let k = 0;
    for (let i = m * n; i < (m + 1) * n; i++) if (mask[i] !== 0) k++;
    return k;
  });
}

/** The values of each member's active positions in row-major order, (members, cap), zero-padded. */
export function packSlots(s: HostShape, values: ArrayLike<number>, mask: ArrayLike<number>, cap: number): Float32Array<ArrayBuffer> {
  const n = s.nOut * s.nIn;
  const out = new Float32Array(s.members * cap);
  for (let m = 0; m < s.members; m++) {
    let slot = m * cap;
    for (let i = m * n; i < (m + 1) * n; i++) if (mask[i] !== 0) out[slot++] = values[i]!;
    if (slot > (m + 1) * cap) throw new Error(`member ${m + 1} has ${slot - m * cap} active connections, more than the ${cap} slots`);
  }
  return out;
}

/** Slot values back to position space through the bitmap (0 where inactive). */
export function unpackSlots(s: HostShape, slots: Float32Array, bits: Uint32Array, cap: number): Float32Array {
  const words = bitmapWordsPerRow(s.nIn);
  const out = new Float32Array(s.members * s.nOut * s.nIn);
  for (let m = 0; m < s.members; m++) {
    let slot = m * cap;
    for (let o = 0; o < s.nOut; o++) {
      const r = m * s.nOut + o;
      for (let c = 0; c < s.nIn; c++) if ((bits[r * words + (c >>> 5)]! >>> (c & 31)) & 1) out[r * s.nIn + c] = slots[slot++]!;
    }
  }
  return out;
}

/**
 * The CHANGE codes of the last update (mask-codes.ts) from the bitmaps it leaves: `old` (occ
 * before it), `kept` (old minus the pruned) and `occ` (after). Grown: now active, was not (1);
 * pruned (2), or pruned and regrown (3): active before and not kept. mask_render.wgsl's
 * fs_bits computes the same on the GPU for the heatmaps.
 */
export function changeCodes(s: HostShape, old: Uint32Array, kept: Uint32Array, occ: Uint32Array): Uint32Array {
  const words = bitmapWordsPerRow(s.nIn);
  const out = new Uint32Array(s.members * s.nOut * s.nIn);
  for (let r = 0; r < s.members * s.nOut; r++) {
    for (let c = 0; c < s.nIn; c++) {
      const w = r * words + (c >>> 5);
      const bit = 1 << (c & 31);
      const was = (old[w]! & bit) !== 0;
      const now = (occ[w]! & bit) !== 0;
      const pruned = was && (kept[w]! & bit) === 0;
      out[r * s.nIn + c] = now && !was ? CHANGE.grown : pruned ? (now ? CHANGE.regrown : CHANGE.pruned) : CHANGE.none;
    }
  }
  return out;
}
