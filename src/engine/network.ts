// A network of dense, conv and 2x2 max-pool layers for M ensemble members on the GPU: every buffer
// and bind group built once, and encode functions for one training step, one mask update and a
// full evaluation pass. Each weight layer's own kernels belong to its storage (layer-storage.ts);
// the network orders them with the activations, pools, loss and ToST bypasses. The trainer
// decides what to encode and when to read back.
// Per layer i (features per example = outFeatures):
//   z[i]  pre-activation (weight layers with an activation)   y[i] output, input of layer i+1
//   gz[i] dL/dz[i]                                             gy[i] dL/dy[i]
// Step: gather, forward (+ activations, pools), loss, metrics, backward (dW restricted to active
// weights on ordinary steps, the full dense dW where the step needs it: a RigL update, SNFS and
// the port-compatible style every step; conv dW split over batch x pixels and summed in fixed
// order), then the optimizer: one flat dispatch (flat-optimizer.ts) plus each sparse storage's.
// ToST: activation kernels read a per-step slot (β annealing, then exact ReLU); with ghost skips
// each weight layer also runs its dense bypass u = G·x (no bias) and z += α(t)·u, and backward
// ga = α(t)·dz, dG = gaᵀ·x, dx += ga·G. Ghost kernels are only encoded while the bypass lives.
import { bindKernel, encodeKernel, storageBuffer, updateParamSlots, updateParams, uploadBuffer, type BoundKernel, type KernelName, type PipelineCache, type ReadbackPool } from '../gpu';
import { ACTIVATION_KINDS, type ActivationKind } from '../reference/activation';
import { packU8 } from '../util/packing';
import { bindEvalPrograms, type EvalProgram } from './eval-programs';
import { FlatOptimizer } from './flat-optimizer';
import { FusedSteps } from './fused-steps';
import { ghostBackward, ghostForward, zeroGhosts } from './ghost-kernels';
import { MaskedStorage, type FlatName, type LayerStorage, type LayerTensors, type StepKernel, type StorageContext, type StorageKind } from './layer-storage';
import { SparseStorage } from './sparse-storage';
import { inFeatures, outFeatures, type LayerActivation, type LayerSpec, type WeightLayerSpec } from './layers';
import type { GrowRuleName, PruneRuleName } from './mask-rules';
import { actParams, networkKernels, poolDims } from './network-kernels';
import { loadHost, readHost, type HostIo } from './network-host';
import { gpuLayoutOf, type ParamLayout } from './param-layout';

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
  /** Each weight layer's storage (storage-choice.ts); masked where absent. */
  storages?: readonly StorageKind[];
  /** Build the fused small-MLP path (fused-steps.ts; the caller checked fusedRefusal). */
  fused?: boolean;
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
  /** ToST smooth activations: what ReLU layers compute at this step (absent: ReLU). */
  activation?: { kind: ActivationKind; beta: number };
  /** ToST ghost skips: the bypass scale α(t) (only read while the bypass is encoded). */
  ghostAlpha?: number;
}

export class Network {
  /**
   * The layout of the flat GPU buffers below: o.layout (the host's, every host array's) without
   * the weight segments of sparse-storage layers, whose weights live in their slots.
   */
  readonly gpuLayout: ParamLayout;
  readonly params: GPUBuffer; // (gpuLayout.totalFloats) weights and biases of every layer and member
  readonly grads: GPUBuffer;
  readonly mask: GPUBuffer;
  readonly state1: GPUBuffer; // momentum | Adam m
  readonly state2: GPUBuffer; // Adam v
  readonly fired: GPUBuffer; // ITOP: ever active
  /** One storage per weight layer (the seam a second storage plugs into). */
  readonly storages: readonly LayerStorage[];
  readonly trainRing: GPUBuffer; // (slots, members, 2): per-step loss and correct sums
  readonly trainIndices: GPUBuffer; // (members, indexStride)
  private readonly forward: StepKernel[] = [];
  /** Backward kernels; `grad` marks the two variants of a weight gradient (one runs per step). */
  private readonly backward: StepKernel[] = [];
  /** Activation kernels (per-step params): the layer's own kind, and the flat length. */
  private readonly activations: { k: BoundKernel; base: LayerActivation; n: number }[] = [];
  /** scale_add kernels that multiply by α(t) (ghost bypass), with their length and beta. */
  private readonly ghostScales: { k: BoundKernel; n: number; beta: number }[] = [];
  /** The network's logits (members, batch, classes), copied out by encodePredict. */
  private readonly logits: GPUBuffer;
  /** Whether the ToST ghost bypass is encoded (the trainer turns it off when it is removed). */
  ghostActive: boolean;
  private readonly gather: BoundKernel;
  private readonly loss: BoundKernel;
  private readonly metrics: BoundKernel;
  private readonly evals: Map<string, EvalProgram>;
  private readonly optimizer: FlatOptimizer;
  /** The fused path for a run of ordinary steps (null: every step takes the layer path). */
  readonly fused: FusedSteps | null;
  private readonly io: HostIo;

