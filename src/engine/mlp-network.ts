// An MLP for M ensemble members on the GPU: every buffer and bind group built once, and encode
// functions for one training step, one mask update and a full evaluation pass. No waiting on the
// GPU here; the trainer decides what to encode and when to read back.
//   x (members, batch, in) -> [dense -> act]* -> dense -> logits (members, batch, classes)
// Step (≈ 6 + 5·layers dispatches): gather, forward, loss, metrics, backward (full dW for every
// weight: RigL and SNFS need the dense gradient, the optimizer masks it), optimizer.
import { bindKernel, encodeKernel, storageBuffer, updateParamSlots, updateParams, uploadBuffer, type BoundKernel, type KernelName, type PipelineCache } from '../gpu';
import { ACTIVATION_KINDS, type ActivationKind } from '../reference/activation';
import { EV_GROWN, EV_PRUNED } from '../reference/mask';
import { packU8 } from '../util/packing';
import { GROW_RULES, PRUNE_RULES, type GrowRuleName, type PruneRuleName, type ScoreSource } from './mask-rules';
import { segmentBinding, type ParamLayout } from './param-layout';

export interface MlpData {
  kind: 'points' | 'images';
  /** (n, dim): f32 points or u8 pixels. */
  values: Float32Array | Uint8Array;
  dim: number;
  labels: Uint32Array; // (n)
  mean: number;
  std: number;
}

export interface MlpNetworkOptions {
  layout: ParamLayout;
  classes: number;
  activation: ActivationKind;
  batch: number;
  /** Steps encoded per submit: the number of per-step params slots. */
  slots: number;
  /** Length of each member's row of the training index buffer (steps per epoch × batch). */
  indexStride: number;
  evalIdx: Uint32Array;
  data: MlpData;
  labelSmoothing: number;
  optimizer: 'sgd' | 'adam';
  /** Optimizer flag bits (see shaders/optimizer.wgsl): nesterov 1, dense state 2, decoupled 4. */
  optimizerFlags: number;
  prune: PruneRuleName;
  grow: GrowRuleName;
  seed: number;
}

export interface StepParams {
  indexOffset: number;
  ringSlot: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  bc1: number;
  bc2: number;
}

export const MLP_KERNELS: KernelName[] = [
  'data.gather_f32',
  'data.gather_u8',
  'dense.forward',
  'dense.backward_input',
  'dense.backward_weight',
  'activation.forward',
  'activation.backward',
  'loss.softmax_xent',
  'reduce.bias_grad',
  'reduce.batch_metrics',
  'optimizer.sgd',
  'optimizer.adam',
  'mask.score_prune',
  'mask.score_grow_magnitude',
  'mask.score_grow_random',
  'mask.select_k',
  'mask.apply_update',
];

interface LayerKernels {
  update: { prune: BoundKernel; selectPrune: BoundKernel; grow: BoundKernel; selectGrow: BoundKernel; apply: BoundKernel };
}

export class MlpNetwork {
  readonly params: GPUBuffer; // flat weights and biases
  readonly grads: GPUBuffer;
  readonly mask: GPUBuffer;
  readonly state1: GPUBuffer; // momentum | Adam m
  readonly state2: GPUBuffer; // Adam v
  readonly fired: GPUBuffer; // ITOP: ever active
  readonly events: GPUBuffer[]; // per layer (members, out*in): change codes after an update
  readonly trainRing: GPUBuffer; // (slots, members, 2): per-step loss and correct sums
  readonly evalRing: GPUBuffer; // (1, members, 2)
  readonly trainIndices: GPUBuffer; // (members, indexStride)
  private readonly owned: GPUBuffer[] = [];
  private readonly forward: BoundKernel[] = [];
  private readonly backward: BoundKernel[] = [];
  private readonly gather: BoundKernel;
  private readonly evalGather: BoundKernel;
  private readonly loss: BoundKernel;
  private readonly metrics: BoundKernel;
  private readonly evalMetrics: BoundKernel;
  private readonly optimizer: BoundKernel;
  private readonly layerKernels: LayerKernels[] = [];
  readonly evalBatches: number;

  static async create(cache: PipelineCache, o: MlpNetworkOptions): Promise<MlpNetwork> {
    await cache.prepare(MLP_KERNELS);
    return new MlpNetwork(cache, o);
  }

