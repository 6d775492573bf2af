// The training loop: encodes many steps per submit, ends a chunk where the CPU must act (a mask
// update, an epoch boundary with a new shuffle), keeps loss/accuracy in a GPU ring and reads it
// back once per chunk while the next chunk is already queued. step/run/pause/evaluate; a NaN or
// infinite loss stops the run with a status that says so. No DOM, no store: a sink gets events.
import { ReadbackPool, createBuffer, renderMaskImages, type MaskPalette, type PipelineCache } from '../gpu';
import { epochIndices, stepsPerEpoch } from '../data';
import {
  FlopsAccumulator,
  activeCount,
  denseForwardFlops,
  dropFraction,
  initialLastUpdate,
  isUpdateStep,
  optimizerStepOnUpdate,
  pruneGrowCounts,
  snfsIsUpdateStep,
  snfsPruneRate,
  sparseForwardFlops,
  type DensityRule,
  type DstSchedule,
  type SparseMethod,
} from '../sparsity';
import type { Checkpoint } from './checkpoint';
import { streamSeed } from '../config';
import { initialState, maskableLayers, type InitScheme } from './init';
import { lrAt, type LrSchedule } from './lr-schedule';
import { METHOD_RULES } from './mask-rules';
import { checkLayers, maskableLayer, outFeatures, type LayerSpec } from './layers';
import { Network, type NetworkData, type StepParams } from './network';
import { setupLayout, type ParamLayout } from './param-layout';
import { ghostAlphaAt, ghostEndStep, smoothActivationAt, type TostSetup } from './tost';

export type OptimizerSetup =
  | { kind: 'sgd'; momentum: number; nesterov: boolean; weightDecay: number }
  | { kind: 'adam'; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean };

export interface TrainerSetup {
  /** The network, input first, logits last (see layers.ts: mlpLayers, lenet5CaffeLayers). */
  layers: readonly LayerSpec[];
  members: number;
  batch: number;
  seed: number;
  /** Overall density of the maskable weights (1 = dense). */
  density: number;
  densityRule: DensityRule;
  init: InitScheme;
  sparseAwareInit: boolean;
  method: SparseMethod;
  schedule: DstSchedule;
  portCompatible: boolean;
  optimizer: OptimizerSetup;
  lr: LrSchedule;
  totalSteps: number;
  labelSmoothing: number;
  data: NetworkData;
  trainIdx: Uint32Array;
  /** The test split: what evaluate() reports by default. */
  evalIdx: Uint32Array;
  /** The validation split, when there is one (evaluate('validation'); EDST picks members by it). */
  valIdx?: Uint32Array;
  /** A small fixed probe set (e.g. 256 test examples) for frequent predictions (function-space snapshots). */
  probeIdx?: Uint32Array;
  /** 2-D data: the points of a regular grid (appended to the data) for decision-boundary views. */
  gridIdx?: Uint32Array;
  stepsPerSubmit: number;
  /** ToST smooth activations and ghost skips (label smoothing is `labelSmoothing`). */
  tost?: TostSetup;
  /**
   * Extra mask updates at given steps with their own drop rate (EDST's global exploration: prune
   * `rate` of each layer's active weights and regrow as many), besides the regular DST schedule.
   */
  explorations?: readonly { step: number; rate: number }[];
}

export interface StepMetrics {
  step: number;
  /** Per member: mean training loss and accuracy of this step's batch. */
  loss: number[];
  accuracy: number[];
  lr: number;
  maskUpdate: boolean;
  /** Cumulative training FLOPs of all members after this step (spec §1.9 accounting). */
  trainingFlops: number;
  /** trainingFlops / the FLOPs of training the same number of dense members for as many steps. */
  flopsRatio: number;
}

/** Held-out example sets the trainer evaluates on the GPU. */
export type EvalSplit = 'test' | 'validation' | 'probe' | 'grid';

/** The dataset indices of a held-out split. */
export function splitIndices(setup: TrainerSetup, split: EvalSplit): Uint32Array {
  const idx = { test: setup.evalIdx, validation: setup.valIdx, probe: setup.probeIdx, grid: setup.gridIdx }[split];
  return idx ?? new Uint32Array();
}

export type TrainerState = 'idle' | 'running' | 'paused' | 'done' | 'diverged' | 'lost';

