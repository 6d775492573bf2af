// CPU reference for the truly sparse storage of a dense layer (docs/ARCHITECTURE.md §7): only the
// active connections are stored, as slots, and every op visits the slots alone. Readable first:
// the WGSL kernels of the sparse storage are tested against these, and these against the masked
// dense reference (dense.ts, mask.ts) on the same weights.
//
// Per member m, with nnz = the layer's active count (the same for every member: prune k = grow k):
//   rowPtr   (members, out+1)            u32  CSR by output unit: row o holds slots rowPtr[o]..rowPtr[o+1]-1
//   col      (members, nnz)              u32  input index of each slot, ascending within its row
//   val      (members, nnz)              f32  the weight of each slot (optimizer state: same layout)
//   tPtr     (members, in+1)             u32  transposed index by input unit (for dX)
//   tSlot    (members, nnz)              u32  slot of each transposed entry, ascending output within a column
//   occupied (members, out, ceil(in/32)) u32  bitmap of active positions, each row starting on a word:
//                                             bit i%32 of word i/32 of row o (membership for growth)
// Slot offsets are per member (slot s of member m lives at m·nnz + s; rowPtr values are 0..nnz).
//
//   forward   y[m][b][o]  = bias[m][o] + Σ_{s in row o} val[s] · x[m][b][col[s]]
//   dX        dx[m][b][i] = Σ_{t in column i} val[tSlot[t]] · dy[m][b][row of tSlot[t]]
//   dW (SDDMM) g[m][s]    = Σ_b dy[m][b][row of s] · x[m][b][col[s]]      (the active weights only)
// Sums run in float64 and are rounded to float32 once, as in dense.ts.
import { assert } from '../util/assert';

export interface SparseShape {
  members: number;
  nOut: number;
  nIn: number;
}

export interface CsrLayer {
  shape: SparseShape;
  nnz: number;
  rowPtr: Uint32Array;
  col: Uint32Array;
  val: Float32Array;
  tPtr: Uint32Array;
  tSlot: Uint32Array;
  occupied: Uint32Array;
}

/** u32 words of one row of the occupancy bitmap (a row starts on a word). */
export const rowWords = (s: SparseShape): number => Math.ceil(s.nIn / 32);

/** u32 words of one member's occupancy bitmap. */
export const bitmapWords = (s: SparseShape): number => s.nOut * rowWords(s);

/** The word of member m's bitmap holding position o·in + i, and the bit in it. */
export function bitOf(s: SparseShape, m: number, position: number): { word: number; bit: number } {
  const o = Math.floor(position / s.nIn);
  const i = position % s.nIn;
  return { word: m * bitmapWords(s) + o * rowWords(s) + (i >>> 5), bit: i & 31 };
}

export function isOccupied(c: CsrLayer, m: number, position: number): boolean {
  const { word, bit } = bitOf(c.shape, m, position);
  return ((c.occupied[word]! >>> bit) & 1) === 1;
}

/**
 * The CSR storage of dense weights `w` under a 0/1 `mask`, both (members, out, in). Every member
 * must hold the same number of active weights.
 */
export function csrFromMask(s: SparseShape, w: Float32Array, mask: Float32Array): CsrLayer {
  const { members: M, nOut: O, nIn: I } = s;
  assert(w.length === M * O * I && mask.length === M * O * I, 'csrFromMask: w and mask must be (members, out, in)');
  const counts = Array.from({ length: M }, (_, m) => mask.subarray(m * O * I, (m + 1) * O * I).reduce((a, v) => a + (v !== 0 ? 1 : 0), 0));
  assert(counts.every((n) => n === counts[0]), `csrFromMask: members hold different active counts (${counts.join(', ')})`);
  const nnz = counts[0] ?? 0;
  const rows: { o: number; i: number; v: number }[][] = Array.from({ length: M }, () => []);
  for (let m = 0; m < M; m++) for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) if (mask[(m * O + o) * I + i] !== 0) rows[m]!.push({ o, i, v: w[(m * O + o) * I + i]! });
  return build(s, nnz, rows);
}

