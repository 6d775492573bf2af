// One run's training on the GPU: encodes many steps per submit, ends a chunk where the CPU must
// act (a mask update with the counts it chose, an epoch boundary with a new shuffle, the end of
// the ToST bypass), keeps loss/accuracy in a GPU ring and reads it back once per chunk while the
// next chunk is already queued. It also owns the run's counters (step, active counts and targets,
// FLOPs), reset, checkpoints and the starting mask. The loop that calls train() is run-loop.ts;
// reads outside a chunk are trainer-reads.ts and gradients.ts. No DOM, no store.
import { ReadbackPool, type PipelineCache } from '../gpu';
import { epochIndices, stepsPerEpoch } from '../data';
import {
  FlopsAccumulator,
  activeCount,
  denseForwardFlops,
  optimizerStepOnUpdate,
  sparseForwardFlops,
} from '../sparsity';
import { checkCheckpointShape, readNetworkState, type Checkpoint } from './checkpoint';
import { streamSeed } from '../config';
import { lossAndGradientOn } from './gradients';
import { initialState, maskableLayers } from './init';
import { lrAt } from './lr-schedule';
import { MaskSchedule } from './mask-schedule';
import { checkLayers, maskableLayer, outFeatures } from './layers';
import { Network, type StepParams } from './network';
import { setupLayout, type ParamLayout } from './param-layout';
import { chooseStorages } from './storage-choice';
import { ChunkPasses, chooseTrainingPath } from './fused-steps';
import { firstNonFinite } from './run-loop';
import { denseGradientOnUpdates, networkOptions, stepParamsAt } from './trainer-plan';
import { ghostAlphaAt, ghostEndStep, smoothActivationAt } from './tost';
import { chunkMetrics, evaluateSplit, itopRatesOf, maskBuffersOf, predictSplit, type TrainerGpu } from './trainer-reads';
import { needsDenseState, type EvalSplit, type MaskBuffers, type StepMetrics, type TrainerSetup } from './trainer-setup';

export class Trainer {
  private t = 0;
  private readonly schedule: MaskSchedule;
  private optimizerSteps = 0;
  private epochLoaded = -1;
  private readonly readback: ReadbackPool;
  private readonly nnz: number[];
  private readonly targets: number[];
  readonly stepsPerEpoch: number;
  readonly layout: ParamLayout;
  private readonly memberSeeds: number[];
  private flops: FlopsAccumulator;
  /** Where reset() returns to: the initial state, or the mask chosen at initialisation. */
  private start: { weights: Float32Array; mask: Float32Array; counts: number[] };
  /** Dense dW every step (SNFS, the port-compatible style: momentum for every weight), and on update steps (RigL's growth scores). */
  private readonly denseState: boolean;
  private readonly updateNeedsDenseGradient: boolean;
  /** The newest metrics read back: what the UI keeps showing if the device is lost. */
  lastGood: StepMetrics | null = null;
  /** Step from which the ToST ghost bypass is gone (0 without ghosts). */
  private readonly ghostEnd: number;
  /** ToST ghost bypass forward FLOPs per example (dense; 0 without ghosts). */
  private readonly ghostFlops: number;
  /** Why ordinary steps take the layer path, not the fused one (null: they take the fused path). */
  fusedRefusal: string | null = null;