export interface TrainerSink {
  metrics?(rows: StepMetrics[]): void;
  state?(state: TrainerState, message?: string): void;
}

function needsDenseState(s: TrainerSetup): boolean {
  return s.method === 'snfs' || s.portCompatible;
}

export class Trainer {
  private t = 0;
  private lastUpdate: number;
  private optimizerSteps = 0;
  private epochLoaded = -1;
  private running = false;
  private generation = 0;
  private readonly readback: ReadbackPool;
  private readonly nnz: number[];
  private readonly targets: number[];
  readonly stepsPerEpoch: number;
  readonly layout: ParamLayout;
  private readonly memberSeeds: number[];
  private flops: FlopsAccumulator;
  /** Where reset() returns to: the initial state, or the mask chosen at initialisation. */
  private start: { weights: Float32Array; mask: Float32Array; counts: number[] };
  /** SNFS and the port-compatible style keep momentum for every weight: dense dW every step. */
  private readonly denseState: boolean;
  /** The newest metrics read back: what the UI keeps showing if the device is lost. */
  lastGood: StepMetrics | null = null;
  /** Step from which the ToST ghost bypass is gone (0 without ghosts). */
  private readonly ghostEnd: number;
  /** ToST ghost bypass forward FLOPs per example (dense; 0 without ghosts). */
  private readonly ghostFlops: number;
  private readonly explorations: Map<number, number>;

  private constructor(
    private readonly cache: PipelineCache,
    readonly setup: TrainerSetup,
    readonly net: Network,
    private readonly sink: TrainerSink,
    readonly initial: { weights: Float32Array; denseWeights: Float32Array; mask: Float32Array; activeCounts: number[] },
  ) {
    this.layout = net.o.layout;
    this.readback = new ReadbackPool(cache.device, 'trainer readback');
    this.nnz = [...initial.activeCounts];
    this.targets = [...initial.activeCounts];
    this.stepsPerEpoch = stepsPerEpoch(setup.trainIdx.length, setup.batch);
    this.lastUpdate = initialLastUpdate(setup.schedule);
    this.memberSeeds = Array.from({ length: setup.members }, (_, m) => streamSeed(setup.seed, m, 'data-order'));
    this.flops = this.newFlops(0, 0);
    this.denseState = needsDenseState(setup);
    this.start = { weights: initial.weights, mask: initial.mask, counts: [...initial.activeCounts] };
    const ghost = setup.tost?.ghost;
    this.ghostEnd = ghost ? ghostEndStep(ghost, setup.totalSteps) : 0;
    this.ghostFlops = ghost ? denseForwardFlops(this.layout.layers.map((l, i) => maskableLayer(l.ghost!.spec, `ghost${i + 1}`))) : 0;
    this.explorations = new Map((setup.explorations ?? []).map((e) => [e.step, e.rate]));
    this.syncGhost();
  }

  /** The bypass runs while t < ghostEnd; once past it, it is zeroed and no longer encoded. */
  private syncGhost(): void {
    const alive = this.t < this.ghostEnd;
    if (this.net.ghostActive && !alive) this.net.removeGhost();
    else this.net.ghostActive = alive;
  }

  /** The per-step forward params (ToST) at step t. */
  private forwardParams(t: number): Pick<StepParams, 'activation' | 'ghostAlpha'> {
    const s = this.setup;
    return { activation: smoothActivationAt(s.tost?.smooth, t, s.totalSteps), ghostAlpha: ghostAlphaAt(s.tost?.ghost, t, s.totalSteps) };
  }

  /** Forward FLOPs per example: dense (f_D) and at the current active counts (f_S). */
  forwardFlops(): { fD: number; fS: number } {
    const layers = maskableLayers(this.layout);
    const densities = this.layout.layers.map((l, i) => this.nnz[i]! / (l.numel));
    return { fD: denseForwardFlops(layers), fS: sparseForwardFlops(layers, densities) };
  }

  private newFlops(total: number, steps: number): FlopsAccumulator {
    const acc = new FlopsAccumulator(this.setup.method, { ...this.forwardFlops(), batch: this.setup.batch });
    acc.restore(total, steps);
    return acc;
  }

