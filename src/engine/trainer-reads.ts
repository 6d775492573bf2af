// What a trainer reads back from the GPU outside its training chunks: evaluation of a held-out
// split (loss and accuracy sums on the GPU), the logits of every example of a split, and the
// ITOP rate from the "fired" record. Each is one submit and one pooled readback.
import { createBuffer, type ReadbackPool } from '../gpu';
import type { FusedSteps } from './fused-steps';
import type { Network, StepParams } from './network';
import type { ParamLayout } from './param-layout';
import type { EvalSplit, MaskBuffers, StepMetrics } from './trainer-setup';

/** The GPU side of a trainer, as these reads need it. */
export interface TrainerGpu {
  device: GPUDevice;
  net: Network;
  readback: ReadbackPool;
  members: number;
  batch: number;
}

/** The fused path's one-dispatch reads, where the network has it and no ghost bypass lives (same floats as the layer kernels). */
function fusedReads(g: TrainerGpu): FusedSteps | null {
  return g.net.ghostActive ? null : g.net.fused;
}

/** The per-step forward settings (ToST activations, ghost α) a read runs with. */
export type ForwardParams = Pick<StepParams, 'activation' | 'ghostAlpha'>;

/** Mean loss and accuracy per member over a held-out split, summed on the GPU. */
export async function evaluateSplit(g: TrainerGpu, split: EvalSplit, forward: ForwardParams): Promise<{ loss: number[]; accuracy: number[] }> {
  const set = g.net.evalSet(split);
  g.net.writeForwardParams(forward);
  const enc = g.device.createCommandEncoder({ label: `evaluate ${split}` });
  const fused = fusedReads(g);
  if (fused) fused.encodeEvaluate(enc, split, forward);
  else {
    const pass = enc.beginComputePass({ label: `evaluate ${split}` });
    g.net.encodeEval(pass, split);
    pass.end();
  }
  g.device.queue.submit([enc.finish()]);
  const sums = await g.readback.readF32(set.ring); // (members, 2)
  const n = set.count;
  return {
    loss: Array.from({ length: g.members }, (_, m) => sums[m * 2]! / n),
    accuracy: Array.from({ length: g.members }, (_, m) => sums[m * 2 + 1]! / n),
  };
}

/** The logits of every example of a split: one (count, classes) array per member, in the split's order. */
export async function predictSplit(g: TrainerGpu, split: EvalSplit, forward: ForwardParams, classes: number): Promise<Float32Array[]> {
  const set = g.net.evalSet(split);
  const M = g.members;
  const rows = set.batches * g.batch;
  // (members, batches·batch, classes); the padded tail of the last batch is dropped below.
  const out = createBuffer(g.device, `predictions ${split}`, M * rows * classes * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  let release = (): void => undefined;
  try {
    g.net.writeForwardParams(forward);
    const enc = g.device.createCommandEncoder({ label: `predict ${split}` });
    const fused = fusedReads(g);
    if (fused) release = fused.encodePredict(enc, split, out, forward);
    else g.net.encodePredict(enc, split, out);
    g.device.queue.submit([enc.finish()]);
    const all = await g.readback.readF32(out);
    return Array.from({ length: M }, (_, m) => all.slice(m * rows * classes, (m * rows + set.count) * classes));
  } finally {
    out.destroy();
    release();
  }
}

/** ITOP rate per member: the fraction of maskable weights ever active (docs/METHODS.md §1.7), from the flat `fired` record. */
export function itopRatesOf(fired: Float32Array, layout: ParamLayout): number[] {
  const total = layout.layers.reduce((a, l) => a + l.numel, 0);
  return Array.from({ length: layout.members }, (_, m) => {
    let ever = 0;
    for (const l of layout.layers) {
      const n = l.numel;
      for (let i = 0; i < n; i++) ever += fired[l.weight.offset + m * n + i]!;
    }
    return ever / total;
  });
}

/** The buffers the mask views draw from (Trainer.maskBuffers): each layer's storage's. */
export function maskBuffersOf(g: TrainerGpu): MaskBuffers {
  return { device: g.device, layers: g.net.storages.map((s) => s.view) };
}

/** A chunk's metrics once its ring of (step, member) loss and correct sums is read back. */
export async function chunkMetrics(g: TrainerGpu, meta: readonly Omit<StepMetrics, 'loss' | 'accuracy'>[]): Promise<StepMetrics[]> {
  const M = g.members;
  const sums = await g.readback.readF32(g.net.trainRing, 0, meta.length * M * 2);
  return meta.map((m, i) => ({
    ...m,
    loss: Array.from({ length: M }, (_, j) => sums[(i * M + j) * 2]! / g.batch),
    accuracy: Array.from({ length: M }, (_, j) => sums[(i * M + j) * 2 + 1]! / g.batch),
  }));
}
