// Host reads and writes of a network's parameters (docs/ARCHITECTURE.md §7). Every host array
// (checkpoints, views, masks at initialisation, ensembles) is laid out as the host layout
// (param-layout.ts: every weight layer's position-space segment); the flat GPU buffers are laid
// out as gpuLayoutOf, which drops the weight segments of sparse-storage layers. So a write copies
// the segments the GPU holds and hands each sparse layer its own segments to build its slots
// from; a read copies them back and fills each sparse layer's segment from its slots.
import type { ReadbackPool } from '../gpu';
import type { FlatName, LayerStorage } from './layer-storage';
import { copySegments, type ParamLayout } from './param-layout';

/** What a network's host I/O needs. */
export interface HostIo {
  queue: GPUQueue;
  /** The host layout (every host array's) and the flat GPU buffers' own. */
  host: ParamLayout;
  gpu: ParamLayout;
  flat: Record<FlatName, GPUBuffer>;
  storages: readonly LayerStorage[];
}

/** Weights, mask, ITOP record and optimizer state (zeros when absent) from host arrays. */
export function loadHost(io: HostIo, weights: Float32Array, mask: Float32Array, fired: Float32Array, states?: [Float32Array, Float32Array]): void {
  const { host, gpu } = io;
  const zeros = new Float32Array(host.totalFloats);
  const all: Record<FlatName, Float32Array> = { params: weights, mask, fired, state1: states?.[0] ?? zeros, state2: states?.[1] ?? zeros, grads: zeros };
  for (const name of ['params', 'mask', 'fired', 'state1', 'state2'] as const) {
    let out = all[name];
    if (gpu !== host) copySegments(all[name], host, (out = new Float32Array(gpu.totalFloats)), gpu);
    io.queue.writeBuffer(io.flat[name], 0, new Float32Array(out));
  }
  io.storages.forEach((st, li) => {
    if (!st.host) return;
    const w = host.layers[li]!.weight;
    const seg = (a: Float32Array): Float32Array => a.subarray(w.offset, w.offset + w.perMember * w.members);
    st.host.upload({ weights: seg(weights), mask: seg(mask), fired: seg(fired), states: [seg(all.state1), seg(all.state2)] });
  });
}

/**
 * One flat buffer in the host layout. `dense` (gradients only): the dW of a step that ran the
 * full dense gradient, which masked layers hold in their segments anyway and sparse ones in their
 * dense buffer; otherwise a sparse layer's gradient is its slots' (zero where inactive).
 */
export async function readHost(io: HostIo, which: FlatName, readback: ReadbackPool, dense: boolean): Promise<Float32Array> {
  const { host, gpu } = io;
  const flat = await readback.readF32(io.flat[which]);
  if (gpu === host) return flat;
  const out = new Float32Array(host.totalFloats);
  copySegments(flat, gpu, out, host);
  const parts = await Promise.all(io.storages.map((st) => st.host?.read(which, readback, dense)));
  parts.forEach((part, li) => {
    if (part) out.set(part, host.layers[li]!.weight.offset);
  });
  return out;
}