  private constructor(
    private readonly cache: PipelineCache,
    readonly setup: TrainerSetup,
    readonly net: Network,
    readonly initial: { weights: Float32Array; denseWeights: Float32Array; mask: Float32Array; activeCounts: number[] },
  ) {
    this.layout = net.o.layout;
    this.readback = new ReadbackPool(cache.device, 'trainer readback');
    this.nnz = [...initial.activeCounts];
    this.targets = [...initial.activeCounts];
    this.stepsPerEpoch = stepsPerEpoch(setup.trainIdx.length, setup.batch);
    this.schedule = new MaskSchedule(setup, this.stepsPerEpoch);
    this.memberSeeds = Array.from({ length: setup.members }, (_, m) => streamSeed(setup.seed, m, 'data-order'));
    this.flops = this.newFlops(0, 0);
    this.denseState = needsDenseState(setup);
    this.updateNeedsDenseGradient = denseGradientOnUpdates(setup);
    this.start = { weights: initial.weights, mask: initial.mask, counts: [...initial.activeCounts] };
    const ghost = setup.tost?.ghost;
    this.ghostEnd = ghost ? ghostEndStep(ghost, setup.totalSteps) : 0;
    this.ghostFlops = ghost ? denseForwardFlops(this.layout.layers.map((l) => maskableLayer(l.ghost!.spec, `${l.name} ghost`))) : 0;
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

  static async create(cache: PipelineCache, setup: TrainerSetup): Promise<Trainer> {
    checkLayers(setup.layers);
    const ghost = setup.tost?.ghost;
    const layout = setupLayout(setup);
    const density = setup.method === 'dense' ? 1 : setup.density;
    const init = initialState(layout, { seed: setup.seed, density, rule: setup.densityRule, scheme: setup.init, sparseAwareInit: setup.sparseAwareInit, ghostInit: ghost?.initScale ?? 1e-4 });
    const storage = setup.storage ?? 'masked';
    const path = chooseTrainingPath(setup.fused ?? 'auto', storage, { specs: setup.layers, layout, dataKind: setup.data.kind, denseState: needsDenseState(setup) }, chooseStorages(storage, setup, layout, init.activeCounts));
    const net = await Network.create(cache, { ...networkOptions(setup, layout), storages: path.storages, fused: path.fused });
    net.load(init.weights, init.mask);
    const trainer = new Trainer(cache, setup, net, init);
    trainer.fusedRefusal = path.why;
    return trainer;
  }

  /** Steps trained so far (the index of the next step). */
  get currentStep(): number {
    return this.t;
  }

  get totalSteps(): number {
    return this.setup.totalSteps;
  }

  /** Active weights per layer (every member has the same count). */
  get activeCounts(): readonly number[] {
    return this.nnz;
  }

  /**
   * New density targets per weight layer (null keeps that layer's target): the next mask update
   * moves each layer to exactly activeCount(numel, density) active weights.
   */
  setDensityTargets(densities: readonly (number | null)[]): void {
    densities.forEach((d, i) => {
      if (d !== null) this.targets[i] = activeCount(this.layout.layers[i]!.numel, d);
    });
  }

  /** The active count per layer the next mask update moves to. */
  get targetCounts(): readonly number[] {
    return this.targets;
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
    this.net.load(this.start.weights, this.start.mask);
    this.t = 0;
    this.schedule.reset();
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
  }

  /** Cumulative training FLOPs of all members so far (docs/METHODS.md §1.9 accounting, ToST bypass included). */
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

  /**
   * Trains `count` steps (fewer if the run ends, or after the chunk whose loss turned non-finite);
   * resolves with their metrics. Each chunk is submitted before the previous one's metrics are
   * awaited, so the GPU never idles on a readback. The loop around it is run-loop.ts.
   */
  async train(count: number): Promise<StepMetrics[]> {
    const rows: StepMetrics[] = [];
    const end = Math.min(this.setup.totalSteps, this.t + count);
    let pending: Promise<StepMetrics[]> | null = null;
    try {
      while (this.t < end) {
        const chunk = this.submitChunk(end);
        const previous = pending;
        pending = chunk;
        if (previous) {
          const done = await previous;
          rows.push(...done);
          if (firstNonFinite(done)) break;
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
    return rows;
  }

  /** Mean loss and accuracy per member over a held-out split, computed on the GPU. */
  evaluate(split: EvalSplit = 'test'): Promise<{ loss: number[]; accuracy: number[] }> {
    return evaluateSplit(this.gpu, split, this.forwardParams(this.t));
  }

  /**
   * The logits of every example of a held-out split, one (count, classes) array per member, in
   * the split's order: what ensemble metrics, reliability diagrams and function-space snapshots
   * are computed from (src/ensemble).
   */
  predictLogits(split: EvalSplit = 'test'): Promise<Float32Array[]> {
    return predictSplit(this.gpu, split, this.forwardParams(this.t), this.classes);
  }

  private get gpu(): TrainerGpu {
    return { device: this.cache.device, net: this.net, readback: this.readback, members: this.setup.members, batch: this.setup.batch };
  }

  /** Number of classes (the width of the last layer). */
  get classes(): number {
    return outFeatures(this.setup.layers.at(-1)!);
  }

  async readMask(): Promise<Float32Array> {
    return this.net.readHost('mask', this.readback);
  }

  async readWeights(): Promise<Float32Array> {
    return this.net.readHost('params', this.readback);
  }

  /** The last step's gradients (biases included; a sparse layer's at its active connections only). */
  async readGrads(): Promise<Float32Array> {
    return this.net.readHost('grads', this.readback);
  }

  /** What the last mask update did, per weight layer (members, numel): CHANGE codes (mask-codes.ts). */
  async readEvents(): Promise<Uint32Array[]> {
    return this.net.readEvents(this.readback);
  }

  /**
   * The buffers the mask views draw from without a readback (src/viz/mask-heatmaps.ts), per
   * weight layer: its storage's (layer-storage.ts MaskLayerBuffers).
   */
  maskBuffers(): MaskBuffers {
    return maskBuffersOf(this.gpu);
  }

  async readFired(): Promise<Float32Array> {
    return this.net.readHost('fired', this.readback);
  }

  /** ITOP rate per member: the fraction of maskable weights that were ever active (docs/METHODS.md §1.7). */
  async itopRates(): Promise<number[]> {
    return itopRatesOf(await this.readFired(), this.layout);
  }

  /**
   * Mean loss per member and mean gradient (flat, like the parameters; masked entries get the
   * full dense gradient) over `examples`, at `weights` under `mask`, with the step-0 forward
   * settings and the run's label smoothing unless `loss` says otherwise. Leaves those parameters
   * loaded (no optimizer step): the caller loads what follows.
   */
  async lossAndGradient(weights: Float32Array, mask: Float32Array, examples: Uint32Array, loss: { temperature?: number; labelSmoothing?: number } = {}): Promise<{ loss: number[]; gradient: Float64Array }> {
    const own = { labelSmoothing: this.setup.labelSmoothing, temperature: 1 };
    const r = await lossAndGradientOn(this.gpu, weights, mask, examples, { labelSmoothing: loss.labelSmoothing ?? own.labelSmoothing, temperature: loss.temperature ?? 1 }, own, this.forwardParams(0));
    this.epochLoaded = -1; // the index buffer now holds the examples: reload the epoch's shuffle
    return r;
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
    const counters = { version: 1 as const, step: this.t, lastUpdate: this.schedule.lastUpdate, optimizerSteps: this.optimizerSteps, activeCounts: [...this.nnz], targets: [...this.targets] };
    return { ...counters, flops: { total: this.flops.cumulative(), steps: this.flops.stepCount() }, ...(await readNetworkState(this.readback, this.net)) };
  }

  /** Restores a checkpoint of a run with the same setup; training then continues exactly. */
  restore(c: Checkpoint): void {
    checkCheckpointShape(c, this.layout);
    this.net.load(c.weights, c.mask, c.fired, [c.state1, c.state2]);
    this.t = c.step;
    this.schedule.lastUpdate = c.lastUpdate;
    this.optimizerSteps = c.optimizerSteps;
    c.activeCounts.forEach((v, i) => (this.nnz[i] = v));
    c.targets.forEach((v, i) => (this.targets[i] = v));
    this.flops = this.newFlops(c.flops.total, c.flops.steps);
    this.epochLoaded = -1; // reload the shuffle of the checkpoint's epoch
    this.net.ghostActive = this.ghostEnd > 0 && c.step < this.ghostEnd; // the checkpoint's bypass (zero once removed)
  }

  destroy(): void {
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
    const passes = new ChunkPasses(enc, this.net.fused !== null && !this.net.ghostActive && !this.denseState ? this.net.fused : null);
    const meta: Omit<StepMetrics, 'loss' | 'accuracy'>[] = [];
    const stepParams: StepParams[] = [];
    let slot = 0;
    while (this.t < limit) {
      const t = this.t;
      const update = this.schedule.isUpdate(t);
      const optimizerStep = !update || optimizerStepOnUpdate(s.method, s.portCompatible);
      const lr = lrAt(s.lr, t, s.totalSteps);
      if (optimizerStep) this.optimizerSteps++;
      stepParams.push(stepParamsAt(s, { t, slot, indexOffset: (t - epoch * spe) * s.batch, lr, optimizerSteps: this.optimizerSteps }, this.forwardParams(t)));
      // An ordinary step may run in the fused dispatch; the layer path computes the dense dW where a step needs it (SET's random growth does not).
      const fusedStep = !update && passes.takeFused(stepParams.at(-1)!);
      if (!fusedStep) this.net.encodeStep(passes.layer(), slot, optimizerStep, (update && this.updateNeedsDenseGradient) || this.denseState);
      this.flops.step(update);
      // The dense bypass: forward, its input gradient and its weight gradient (3x forward).
      if (this.net.ghostActive) this.flops.addFlops(3 * this.ghostFlops * s.batch);
      const M = s.members;
      meta.push({ step: t, lr, maskUpdate: update, trainingFlops: this.flops.cumulative() * M, flopsRatio: this.flops.ratioToDense() });
      this.t++;
      slot++;
      if (update) {
        // Each weight layer's storage (the seam, layer-storage.ts) takes its counts and encodes its update.
        const counts = this.schedule.countsAt(t, this.nnz, this.targets, this.layout.layers.map((l) => l.numel));
        this.net.storages.forEach((storage, i) => storage.prepareMaskUpdate(t, counts[i]!));
        for (const storage of this.net.storages) storage.encodeMaskUpdate(passes.layer());
        this.targets.forEach((c, i) => (this.nnz[i] = c));
        this.flops.setSparseFlops(this.forwardFlops().fS);
        break; // the CPU chose this update's counts: the next update must see them applied
      }
    }
    passes.end();
    this.net.writeChunkParams(stepParams); // queue writes land before the submit below
    this.cache.device.queue.submit([enc.finish()]);
    return chunkMetrics(this.gpu, meta);
  }
}