/** Builds every index from each member's slots listed in (row, column) order. */
function build(s: SparseShape, nnz: number, slots: readonly (readonly { o: number; i: number; v: number }[])[]): CsrLayer {
  const { members: M, nOut: O, nIn: I } = s;
  const c: CsrLayer = {
    shape: s,
    nnz,
    rowPtr: new Uint32Array(M * (O + 1)),
    col: new Uint32Array(M * nnz),
    val: new Float32Array(M * nnz),
    tPtr: new Uint32Array(M * (I + 1)),
    tSlot: new Uint32Array(M * nnz),
    occupied: new Uint32Array(M * bitmapWords(s)),
  };
  const words = bitmapWords(s);
  for (let m = 0; m < M; m++) {
    const list = slots[m]!;
    assert(list.length === nnz, `member ${m} has ${list.length} slots, expected ${nnz}`);
    // Rows: count per row, exclusive scan, then the slots in order.
    const rowCount = new Uint32Array(O);
    const colCount = new Uint32Array(I);
    for (const e of list) {
      rowCount[e.o]!++;
      colCount[e.i]!++;
    }
    for (let o = 0; o < O; o++) c.rowPtr[m * (O + 1) + o + 1] = c.rowPtr[m * (O + 1) + o]! + rowCount[o]!;
    for (let i = 0; i < I; i++) c.tPtr[m * (I + 1) + i + 1] = c.tPtr[m * (I + 1) + i]! + colCount[i]!;
    const tFill = new Uint32Array(I);
    list.forEach((e, s) => {
      if (s > 0) {
        const p = list[s - 1]!;
        assert(p.o < e.o || (p.o === e.o && p.i < e.i), 'slots must be in (row, column) order without repeats');
      }
      c.col[m * nnz + s] = e.i;
      c.val[m * nnz + s] = e.v;
      // Transposed: slots visited in row order, so each column's entries ascend by row.
      c.tSlot[m * nnz + c.tPtr[m * (I + 1) + e.i]! + tFill[e.i]!++] = s;
      c.occupied[m * words + e.o * rowWords(c.shape) + (e.i >>> 5)]! |= 1 << (e.i & 31);
    });
  }
  return c;
}

/** The output unit of slot s of member m (a search of rowPtr; kernels carry it instead). */
export function rowOfSlot(c: CsrLayer, m: number, s: number): number {
  const O = c.shape.nOut;
  let o = 0;
  while (c.rowPtr[m * (O + 1) + o + 1]! <= s) o++;
  return o;
}

/** Back to dense (members, out, in) weights and 0/1 mask. */
export function csrToDense(c: CsrLayer, values: Float32Array = c.val): { w: Float32Array; mask: Float32Array } {
  const { members: M, nOut: O, nIn: I } = c.shape;
  const w = new Float32Array(M * O * I);
  const mask = new Float32Array(M * O * I);
  for (let m = 0; m < M; m++) {
    for (let o = 0; o < O; o++) {
      for (let s = c.rowPtr[m * (O + 1) + o]!; s < c.rowPtr[m * (O + 1) + o + 1]!; s++) {
        const j = (m * O + o) * I + c.col[m * c.nnz + s]!;
        w[j] = values[m * c.nnz + s]!;
        mask[j] = 1;
      }
    }
  }
  return { w, mask };
}

/** y = x·Wᵀ + bias over the slots. x (members, batch, in), bias (members, out); y (members, batch, out). */
export function csrForward(c: CsrLayer, batch: number, x: Float32Array, bias: Float32Array): Float32Array {
  const { members: M, nOut: O, nIn: I } = c.shape;
  assert(x.length === M * batch * I && bias.length === M * O, 'csrForward: x must be (members, batch, in), bias (members, out)');
  const y = new Float32Array(M * batch * O);
  for (let m = 0; m < M; m++) {
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < O; o++) {
        let acc = bias[m * O + o]!;
        for (let s = c.rowPtr[m * (O + 1) + o]!; s < c.rowPtr[m * (O + 1) + o + 1]!; s++) acc += c.val[m * c.nnz + s]! * x[(m * batch + b) * I + c.col[m * c.nnz + s]!]!;
        y[(m * batch + b) * O + o] = acc;
      }
    }
  }
  return y;
}

/** dx = dy·W through the transposed index. dy (members, batch, out); dx (members, batch, in). */
export function csrBackwardInput(c: CsrLayer, batch: number, dy: Float32Array): Float32Array {
  const { members: M, nOut: O, nIn: I } = c.shape;
  assert(dy.length === M * batch * O, 'csrBackwardInput: dy must be (members, batch, out)');
  const rows = slotRows(c);
  const dx = new Float32Array(M * batch * I);
  for (let m = 0; m < M; m++) {
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < I; i++) {
        let acc = 0;
        for (let t = c.tPtr[m * (I + 1) + i]!; t < c.tPtr[m * (I + 1) + i + 1]!; t++) {
          const s = c.tSlot[m * c.nnz + t]!;
          acc += c.val[m * c.nnz + s]! * dy[(m * batch + b) * O + rows[m * c.nnz + s]!]!;
        }
        dx[(m * batch + b) * I + i] = acc;
      }
    }
  }
  return dx;
}