  static async create(cache: PipelineCache, o: NetworkOptions): Promise<Network> {
    await cache.prepare(networkKernels(o.specs, o, o.layout.layers.some((l) => l.ghost)));
    // A build refused part-way (a dispatch or buffer beyond the GPU's limits, src/gpu/limit-check.ts)
    // frees what it had allocated before the error goes on.
    const made = { owned: [] as GPUBuffer[], kernels: [] as BoundKernel[] };
    try {
      return new Network(cache, o, made);
    } catch (e) {
      for (const b of made.owned) b.destroy();
      for (const k of made.kernels) k.paramsBuffer.destroy();
      throw e;
    }
  }

  private readonly owned: GPUBuffer[];
  /** The storages built so far (a build refused part-way frees them too). */
  private readonly storageList: LayerStorage[] = [];
  private readonly kernels: BoundKernel[];

  private constructor(
    private readonly cache: PipelineCache,
    readonly o: NetworkOptions,
    made: { owned: GPUBuffer[]; kernels: BoundKernel[] },
  ) {
    this.owned = made.owned;
    this.kernels = made.kernels;
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
    this.gpuLayout = gpuLayoutOf(specs, layout, layout.layers.map((_, li) => o.storages?.[li] === 'sparse'));
    const flat = (label: string): GPUBuffer => own(label, this.gpuLayout.totalFloats);
    this.params = flat('params');
    this.grads = flat('grads');
    this.mask = flat('mask');
    this.state1 = flat('optimizer state 1');
    this.state2 = flat('optimizer state 2');
    this.fired = flat('ITOP fired');
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
    this.logits = y[L - 1]!;
    this.ghostActive = layout.layers.some((l) => l.ghost);
    const activation = (i: number, which: 'forward' | 'backward', resources: Record<string, GPUBuffer>): BoundKernel => {
      const l = specs[i] as WeightLayerSpec;
      const n = M * batch * outFeatures(l);
      const k = bind(`activation.${which}`, { resources, params: actParams(l.activation, n), members: 1, slots: o.slots });
      this.activations.push({ k, base: l.activation, n });
      return k;
    };
    const scaleAdd = (x: GPUBuffer, out: GPUBuffer, n: number, beta: number, annealed: boolean, label: string): BoundKernel => {
      const k = bind('activation.scale_add', { resources: { x, out }, params: { n, alpha: 1, beta }, members: 1, slots: o.slots, label });
      if (annealed) this.ghostScales.push({ k, n, beta });
      return k;
    };

    const gatherName = o.data.kind === 'images' ? 'data.gather_u8' : 'data.gather_f32';
    const source = o.data.kind === 'images' ? 'images' : 'points';
    const gatherParams = (stride: number) => ({ batch, dim: o.data.dim, index_stride: stride, index_offset: 0, mean: o.data.mean, inv_std: 1 / o.data.std });
    this.gather = bind(gatherName, { resources: { [source]: values, labels, indices: this.trainIndices, x: x0, y: y0 }, params: gatherParams(o.indexStride), members: M, slots: o.slots, label: 'gather train' });

    // Each weight layer's storage, bound to its slice of the flat buffers and its activations.
    const ctx: StorageContext = { cache, batch, members: M, buffers: { params: this.params, grads: this.grads, mask: this.mask, state1: this.state1, state2: this.state2, fired: this.fired }, optimizer: o.optimizer, slots: o.slots, prune: o.prune, grow: o.grow, seed: o.seed, bind, own };
    const tensors = (i: number): LayerTensors => ({ x: input(i), z: z[i]!, gz: gz[i]!, gx: i > 0 ? gy[i - 1]! : null });
    this.storages = this.gpuLayout.layers.map((p, li) => {
      const t = tensors(p.layerIndex);
      const storage = o.storages?.[li] === 'sparse' ? new SparseStorage(ctx, p, li, t) : new MaskedStorage(ctx, p, li, t);
      this.storageList.push(storage);
      return storage;
    });
    const byLayer = new Map(this.storages.map((s) => [s.layer.layerIndex, s]));

    specs.forEach((l, i) => {
      if (l.kind === 'maxpool2') {
        this.forward.push({ k: bind('pool.max2_forward', { resources: { src: input(i), argmax: argmax[i]!, dst: y[i]! }, params: poolDims(l, batch), members: M, label: `pool${i + 1} forward` }) });
        return;
      }
      const storage = byLayer.get(i)!;
      const p = storage.layer;
      this.forward.push(...storage.forward);
      if (p.ghost) this.forward.push(...ghostForward(ctx, p, tensors(i), scaleAdd));
      if (act(i)) this.forward.push({ k: activation(i, 'forward', { x: z[i]!, out: y[i]! }) });
    });
    this.loss = bind('loss.softmax_xent', { resources: { logits: y[L - 1]!, labels: y0, dlogits: gy[L - 1]!, loss: lossRows, correct: correctRows }, params: { batch, classes: outFeatures(specs[L - 1]!), alpha: o.labelSmoothing, temperature: 1 }, members: M });
    const metricParams = { batch, slot: 0, members: M, accumulate: 0, count: batch };
    this.metrics = bind('reduce.batch_metrics', { resources: { loss: lossRows, correct: correctRows, ring: this.trainRing }, params: metricParams, members: M, slots: o.slots, label: 'train metrics' });
    this.evals = bindEvalPrograms({ cache, bind, own, upload, members: M, batch, sets: o.evalSets, gatherName, gather: (indices) => ({ [source]: values, labels, indices, x: x0, y: y0 }), gatherParams, metrics: { loss: lossRows, correct: correctRows }, metricParams });

    for (let i = L - 1; i >= 0; i--) {
      const l = specs[i]!;
      if (l.kind === 'maxpool2') {
        if (i > 0) this.backward.push({ k: bind('pool.max2_backward', { resources: { src: gy[i]!, argmax: argmax[i]!, dst: gy[i - 1]! }, params: poolDims(l, batch), members: M, label: `pool${i + 1} backward` }) });
        continue;
      }
      const storage = byLayer.get(i)!;
      const p = storage.layer;
      if (act(i)) this.backward.push({ k: activation(i, 'backward', { x: z[i]!, dy: gy[i]!, out: gz[i]! }) });
      this.backward.push(...storage.backward);
      if (p.ghost) this.backward.push(...ghostBackward(ctx, p, tensors(i), scaleAdd));
    }

    // The optimizer over the flat buffers: every parameter they hold (masked storages' weights,
    // biases, ghost bypasses); a sparse storage's weights have their own dispatch.
    const flatBuffers = { params: this.params, grads: this.grads, mask: this.mask, state1: this.state1, state2: this.state2 };
    this.io = { queue: dev.queue, host: layout, gpu: this.gpuLayout, flat: { ...flatBuffers, fired: this.fired }, storages: this.storages };
    this.optimizer = new FlatOptimizer(bind, flatBuffers, [[0, this.gpuLayout.totalFloats]], o.optimizer, o.optimizerFlags, o.slots);
    const fusedOptions = { ...o, dim: o.data.dim, classes: outFeatures(specs[L - 1]!), mean: o.data.mean, std: o.data.std };
    this.fused = o.fused ? new FusedSteps(cache, fusedOptions, { points: values, labels, indices: this.trainIndices, ring: this.trainRing, layoutMembers: M, ...flatBuffers }, this.evals, bind, own) : null;
  }

