// The kernels that change parameters and masks (shaders/optimizer.wgsl, shaders/mask.wgsl),
// spread into KERNELS in registry.ts.
import { div, ELEMENTWISE_WG, fold, type Grid } from './grid';
import type { ParamField, ParamValues } from './params';
import type { KernelSpec } from './registry';

const num = (p: ParamValues, k: string): number => p[k] ?? 0;
const flatGrid = (p: ParamValues): Grid => fold(div(num(p, 'n'), ELEMENTWISE_WG), 1);

const SCORE_PARAMS: readonly ParamField[] = [
  ['n', 'u32'],
  ['seed', 'u32'],
  ['step', 'u32'],
  ['layer', 'u32'],
];
/** Mask-update scores: one layer's (members, n) range; n counts one member's weights. */
function score(entryPoint: string): KernelSpec {
  return {
    family: 'mask',
    entryPoint,
    bindings: [
      { binding: 0, name: 'src', kind: 'read' },
      { binding: 1, name: 'mask', kind: 'read' },
      { binding: 2, name: 'events', kind: 'read', optional: entryPoint === 'score_prune' },
      { binding: 3, name: 'keys', kind: 'read_write' },
      { binding: 4, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'ScoreParams',
    params: SCORE_PARAMS,
    grid: (p, m) => fold(div(num(p, 'n'), ELEMENTWISE_WG), m),
  };
}

export const OPTIMIZER_KERNELS = {
  // Optimizers run over flat parameter ranges that already include every member.
  'optimizer.sgd': {
    family: 'optimizer',
    entryPoint: 'sgd',
    bindings: [
      { binding: 0, name: 'w', kind: 'read_write' },
      { binding: 1, name: 'g', kind: 'read' },
      { binding: 2, name: 'mask', kind: 'read' },
      { binding: 3, name: 'state1', kind: 'read_write' },
      { binding: 5, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'SgdParams',
    stepParams: true,
    params: [
      ['n', 'u32'],
      ['flags', 'u32'],
      ['lr', 'f32'],
      ['momentum', 'f32'],
      ['weight_decay', 'f32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
      ['_pad2', 'u32'],
    ],
    grid: flatGrid,
  },
  'optimizer.adam': {
    family: 'optimizer',
    entryPoint: 'adam',
    bindings: [
      { binding: 0, name: 'w', kind: 'read_write' },
      { binding: 1, name: 'g', kind: 'read' },
      { binding: 2, name: 'mask', kind: 'read' },
      { binding: 3, name: 'state1', kind: 'read_write' },
      { binding: 4, name: 'state2', kind: 'read_write' },
      { binding: 5, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'AdamParams',
    stepParams: true,
    params: [
      ['n', 'u32'],
      ['flags', 'u32'],
      ['lr', 'f32'],
      ['beta1', 'f32'],
      ['beta2', 'f32'],
      ['eps', 'f32'],
      ['weight_decay', 'f32'],
      ['bc1', 'f32'],
      ['bc2', 'f32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
      ['_pad2', 'u32'],
    ],
    grid: flatGrid,
  },
  'optimizer.reset_state': {
    family: 'optimizer',
    entryPoint: 'reset_state',
    bindings: [
      { binding: 0, name: 'indices', kind: 'read' },
      { binding: 1, name: 'state1', kind: 'read_write' },
      { binding: 2, name: 'state2', kind: 'read_write', optional: true },
      { binding: 3, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'ResetParams',
    params: [
      ['count', 'u32'],
      ['states', 'u32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
    ],
    grid: (p) => fold(div(num(p, 'count'), ELEMENTWISE_WG), 1),
  },

} satisfies Record<string, KernelSpec>;

export const MASK_KERNELS = {
  'mask.score_prune': score('score_prune'),
  'mask.score_grow_magnitude': score('score_grow_magnitude'),
  'mask.score_grow_random': score('score_grow_random'),
  'mask.select_k': {
    family: 'mask',
    entryPoint: 'select_k',
    bindings: [
      { binding: 0, name: 'keys', kind: 'read' },
      { binding: 1, name: 'events', kind: 'read_write' },
      { binding: 2, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'SelectParams',
    params: [
      ['n', 'u32'],
      ['k', 'u32'],
      ['bit', 'u32'],
      ['_pad', 'u32'],
    ],
    // One workgroup per member runs the whole radix select.
    grid: (_p, m) => [1, 1, m],
  },
  'mask.apply_update': {
    family: 'mask',
    entryPoint: 'apply_update',
    bindings: [
      { binding: 0, name: 'mask', kind: 'read_write' },
      { binding: 1, name: 'weights', kind: 'read_write' },
      { binding: 2, name: 'events', kind: 'read_write' },
      { binding: 3, name: 'fired', kind: 'read_write' },
      { binding: 4, name: 'state1', kind: 'read_write', optional: true },
      { binding: 5, name: 'state2', kind: 'read_write', optional: true },
      { binding: 6, name: 'params', kind: 'uniform' },
    ],
    paramsStruct: 'ApplyParams',
    params: [
      ['n', 'u32'],
      ['states', 'u32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
    ],
    grid: (p, m) => fold(div(num(p, 'n'), ELEMENTWISE_WG), m),
  },

} satisfies Record<string, KernelSpec>;