  private constructor(
    private readonly cache: PipelineCache,
    readonly o: MlpNetworkOptions,
  ) {
    const { layout, batch } = o;
    const M = layout.members;
    const dev = cache.device;
    const own = (b: GPUBuffer): GPUBuffer => (this.owned.push(b), b);
    const flat = (label: string): GPUBuffer => own(storageBuffer(dev, label, layout.totalFloats * 4));
    this.params = flat('params');
    this.grads = flat('grads');
    this.mask = flat('mask');
    this.state1 = flat('optimizer state 1');
    this.state2 = flat('optimizer state 2');
    this.fired = flat('ITOP fired');
    this.events = layout.layers.map((l, i) => own(storageBuffer(dev, `fc${i + 1} events`, M * l.nIn * l.nOut * 4)));
    this.trainRing = own(storageBuffer(dev, 'train metrics ring', o.slots * M * 2 * 4));
    this.evalRing = own(storageBuffer(dev, 'eval metrics', M * 2 * 4));
    this.trainIndices = own(storageBuffer(dev, 'train indices', M * o.indexStride * 4));

    // Dataset, resident on the GPU.
    const values = own(uploadBuffer(dev, 'dataset values', o.data.kind === 'images' ? packU8(o.data.values as Uint8Array) : (o.data.values as Float32Array)));
    const labels = own(uploadBuffer(dev, 'dataset labels', o.data.labels));
    this.evalBatches = Math.max(1, Math.ceil(o.evalIdx.length / batch));
    const evalStride = this.evalBatches * batch;
    const evalRows = new Uint32Array(M * evalStride);
    for (let m = 0; m < M; m++) for (let i = 0; i < evalStride; i++) evalRows[m * evalStride + i] = o.evalIdx[Math.min(i, o.evalIdx.length - 1)] ?? 0;
    const evalIndices = own(uploadBuffer(dev, 'eval indices', evalRows));

    // Activations: x0 = batch input; z_l pre-activations; a_l = act(z_l) for hidden layers.
    const L = layout.layers.length;
    const x0 = own(storageBuffer(dev, 'x', M * batch * o.data.dim * 4));
    const y = own(storageBuffer(dev, 'y', M * batch * 4));
    const z = layout.layers.map((l, i) => own(storageBuffer(dev, `z${i + 1}`, M * batch * l.nOut * 4)));
    const a = layout.layers.map((l, i) => (i < L - 1 ? own(storageBuffer(dev, `a${i + 1}`, M * batch * l.nOut * 4)) : z[i]!));
    const dz = layout.layers.map((l, i) => own(storageBuffer(dev, `dz${i + 1}`, M * batch * l.nOut * 4)));
    const da = layout.layers.map((l, i) => (i < L - 1 ? own(storageBuffer(dev, `da${i + 1}`, M * batch * l.nOut * 4)) : dz[i]!));
    const lossRows = own(storageBuffer(dev, 'loss per example', M * batch * 4));
    const correctRows = own(storageBuffer(dev, 'correct per example', M * batch * 4));
    const input = (i: number): GPUBuffer => (i === 0 ? x0 : a[i - 1]!);

    const gatherName = o.data.kind === 'images' ? 'data.gather_u8' : 'data.gather_f32';
    const source = o.data.kind === 'images' ? 'images' : 'points';
    const gatherParams = (stride: number) => ({ batch, dim: o.data.dim, index_stride: stride, index_offset: 0, mean: o.data.mean, inv_std: 1 / o.data.std });
    this.gather = bindKernel(cache, gatherName, { resources: { [source]: values, labels, indices: this.trainIndices, x: x0, y }, params: gatherParams(o.indexStride), members: M, slots: o.slots, label: 'gather train' });
    this.evalGather = bindKernel(cache, gatherName, { resources: { [source]: values, labels, indices: evalIndices, x: x0, y }, params: gatherParams(evalStride), members: M, slots: this.evalBatches, label: 'gather eval' });
    const act = { kind: ACTIVATION_KINDS.indexOf(o.activation), beta: 1 };

    layout.layers.forEach((l, i) => {
      const dims = { batch, n_in: l.nIn, n_out: l.nOut, splits: 1 };
      const w = segmentBinding(this.params, l.weight);
      const m = segmentBinding(this.mask, l.weight);
      this.forward.push(bindKernel(cache, 'dense.forward', { resources: { a: input(i), b: w, mask: m, bias: segmentBinding(this.params, l.bias), c: z[i]! }, params: dims, members: M, label: `fc${i + 1} forward` }));
      if (i < L - 1) this.forward.push(bindKernel(cache, 'activation.forward', { resources: { x: z[i]!, out: a[i]! }, params: { n: M * batch * l.nOut, ...act }, members: 1 }));
    });
    this.loss = bindKernel(cache, 'loss.softmax_xent', { resources: { logits: z[L - 1]!, labels: y, dlogits: dz[L - 1]!, loss: lossRows, correct: correctRows }, params: { batch, classes: o.classes, alpha: o.labelSmoothing }, members: M });
    const metricParams = { batch, slot: 0, members: M, accumulate: 0, count: batch };
    this.metrics = bindKernel(cache, 'reduce.batch_metrics', { resources: { loss: lossRows, correct: correctRows, ring: this.trainRing }, params: metricParams, members: M, slots: o.slots, label: 'train metrics' });
    this.evalMetrics = bindKernel(cache, 'reduce.batch_metrics', { resources: { loss: lossRows, correct: correctRows, ring: this.evalRing }, params: { ...metricParams, accumulate: 1 }, members: M, slots: this.evalBatches, label: 'eval metrics' });
    for (let b = 0; b < this.evalBatches; b++) {
      this.writeSlot(this.evalGather, b, { ...gatherParams(evalStride), index_offset: b * batch });
      this.writeSlot(this.evalMetrics, b, { ...metricParams, accumulate: b === 0 ? 0 : 1, count: Math.min(batch, o.evalIdx.length - b * batch) });
    }

    for (let i = L - 1; i >= 0; i--) {
      const l = layout.layers[i]!;
      const dims = { batch, n_in: l.nIn, n_out: l.nOut, splits: 1 };
      const wm = { b: segmentBinding(this.params, l.weight), mask: segmentBinding(this.mask, l.weight) };
      this.backward.push(bindKernel(cache, 'dense.backward_weight', { resources: { a: dz[i]!, b: input(i), mask: wm.mask, c: segmentBinding(this.grads, l.weight) }, params: dims, members: M, label: `fc${i + 1} dW` }));
      this.backward.push(bindKernel(cache, 'reduce.bias_grad', { resources: { dy: dz[i]!, db: segmentBinding(this.grads, l.bias) }, params: { batch, channels: l.nOut, pixels: 1 }, members: M, label: `fc${i + 1} db` }));
      if (i > 0) {
        const prev = layout.layers[i - 1]!;
        this.backward.push(bindKernel(cache, 'dense.backward_input', { resources: { a: dz[i]!, ...wm, c: da[i - 1]! }, params: dims, members: M, label: `fc${i + 1} dX` }));
        this.backward.push(bindKernel(cache, 'activation.backward', { resources: { x: z[i - 1]!, dy: da[i - 1]!, out: dz[i - 1]! }, params: { n: M * batch * prev.nOut, ...act }, members: 1 }));
      }
    }

    const n = layout.totalFloats;
    const state = { w: this.params, g: this.grads, mask: this.mask, state1: this.state1 };
    this.optimizer =
      o.optimizer === 'sgd'
        ? bindKernel(cache, 'optimizer.sgd', { resources: state, params: { n, flags: o.optimizerFlags, lr: 0, momentum: 0, weight_decay: 0 }, members: 1, slots: o.slots })
        : bindKernel(cache, 'optimizer.adam', { resources: { ...state, state2: this.state2 }, params: { n, flags: o.optimizerFlags, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bc1: 1, bc2: 1 }, members: 1, slots: o.slots });

    const sources: Record<ScoreSource, GPUBuffer> = { params: this.params, grads: this.grads, state1: this.state1 };
    const pruneRule = PRUNE_RULES[o.prune];
    const growRule = GROW_RULES[o.grow];
    layout.layers.forEach((l, i) => {
      const n = l.nIn * l.nOut;
      const keys = own(storageBuffer(dev, `fc${i + 1} keys`, M * n * 4));
      const w = segmentBinding(this.params, l.weight);
      const m = segmentBinding(this.mask, l.weight);
      const score = { n, seed: o.seed, step: 0, layer: i };
      const growSrc = segmentBinding(sources[growRule.source], l.weight);
      const pruneSrc = segmentBinding(sources[pruneRule.source], l.weight);
      this.layerKernels.push({
        update: {
          prune: bindKernel(cache, pruneRule.kernel, { resources: { src: pruneSrc, mask: m, keys }, params: score, members: M }),
          selectPrune: bindKernel(cache, 'mask.select_k', { resources: { keys, events: this.events[i]! }, params: { n, k: 0, bit: EV_PRUNED }, members: M }),
          grow: bindKernel(cache, growRule.kernel, { resources: { src: growSrc, mask: m, events: this.events[i]!, keys }, params: score, members: M }),
          selectGrow: bindKernel(cache, 'mask.select_k', { resources: { keys, events: this.events[i]! }, params: { n, k: 0, bit: EV_GROWN }, members: M }),
          apply: bindKernel(cache, 'mask.apply_update', {
            resources: { mask: m, weights: w, events: this.events[i]!, fired: segmentBinding(this.fired, l.weight), state1: segmentBinding(this.state1, l.weight), state2: segmentBinding(this.state2, l.weight) },
            params: { n, states: o.optimizer === 'adam' ? 2 : 1 },
            members: M,
          }),
        },
      });
    });
  }