  /** Per weight layer (members, numel): the CHANGE codes the last mask update left. */
  readEvents(readback: ReadbackPool): Promise<Uint32Array[]> {
    return Promise.all(this.storages.map((s) => s.readEvents(readback)));
  }

  /** Uploads parameters, masks and optimizer state (zeros unless given), host arrays laid out as o.layout. */
  load(weights: Float32Array, mask: Float32Array, fired: Float32Array = mask, states?: [Float32Array, Float32Array]): void {
    loadHost(this.io, weights, mask, fired, states);
  }

  /** One flat buffer read back in the host's layout (o.layout); `dense`: a full-gradient step's dW (network-host.ts). */
  readHost(which: FlatName, readback: ReadbackPool, dense = false): Promise<Float32Array> {
    return readHost(this.io, which, readback, dense);
  }

  /** Frees the dense gradient buffers only a full-gradient step needed (after its gradients were read). */
  releaseDenseGradients(): void {
    for (const st of this.storages) st.releaseDenseGradient();
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
    const { batch, data } = this.o;
    const M = this.o.layout.members;
    updateParamSlots(this.cache, this.gather, steps.map((p) => ({ batch, dim: data.dim, index_stride: this.o.indexStride, index_offset: p.indexOffset, mean: data.mean, inv_std: 1 / data.std })));
    updateParamSlots(this.cache, this.metrics, steps.map((p) => ({ batch, slot: p.ringSlot, members: M, accumulate: 0, count: batch })));
    for (const a of this.activations) updateParamSlots(this.cache, a.k, steps.map((p) => this.activationParams(a, p)));
    for (const g of this.ghostScales) updateParamSlots(this.cache, g.k, steps.map((p) => ({ n: g.n, alpha: p.ghostAlpha ?? 0, beta: g.beta })));
    const opt = steps.map((p) => this.optimizer.stepValues(p));
    this.optimizer.write(this.cache, opt);
    for (const st of this.storages) st.writeOptimizerParams(opt);
  }

