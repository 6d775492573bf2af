// The kernel registry: for every kernel, where its WGSL lives, its bindings (which become an
// explicit bind-group layout), the fields of its params struct, pipeline-override constants and
// how many workgroups a dispatch needs. Adding a kernel = one entry here, or in registry-update.ts
// (optimizer, mask update) or registry-sparse.ts and registry-sparse-update.ts (the sparse storage) or registry-fused.ts (the fused small-MLP path) (docs/ARCHITECTURE.md §3).
import type { ParamField, ParamValues } from './params';
import type { ShaderFamily } from './shaders';
import { div, ELEMENTWISE_WG, fold, type Grid } from './grid';
import { MASK_KERNELS, OPTIMIZER_KERNELS } from './registry-update';
import { SPARSE_KERNELS } from './registry-sparse';
import { SPARSE_UPDATE_KERNELS } from './registry-sparse-update';
import { FUSED_KERNELS } from './registry-fused';

export { fold, MAX_WORKGROUPS_PER_DIM, type Grid } from './grid';

export type BindingKind = 'read' | 'read_write' | 'uniform';

export interface BindingSpec {
  binding: number;
  name: string;
  kind: BindingKind;
  /** May be left out of a call; a small placeholder buffer is bound instead. */
  optional?: boolean;
}

export interface KernelSpec {
  family: ShaderFamily;
  entryPoint: string;
  bindings: readonly BindingSpec[];
  /** Name of the WGSL struct in the uniform binding, and its fields in declaration order. */
  paramsStruct: string;
  params: readonly ParamField[];
  constants?: Readonly<Record<string, number | boolean>>;
  /**
   * Params that change from step to step (batch offset, learning rate, metrics slot): the uniform
   * binding takes a dynamic offset, so the K steps encoded in one submit each read their own
   * 256-byte slot of one params buffer (writing one uniform between steps of a single command
   * buffer would make every step see the last value).
   */
  stepParams?: boolean;
  /** Workgroups to dispatch, for these params and this many ensemble members. */
  grid(p: ParamValues, members: number): Grid;
}

/** Output tile of the GEMM core (TILE_M = TILE_N in shaders/gemm_core.wgsl; the registry test holds them equal). */
export const GEMM_TILE = 32;
const LOSS_WG = 64;

/**
 * Threads per workgroup of the families whose shaders declare `override WG`: every pipeline of
 * the family is built with this value (kernelConstants), and the family's grids divide by the
 * same constant, so the WGSL default is never what a dispatch silently relies on.
 */
export const FAMILY_WORKGROUP: Readonly<Partial<Record<ShaderFamily, number>>> = {
  activation: ELEMENTWISE_WG,
  data: ELEMENTWISE_WG,
  loss: LOSS_WG,
  mask: ELEMENTWISE_WG,
  optimizer: ELEMENTWISE_WG,
  sparse: ELEMENTWISE_WG,
  sparse_select: ELEMENTWISE_WG,
  sparse_index: ELEMENTWISE_WG,
  pool: ELEMENTWISE_WG,
  reduce: ELEMENTWISE_WG,
};

/** The override constants a kernel's pipeline is built with: its own and its family's WG. */
export function kernelConstants(spec: KernelSpec): Record<string, number | boolean> {
  const wg = FAMILY_WORKGROUP[spec.family];
  return { ...(wg === undefined ? {} : { WG: wg }), ...spec.constants };
}
const num = (p: ParamValues, k: string): number => p[k] ?? 0;

/** Shared by every dense and conv GEMM; only the forward pass (mode 0) reads the bias. */
function gemmBindings(mode: number): readonly BindingSpec[] {
  return [
    { binding: 0, name: 'a', kind: 'read' },
    { binding: 1, name: 'b', kind: 'read' },
    { binding: 2, name: 'mask', kind: 'read' },
    { binding: 3, name: 'bias', kind: 'read', optional: mode !== 0 },
    { binding: 4, name: 'c', kind: 'read_write' },
    { binding: 5, name: 'params', kind: 'uniform' },
  ];
}

const DENSE_PARAMS: readonly ParamField[] = [
  ['batch', 'u32'],
  ['n_in', 'u32'],
  ['n_out', 'u32'],
  ['splits', 'u32'],
];

const CONV_PARAMS: readonly ParamField[] = [
  ['batch', 'u32'],
  ['cin', 'u32'],
  ['in_h', 'u32'],
  ['in_w', 'u32'],
  ['cout', 'u32'],
  ['kh', 'u32'],
  ['kw', 'u32'],
  ['out_h', 'u32'],
  ['out_w', 'u32'],
  ['pad_top', 'i32'],
  ['pad_left', 'i32'],
  ['splits', 'u32'],
];

