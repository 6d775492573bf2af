// A network of dense, conv and 2x2 max-pool layers for M ensemble members on the GPU: every buffer
// and bind group built once, and encode functions for one training step, one mask update and a
// full evaluation pass. The trainer decides what to encode and when to read back.
// Per layer i (features per example = outFeatures):
//   z[i]  pre-activation (weight layers with an activation)   y[i] output, input of layer i+1
//   gz[i] dL/dz[i]                                             gy[i] dL/dy[i]
// Step: gather, forward (+ activations, pools), loss, metrics, backward (full dW for every weight:
// RigL and SNFS need the dense gradient, the optimizer masks it; conv dW split over batch x pixels
// and summed in fixed order), optimizer.
import { bindKernel, encodeKernel, storageBuffer, updateParamSlots, updateParams, uploadBuffer, type BoundKernel, type KernelName, type PipelineCache } from '../gpu';
import { ACTIVATION_KINDS } from '../reference/activation';
import { EV_GROWN, EV_PRUNED } from '../reference/mask';
import { packU8 } from '../util/packing';
import { convOut, inFeatures, outFeatures, type LayerSpec } from './layers';
import { GROW_RULES, PRUNE_RULES, type GrowRuleName, type PruneRuleName, type ScoreSource } from './mask-rules';
import { segmentBinding, type LayerParams, type ParamLayout } from './param-layout';

export interface NetworkData {
  kind: 'points' | 'images';
  /** (n, dim): f32 points or u8 pixels. */
  values: Float32Array | Uint8Array;
  dim: number;
  labels: Uint32Array; // (n)
  mean: number;
  std: number;
}

export interface NetworkOptions {
  specs: readonly LayerSpec[];
  layout: ParamLayout;
  batch: number;
  /** Steps encoded per submit: the number of per-step params slots. */
  slots: number;
  /** Length of each member's row of the training index buffer (steps per epoch × batch). */
  indexStride: number;
  /** Held-out example sets evaluated on the GPU, by name (e.g. test, validation). */
  evalSets: Readonly<Record<string, Uint32Array>>;
  data: NetworkData;
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

/** Conv dW reduces over batch x pixels: about this many terms per split. */
const CONV_DW_TERMS_PER_SPLIT = 4096;
const MAX_CONV_DW_SPLITS = 32;

/** Every kernel a network of these layers uses (compiled before the first step). */
export function networkKernels(specs: readonly LayerSpec[], o: Pick<NetworkOptions, 'data' | 'optimizer' | 'prune' | 'grow'>): KernelName[] {
  const names = new Set<KernelName>([
    o.data.kind === 'images' ? 'data.gather_u8' : 'data.gather_f32',
    'loss.softmax_xent',
    'reduce.bias_grad',
    'reduce.batch_metrics',
    o.optimizer === 'sgd' ? 'optimizer.sgd' : 'optimizer.adam',
    PRUNE_RULES[o.prune].kernel,
    GROW_RULES[o.grow].kernel,
    'mask.select_k',
    'mask.apply_update',
  ]);
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
    if (l.activation !== 'none') {
      names.add('activation.forward');
      names.add('activation.backward');
    }
  });
  return [...names];
}

export interface EvalProgram {
  gather: BoundKernel;
  metrics: BoundKernel;
  ring: GPUBuffer; // (members, 2): loss and correct sums
  batches: number;
  count: number;
}

interface UpdateKernels {
  prune: BoundKernel;
  selectPrune: BoundKernel;
  grow: BoundKernel;
  selectGrow: BoundKernel;
  apply: BoundKernel;
}

export class Network {
  readonly params: GPUBuffer; // flat weights and biases
  readonly grads: GPUBuffer;
  readonly mask: GPUBuffer;
  readonly state1: GPUBuffer; // momentum | Adam m
  readonly state2: GPUBuffer; // Adam v
  readonly fired: GPUBuffer; // ITOP: ever active
  readonly events: GPUBuffer[]; // per weight layer (members, numel): change codes after an update
  readonly trainRing: GPUBuffer; // (slots, members, 2): per-step loss and correct sums
  readonly trainIndices: GPUBuffer; // (members, indexStride)
  private readonly owned: GPUBuffer[] = [];
  private readonly kernels: BoundKernel[] = [];
  private readonly forward: BoundKernel[] = [];
  /** Backward kernels; `grad` marks the two variants of a weight gradient (one runs per step). */
  private readonly backward: { k: BoundKernel; grad?: 'masked' | 'full' }[] = [];
  private readonly gather: BoundKernel;
  private readonly loss: BoundKernel;
  private readonly metrics: BoundKernel;
  private readonly evals = new Map<string, EvalProgram>();
  private readonly optimizer: BoundKernel;
  private readonly updates: UpdateKernels[] = [];