  /**
   * One training step. `fullGradient`: the dense dW of every weight (a RigL update scores inactive
   * positions by it); otherwise dW is restricted to active entries. The optimizer masks either.
   */
  encodeStep(pass: GPUComputePassEncoder, slot: number, optimizerStep: boolean, fullGradient: boolean): void {
    encodeKernel(pass, this.gather, slot);
    this.encodeForward(pass, slot);
    encodeKernel(pass, this.loss);
    encodeKernel(pass, this.metrics, slot);
    const skip = fullGradient ? 'masked' : 'full';
    for (const b of this.backward) if (b.grad !== skip && (this.ghostActive || !b.ghost)) encodeKernel(pass, b.k, slot);
    if (!optimizerStep) return;
    this.optimizer.encode(pass, slot);
    for (const s of this.storages) if (s.optimizer) encodeKernel(pass, s.optimizer.k, slot);
  }

  /** Dispatches of an ordinary training step (dW restricted to the active weights, an optimizer step). */
  get stepDispatches(): number {
    const live = (k: StepKernel): boolean => this.ghostActive || !k.ghost;
    const backward = this.backward.filter((b) => b.grad !== 'full' && live(b)).length;
    return 3 + this.forward.filter(live).length + backward + this.optimizer.dispatches + this.storages.filter((s) => s.optimizer).length; // 3: gather, loss, metrics
  }

  /** The forward kernels (ghost ones only while the bypass lives), reading per-step slot `slot`. */
  private encodeForward(pass: GPUComputePassEncoder, slot: number): void {
    for (const f of this.forward) if (this.ghostActive || !f.ghost) encodeKernel(pass, f.k, slot);
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
      this.encodeForward(pass, 0);
      encodeKernel(pass, this.loss);
      encodeKernel(pass, e.metrics, b);
    }
  }

  /**
   * Logits of every example of a held-out set: (members, count, classes) in `out` (which needs
   * COPY_DST and room for members·batches·batch·classes floats; the padded tail is garbage).
   * One compute pass per batch, then copies of each member's rows.
   */
  encodePredict(encoder: GPUCommandEncoder, setName: string, out: GPUBuffer): void {
    const e = this.evalSet(setName);
    const { batch } = this.o;
    const M = this.o.layout.members;
    const classes = outFeatures(this.o.specs.at(-1)!);
    const rowBytes = batch * classes * 4;
    for (let b = 0; b < e.batches; b++) {
      const pass = encoder.beginComputePass({ label: `predict ${setName} batch ${b}` });
      encodeKernel(pass, e.gather, b);
      this.encodeForward(pass, 0);
      pass.end();
      for (let m = 0; m < M; m++) encoder.copyBufferToBuffer(this.logits, m * rowBytes, out, (m * e.batches + b) * rowBytes, rowBytes);
    }
  }

  /**
   * Slot 0 of the per-step forward params (activations, ghost α): what an evaluation or a
   * prediction outside a training chunk runs with (the current step's values).
   */
  writeForwardParams(p: Pick<StepParams, 'activation' | 'ghostAlpha'>): void {
    for (const a of this.activations) updateParams(this.cache, a.k, this.activationParams(a, p));
    for (const g of this.ghostScales) updateParams(this.cache, g.k, { n: g.n, alpha: p.ghostAlpha ?? 0, beta: g.beta });
  }

  private activationParams(a: { base: LayerActivation; n: number }, p: Pick<StepParams, 'activation'>): Record<string, number> {
    const own = a.base === 'relu' && p.activation ? p.activation : { kind: a.base as ActivationKind, beta: 1 };
    return { n: a.n, kind: ACTIVATION_KINDS.indexOf(own.kind), beta: own.beta };
  }

  /** Zeroes the ghost bypass weights and their mask (the optimizer then keeps them +0) and stops encoding it. */
  removeGhost(): void {
    zeroGhosts(this.cache.device.queue, this.gpuLayout, [this.params, this.mask]);
    this.ghostActive = false;
  }

  destroy(): void {
    for (const st of this.storageList) st.destroy();
    for (const b of this.owned) b.destroy();
    for (const k of this.kernels) k.paramsBuffer.destroy();
  }
}