  /** Uploads parameters, masks and optimizer state (zeros unless given: a fresh start). */
  load(weights: Float32Array, mask: Float32Array, fired: Float32Array = mask, states?: [Float32Array, Float32Array]): void {
    const q = this.cache.device.queue;
    const zeros = new Float32Array(this.o.layout.totalFloats);
    q.writeBuffer(this.params, 0, new Float32Array(weights));
    q.writeBuffer(this.mask, 0, new Float32Array(mask));
    q.writeBuffer(this.fired, 0, new Float32Array(fired));
    q.writeBuffer(this.state1, 0, new Float32Array(states?.[0] ?? zeros));
    q.writeBuffer(this.state2, 0, new Float32Array(states?.[1] ?? zeros));
  }

  setTrainIndices(indices: Uint32Array): void {
    this.cache.device.queue.writeBuffer(this.trainIndices, 0, new Uint32Array(indices));
  }

  /** Per-step values for slots 0.. of the next chunk: one queue write per kernel. */
  writeChunkParams(steps: readonly StepParams[]): void {
    const { batch, data, optimizerFlags: flags } = this.o;
    const M = this.o.layout.members;
    const n = this.o.layout.totalFloats;
    updateParamSlots(this.cache, this.gather, steps.map((p) => ({ batch, dim: data.dim, index_stride: this.o.indexStride, index_offset: p.indexOffset, mean: data.mean, inv_std: 1 / data.std })));
    updateParamSlots(this.cache, this.metrics, steps.map((p) => ({ batch, slot: p.ringSlot, members: M, accumulate: 0, count: batch })));
    updateParamSlots(
      this.cache,
      this.optimizer,
      steps.map((p): Record<string, number> =>
        this.o.optimizer === 'sgd'
          ? { n, flags, lr: p.lr, momentum: p.momentum, weight_decay: p.weightDecay }
          : { n, flags, lr: p.lr, beta1: p.beta1, beta2: p.beta2, eps: p.eps, weight_decay: p.weightDecay, bc1: p.bc1, bc2: p.bc2 },
      ),
    );
  }

