// The sparse storage's mask-update and index kernels over bitmaps and slots
// (shaders/sparse_select.wgsl, shaders/sparse_index.wgsl), spread into KERNELS in registry.ts.
// Every one reads the UpdateDims struct (shaders/sparse_bits.wgsl) at binding 5.
import { div, ELEMENTWISE_WG, fold, type Grid } from './grid';
import type { ParamField, ParamValues } from './params';
import type { BindingSpec, KernelSpec } from './registry';
import type { ShaderFamily } from './shaders';

const num = (p: ParamValues, k: string): number => p[k] ?? 0;

export const UPDATE_DIMS: readonly ParamField[] = [
  ['n_in', 'u32'],
  ['n_out', 'u32'],
  ['words', 'u32'],
  ['cap', 'u32'],
  ['k', 'u32'],
  ['pass_index', 'u32'],
  ['mode', 'u32'],
  ['seed', 'u32'],
  ['step', 'u32'],
  ['layer', 'u32'],
  ['n', 'u32'],
  ['offset', 'u32'],
  ['_pad0', 'u32'],
  ['_pad1', 'u32'],
  ['_pad2', 'u32'],
  ['_pad3', 'u32'],
];

/** Every UpdateDims field, 0 where `p` leaves it out (each kernel reads only its own). */
export function updateDims(p: ParamValues): ParamValues {
  return Object.fromEntries(UPDATE_DIMS.map(([name]) => [name, p[name] ?? 0]));
}

/** Bitmap words per row of a layer with `nIn` inputs. */
export const bitmapWordsPerRow = (nIn: number): number => Math.ceil(nIn / 32);

/** Threads → a folded grid of 256-thread workgroups, z = members. */
const threads = (f: (p: ParamValues) => number) => (p: ParamValues, m: number): Grid => fold(div(f(p), ELEMENTWISE_WG), m);
const words = (p: ParamValues): number => num(p, 'n_out') * num(p, 'words');

function kernel(family: ShaderFamily, entryPoint: string, reads: readonly [number, string][], writes: readonly [number, string][], grid: KernelSpec['grid']): KernelSpec {
  const bindings: BindingSpec[] = [
    ...reads.map(([binding, name]): BindingSpec => ({ binding, name, kind: 'read' })),
    ...writes.map(([binding, name]): BindingSpec => ({ binding, name, kind: 'read_write' })),
    { binding: 5, name: 'params', kind: 'uniform' },
  ];
  return { family, entryPoint, bindings, paramsStruct: 'UpdateDims', params: UPDATE_DIMS, grid };
}

const perMember = (_p: ParamValues, m: number): Grid => [1, 1, m];
const S = 'sparse_select';
const I = 'sparse_index';

export const SPARSE_UPDATE_KERNELS = {
  'sparse_select.kept_bits': kernel(S, 'kept_bits', [[0, 'col'], [1, 'row_ptr'], [2, 'slot_events']], [[3, 'kept']], threads((p) => num(p, 'n_out'))),
  'sparse_select.grow_histogram': kernel(S, 'grow_histogram', [[0, 'kept'], [1, 'score'], [2, 'state']], [[3, 'hist']], threads(words)),
  'sparse_select.grow_digit': kernel(S, 'grow_digit', [], [[0, 'hist'], [1, 'state']], perMember),
  'sparse_select.grow_mark': kernel(S, 'grow_mark', [[0, 'kept'], [1, 'score'], [2, 'state']], [[3, 'grown'], [4, 'ties']], threads(words)),
  'sparse_select.grow_ties': kernel(S, 'grow_ties', [[1, 'ties'], [2, 'state']], [[3, 'grown']], perMember),
  'sparse_index.copy_words': kernel(I, 'copy_words', [[0, 'src']], [[1, 'dst']], (p) => fold(div(num(p, 'n'), ELEMENTWISE_WG), 1)),
  'sparse_index.or_words': kernel(I, 'or_words', [[0, 'src']], [[1, 'dst']], (p) => fold(div(num(p, 'n'), ELEMENTWISE_WG), 1)),
  'sparse_index.merge_count': {
    ...kernel(I, 'merge_count', [[0, 'kept'], [1, 'grown']], [[2, 'occ'], [3, 'base'], [4, 'row_ptr']], threads((p) => num(p, 'n_out'))),
    // mode 0 (a host load) reads neither.
    bindings: [
      { binding: 0, name: 'kept', kind: 'read', optional: true },
      { binding: 1, name: 'grown', kind: 'read', optional: true },
      { binding: 2, name: 'occ', kind: 'read_write' },
      { binding: 3, name: 'base', kind: 'read_write' },
      { binding: 4, name: 'row_ptr', kind: 'read_write' },
      { binding: 5, name: 'params', kind: 'uniform' },
    ],
  },
  'sparse_index.fill_rows': kernel(I, 'fill_rows', [[0, 'occ'], [2, 'row_ptr']], [[4, 'col'], [6, 'row']], threads((p) => num(p, 'n_out'))),
  'sparse_index.count_cols': kernel(I, 'count_cols', [[0, 'occ']], [[4, 't_ptr']], threads((p) => num(p, 'n_in'))),
  'sparse_index.fill_cols': kernel(I, 'fill_cols', [[0, 'occ'], [1, 'base'], [2, 'row_ptr'], [3, 't_ptr']], [[4, 't_slot'], [6, 't_row']], threads((p) => num(p, 'n_in'))),
  'sparse_index.carry_index': kernel(I, 'carry_index', [[0, 'row'], [1, 'col'], [2, 'row_ptr'], [3, 'old']], [[4, 'from']], threads((p) => num(p, 'cap'))),
  'sparse_index.carry_values': kernel(I, 'carry_values', [[0, 'from'], [1, 'old']], [[2, 'out']], threads((p) => num(p, 'cap'))),
} satisfies Record<string, KernelSpec>;