  static async create(cache: PipelineCache, o: NetworkOptions): Promise<Network> {
    await cache.prepare(networkKernels(o.specs, o));
    return new Network(cache, o);
  }

  private constructor(
    private readonly cache: PipelineCache,
    readonly o: NetworkOptions,
  ) {
    const { layout, batch, specs } = o;
    const M = layout.members;
    const dev = cache.device;
    const own = (label: string, floats: number): GPUBuffer => {
      const b = storageBuffer(dev, label, floats * 4);
      this.owned.push(b);
      return b;
    };
    const bind = (name: KernelName, args: Parameters<typeof bindKernel>[2]): BoundKernel => {
      const k = bindKernel(cache, name, args);
      this.kernels.push(k);
      return k;
    };
    if (inFeatures(specs[0]!) !== o.data.dim) throw new Error(`the first layer takes ${inFeatures(specs[0]!)} features, the data has ${o.data.dim}`);
    const flat = (label: string): GPUBuffer => own(label, layout.totalFloats);
    this.params = flat('params');
    this.grads = flat('grads');
    this.mask = flat('mask');
    this.state1 = flat('optimizer state 1');
    this.state2 = flat('optimizer state 2');
    this.fired = flat('ITOP fired');
    this.events = layout.layers.map((l) => own(`${name(l)} events`, M * l.numel));
    this.trainRing = own('train metrics ring', o.slots * M * 2);
    this.trainIndices = own('train indices', M * o.indexStride);

    // Dataset, resident on the GPU.
    const upload = (label: string, data: Float32Array | Uint32Array): GPUBuffer => {
      const b = uploadBuffer(dev, label, data);
      this.owned.push(b);
      return b;
    };
    const values = upload('dataset values', o.data.kind === 'images' ? packU8(o.data.values as Uint8Array) : (o.data.values as Float32Array));
    const labels = upload('dataset labels', o.data.labels);

    // Activations and their gradients, (members, batch, features) each.
    const L = specs.length;
    const act = (i: number): boolean => specs[i]!.kind !== 'maxpool2' && (specs[i] as { activation: string }).activation !== 'none';
    const x0 = own('x', M * batch * o.data.dim);
    const y0 = own('labels of the batch', M * batch);
    const y = specs.map((l, i) => own(`y${i + 1}`, M * batch * outFeatures(l)));
    const z = specs.map((l, i) => (act(i) ? own(`z${i + 1}`, M * batch * outFeatures(l)) : y[i]!));
    const gy = specs.map((l, i) => own(`dy${i + 1}`, M * batch * outFeatures(l)));
    const gz = specs.map((l, i) => (act(i) ? own(`dz${i + 1}`, M * batch * outFeatures(l)) : gy[i]!));
    const argmax = specs.map((l, i) => (l.kind === 'maxpool2' ? own(`pool${i + 1} argmax`, M * batch * outFeatures(l)) : null));
    const lossRows = own('loss per example', M * batch);
    const correctRows = own('correct per example', M * batch);
    const input = (i: number): GPUBuffer => (i === 0 ? x0 : y[i - 1]!);

    const gatherName = o.data.kind === 'images' ? 'data.gather_u8' : 'data.gather_f32';
    const source = o.data.kind === 'images' ? 'images' : 'points';
    const gatherParams = (stride: number) => ({ batch, dim: o.data.dim, index_stride: stride, index_offset: 0, mean: o.data.mean, inv_std: 1 / o.data.std });
    this.gather = bind(gatherName, { resources: { [source]: values, labels, indices: this.trainIndices, x: x0, y: y0 }, params: gatherParams(o.indexStride), members: M, slots: o.slots, label: 'gather train' });

    const byLayer = new Map(layout.layers.map((l) => [l.layerIndex, l]));
    specs.forEach((l, i) => {
      if (l.kind === 'maxpool2') {
        this.forward.push(bind('pool.max2_forward', { resources: { src: input(i), argmax: argmax[i]!, dst: y[i]! }, params: poolDims(l, batch), members: M, label: `pool${i + 1} forward` }));
        return;
      }
      const p = byLayer.get(i)!;
      const resources = { a: input(i), b: segmentBinding(this.params, p.weight), mask: segmentBinding(this.mask, p.weight), bias: segmentBinding(this.params, p.bias), c: z[i]! };
      this.forward.push(bind(`${l.kind}.forward`, { resources, params: dims(p, batch, 1), members: M, label: `${name(p)} forward` }));
      if (act(i)) this.forward.push(bind('activation.forward', { resources: { x: z[i]!, out: y[i]! }, params: actParams(l.activation, M * batch * outFeatures(l)), members: 1 }));
    });
    this.loss = bind('loss.softmax_xent', { resources: { logits: y[L - 1]!, labels: y0, dlogits: gy[L - 1]!, loss: lossRows, correct: correctRows }, params: { batch, classes: outFeatures(specs[L - 1]!), alpha: o.labelSmoothing, temperature: 1 }, members: M });
    const metricParams = { batch, slot: 0, members: M, accumulate: 0, count: batch };
    this.metrics = bind('reduce.batch_metrics', { resources: { loss: lossRows, correct: correctRows, ring: this.trainRing }, params: metricParams, members: M, slots: o.slots, label: 'train metrics' });
    // One evaluation program per held-out set: gather its batches (every member sees the same
    // examples; the last batch is padded and the padding left out of the sums), the shared forward
    // kernels and loss, and accumulate into the set's own ring.
    for (const [setName, idx] of Object.entries(o.evalSets)) {
      if (idx.length === 0) continue;
      const batches = Math.ceil(idx.length / batch);
      const stride = batches * batch;
      const rows = new Uint32Array(M * stride);
      for (let m = 0; m < M; m++) for (let i = 0; i < stride; i++) rows[m * stride + i] = idx[Math.min(i, idx.length - 1)]!;
      const ring = own(`${setName} metrics`, M * 2);
      const gather = bind(gatherName, { resources: { [source]: values, labels, indices: upload(`${setName} indices`, rows), x: x0, y: y0 }, params: gatherParams(stride), members: M, slots: batches, label: `gather ${setName}` });
      const metrics = bind('reduce.batch_metrics', { resources: { loss: lossRows, correct: correctRows, ring }, params: metricParams, members: M, slots: batches, label: `${setName} metrics` });
      updateParamSlots(cache, gather, Array.from({ length: batches }, (_, b) => ({ ...gatherParams(stride), index_offset: b * batch })));
      updateParamSlots(cache, metrics, Array.from({ length: batches }, (_, b) => ({ ...metricParams, accumulate: b === 0 ? 0 : 1, count: Math.min(batch, idx.length - b * batch) })));
      this.evals.set(setName, { gather, metrics, ring, batches, count: idx.length });
    }

    for (let i = L - 1; i >= 0; i--) {
      const l = specs[i]!;
      if (l.kind === 'maxpool2') {
        if (i > 0) this.backward.push({ k: bind('pool.max2_backward', { resources: { src: gy[i]!, argmax: argmax[i]!, dst: gy[i - 1]! }, params: poolDims(l, batch), members: M, label: `pool${i + 1} backward` }) });
        continue;
      }
      const p = byLayer.get(i)!;
      if (act(i)) this.backward.push({ k: bind('activation.backward', { resources: { x: z[i]!, dy: gy[i]!, out: gz[i]! }, params: actParams(l.activation, M * batch * outFeatures(l)), members: 1 }) });
      const w = { b: segmentBinding(this.params, p.weight), mask: segmentBinding(this.mask, p.weight) };
      const gradW = segmentBinding(this.grads, p.weight);
      let partials: GPUBuffer | undefined;
      // dW restricted to active entries on ordinary steps; the full dense dW when the step needs
      // it (a RigL update scores inactive positions by it; SNFS keeps dense momentum).
      const splits = l.kind === 'conv' ? convSplits(l, batch) : 1;
      for (const grad of ['masked', 'full'] as const) {
        const suffix = grad === 'masked' ? '_masked' : '';
        if (splits === 1) {
          this.backward.push({ grad, k: bind(`${l.kind}.backward_weight${suffix}`, { resources: { a: gz[i]!, b: input(i), mask: w.mask, c: gradW }, params: dims(p, batch, 1), members: M, label: `${name(p)} dW ${grad}` }) });
        } else {
          partials ??= own(`${name(p)} dW partials`, M * splits * p.numel);
          this.backward.push({ grad, k: bind(`${l.kind}.backward_weight`, { resources: { a: gz[i]!, b: input(i), mask: w.mask, c: partials }, params: dims(p, batch, splits), members: M, label: `${name(p)} dW partials` }) });
          this.backward.push({ grad, k: bind('reduce.sum_splits', { resources: { partials, mask: w.mask, out: gradW }, params: { n: p.numel, splits, masked: grad === 'masked' ? 1 : 0 }, members: M, label: `${name(p)} dW ${grad}` }) });
        }
      }
      const pixels = l.kind === 'conv' ? convOut(l).h * convOut(l).w : 1;
      this.backward.push({ k: bind('reduce.bias_grad', { resources: { dy: gz[i]!, db: segmentBinding(this.grads, p.bias) }, params: { batch, channels: p.outChannels, pixels }, members: M, label: `${name(p)} db` }) });
      if (i > 0) this.backward.push({ k: bind(`${l.kind}.backward_input`, { resources: { a: gz[i]!, ...w, c: gy[i - 1]! }, params: dims(p, batch, 1), members: M, label: `${name(p)} dX` }) });
    }

    const n = layout.totalFloats;
    const state = { w: this.params, g: this.grads, mask: this.mask, state1: this.state1 };
    this.optimizer =
      o.optimizer === 'sgd'
        ? bind('optimizer.sgd', { resources: state, params: { n, flags: o.optimizerFlags, lr: 0, momentum: 0, weight_decay: 0 }, members: 1, slots: o.slots })
        : bind('optimizer.adam', { resources: { ...state, state2: this.state2 }, params: { n, flags: o.optimizerFlags, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bc1: 1, bc2: 1 }, members: 1, slots: o.slots });

    const sources: Record<ScoreSource, GPUBuffer> = { params: this.params, grads: this.grads, state1: this.state1 };
    const pruneRule = PRUNE_RULES[o.prune];
    const growRule = GROW_RULES[o.grow];
    layout.layers.forEach((p, li) => {
      const n = p.numel;
      const keys = own(`${name(p)} keys`, M * n);
      const m = segmentBinding(this.mask, p.weight);
      const events = this.events[li]!;
      const score = { n, seed: o.seed, step: 0, layer: li };
      this.updates.push({
        prune: bind(pruneRule.kernel, { resources: { src: segmentBinding(sources[pruneRule.source], p.weight), mask: m, keys }, params: score, members: M }),
        selectPrune: bind('mask.select_k', { resources: { keys, events }, params: { n, k: 0, bit: EV_PRUNED }, members: M }),
        grow: bind(growRule.kernel, { resources: { src: segmentBinding(sources[growRule.source], p.weight), mask: m, events, keys }, params: score, members: M }),
        selectGrow: bind('mask.select_k', { resources: { keys, events }, params: { n, k: 0, bit: EV_GROWN }, members: M }),
        apply: bind('mask.apply_update', {
          resources: { mask: m, weights: segmentBinding(this.params, p.weight), events, fired: segmentBinding(this.fired, p.weight), state1: segmentBinding(this.state1, p.weight), state2: segmentBinding(this.state2, p.weight) },
          params: { n, states: o.optimizer === 'adam' ? 2 : 1 },
          members: M,
        }),
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

  /** Writes `examples` (batch of dataset indices) at the start of every member's index row. */
  setBatchForAllMembers(examples: Uint32Array): void {
    for (let m = 0; m < this.o.layout.members; m++) this.cache.device.queue.writeBuffer(this.trainIndices, m * this.o.indexStride * 4, new Uint32Array(examples));
  }

  /** Loss settings: label smoothing alpha and logit temperature (GraSP scores at T = 200). */
  setLoss(alpha: number, temperature: number): void {
    const last = this.o.specs.at(-1)!;
    updateParams(this.cache, this.loss, { batch: this.o.batch, classes: outFeatures(last), alpha, temperature });
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

  /**
   * One training step. `fullGradient`: the dense dW of every weight (a RigL update scores inactive
   * positions by it); otherwise dW is restricted to active entries. The optimizer masks either.
   */
  encodeStep(pass: GPUComputePassEncoder, slot: number, optimizerStep: boolean, fullGradient: boolean): void {
    encodeKernel(pass, this.gather, slot);
    for (const k of this.forward) encodeKernel(pass, k);
    encodeKernel(pass, this.loss);
    encodeKernel(pass, this.metrics, slot);
    const skip = fullGradient ? 'masked' : 'full';
    for (const b of this.backward) if (b.grad !== skip) encodeKernel(pass, b.k);
    if (optimizerStep) encodeKernel(pass, this.optimizer, slot);
  }

  /** Sets prune and grow counts (per weight layer, per member) for the next encodeMaskUpdate. */
  prepareMaskUpdate(step: number, counts: readonly { prune: number; grow: number }[]): void {
    this.o.layout.layers.forEach((p, i) => {
      const n = p.numel;
      const u = this.updates[i]!;
      const score = { n, seed: this.o.seed, step, layer: i };
      updateParams(this.cache, u.prune, score);
      updateParams(this.cache, u.grow, score);
      updateParams(this.cache, u.selectPrune, { n, k: counts[i]!.prune, bit: EV_PRUNED });
      updateParams(this.cache, u.selectGrow, { n, k: counts[i]!.grow, bit: EV_GROWN });
    });
  }

  encodeMaskUpdate(pass: GPUComputePassEncoder): void {
    for (const u of this.updates) for (const k of [u.prune, u.selectPrune, u.grow, u.selectGrow, u.apply]) encodeKernel(pass, k);
  }

  /** The evaluation program of a held-out set (its ring holds (members, 2) sums after encodeEval). */
  evalSet(setName: string): EvalProgram {
    const e = this.evals.get(setName);
    if (!e) throw new Error(`no evaluation set "${setName}" (have: ${[...this.evals.keys()].join(', ') || 'none'})`);
    return e;
  }

  /** Forward passes over a whole held-out set, accumulating loss and correct sums into its ring. */
  encodeEval(pass: GPUComputePassEncoder, setName: string): void {
    const e = this.evalSet(setName);
    for (let b = 0; b < e.batches; b++) {
      encodeKernel(pass, e.gather, b);
      for (const k of this.forward) encodeKernel(pass, k);
      encodeKernel(pass, this.loss);
      encodeKernel(pass, e.metrics, b);
    }
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    for (const k of this.kernels) k.paramsBuffer.destroy();
  }
}

const name = (p: LayerParams): string => `${p.spec.kind}${p.layerIndex + 1}`;

function dims(p: LayerParams, batch: number, splits: number): Record<string, number> {
  const l = p.spec;
  if (l.kind === 'dense') return { batch, n_in: l.nIn, n_out: l.nOut, splits };
  const o = convOut(l);
  const pad = l.padding === 'same' ? Math.floor((l.k - 1) / 2) : 0;
  return { batch, cin: l.cin, in_h: l.inH, in_w: l.inW, cout: l.cout, kh: l.k, kw: l.k, out_h: o.h, out_w: o.w, pad_top: pad, pad_left: pad, splits };
}

function poolDims(l: Extract<LayerSpec, { kind: 'maxpool2' }>, batch: number): Record<string, number> {
  return { batch, channels: l.channels, in_h: l.inH, in_w: l.inW };
}

function actParams(kind: string, n: number): Record<string, number> {
  return { n, kind: ACTIVATION_KINDS.indexOf(kind as (typeof ACTIVATION_KINDS)[number]), beta: 1 };
}

function convSplits(l: Extract<LayerSpec, { kind: 'conv' }>, batch: number): number {
  const o = convOut(l);
  return Math.max(1, Math.min(MAX_CONV_DW_SPLITS, Math.ceil((batch * o.h * o.w) / CONV_DW_TERMS_PER_SPLIT)));
}
