// Layers for the sparse storage's GPU tests: exact-count masks with an empty row and column.
import { slotRows, type CsrLayer } from '../../src/reference/sparse';
import { mulberry32 } from '../../src/util/rng';
import { randomArray } from './harness';

/** (members, out, in) 0/1 mask with exactly round(density·positions) active per member (at least 1), row 0 and column 1 empty. */
export function exactMask(members: number, nOut: number, nIn: number, density: number, seed: number): Float32Array {
  const n = nOut * nIn;
  const candidates = Array.from({ length: n }, (_, p) => p).filter((p) => Math.floor(p / nIn) !== 0 && p % nIn !== 1);
  const k = Math.min(candidates.length, Math.max(1, Math.round(density * n)));
  const mask = new Float32Array(members * n);
  const rand = mulberry32(seed);
  for (let m = 0; m < members; m++) {
    const c = [...candidates];
    for (let j = 0; j < k; j++) {
      const pick = j + rand.int(c.length - j);
      [c[j], c[pick]] = [c[pick]!, c[j]!];
      mask[m * n + c[j]!] = 1;
    }
  }
  return mask;
}

/** t_row: the output unit of each transposed entry. */
export function transposedRows(c: CsrLayer): Uint32Array {
  const rows = slotRows(c);
  return Uint32Array.from(c.tSlot, (s, e) => rows[Math.floor(e / c.nnz) * c.nnz + s]!);
}

/** One case's exact-count mask and the weights under it, (members, out, in). */
export function layerCase(members: number, c: { nOut: number; nIn: number; density: number }, seed: number): { mask: Float32Array; w: Float32Array } {
  const mask = exactMask(members, c.nOut, c.nIn, c.density, seed);
  return { mask, w: randomArray(mask.length, seed + 1, 0.5).map((v, i) => (mask[i] ? v : 0)) };
}

