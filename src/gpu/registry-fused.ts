// The fused small-MLP kernel (shaders/fused.wgsl), spread into KERNELS in registry.ts: K whole
// training steps in one dispatch, one workgroup per ensemble member, and a held-out set's
// evaluation or predictions in one more (src/engine/fused-steps.ts).
import type { ParamField } from './params';
import type { KernelSpec } from './registry';

const FUSED_PARAMS: readonly ParamField[] = [
  ['steps', 'u32'],
  ['layers', 'u32'],
  ['batch', 'u32'],
  ['dim', 'u32'],
  ['classes', 'u32'],
  ['members', 'u32'],
  ['index_stride', 'u32'],
  ['scratch_stride', 'u32'],
  ['total', 'u32'],
  ['step_base', 'u32'],
  ['optimizer', 'u32'],
  ['flags', 'u32'],
  ['g0_at', 'u32'],
  ['g1_at', 'u32'],
  ['loss_at', 'u32'],
  ['correct_at', 'u32'],
  ['label_at', 'u32'],
  ['mean', 'f32'],
  ['inv_std', 'f32'],
  ['alpha', 'f32'],
  ['count', 'u32'],
  ['mode', 'u32'],
];

const BINDINGS = [
  { binding: 0, name: 'points', kind: 'read' },
  { binding: 1, name: 'labels', kind: 'read' },
  { binding: 2, name: 'indices', kind: 'read' },
  { binding: 3, name: 'plan', kind: 'read' },
  { binding: 4, name: 'state', kind: 'read_write' },
  { binding: 5, name: 'ring', kind: 'read_write' },
  { binding: 6, name: 'params', kind: 'uniform' },
] as const;

export const FUSED_KERNELS = {
  'fused.train_steps': {
    family: 'fused',
    entryPoint: 'train_steps',
    bindings: BINDINGS,
    paramsStruct: 'FusedParams',
    params: FUSED_PARAMS,
    grid: (_p, m) => [m, 1, 1],
  },
  // A held-out set in one dispatch: loss and correct sums (mode 1) or the logits (mode 2).
  'fused.eval_set': {
    family: 'fused',
    entryPoint: 'eval_set',
    bindings: BINDINGS,
    paramsStruct: 'FusedParams',
    params: FUSED_PARAMS,
    grid: (_p, m) => [m, 1, 1],
  },
} satisfies Record<string, KernelSpec>;