function dense(mode: number, masked: boolean): KernelSpec {
  return {
    family: 'dense',
    entryPoint: 'gemm',
    bindings: gemmBindings(mode),
    paramsStruct: 'DenseDims',
    params: DENSE_PARAMS,
    constants: { MODE: mode, MASK_OUTPUT: masked },
    grid: (p, m) => {
      const [rows, cols, splits] =
        mode === 0
          ? [num(p, 'batch'), num(p, 'n_out'), 1]
          : mode === 1
            ? [num(p, 'batch'), num(p, 'n_in'), 1]
            : [num(p, 'n_out'), num(p, 'n_in'), Math.max(1, num(p, 'splits'))];
      return [div(cols, GEMM_TILE), div(rows, GEMM_TILE), m * splits];
    },
  };
}

function conv(mode: number, masked: boolean): KernelSpec {
  return {
    family: 'conv',
    entryPoint: 'gemm',
    bindings: gemmBindings(mode),
    paramsStruct: 'ConvDims',
    params: CONV_PARAMS,
    constants: { MODE: mode, MASK_OUTPUT: masked },
    grid: (p, m) => {
      const taps = num(p, 'kh') * num(p, 'kw');
      const [rows, cols, splits] =
        mode === 0
          ? [num(p, 'batch') * num(p, 'out_h') * num(p, 'out_w'), num(p, 'cout'), 1]
          : mode === 1
            ? [num(p, 'batch') * num(p, 'in_h') * num(p, 'in_w'), num(p, 'cin'), 1]
            : [num(p, 'cout'), num(p, 'cin') * taps, Math.max(1, num(p, 'splits'))];
      return [div(cols, GEMM_TILE), div(rows, GEMM_TILE), m * splits];
    },
  };
}

const POOL_BINDINGS: readonly BindingSpec[] = [
  { binding: 0, name: 'src', kind: 'read' },
  { binding: 1, name: 'argmax', kind: 'read_write' },
  { binding: 2, name: 'dst', kind: 'read_write' },
  { binding: 3, name: 'params', kind: 'uniform' },
];
const POOL_PARAMS: readonly ParamField[] = [
  ['batch', 'u32'],
  ['channels', 'u32'],
  ['in_h', 'u32'],
  ['in_w', 'u32'],
];
const poolPlanes = (p: ParamValues): number => num(p, 'batch') * num(p, 'channels');

const ACT_PARAMS: readonly ParamField[] = [
  ['n', 'u32'],
  ['kind', 'u32'],
  ['beta', 'f32'],
  ['_pad', 'u32'],
];
const flatGrid = (p: ParamValues): Grid => fold(div(num(p, 'n'), ELEMENTWISE_WG), 1);

