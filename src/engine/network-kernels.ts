// Every kernel a network uses, named before anything is bound, so the pipeline cache compiles
// them all (asynchronously) before the first step; and the fixed params of its pool and
// activation kernels.
import type { KernelName } from '../gpu';
import { SPARSE_UPDATE_KERNELS } from '../gpu/registry-sparse-update';
import { ACTIVATION_KINDS } from '../reference/activation';
import type { LayerSpec } from './layers';
import { GROW_RULES, PRUNE_RULES } from './mask-rules';
import type { NetworkOptions } from './network';

/** The kernels of the sparse storage (sparse-storage.ts). */
const SPARSE_STORAGE_KERNELS: readonly KernelName[] = [
  ...(['sparse.transpose', 'sparse.forward', 'sparse.backward_input', 'sparse.weight_grad', 'sparse.score_prune', 'sparse.scan_lines'] as const),
  ...(Object.keys(SPARSE_UPDATE_KERNELS) as KernelName[]),
];

/** Every kernel a network of these layers uses (compiled before the first step). */
export function networkKernels(specs: readonly LayerSpec[], o: Pick<NetworkOptions, 'data' | 'optimizer' | 'prune' | 'grow' | 'storages' | 'fused'>, ghost = false): KernelName[] {
  const names = new Set<KernelName>([
    ...(ghost ? (['activation.scale_add'] as const) : []),
    o.data.kind === 'images' ? 'data.gather_u8' : 'data.gather_f32',
    'loss.softmax_xent',
    'reduce.bias_grad',
    'reduce.bias_grad_dense',
    'reduce.batch_metrics',
    o.optimizer === 'sgd' ? 'optimizer.sgd' : 'optimizer.adam',
    PRUNE_RULES[o.prune].kernel,
    GROW_RULES[o.grow].kernel,
    'mask.select_k',
    'mask.apply_update',
  ]);
  if (o.fused) for (const k of ['fused.train_steps', 'fused.eval_set'] as const) names.add(k);
  if (o.storages?.includes('sparse')) for (const k of SPARSE_STORAGE_KERNELS) names.add(k);
  specs.forEach((l, i) => {
    if (l.kind === 'maxpool2') {
      names.add('pool.max2_forward');
      if (i > 0) names.add('pool.max2_backward');
      return;
    }
    const family = l.kind === 'dense' ? 'dense' : 'conv';
    names.add(`${family}.forward`);
    names.add(`${family}.backward_weight`);
    names.add(`${family}.backward_weight_masked`);
    if (i > 0) names.add(`${family}.backward_input`);
    if (l.kind === 'conv') names.add('reduce.sum_splits');
    if (ghost && l.kind === 'conv') names.add('conv.forward');
    if (l.activation !== 'none') {
      names.add('activation.forward');
      names.add('activation.backward');
    }
  });
  return [...names];
}

export function poolDims(l: Extract<LayerSpec, { kind: 'maxpool2' }>, batch: number): Record<string, number> {
  return { batch, channels: l.channels, in_h: l.inH, in_w: l.inW };
}

export function actParams(kind: string, n: number): Record<string, number> {
  return { n, kind: ACTIVATION_KINDS.indexOf(kind as (typeof ACTIVATION_KINDS)[number]), beta: 1 };
}

