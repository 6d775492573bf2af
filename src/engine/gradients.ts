// Loss and gradients without training: what pruning at initialisation (SNIP, GraSP), GradInit and
// the lottery ticket need. The trainer's own step kernels run one batch at a time with the full
// dense dW and no optimizer step, and the gradients are averaged on the CPU in float64.
import { PAD_INDEX } from '../reference/data';
import type { StepParams } from './network';
import type { ForwardParams, TrainerGpu } from './trainer-reads';

export interface GradientOptions {
  /** Logit temperature (GraSP scores at T = 200); 1 by default. */
  temperature: number;
  labelSmoothing: number;
}

/**
 * Mean loss per member and mean gradient (flat, like the parameters: (totalFloats); masked entries
 * get the full dense gradient) over `examples`, at `weights` under `mask`, every example weighted
 * once (a partial last batch is padded with slots the loss ignores). Leaves those parameters loaded and the loss at
 * `restore` settings; the caller loads what follows and reloads the epoch's shuffle.
 */
export async function lossAndGradientOn(g: TrainerGpu, weights: Float32Array, mask: Float32Array, examples: Uint32Array, loss: GradientOptions, restore: GradientOptions, forward: ForwardParams): Promise<{ loss: number[]; gradient: Float64Array }> {
  const { net, batch, members: M } = g;
  if (examples.length === 0) throw new Error('lossAndGradient: no examples');
  net.load(weights, mask);
  net.setLoss(loss.labelSmoothing, loss.temperature);
  // Chunks of `batch` examples; a partial last chunk is filled with padding slots (PAD_INDEX), which
  // the gather zeroes and the loss ignores. Each chunk's gradient is (1/batch)·Σ over its real
  // examples, so Σ_chunks batch·gradient / n is the exact mean over the n examples.
  const n = examples.length;
  const chunks = Math.ceil(n / batch);
  const sum = new Float64Array(weights.length);
  const means = new Array<number>(M).fill(0);
  const step: StepParams = { indexOffset: 0, ringSlot: 0, lr: 0, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1, bc2: 1, ...forward };
  for (let c = 0; c < chunks; c++) {
    const batchIdx = Uint32Array.from({ length: batch }, (_, i) => (c * batch + i < n ? examples[c * batch + i]! : PAD_INDEX));
    net.setBatchForAllMembers(batchIdx);
    net.writeChunkParams([step]);
    const enc = g.device.createCommandEncoder({ label: 'loss and gradient' });
    const pass = enc.beginComputePass({ label: 'loss and gradient' });
    net.encodeStep(pass, 0, false, true);
    pass.end();
    g.device.queue.submit([enc.finish()]);
    const [grad, sums] = await Promise.all([net.readHost('grads', g.readback, true), g.readback.readF32(net.trainRing, 0, M * 2)]);
    for (let i = 0; i < sum.length; i++) sum[i]! += (grad[i]! * batch) / n;
    for (let m = 0; m < M; m++) means[m]! += sums[m * 2]! / n;
  }
  net.setLoss(restore.labelSmoothing, restore.temperature);
  net.releaseDenseGradients();
  return { loss: means, gradient: sum };
}

/**
 * Mean gradient of each member's loss over `examples` at `weights` with every connection active
 * (the dense network), flat like the parameters, through the trainer's own kernels (label
 * smoothing off). The caller loads what follows.
 */
export async function denseGradient(trainer: { layout: { totalFloats: number }; lossAndGradient: (w: Float32Array, mask: Float32Array, examples: Uint32Array, loss: { temperature?: number; labelSmoothing?: number }) => Promise<{ gradient: Float64Array }> }, weights: Float32Array, examples: Uint32Array, temperature = 1): Promise<Float64Array> {
  const ones = new Float32Array(trainer.layout.totalFloats).fill(1);
  return (await trainer.lossAndGradient(weights, ones, examples, { temperature, labelSmoothing: 0 })).gradient;
}