/** dW at the slots only (SDDMM): g[m][s] = Σ_b dy[m][b][row(s)]·x[m][b][col(s)]; (members, nnz). */
export function csrWeightGrad(c: CsrLayer, batch: number, x: Float32Array, dy: Float32Array): Float32Array {
  const { members: M, nOut: O, nIn: I } = c.shape;
  assert(x.length === M * batch * I && dy.length === M * batch * O, 'csrWeightGrad: x must be (members, batch, in), dy (members, batch, out)');
  const rows = slotRows(c);
  const g = new Float32Array(M * c.nnz);
  for (let m = 0; m < M; m++) {
    for (let s = 0; s < c.nnz; s++) {
      const o = rows[m * c.nnz + s]!;
      const i = c.col[m * c.nnz + s]!;
      let acc = 0;
      for (let b = 0; b < batch; b++) acc += dy[(m * batch + b) * O + o]! * x[(m * batch + b) * I + i]!;
      g[m * c.nnz + s] = acc;
    }
  }
  return g;
}

/** The output unit of every slot, (members, nnz). */
export function slotRows(c: CsrLayer): Uint32Array {
  const O = c.shape.nOut;
  const rows = new Uint32Array(c.shape.members * c.nnz);
  for (let m = 0; m < c.shape.members; m++) for (let o = 0; o < O; o++) rows.fill(o, m * c.nnz + c.rowPtr[m * (O + 1) + o]!, m * c.nnz + c.rowPtr[m * (O + 1) + o + 1]!);
  return rows;
}

/**
 * A mask update on the slots: per member, `pruned` slots leave and `grown` positions (o·in + i,
 * inactive or pruned just now) join; every member must end with `newNnz` slots. The indices are
 * rebuilt (count per row, exclusive scan, scatter in column order, transposed index, bitmap) and
 * the values and each optimizer state in `states` ((members, nnz) like val) are carried along: a
 * kept slot keeps its value and state, a newly grown one starts at 0 with zero state, and one
 * pruned and regrown in the same update keeps its value and state (the masked path's semantics,
 * mask.ts applyUpdate). Returns the new layer and states.
 */
export function csrApplyUpdate(c: CsrLayer, pruned: readonly ReadonlySet<number>[], grown: readonly ReadonlySet<number>[], newNnz: number, states: readonly Float32Array[] = []): { layer: CsrLayer; states: Float32Array[] } {
  const { members: M, nOut: O, nIn: I } = c.shape;
  const rows = slotRows(c);
  const lists: { o: number; i: number; v: number }[][] = [];
  const carried: number[][] = []; // per member, per new slot: the old slot whose value and state it keeps, or -1
  for (let m = 0; m < M; m++) {
    const entries = new Map<number, { o: number; i: number; v: number; from: number }>();
    for (let s = 0; s < c.nnz; s++) {
      const pos = rows[m * c.nnz + s]! * I + c.col[m * c.nnz + s]!;
      const keep = !pruned[m]!.has(s) || grown[m]!.has(pos);
      if (keep) entries.set(pos, { o: rows[m * c.nnz + s]!, i: c.col[m * c.nnz + s]!, v: c.val[m * c.nnz + s]!, from: s });
    }
    for (const pos of grown[m]!) {
      assert(pos >= 0 && pos < O * I, `grown position ${pos} is outside the layer`);
      if (!entries.has(pos)) entries.set(pos, { o: Math.floor(pos / I), i: pos % I, v: 0, from: -1 });
    }
    const sorted = [...entries.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
    assert(sorted.length === newNnz, `member ${m} ends with ${sorted.length} slots, expected ${newNnz}`);
    lists.push(sorted);
    carried.push(sorted.map((e) => e.from));
  }
  const layer = build(c.shape, newNnz, lists);
  const next = states.map((st) => {
    const out = new Float32Array(M * newNnz);
    for (let m = 0; m < M; m++) carried[m]!.forEach((from, s) => (out[m * newNnz + s] = from < 0 ? 0 : st[m * c.nnz + from]!));
    return out;
  });
  return { layer, states: next };
}