  static async create(cache: PipelineCache, setup: TrainerSetup, sink: TrainerSink = {}): Promise<Trainer> {
    checkLayers(setup.layers);
    const ghost = setup.tost?.ghost;
    const layout = setupLayout(setup);
    const density = setup.method === 'dense' ? 1 : setup.density;
    const init = initialState(layout, { seed: setup.seed, density, rule: setup.densityRule, scheme: setup.init, sparseAwareInit: setup.sparseAwareInit, ghostInit: ghost?.initScale ?? 1e-4 });
    const o = setup.optimizer;
    const denseState = needsDenseState(setup);
    const flags = (o.kind === 'sgd' && o.nesterov ? 1 : 0) | (denseState ? 2 : 0) | (o.kind === 'adam' && o.decoupled ? 4 : 0);
    const rules = METHOD_RULES[setup.method] ?? { prune: 'magnitude', grow: 'gradient' }; // unused when null
    const spe = stepsPerEpoch(setup.trainIdx.length, setup.batch);
    const net = await Network.create(cache, {
      specs: setup.layers,
      layout,
      batch: setup.batch,
      slots: setup.stepsPerSubmit,
      indexStride: spe * setup.batch,
      evalSets: { test: setup.evalIdx, validation: setup.valIdx ?? new Uint32Array(), probe: setup.probeIdx ?? new Uint32Array(), grid: setup.gridIdx ?? new Uint32Array() },
      data: setup.data,
      labelSmoothing: setup.labelSmoothing,
      optimizer: o.kind,
      optimizerFlags: flags,
      ...rules,
      // Random regrowth hashes (seed, step, member, layer, index) on the GPU; one 'regrow' seed.
      seed: streamSeed(setup.seed, 0, 'regrow'),
    });
    net.load(init.weights, init.mask);
    return new Trainer(cache, setup, net, sink, init);
  }

  /** Steps trained so far (the index of the next step). */
  get currentStep(): number {
    return this.t;
  }

  /** Active weights per layer (every member has the same count). */
  get activeCounts(): readonly number[] {
    return this.nnz;
  }

  /** Changes the overall density target; the next mask update moves each layer to it exactly. */
  setLayerTargets(targets: readonly number[]): void {
    targets.forEach((v, i) => (this.targets[i] = Math.max(0, Math.min(v, this.layout.layers[i]!.numel))));
  }

  targetForDensity(layer: number, density: number): number {
    const l = this.layout.layers[layer]!;
    return activeCount(l.numel, density);
  }

  /** One training step; null when the run is already over. */
  async step(): Promise<StepMetrics | null> {
    return (await this.train(1))[0] ?? null;
  }

  /**
   * Back to step 0 with the starting weights and masks (those of a mask chosen at initialisation,
   * if one was), fresh optimizer state and counters: the same run can be watched again.
   */
  reset(): void {
    this.pause();
    this.generation++;
    this.net.load(this.start.weights, this.start.mask);
    this.t = 0;
    this.lastUpdate = initialLastUpdate(this.setup.schedule);
    this.optimizerSteps = 0;
    this.start.counts.forEach((c, i) => {
      this.nnz[i] = c;
      this.targets[i] = c;
    });
    this.flops = this.newFlops(0, 0);
    this.epochLoaded = -1;
    this.lastGood = null;
    this.net.ghostActive = this.ghostEnd > 0; // load() put the starting bypass back
    this.syncGhost();
    this.sink.state?.('idle');
  }

  /** Cumulative training FLOPs of all members so far (spec §1.9 accounting, ToST bypass included). */
  trainingFlops(): number {
    return this.flops.cumulative() * this.setup.members;
  }

  /** Density per weight layer and overall (active / all maskable weights; biases not counted). */
  densities(): { layers: number[]; overall: number } {
    const layers = this.layout.layers.map((l, i) => this.nnz[i]! / l.numel);
    const total = this.layout.layers.reduce((a, l) => a + l.numel, 0);
    return { layers, overall: this.nnz.reduce((a, b) => a + b, 0) / total };
  }

  /** Inference FLOPs per example of the whole ensemble, and as a ratio to one dense model. */
  inferenceFlops(): { perExample: number; ratioToDense: number } {
    const { fD, fS } = this.forwardFlops();
    return { perExample: fS * this.setup.members, ratioToDense: (fS * this.setup.members) / fD };
  }

