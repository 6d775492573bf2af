// The sparse storage's CPU reference (src/reference/sparse.ts) against the masked dense one
// (dense.ts, mask.ts) on the same weights: shapes that are not tile multiples, M = 1 and 3,
// densities from 0.5 % to 60 %, empty rows and empty columns. The products and the float64 sums
// run in the same order on both sides (the masked side only adds exact zeros), so the results
// must be equal, not close.
import { describe, expect, it } from 'vitest';
import { denseBackwardInput, denseBackwardWeight, denseForward } from '../../../src/reference/dense';
import { EV_GROWN, EV_PRUNED, applyUpdate } from '../../../src/reference/mask';
import { bitmapWords, csrApplyUpdate, csrBackwardInput, csrForward, csrFromMask, csrToDense, csrWeightGrad, isOccupied, slotRows, type SparseShape } from '../../../src/reference/sparse';
import { mulberry32, permutation } from '../../../src/util/rng';

const O = 13;
const I = 29;
const B = 5;

/** Weights and an exact-count mask per member; row 2 and column 7 are kept empty. */
function layer(members: number, density: number, seed: number): { s: SparseShape; w: Float32Array; mask: Float32Array } {
  const rng = mulberry32(seed);
  const s = { members, nOut: O, nIn: I };
  const w = Float32Array.from({ length: members * O * I }, () => rng.normal());
  const mask = new Float32Array(members * O * I);
  const allowed = Array.from({ length: O * I }, (_, p) => p).filter((p) => Math.floor(p / I) !== 2 && p % I !== 7);
  const k = Math.max(1, Math.round(density * O * I));
  for (let m = 0; m < members; m++) {
    const order = permutation(allowed.length, rng);
    for (let j = 0; j < k; j++) mask[m * O * I + allowed[order[j]!]!] = 1;
  }
  for (let j = 0; j < w.length; j++) if (mask[j] === 0) w[j] = 0;
  return { s, w, mask };
}

const random = (n: number, seed: number): Float32Array => {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};

describe('sparse (CSR) storage reference', () => {
  const cases = [1, 3].flatMap((members) => [0.005, 0.05, 0.3, 0.6].map((density) => ({ members, density })));

  it.each(cases)('M = $members, density $density: indices, forward, dX and dW equal the masked reference', ({ members, density }) => {
    const { s, w, mask } = layer(members, density, 11 + members);
    const c = csrFromMask(s, w, mask);
    // Every member holds the same count; the layout round-trips; the bitmap is the mask.
    expect(c.nnz).toBe(Math.max(1, Math.round(density * O * I)));
    expect(csrToDense(c)).toEqual({ w, mask });
    for (let m = 0; m < members; m++) {
      for (let p = 0; p < O * I; p++) expect(isOccupied(c, m, p)).toBe(mask[m * O * I + p] === 1);
      expect(c.rowPtr[m * (O + 1) + 3]! - c.rowPtr[m * (O + 1) + 2]!).toBe(0); // the empty row
      expect(c.tPtr[m * (I + 1) + 8]! - c.tPtr[m * (I + 1) + 7]!).toBe(0); // the empty column
      // The transposed index lists each slot once, by column, rows ascending.
      const seen = Array.from(c.tSlot.subarray(m * c.nnz, (m + 1) * c.nnz)).sort((a, b) => a - b);
      expect(seen).toEqual(Array.from({ length: c.nnz }, (_, i) => i));
    }
    expect(c.occupied.length).toBe(members * bitmapWords(s));
    const dims = { members, batch: B, nIn: I, nOut: O };
    const x = random(members * B * I, 3);
    const bias = random(members * O, 4);
    const dy = random(members * B * O, 5);
    expect(csrForward(c, B, x, bias)).toEqual(denseForward(dims, x, w, mask, bias));
    const dx = csrBackwardInput(c, B, dy);
    const want = denseBackwardInput(dims, dy, w, mask);
    // An input column with no slot gives +0 on the sparse side; the masked side may sum to -0.
    expect(Array.from(dx, (v) => v + 0)).toEqual(Array.from(want, (v) => v + 0));
    const g = csrWeightGrad(c, B, x, dy);
    const full = denseBackwardWeight(dims, dy, x, null);
    const rows = slotRows(c);
    for (let m = 0; m < members; m++) for (let sl = 0; sl < c.nnz; sl++) expect(g[m * c.nnz + sl]).toBe(full[(m * O + rows[m * c.nnz + sl]!) * I + c.col[m * c.nnz + sl]!]);
  });

  it('a mask update (k pruned, k grown, one dropped and regrown) gives the masked update exactly, values and state carried', () => {
    const members = 3;
    const { s, w, mask } = layer(members, 0.2, 21);
    const c = csrFromMask(s, w, mask);
    const state = random(members * c.nnz, 22);
    const rng = mulberry32(23);
    const k = 9;
    const pruned: Set<number>[] = [];
    const grown: Set<number>[] = [];
    const events = new Uint32Array(members * O * I);
    const rows = slotRows(c);
    for (let m = 0; m < members; m++) {
      // Prune k random slots; grow k positions among the inactive ones and one just pruned.
      const p = new Set(Array.from(permutation(c.nnz, rng).subarray(0, k)));
      const first = [...p][0]!;
      const regrown = rows[m * c.nnz + first]! * I + c.col[m * c.nnz + first]!;
      const inactive = Array.from({ length: O * I }, (_, q) => q).filter((q) => mask[m * O * I + q] === 0);
      const g = new Set([regrown, ...Array.from(permutation(inactive.length, rng).subarray(0, k - 1), (j) => inactive[j]!)]);
      pruned.push(p);
      grown.push(g);
      for (const sl of p) events[m * O * I + rows[m * c.nnz + sl]! * I + c.col[m * c.nnz + sl]!]! |= EV_PRUNED;
      for (const q of g) events[m * O * I + q]! |= EV_GROWN;
    }
    const { layer: next, states } = csrApplyUpdate(c, pruned, grown, c.nnz, [state]);
    // The masked path on the same update: dense weights, mask and state (scattered to positions).
    const denseState = csrToDense(c, state).w;
    const [wm, mm] = [w.slice(), mask.slice()];
    applyUpdate(mm, wm, events, mm.slice(), [denseState]);
    expect(csrToDense(next)).toEqual({ w: wm, mask: mm });
    // State at the active positions (the masked path leaves a pruned weight's stale state behind
    // its mask, and zeroes it when that position is grown again; the sparse one drops it).
    expect(csrToDense(next, states[0]).w).toEqual(denseState.map((v, j) => (mm[j] === 0 ? 0 : v)));
    expect(next.nnz).toBe(c.nnz);
  });

  it('refuses members with different counts and an update that does not end at the count', () => {
    const { s, w, mask } = layer(2, 0.1, 31);
    const off = mask.slice();
    off[off.indexOf(1)] = 0;
    expect(() => csrFromMask(s, w, off)).toThrow(/different active counts/);
    const c = csrFromMask(s, w, mask);
    expect(() => csrApplyUpdate(c, [new Set([0]), new Set()], [new Set(), new Set()], c.nnz)).toThrow(/member 0 ends with/);
  });
});