  encodeStep(pass: GPUComputePassEncoder, slot: number, optimizerStep: boolean): void {
    encodeKernel(pass, this.gather, slot);
    for (const k of this.forward) encodeKernel(pass, k);
    encodeKernel(pass, this.loss);
    encodeKernel(pass, this.metrics, slot);
    for (const k of this.backward) encodeKernel(pass, k);
    if (optimizerStep) encodeKernel(pass, this.optimizer, slot);
  }

  /** Sets prune and grow counts (per layer, per member) for the next encodeMaskUpdate. */
  prepareMaskUpdate(step: number, counts: readonly { prune: number; grow: number }[]): void {
    const { layout, seed } = this.o;
    layout.layers.forEach((l, i) => {
      const n = l.nIn * l.nOut;
      const u = this.layerKernels[i]!.update;
      const score = { n, seed, step, layer: i };
      this.writeSlot(u.prune, 0, score);
      this.writeSlot(u.grow, 0, score);
      this.writeSlot(u.selectPrune, 0, { n, k: counts[i]!.prune, bit: EV_PRUNED });
      this.writeSlot(u.selectGrow, 0, { n, k: counts[i]!.grow, bit: EV_GROWN });
    });
  }

  encodeMaskUpdate(pass: GPUComputePassEncoder): void {
    for (const { update: u } of this.layerKernels) {
      encodeKernel(pass, u.prune);
      encodeKernel(pass, u.selectPrune);
      encodeKernel(pass, u.grow);
      encodeKernel(pass, u.selectGrow);
      encodeKernel(pass, u.apply);
    }
  }

  /** Forward passes over the whole evaluation set, accumulating into evalRing. */
  encodeEval(pass: GPUComputePassEncoder): void {
    for (let b = 0; b < this.evalBatches; b++) {
      encodeKernel(pass, this.evalGather, b);
      for (const k of this.forward) encodeKernel(pass, k);
      encodeKernel(pass, this.loss);
      encodeKernel(pass, this.evalMetrics, b);
    }
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    const kernels = [this.gather, this.evalGather, this.loss, this.metrics, this.evalMetrics, this.optimizer, ...this.forward, ...this.backward];
    for (const { update } of this.layerKernels) kernels.push(...Object.values(update));
    for (const k of kernels) k.paramsBuffer.destroy();
  }

  private writeSlot(k: BoundKernel, slot: number, params: Record<string, number>): void {
    updateParams(this.cache, k, params, slot);
  }
}
