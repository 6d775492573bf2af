// The sparse storage's kernels (shaders/sparse.wgsl) against the masked dense kernels on the same
// weights, bit for bit (they sum in the same order, docs/ARCHITECTURE.md §7; their activations
// transposed to feature-major first), and against the CPU
// reference (src/reference/sparse.ts). The index rebuild and the mask update: sparse-update.gpu.test.ts. Shapes off the 32-wide GEMM tile, M = 1 and 3, densities
// from 0.5 % to 60 %, with an empty row and an empty column in every member.
import { describe, expect, it } from 'vitest';
import { biasGrad } from '../../src/reference/reduce';
import { csrBackwardInput, csrForward, csrFromMask, csrToDense, csrWeightGrad, slotRows } from '../../src/reference/sparse';
import { expectClose, randomArray, useGpu } from './harness';
import { layerCase, transposedRows } from './sparse-cases';

const gpu = useGpu([
  'dense.forward',
  'dense.backward_input',
  'dense.backward_weight_masked',
  'sparse.transpose',
  'sparse.forward',
  'sparse.backward_input',
  'sparse.weight_grad',
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