const GATHER_PARAMS: readonly ParamField[] = [
  ['batch', 'u32'],
  ['dim', 'u32'],
  ['index_stride', 'u32'],
  ['index_offset', 'u32'],
  ['mean', 'f32'],
  ['inv_std', 'f32'],
  ['_pad0', 'u32'],
  ['_pad1', 'u32'],
];
function gather(entryPoint: 'gather_u8' | 'gather_f32', source: string): KernelSpec {
  return {
    family: 'data',
    entryPoint,
    bindings: [
      { binding: 0, name: source, kind: 'read' },
      { binding: 1, name: 'labels', kind: 'read' },
      { binding: 2, name: 'indices', kind: 'read' },
      { binding: 3, name: 'x', kind: 'read_write' },
      { binding: 4, name: 'y', kind: 'read_write' },
      { binding: 5, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'GatherParams',
    params: GATHER_PARAMS,
    stepParams: true,
    grid: (p, m) => fold(div(num(p, 'batch') * num(p, 'dim'), ELEMENTWISE_WG), m),
  };
}

function biasGrad(entryPoint: string, grid: KernelSpec['grid']): KernelSpec {
  return {
    family: 'reduce',
    entryPoint,
    bindings: [
      { binding: 0, name: 'dy', kind: 'read' },
      { binding: 1, name: 'db', kind: 'read_write' },
      { binding: 2, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'BiasGradDims',
    params: [
      ['batch', 'u32'],
      ['channels', 'u32'],
      ['pixels', 'u32'],
      ['_pad', 'u32'],
    ],
    grid,
  };
}

export const KERNELS = {
  'dense.forward': dense(0, false),
  'dense.backward_input': dense(1, false),
  'dense.backward_weight': dense(2, false),
  'dense.backward_weight_masked': dense(2, true),

  'conv.forward': conv(0, false),
  'conv.backward_input': conv(1, false),
  'conv.backward_weight': conv(2, false),
  'conv.backward_weight_masked': conv(2, true),

  'pool.max2_forward': {
    family: 'pool',
    entryPoint: 'max2_forward',
    bindings: POOL_BINDINGS,
    paramsStruct: 'PoolDims',
    params: POOL_PARAMS,
    grid: (p, m) =>
      fold(div(poolPlanes(p) * Math.floor(num(p, 'in_h') / 2) * Math.floor(num(p, 'in_w') / 2), ELEMENTWISE_WG), m),
  },
  'pool.max2_backward': {
    family: 'pool',
    entryPoint: 'max2_backward',
    bindings: POOL_BINDINGS,
    paramsStruct: 'PoolDims',
    params: POOL_PARAMS,
    grid: (p, m) => fold(div(poolPlanes(p) * num(p, 'in_h') * num(p, 'in_w'), ELEMENTWISE_WG), m),
  },

  // n counts every element of every member, so the grid has no member dimension.
  'activation.forward': {
    family: 'activation',
    entryPoint: 'forward',
    bindings: [
      { binding: 0, name: 'x', kind: 'read' },
      { binding: 2, name: 'out', kind: 'read_write' },
      { binding: 3, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'ActParams',
    params: ACT_PARAMS,
    stepParams: true, // ToST anneals beta (and switches to ReLU) step by step
    grid: flatGrid,
  },
  'activation.backward': {
    family: 'activation',
    entryPoint: 'backward',
    bindings: [
      { binding: 0, name: 'x', kind: 'read' },
      { binding: 1, name: 'dy', kind: 'read' },
      { binding: 2, name: 'out', kind: 'read_write' },
      { binding: 3, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'ActParams',
    params: ACT_PARAMS,
    stepParams: true, // ToST anneals beta (and switches to ReLU) step by step
    grid: flatGrid,
  },
  'activation.scale_add': {
    family: 'activation',
    entryPoint: 'scale_add',
    bindings: [
      { binding: 0, name: 'x', kind: 'read' },
      { binding: 2, name: 'out', kind: 'read_write' },
      { binding: 3, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'ScaleAddParams',
    params: [
      ['n', 'u32'],
      ['_pad', 'u32'],
      ['alpha', 'f32'],
      ['beta', 'f32'],
    ],
    stepParams: true, // the ghost bypass's alpha(t)
    grid: flatGrid,
  },

  'loss.softmax_xent': {
    family: 'loss',
    entryPoint: 'softmax_xent',
    bindings: [
      { binding: 0, name: 'logits', kind: 'read' },
      { binding: 1, name: 'labels', kind: 'read' },
      { binding: 2, name: 'dlogits', kind: 'read_write' },
      { binding: 3, name: 'loss', kind: 'read_write' },
      { binding: 4, name: 'correct', kind: 'read_write' },
      { binding: 5, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'LossParams',
    params: [
      ['batch', 'u32'],
      ['classes', 'u32'],
      ['alpha', 'f32'],
      ['temperature', 'f32'],
    ],
    grid: (p, m) => [div(num(p, 'batch'), LOSS_WG), 1, m],
  },

  ...OPTIMIZER_KERNELS,
  'data.gather_u8': gather('gather_u8', 'images'),
  'data.gather_f32': gather('gather_f32', 'points'),

  // A workgroup per channel (conv: batch × pixels to sum), or a thread per channel (dense).
  'reduce.bias_grad': biasGrad('bias_grad', (p, m) => [num(p, 'channels'), 1, m]),
  'reduce.bias_grad_dense': biasGrad('bias_grad_dense', (p, m) => fold(div(num(p, 'channels'), ELEMENTWISE_WG), m)),
  'reduce.batch_metrics': {
    family: 'reduce',
    entryPoint: 'batch_metrics',
    bindings: [
      { binding: 0, name: 'loss', kind: 'read' },
      { binding: 1, name: 'correct', kind: 'read' },
      { binding: 2, name: 'ring', kind: 'read_write' },
      { binding: 3, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'MetricsDims',
    params: [
      ['batch', 'u32'],
      ['slot', 'u32'],
      ['members', 'u32'],
      ['accumulate', 'u32'],
      ['count', 'u32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
      ['_pad2', 'u32'],
    ],
    stepParams: true,
    grid: (_p, m) => [1, 1, m],
  },
  'reduce.sum_splits': {
    family: 'reduce',
    entryPoint: 'sum_splits',
    bindings: [
      { binding: 0, name: 'partials', kind: 'read' },
      { binding: 1, name: 'mask', kind: 'read', optional: true },
      { binding: 2, name: 'out', kind: 'read_write' },
      { binding: 3, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'SplitDims',
    params: [
      ['n', 'u32'],
      ['splits', 'u32'],
      ['masked', 'u32'],
      ['_pad', 'u32'],
    ],
    grid: (p, m) => fold(div(num(p, 'n'), ELEMENTWISE_WG), m),
  },

  ...MASK_KERNELS,
  ...SPARSE_KERNELS,
  ...SPARSE_UPDATE_KERNELS,
  ...FUSED_KERNELS,
} satisfies Record<string, KernelSpec>;

export type KernelName = keyof typeof KERNELS;
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

export function kernelSpec(name: KernelName): KernelSpec {
  return KERNELS[name];
}
