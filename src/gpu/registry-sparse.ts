// The kernels of the sparse storage (shaders/sparse.wgsl), spread into KERNELS in registry.ts.
// Binding names say what each kernel reads; the WGSL reuses generic names per binding slot.
import { div, ELEMENTWISE_WG, fold } from './grid';
import type { ParamField, ParamValues } from './params';
import type { BindingSpec, KernelSpec } from './registry';

const num = (p: ParamValues, k: string): number => p[k] ?? 0;

const SPARSE_DIMS: readonly ParamField[] = [
  ['batch', 'u32'],
  ['n_in', 'u32'],
  ['n_out', 'u32'],
  ['cap', 'u32'],
];
const LINE_DIMS: readonly ParamField[] = [
  ['lines', 'u32'],
  ['length', 'u32'],
  ['line_stride', 'u32'],
  ['step', 'u32'],
];

/** Reads in binding order 0.., then the output at 6 and the dims at 7 (slot 5 is the bias). */
function slotKernel(entryPoint: string, reads: readonly [number, string][], threads: (p: ParamValues) => number): KernelSpec {
  const bindings: BindingSpec[] = [
    ...reads.map(([binding, name]): BindingSpec => ({ binding, name, kind: 'read' })),
    { binding: 6, name: 'out', kind: 'read_write' },
    { binding: 7, name: 'params', kind: 'uniform' },
  ];
  return { family: 'sparse', entryPoint, bindings, paramsStruct: 'SparseDims', params: SPARSE_DIMS, grid: (p, m) => fold(div(threads(p), ELEMENTWISE_WG), m) };
}

function lineKernel(entryPoint: string, grid: KernelSpec['grid']): KernelSpec {
  return {
    family: 'sparse',
    entryPoint,
    bindings: [
      { binding: 1, name: 'ptr', kind: 'read_write' },
      { binding: 2, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'LineDims',
    params: LINE_DIMS,
    grid,
  };
}

/** Threads of forward and dX: 4 batch rows each (shaders/sparse.wgsl padded_batch). */
const quads = (p: ParamValues): number => div(num(p, 'batch'), 4);

export const SPARSE_KERNELS = {
  'sparse.transpose': slotKernel('transpose', [[0, 'src']], (p) => num(p, 'batch') * num(p, 'n_in')),
  'sparse.forward': slotKernel('forward', [[0, 'xT'], [1, 'val'], [2, 'col'], [3, 'row_ptr'], [5, 'bias']], (p) => quads(p) * num(p, 'n_out')),
  'sparse.backward_input': slotKernel('backward_input', [[0, 'dyT'], [1, 'val'], [2, 't_slot'], [3, 't_row'], [4, 't_ptr']], (p) => quads(p) * num(p, 'n_in')),
  'sparse.weight_grad': slotKernel('weight_grad', [[0, 'dyT'], [1, 'xT'], [2, 'row'], [3, 'col'], [4, 'row_ptr']], (p) => num(p, 'cap')),
  'sparse.score_prune': slotKernel('score_prune', [[0, 'val'], [4, 'row_ptr']], (p) => num(p, 'cap')),
  // One workgroup per member scans the whole line.
  'sparse.scan_lines': lineKernel('scan_lines', (_p, m) => [1, 1, m]),
} satisfies Record<string, KernelSpec>;
