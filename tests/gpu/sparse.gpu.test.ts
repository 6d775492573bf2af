// The sparse storage's kernels (shaders/sparse.wgsl) against the masked dense kernels on the same
// weights, bit for bit (they sum in the same order, docs/ARCHITECTURE.md §7; their activations
// transposed to feature-major first), and against the CPU
// reference (src/reference/sparse.ts). Shapes off the 32-wide GEMM tile, M = 1 and 3, densities
// from 0.5 % to 60 %, with an empty row and an empty column in every member.
import { describe, expect, it } from 'vitest';
import { biasGrad } from '../../src/reference/reduce';
import { csrBackwardInput, csrForward, csrFromMask, csrToDense, csrWeightGrad, slotRows, type CsrLayer } from '../../src/reference/sparse';
import { mulberry32 } from '../../src/util/rng';
import { expectClose, randomArray, useGpu } from './harness';

const gpu = useGpu([
  'dense.forward',
  'dense.backward_input',
  'dense.backward_weight_masked',
  'sparse.transpose',
  'sparse.forward',
  'sparse.backward_input',
  'sparse.weight_grad',
  'sparse.expand',
  'sparse.gather',
  'sparse.count_lines',
  'sparse.scan_lines',
  'sparse.fill_rows',
  'sparse.fill_cols',
  'reduce.bias_grad',
  'reduce.bias_grad_dense',
]);
const TOL = { atol: 2e-5, rtol: 2e-4 };

const SHAPES = [
  { batch: 5, nIn: 7, nOut: 3 },
  { batch: 33, nIn: 40, nOut: 17 },
  { batch: 64, nIn: 100, nOut: 70 },
];
const DENSITIES = [0.005, 0.05, 0.3, 0.6];