  /** Trains `count` steps (fewer if the run ends); resolves with their metrics. */
  async train(count: number): Promise<StepMetrics[]> {
    const rows: StepMetrics[] = [];
    const end = Math.min(this.setup.totalSteps, this.t + count);
    let pending: Promise<StepMetrics[]> | null = null;
    const diverged = (chunk: StepMetrics[]): boolean => chunk.some((r) => r.loss.some((v) => !Number.isFinite(v)));
    try {
      while (this.t < end) {
        const chunk = this.submitChunk(end);
        const previous = pending;
        pending = chunk;
        if (previous) {
          const done = await previous;
          rows.push(...done);
          if (diverged(done)) break;
        }
      }
      if (pending) rows.push(...(await pending));
    } catch (e) {
      // The newer chunk's readback fails the same way (a lost device): settle it, report once.
      pending?.catch(() => undefined);
      throw e;
    }
    const finite = rows.filter((r) => r.loss.every(Number.isFinite));
    if (finite.length > 0) this.lastGood = finite.at(-1)!;
    this.sink.metrics?.(rows);
    const bad = rows.find((r) => r.loss.some((v) => !Number.isFinite(v)));
    if (bad) {
      this.running = false;
      this.sink.state?.('diverged', `The loss became ${bad.loss.find((v) => !Number.isFinite(v))} at step ${bad.step}: lower the learning rate and reset.`);
    }
    return rows;
  }

  /** Trains until the end of the run or pause(); yields to the event loop between chunks. */
  async run(stepsPerYield = this.setup.stepsPerSubmit): Promise<void> {
    const generation = ++this.generation;
    this.running = true;
    this.sink.state?.('running');
    while (this.running && generation === this.generation && this.t < this.setup.totalSteps) {
      let rows: StepMetrics[];
      try {
        rows = await this.train(stepsPerYield);
      } catch (e) {
        // A lost device rejects the pending readbacks: stop, keep the last good metrics, say so.
        this.running = false;
        const at = this.lastGood ? `after step ${this.lastGood.step}` : 'before the first step';
        this.sink.state?.('lost', `The GPU stopped ${at} (${e instanceof Error ? e.message : String(e)}). The metrics so far are kept; restart to continue.`);
        return;
      }
      if (rows.some((r) => r.loss.some((v) => !Number.isFinite(v)))) return;
      await new Promise((r) => setTimeout(r, 0));
    }
    if (generation !== this.generation) return;
    this.running = false;
    this.sink.state?.(this.t >= this.setup.totalSteps ? 'done' : 'paused');
  }

  pause(): void {
    this.running = false;
  }

  /** Mean loss and accuracy per member over a held-out split, computed on the GPU. */
  async evaluate(split: EvalSplit = 'test'): Promise<{ loss: number[]; accuracy: number[] }> {
    const dev = this.cache.device;
    const set = this.net.evalSet(split);
    this.net.writeForwardParams(this.forwardParams(this.t));
    const enc = dev.createCommandEncoder({ label: `evaluate ${split}` });
    const pass = enc.beginComputePass({ label: `evaluate ${split}` });
    this.net.encodeEval(pass, split);
    pass.end();
    dev.queue.submit([enc.finish()]);
    const sums = await this.readback.readF32(set.ring);
    const n = set.count;
    const M = this.setup.members;
    return {
      loss: Array.from({ length: M }, (_, m) => sums[m * 2]! / n),
      accuracy: Array.from({ length: M }, (_, m) => sums[m * 2 + 1]! / n),
    };
  }

