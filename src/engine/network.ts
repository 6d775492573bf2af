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
// order), then the optimizer: one flat dispatch over every parameter (plus a storage's own, if any).
// ToST: activation kernels read a per-step slot (β annealing, then exact ReLU); with ghost skips
// each weight layer also runs its dense bypass u = G·x (no bias) and z += α(t)·u, and backward
// ga = α(t)·dz, dG = gaᵀ·x, dx += ga·G. Ghost kernels are only encoded while the bypass lives.
import { bindKernel, encodeKernel, storageBuffer, updateParamSlots, updateParams, uploadBuffer, type BoundKernel, type KernelName, type PipelineCache } from '../gpu';
import { ACTIVATION_KINDS, type ActivationKind } from '../reference/activation';
import { packU8 } from '../util/packing';
import { bindEvalPrograms, type EvalProgram } from './eval-programs';
import { dims } from './gemm-dims';
import { MaskedStorage, weightGradKernels, type LayerStorage, type StepKernel, type StorageContext } from './layer-storage';
import { inFeatures, outFeatures, type LayerActivation, type LayerSpec, type WeightLayerSpec } from './layers';
import type { GrowRuleName, PruneRuleName } from './mask-rules';
import { actParams, networkKernels, poolDims } from './network-kernels';
import { segmentBinding, type ParamLayout } from './param-layout';

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
  /** ToST smooth activations: what ReLU layers compute at this step (absent: ReLU). */
  activation?: { kind: ActivationKind; beta: number };
  /** ToST ghost skips: the bypass scale α(t) (only read while the bypass is encoded). */
  ghostAlpha?: number;
}

export class Network {
  readonly params: GPUBuffer; // (totalFloats) weights and biases of every layer and member
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
  private readonly optimizer: BoundKernel;

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
    const flat = (label: string): GPUBuffer => own(label, layout.totalFloats);
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
    const ctx: StorageContext = { cache, batch, members: M, buffers: { params: this.params, grads: this.grads, mask: this.mask, state1: this.state1, state2: this.state2, fired: this.fired }, optimizer: o.optimizer, prune: o.prune, grow: o.grow, seed: o.seed, bind, own };
    this.storages = layout.layers.map((p, li) => new MaskedStorage(ctx, p, li, { x: input(p.layerIndex), z: z[p.layerIndex]!, gz: gz[p.layerIndex]!, gx: p.layerIndex > 0 ? gy[p.layerIndex - 1]! : null }));
    const byLayer = new Map(this.storages.map((s) => [s.layer.layerIndex, s]));

    specs.forEach((l, i) => {
      if (l.kind === 'maxpool2') {
        this.forward.push({ k: bind('pool.max2_forward', { resources: { src: input(i), argmax: argmax[i]!, dst: y[i]! }, params: poolDims(l, batch), members: M, label: `pool${i + 1} forward` }) });
        return;
      }
      const storage = byLayer.get(i)!;
      const p = storage.layer;
      this.forward.push(...storage.forward);
      const g = p.ghost;
      if (g) {
        // u = G·x (members, batch, out features), then z += α(t)·u.
        const n = M * batch * outFeatures(l);
        const u = own(`${p.name} ghost out`, n);
        const ghostRes = { a: input(i), b: segmentBinding(this.params, g.weight), mask: segmentBinding(this.mask, g.weight), bias: own(`${p.name} ghost zero bias`, M * p.outChannels), c: u };
        this.forward.push({ ghost: true, k: bind(`${g.spec.kind}.forward`, { resources: ghostRes, params: dims(g.spec, batch, 1), members: M, label: `${p.name} ghost forward` }) });
        this.forward.push({ ghost: true, k: scaleAdd(u, z[i]!, n, 1, true, `${p.name} ghost add`) });
      }
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
      const g = p.ghost;
      if (g) {
        // ga = α(t)·dz; dG = gaᵀ·x (dense: the bypass is never pruned); dx += ga·G, after the
        // layer's own dX has written dx.
        const n = M * batch * outFeatures(l);
        const ga = own(`${p.name} ghost dz`, n);
        const gm = segmentBinding(this.mask, g.weight);
        this.backward.push({ ghost: true, k: scaleAdd(gz[i]!, ga, n, 0, true, `${p.name} ghost scale`) });
        for (const s of weightGradKernels(ctx, g.spec, ga, input(i), gm, segmentBinding(this.grads, g.weight), 'full', `${p.name} ghost`)) this.backward.push({ ...s, grad: undefined, ghost: true });
        if (i > 0) {
          const nx = M * batch * inFeatures(l);
          const gx = own(`${p.name} ghost dx`, nx);
          this.backward.push({ ghost: true, k: bind(`${g.spec.kind}.backward_input`, { resources: { a: ga, b: segmentBinding(this.params, g.weight), mask: gm, c: gx }, params: dims(g.spec, batch, 1), members: M, label: `${p.name} ghost dX` }) });
          this.backward.push({ ghost: true, k: scaleAdd(gx, gy[i - 1]!, nx, 1, false, `${p.name} ghost dX add`) });
        }
      }
    }

    // One optimizer dispatch over every parameter of every layer and member (the masked
    // storages' weights, biases and ghost bypasses share the flat buffers).
    const n = layout.totalFloats;
    const state = { w: this.params, g: this.grads, mask: this.mask, state1: this.state1 };
    this.optimizer =
      o.optimizer === 'sgd'
        ? bind('optimizer.sgd', { resources: state, params: { n, flags: o.optimizerFlags, lr: 0, momentum: 0, weight_decay: 0 }, members: 1, slots: o.slots })
        : bind('optimizer.adam', { resources: { ...state, state2: this.state2 }, params: { n, flags: o.optimizerFlags, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bc1: 1, bc2: 1 }, members: 1, slots: o.slots });
  }

  /** Per weight layer (members, numel): the CHANGE codes the last mask update left. */
  get events(): GPUBuffer[] {
    return this.storages.map((s) => s.events);
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
    for (const a of this.activations) updateParamSlots(this.cache, a.k, steps.map((p) => this.activationParams(a, p)));
    for (const g of this.ghostScales) updateParamSlots(this.cache, g.k, steps.map((p) => ({ n: g.n, alpha: p.ghostAlpha ?? 0, beta: g.beta })));
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
    this.encodeForward(pass, slot);
    encodeKernel(pass, this.loss);
    encodeKernel(pass, this.metrics, slot);
    const skip = fullGradient ? 'masked' : 'full';
    for (const b of this.backward) if (b.grad !== skip && (this.ghostActive || !b.ghost)) encodeKernel(pass, b.k, slot);
    if (!optimizerStep) return;
    encodeKernel(pass, this.optimizer, slot);
    for (const s of this.storages) if (s.optimizer) encodeKernel(pass, s.optimizer.k, slot);
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
    const q = this.cache.device.queue;
    for (const l of this.o.layout.layers) {
      if (!l.ghost) continue;
      const zeros = new Float32Array(l.ghost.weight.perMember * l.ghost.weight.members);
      q.writeBuffer(this.params, l.ghost.weight.offset * 4, zeros);
      q.writeBuffer(this.mask, l.ghost.weight.offset * 4, zeros);
    }
    this.ghostActive = false;
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    for (const k of this.kernels) k.paramsBuffer.destroy();
  }
}