/** (members, out, in) 0/1 mask with exactly round(density·positions) active per member (at least 1), row 0 and column 1 empty. */
function exactMask(members: number, nOut: number, nIn: number, density: number, seed: number): Float32Array {
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
function transposedRows(c: CsrLayer): Uint32Array {
  const rows = slotRows(c);
  return Uint32Array.from(c.tSlot, (s, e) => rows[Math.floor(e / c.nnz) * c.nnz + s]!);
}

/** One case's exact-count mask and the weights under it, (members, out, in). */
function layerCase(members: number, c: { nOut: number; nIn: number; density: number }, seed: number): { mask: Float32Array; w: Float32Array } {
  const mask = exactMask(members, c.nOut, c.nIn, c.density, seed);
  return { mask, w: randomArray(mask.length, seed + 1, 0.5).map((v, i) => (mask[i] ? v : 0)) };
}

const cases = SHAPES.flatMap((shape) => DENSITIES.map((density) => ({ ...shape, density })));

describe.each([1, 3])('sparse storage kernels, %i member(s)', (members) => {
  it.each(cases)('forward, dX and dW at batch $batch, $nIn -> $nOut, density $density', async (c) => {
    const h = gpu();
    const seed = members * 7919 + c.batch * 31 + Math.round(c.density * 1000);
    const n = c.nOut * c.nIn;
    const { mask, w } = layerCase(members, c, seed);
    const csr = csrFromMask({ members, nOut: c.nOut, nIn: c.nIn }, w, mask);
    const cap = csr.nnz;
    const x = randomArray(members * c.batch * c.nIn, seed + 2);
    const bp = Math.ceil(c.batch / 4) * 4; // the feature-major copies pad the batch to 4
    const dy = randomArray(members * c.batch * c.nOut, seed + 3);
    const bias = randomArray(members * c.nOut, seed + 4, 0.1);
    const b = {
      x: h.upload('x', x),
      dy: h.upload('dy', dy),
      bias: h.upload('bias', bias),
      w: h.upload('w', w),
      mask: h.upload('mask', mask),
      val: h.upload('val', csr.val),
      col: h.upload('col', csr.col),
      row: h.upload('row', slotRows(csr)),
      rowPtr: h.upload('row ptr', csr.rowPtr),
      tPtr: h.upload('t ptr', csr.tPtr),
      tSlot: h.upload('t slot', csr.tSlot),
      tRow: h.upload('t row', transposedRows(csr)),
      xT: h.empty('xT', members * bp * c.nIn),
      dyT: h.empty('dyT', members * bp * c.nOut),
      y: h.empty('y', members * c.batch * c.nOut),
      yDense: h.empty('y dense', members * c.batch * c.nOut),
      dx: h.empty('dx', x.length),
      dxDense: h.empty('dx dense', x.length),
      g: h.empty('grad', members * cap),
      gDense: h.empty('grad dense', members * n),
    };
    const sd = { batch: c.batch, n_in: c.nIn, n_out: c.nOut, cap };
    const dd = { batch: c.batch, n_in: c.nIn, n_out: c.nOut, splits: 1 };
    await h.run(
      ['sparse.transpose', { resources: { src: b.x, out: b.xT }, params: { ...sd, n_in: c.nIn }, members }],
      ['sparse.transpose', { resources: { src: b.dy, out: b.dyT }, params: { ...sd, n_in: c.nOut }, members }],
      ['sparse.forward', { resources: { xT: b.xT, val: b.val, col: b.col, row_ptr: b.rowPtr, bias: b.bias, out: b.y }, params: sd, members }],
      ['sparse.backward_input', { resources: { dyT: b.dyT, val: b.val, t_slot: b.tSlot, t_row: b.tRow, t_ptr: b.tPtr, out: b.dx }, params: sd, members }],
      ['sparse.weight_grad', { resources: { dyT: b.dyT, xT: b.xT, row: b.row, col: b.col, row_ptr: b.rowPtr, out: b.g }, params: sd, members }],
      ['dense.forward', { resources: { a: b.x, b: b.w, mask: b.mask, bias: b.bias, c: b.yDense }, params: dd, members }],
      ['dense.backward_input', { resources: { a: b.dy, b: b.w, mask: b.mask, c: b.dxDense }, params: dd, members }],
      ['dense.backward_weight_masked', { resources: { a: b.dy, b: b.x, mask: b.mask, c: b.gDense }, params: dd, members }],
    );
    const [y, dx, g, yDense, dxDense, gDense, xT] = await Promise.all([b.y, b.dx, b.g, b.yDense, b.dxDense, b.gDense, b.xT].map((buf) => h.readF32(buf)));
    // xT[m][i][b] = x[m][b][i]
    expect(xT![((members - 1) * c.nIn + c.nIn - 1) * bp + c.batch - 1]).toBe(x[x.length - 1]);
    expect(xT![1 * bp]).toBe(x[1]);
    // Bit for bit the masked GEMM's floats.
    expect(Array.from(y!)).toEqual(Array.from(yDense!));
    expect(Array.from(dx!)).toEqual(Array.from(dxDense!));
    // (the masked kernel leaves value·0 = -0 at some inactive positions: + 0 makes every zero +0)
    expect(Array.from(csrToDense(csr, g!).w)).toEqual(Array.from(gDense!, (v) => v + 0));
    // And the CPU reference's, to float tolerance (it sums in float64).
    expectClose(y!, csrForward(csr, c.batch, x, bias), TOL, 'y');
    expectClose(dx!, csrBackwardInput(csr, c.batch, dy), TOL, 'dx');
    expectClose(g!, csrWeightGrad(csr, c.batch, x, dy), TOL, 'dW');
  });

  it.each(cases)('index rebuild, gather and expand at $nIn -> $nOut, density $density', async (c) => {
    const h = gpu();
    const seed = members * 104729 + c.nIn * 13 + Math.round(c.density * 1000);
    const n = c.nOut * c.nIn;
    const { mask, w } = layerCase(members, c, seed);
    const want = csrFromMask({ members, nOut: c.nOut, nIn: c.nIn }, w, mask);
    const cap = want.nnz + 3; // padding slots past nnz stay 0
    const b = {
      mask: h.upload('mask', mask),
      w: h.upload('w', w),
      rowPtr: h.empty('row ptr', members * (c.nOut + 1)),
      tPtr: h.empty('t ptr', members * (c.nIn + 1)),
      col: h.empty('col', members * cap),
      row: h.empty('row', members * cap),
      tSlot: h.empty('t slot', members * cap),
      tRow: h.empty('t row', members * cap),
      slotOf: h.empty('slot of', members * n),
      val: h.empty('val', members * cap),
      back: h.upload('back', new Float32Array(members * n).fill(7)), // expand must overwrite every position
    };
    const fill = { batch: 0, n_in: c.nIn, n_out: c.nOut, cap };
    const rows = { lines: c.nOut, length: c.nIn, line_stride: c.nIn, step: 1 };
    const cols = { lines: c.nIn, length: c.nOut, line_stride: 1, step: c.nIn };
    await h.run(
      ['sparse.count_lines', { resources: { mask: b.mask, ptr: b.rowPtr }, params: rows, members }],
      ['sparse.scan_lines', { resources: { ptr: b.rowPtr }, params: rows, members }],
      ['sparse.fill_rows', { resources: { mask: b.mask, ptr: b.rowPtr, a: b.col, b: b.row, slot_of: b.slotOf }, params: fill, members }],
      ['sparse.count_lines', { resources: { mask: b.mask, ptr: b.tPtr }, params: cols, members }],
      ['sparse.scan_lines', { resources: { ptr: b.tPtr }, params: cols, members }],
      ['sparse.fill_cols', { resources: { mask: b.mask, ptr: b.tPtr, a: b.tSlot, b: b.tRow, slot_of: b.slotOf }, params: fill, members }],
      ['sparse.gather', { resources: { src: b.w, row: b.row, col: b.col, row_ptr: b.rowPtr, out: b.val }, params: fill, members }],
      ['sparse.expand', { resources: { src: b.val, col: b.col, row_ptr: b.rowPtr, out: b.back }, params: fill, members }],
    );
    const padded = (a: ArrayLike<number>, per: number): number[] => Array.from({ length: members }, (_, m) => [...Array.from(a).slice(m * per, (m + 1) * per), 0, 0, 0]).flat();
    expect(Array.from(await h.readU32(b.rowPtr))).toEqual(Array.from(want.rowPtr));
    expect(Array.from(await h.readU32(b.tPtr))).toEqual(Array.from(want.tPtr));
    expect(Array.from(await h.readU32(b.col))).toEqual(padded(want.col, want.nnz));
    expect(Array.from(await h.readU32(b.row))).toEqual(padded(slotRows(want), want.nnz));
    expect(Array.from(await h.readU32(b.tSlot))).toEqual(padded(want.tSlot, want.nnz));
    expect(Array.from(await h.readU32(b.tRow))).toEqual(padded(transposedRows(want), want.nnz));
    expect(Array.from(await h.readF32(b.val))).toEqual(padded(want.val, want.nnz));
    expect(Array.from(await h.readF32(b.back))).toEqual(Array.from(w));
  });

  it.each([5, 64, 130, 200])('dense-layer bias gradient, one thread per channel = the workgroup tree, bit for bit, at batch %i', async (batch) => {
    const h = gpu();
    const channels = 37;
    const dy = randomArray(members * batch * channels, batch * 17 + members);
    const b = { dy: h.upload('dy', dy), tree: h.empty('db tree', members * channels), rows: h.empty('db rows', members * channels) };
    const params = { batch, channels, pixels: 1 };
    await h.run(['reduce.bias_grad', { resources: { dy: b.dy, db: b.tree }, params, members }], ['reduce.bias_grad_dense', { resources: { dy: b.dy, db: b.rows }, params, members }]);
    const [tree, rows] = await Promise.all([h.readF32(b.tree), h.readF32(b.rows)]);
    expect(Array.from(rows)).toEqual(Array.from(tree));
    expectClose(rows, biasGrad(members, batch, channels, 1, dy), TOL, 'db');
  });
});
