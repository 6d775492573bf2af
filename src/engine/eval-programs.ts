// The evaluation programs of a network: one per held-out example set (test, validation, probe,
// grid). Every member sees the same examples; a set is gathered in batches of the training batch
// size (the last one padded by repeating the last example, and the padding left out of the
// sums), run through the training forward kernels and loss, and accumulated into the set's own
// (members, 2) ring of loss and correct sums.
import { updateParamSlots, type bindKernel, type BoundKernel, type KernelName, type PipelineCache } from '../gpu';

export interface EvalProgram {
  gather: BoundKernel;
  metrics: BoundKernel;
  ring: GPUBuffer; // (members, 2): loss and correct sums
  /** (members, stride) u32: the set's dataset indices for every member, the tail padded. */
  indices: GPUBuffer;
  stride: number;
  batches: number;
  count: number;
}

export interface EvalBindings {
  cache: PipelineCache;
  bind(name: KernelName, args: Parameters<typeof bindKernel>[2]): BoundKernel;
  own(label: string, floats: number): GPUBuffer;
  upload(label: string, data: Uint32Array): GPUBuffer;
  members: number;
  batch: number;
  /** Dataset indices of each set, by name; empty sets get no program. */
  sets: Readonly<Record<string, Uint32Array>>;
  gatherName: KernelName;
  /** The gather kernel's resources reading a set's index rows. */
  gather(indices: GPUBuffer): Record<string, GPUBuffer>;
  gatherParams(stride: number): Record<string, number>;
  /** The per-example loss and correct buffers the loss kernel writes. */
  metrics: { loss: GPUBuffer; correct: GPUBuffer };
  metricParams: Record<string, number>;
}

export function bindEvalPrograms(e: EvalBindings): Map<string, EvalProgram> {
  const { batch, members: M } = e;
  const out = new Map<string, EvalProgram>();
  for (const [setName, idx] of Object.entries(e.sets)) {
    if (idx.length === 0) continue;
    const batches = Math.ceil(idx.length / batch);
    const stride = batches * batch;
    // (members, stride) index rows: the same examples for every member, the tail padded.
    const rows = new Uint32Array(M * stride);
    for (let m = 0; m < M; m++) for (let i = 0; i < stride; i++) rows[m * stride + i] = idx[Math.min(i, idx.length - 1)]!;
    const ring = e.own(`${setName} metrics`, M * 2);
    const indices = e.upload(`${setName} indices`, rows);
    const gather = e.bind(e.gatherName, { resources: e.gather(indices), params: e.gatherParams(stride), members: M, slots: batches, label: `gather ${setName}` });
    const metrics = e.bind('reduce.batch_metrics', { resources: { ...e.metrics, ring }, params: e.metricParams, members: M, slots: batches, label: `${setName} metrics` });
    updateParamSlots(e.cache, gather, Array.from({ length: batches }, (_, b) => ({ ...e.gatherParams(stride), index_offset: b * batch })));
    updateParamSlots(e.cache, metrics, Array.from({ length: batches }, (_, b) => ({ ...e.metricParams, accumulate: b === 0 ? 0 : 1, count: Math.min(batch, idx.length - b * batch) })));
    out.set(setName, { gather, metrics, ring, indices, stride, batches, count: idx.length });
  }
  return out;
}