  /**
   * The logits of every example of a held-out split, one (count, classes) array per member, in
   * the split's order: what ensemble metrics, reliability diagrams and function-space snapshots
   * are computed from (src/ensemble).
   */
  async predictLogits(split: EvalSplit = 'test'): Promise<Float32Array[]> {
    const dev = this.cache.device;
    const set = this.net.evalSet(split);
    const M = this.setup.members;
    const classes = this.classes;
    const rows = set.batches * this.setup.batch;
    const out = createBuffer(dev, `predictions ${split}`, M * rows * classes * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    try {
      this.net.writeForwardParams(this.forwardParams(this.t));
      const enc = dev.createCommandEncoder({ label: `predict ${split}` });
      this.net.encodePredict(enc, split, out);
      dev.queue.submit([enc.finish()]);
      const all = await this.readback.readF32(out);
      return Array.from({ length: M }, (_, m) => all.slice(m * rows * classes, (m * rows + set.count) * classes));
    } finally {
      out.destroy();
    }
  }

  /** Number of classes (the width of the last layer). */
  get classes(): number {
    return outFeatures(this.setup.layers.at(-1)!);
  }

  async readMask(): Promise<Float32Array> {
    return this.readback.readF32(this.net.mask);
  }

  async readWeights(): Promise<Float32Array> {
    return this.readback.readF32(this.net.params);
  }

  /** The gradient buffer: the last step's dense gradients (biases included). */
  async readGrads(): Promise<Float32Array> {
    return this.readback.readF32(this.net.grads);
  }

  /**
   * What the last mask update did, per weight layer (members, numel): 0 unchanged, 1 grown, 2
   * pruned, 3 pruned and regrown (shaders/mask.wgsl). For the mask views.
   */
  async readEvents(): Promise<Uint32Array[]> {
    return Promise.all(this.net.events.map((e) => this.readback.readU32(e)));
  }

  /**
   * Member 0's mask heatmaps, (rows = outputs, cols = inputs·taps) RGBA per weight layer, drawn
   * by a render pass from the GPU's mask, events and ITOP buffers (src/gpu/mask-render.ts).
   */
  async renderMaskImages(palette: MaskPalette): Promise<Uint8ClampedArray[]> {
    const layers = this.layout.layers.map((l, li) => ({ base: l.weight.offset, rows: l.outChannels, cols: l.numel / l.outChannels, events: this.net.events[li]! }));
    return renderMaskImages(this.cache.device, this.readback, { mask: this.net.mask, fired: this.net.fired }, layers, palette);
  }

  async readFired(): Promise<Float32Array> {
    return this.readback.readF32(this.net.fired);
  }

  /** ITOP rate per member: the fraction of maskable weights that were ever active (spec §1.7). */
  async itopRates(): Promise<number[]> {
    const fired = await this.readFired();
    const total = this.layout.layers.reduce((a, l) => a + l.numel, 0);
    return Array.from({ length: this.setup.members }, (_, m) => {
      let ever = 0;
      for (const l of this.layout.layers) {
        const n = l.numel;
        for (let i = 0; i < n; i++) ever += fired[l.weight.offset + m * n + i]!;
      }
      return ever / total;
    });
  }

  /**
   * Mean gradient of each member's loss over `examples` (dataset indices), at `weights` with every
   * connection active (the dense network), as a flat array like the parameters. Runs on the GPU,
   * one batch at a time without optimizer steps; the last batch is filled up by repeating examples
   * from the start. The caller loads the parameters that should follow (loadMask does).
   */
  async denseGradient(weights: Float32Array, examples: Uint32Array, temperature = 1): Promise<Float64Array> {
    const ones = new Float32Array(this.layout.totalFloats).fill(1);
    return (await this.lossAndGradient(weights, ones, examples, { temperature, labelSmoothing: 0 })).gradient;
  }

  /**
   * Mean loss per member and mean gradient (flat, like the parameters; masked entries get the
   * full dense gradient) over `examples`, at `weights` under `mask`, with the step-0 forward
   * settings and the run's label smoothing unless `loss` says otherwise. Leaves those parameters
   * loaded (no optimizer step): the caller loads what follows.
   */
  async lossAndGradient(weights: Float32Array, mask: Float32Array, examples: Uint32Array, loss: { temperature?: number; labelSmoothing?: number } = {}): Promise<{ loss: number[]; gradient: Float64Array }> {
    const s = this.setup;
    const M = s.members;
    if (examples.length === 0) throw new Error('lossAndGradient: no examples');
    this.net.load(weights, mask);
    this.net.setLoss(loss.labelSmoothing ?? s.labelSmoothing, loss.temperature ?? 1);
    const chunks = Math.ceil(examples.length / s.batch);
    const sum = new Float64Array(this.layout.totalFloats);
    const means = new Array<number>(M).fill(0);
    const step: StepParams = { indexOffset: 0, ringSlot: 0, lr: 0, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 1, bc2: 1, ...this.forwardParams(0) };
    for (let c = 0; c < chunks; c++) {
      const batchIdx = Uint32Array.from({ length: s.batch }, (_, i) => examples[(c * s.batch + i) % examples.length]!);
      this.net.setBatchForAllMembers(batchIdx);
      this.net.writeChunkParams([step]);
      const enc = this.cache.device.createCommandEncoder({ label: 'loss and gradient' });
      const pass = enc.beginComputePass({ label: 'loss and gradient' });
      this.net.encodeStep(pass, 0, false, true);
      pass.end();
      this.cache.device.queue.submit([enc.finish()]);
      const [g, sums] = await Promise.all([this.readGrads(), this.readback.readF32(this.net.trainRing, 0, M * 2)]);
      for (let i = 0; i < sum.length; i++) sum[i]! += g[i]! / chunks;
      for (let m = 0; m < M; m++) means[m]! += sums[m * 2]! / s.batch / chunks;
    }
    this.net.setLoss(s.labelSmoothing, 1);
    this.epochLoaded = -1; // the index buffer now holds the probe: reload the epoch's shuffle
    return { loss: means, gradient: sum };
  }

  /**
   * Starts training from `weights` under a new `mask` (flat, 1 on biases) whose active count per
   * weight layer is `counts` for every member: optimizer state cleared, ITOP record = the mask.
   */
  loadMask(weights: Float32Array, mask: Float32Array, counts: readonly number[]): void {
    if (weights.length !== this.layout.totalFloats || mask.length !== this.layout.totalFloats) throw new Error('loadMask: arrays must hold every parameter');
    const masked = weights.map((w, i) => (mask[i] === 0 ? 0 : w));
    this.net.load(masked, mask);
    if (this.t === 0) this.start = { weights: masked, mask: Float32Array.from(mask), counts: [...counts] };
    counts.forEach((c, i) => {
      this.nnz[i] = c;
      this.targets[i] = c;
    });
    this.flops.setSparseFlops(this.forwardFlops().fS);
    this.epochLoaded = -1;
  }

  /** Everything needed to continue this run exactly: parameters, masks, optimizer state, counters. */
  async checkpoint(): Promise<Checkpoint> {
    const r = this.readback;
    const [weights, mask, state1, state2, fired] = await Promise.all([
      r.readF32(this.net.params),
      r.readF32(this.net.mask),
      r.readF32(this.net.state1),
      r.readF32(this.net.state2),
      r.readF32(this.net.fired),
    ]);
    return {
      version: 1,
      step: this.t,
      lastUpdate: this.lastUpdate,
      optimizerSteps: this.optimizerSteps,
      activeCounts: [...this.nnz],
      targets: [...this.targets],
      flops: { total: this.flops.cumulative(), steps: this.flops.stepCount() },
      weights,
      mask,
      state1,
      state2,
      fired,
    };
  }

  /** Restores a checkpoint of a run with the same setup; training then continues exactly. */
  restore(c: Checkpoint): void {
    const n = this.layout.totalFloats;
    for (const [name, a] of Object.entries({ weights: c.weights, mask: c.mask, state1: c.state1, state2: c.state2, fired: c.fired })) {
      if (a.length !== n) throw new Error(`checkpoint ${name} has ${a.length} values, this model needs ${n}: it was saved from a different model`);
    }
    if (c.activeCounts.length !== this.layout.layers.length) throw new Error('checkpoint has a different number of layers');
    this.pause();
    this.generation++;
    this.net.load(c.weights, c.mask, c.fired, [c.state1, c.state2]);
    this.t = c.step;
    this.lastUpdate = c.lastUpdate;
    this.optimizerSteps = c.optimizerSteps;
    c.activeCounts.forEach((v, i) => (this.nnz[i] = v));
    c.targets.forEach((v, i) => (this.targets[i] = v));
    this.flops = this.newFlops(c.flops.total, c.flops.steps);
    this.epochLoaded = -1; // reload the shuffle of the checkpoint's epoch
    this.net.ghostActive = this.ghostEnd > 0 && c.step < this.ghostEnd; // the checkpoint's bypass (zero once removed)
  }

  destroy(): void {
    this.generation++;
    this.running = false;
    this.readback.destroy();
    this.net.destroy();
  }

  /** Encodes and submits steps from t up to the next boundary; returns their metrics (later). */
  private submitChunk(end: number): Promise<StepMetrics[]> {
    const s = this.setup;
    const spe = this.stepsPerEpoch;
    const epoch = Math.floor(this.t / spe);
    if (epoch !== this.epochLoaded) {
      this.net.setTrainIndices(epochIndices(s.trainIdx, s.members, this.memberSeeds, epoch, s.batch));
      this.epochLoaded = epoch;
    }
    const epochEnd = (epoch + 1) * spe;
    this.syncGhost();
    // A chunk ends where the ghost bypass is removed (its weights are zeroed between submits).
    const ghostBoundary = this.t < this.ghostEnd ? this.ghostEnd : Infinity;
    const limit = Math.min(end, epochEnd, this.t + s.stepsPerSubmit, ghostBoundary);
    const enc = this.cache.device.createCommandEncoder({ label: `steps ${this.t}..` });
    const pass = enc.beginComputePass({ label: 'train chunk' });
    const meta: Omit<StepMetrics, 'loss' | 'accuracy'>[] = [];
    const stepParams: StepParams[] = [];
    let slot = 0;
    while (this.t < limit) {
      const t = this.t;
      const update = this.isMaskUpdate(t);
      const optimizerStep = !update || optimizerStepOnUpdate(s.method, s.portCompatible);
      const lr = lrAt(s.lr, t, s.totalSteps);
      if (optimizerStep) this.optimizerSteps++;
      const o = s.optimizer;
      const b1 = o.kind === 'adam' ? o.beta1 : 0.9;
      const b2 = o.kind === 'adam' ? o.beta2 : 0.999;
      stepParams.push({
        indexOffset: (t - epoch * spe) * s.batch,
        ringSlot: slot,
        lr,
        momentum: o.kind === 'sgd' ? o.momentum : 0,
        weightDecay: o.weightDecay,
        beta1: b1,
        beta2: b2,
        eps: o.kind === 'adam' ? o.eps : 1e-8,
        bc1: 1 - b1 ** Math.max(1, this.optimizerSteps),
        bc2: 1 - b2 ** Math.max(1, this.optimizerSteps),
        ...this.forwardParams(t),
      });
      this.net.encodeStep(pass, slot, optimizerStep, update || this.denseState);
      this.flops.step(update);
      // The dense bypass: forward, its input gradient and its weight gradient (3x forward).
      if (this.net.ghostActive) this.flops.addFlops(3 * this.ghostFlops * s.batch);
      const M = s.members;
      meta.push({ step: t, lr, maskUpdate: update, trainingFlops: this.flops.cumulative() * M, flopsRatio: this.flops.ratioToDense() });
      this.t++;
      slot++;
      if (update) {
        this.net.prepareMaskUpdate(t, this.updateCounts(t));
        this.net.encodeMaskUpdate(pass);
        this.lastUpdate = t;
        this.flops.setSparseFlops(this.forwardFlops().fS);
        break; // the CPU chose this update's counts: the next update must see them applied
      }
    }
    pass.end();
    this.net.writeChunkParams(stepParams); // queue writes land before the submit below
    this.cache.device.queue.submit([enc.finish()]);
    const M = s.members;
    return this.readback.readF32(this.net.trainRing, 0, meta.length * M * 2).then((sums) =>
      meta.map((m, i) => ({
        ...m,
        loss: Array.from({ length: M }, (_, j) => sums[(i * M + j) * 2]! / s.batch),
        accuracy: Array.from({ length: M }, (_, j) => sums[(i * M + j) * 2 + 1]! / s.batch),
      })),
    );
  }

  private isMaskUpdate(t: number): boolean {
    const s = this.setup;
    if (METHOD_RULES[s.method] === null) return false;
    if (this.explorations.has(t)) return true;
    if (s.method === 'snfs') return snfsIsUpdateStep(this.stepsPerEpoch, t, s.totalSteps);
    return isUpdateStep(s.schedule, t, this.lastUpdate);
  }

  private updateCounts(t: number): { prune: number; grow: number }[] {
    const s = this.setup;
    const fraction = this.explorations.get(t) ?? (s.method === 'snfs' ? snfsPruneRate(t, s.totalSteps) : dropFraction(s.schedule, t));
    return this.layout.layers.map((l, i) => {
      const c = pruneGrowCounts(this.nnz[i]!, this.targets[i]!, fraction, l.numel);
      this.nnz[i] = this.targets[i]!;
      return c;
    });
  }
}
