// The training session of the playground: builds an EnsembleRun from the store's config, trains
// it outside React (a chunk of `speed` steps, then yield to the browser), and publishes progress,
// metrics and views to the store at most 10 times a second. A generation counter makes a stale
// loop stop after a rebuild (TF Playground's Player pattern). No GPU import: the pipeline cache
// comes in from main.tsx.
import { stepsPerEpoch as configStepsPerEpoch, type ExperimentConfig } from '../config';
import { generatedData, maskableLayers, tooBigForAdapter, type ConfigRun, type DatasetInput, type StepMetrics, type Trainer } from '../engine';
import { EnsembleRun, ensembleSetupFromConfig, prepareEnsembleRun } from '../ensemble';
import { activeCounts, allocateDensities, dropFraction } from '../sparsity';
import type { SweepPoint, SweepResult } from './compare';
import { EnsembleTracker } from './ensemble-tracker';
import { appendHistory, emptyHistory, type HistoryRow } from './history';
import { RUN_FORMAT, RUN_VERSION, type SavedRun } from './saved-run';
import { CELL_COLORS, type AppStore, type RunView } from './store';
import { boundaryCells, boundaryView, confusionMatrix, maskViews } from './views';

export interface SessionDeps {
  cache: Parameters<typeof EnsembleRun.create>[0];
  /** Loads MNIST or Fashion-MNIST (public/data, built by npm run data). */
  loadImages(name: 'mnist' | 'fashion-mnist'): Promise<DatasetInput & { kind: 'images' }>;
}

const PUBLISH_MS = 100;
const MAX_TIMELINE = 64;
const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

export class TrainingSession {
  private run: EnsembleRun | null = null;
  private plan: ConfigRun | null = null;
  private data: DatasetInput | null = null;
  private generation = 0;
  private running = false;
  private pending: HistoryRow[] = [];
  private lastPublish = 0;
  private rate = { steps: 0, since: 0 };
  private test: RunView['test'] = null;
  /** GPU work of the current run still in flight (training chunks, readbacks for the views). */
  private inflight: Promise<unknown> = Promise.resolve();

  /** Records `p` as in flight: a rebuild waits for it before destroying the run's buffers. */
  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight = Promise.all([this.inflight, p.catch(() => undefined)]);
    return p;
  }
  private itop: number | null = null;
  /** The phase timeline and, for ensembles, the divergence views. */
  private tracker: EnsembleTracker | null = null;
  private lastEnsemble = 0;

  constructor(
    private readonly store: AppStore,
    private readonly deps: SessionDeps,
  ) {}

  private get state() {
    return this.store.getState();
  }

  /** Builds a fresh run from the store's config (training starts paused at step 0). */
  async rebuild(): Promise<void> {
    const generation = ++this.generation;
    this.running = false;
    this.historyFromFile = false;
    this.heatmapError = null; // a new run tries the render pass again
    // Building from now on, synchronously: Play and Step must not start the old run while its
    // queued readbacks (a final evaluation can take seconds) finish below.
    this.state.updateRun({ status: 'building', message: 'Preparing data and the network…' });
    // Let readbacks already queued on the old run finish before its buffers go.
    await this.inflight;
    if (generation !== this.generation) return;
    this.run?.destroy();
    this.run = null;
    this.tracker = null;
    this.state.setViews({ timeline: null, ensemble: null });
    const config = this.state.config;
    this.state.updateRun({ ...this.freshRun(), status: 'building', message: 'Preparing data and the network…' });
    try {
      const data = await this.loadData(config);
      const { setup, run } = ensembleSetupFromConfig(config, data);
      const gpu = this.state.gpu;
      const limits = 'limits' in gpu ? gpu.limits : null;
      const members = setup.mode === 'edst' ? 1 : setup.members;
      const tooBig = limits ? tooBigForAdapter({ ...setup.base, members }, { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? Infinity, maxBufferSize: limits.maxBufferSize ?? Infinity }) : null;
      if (tooBig) throw new Error(tooBig);
      const ensemble = await EnsembleRun.create(this.deps.cache, setup);
      if (generation !== this.generation) return ensemble.destroy();
      await prepareEnsembleRun(ensemble, run, (message) => this.state.updateRun({ message }));
      if (generation !== this.generation) return ensemble.destroy();
      this.run = ensemble;
      this.plan = run;
      this.data = data;
      this.test = null;
      this.itop = null;
      const t = ensemble.driver.live();
      this.state.updateRun({ totalSteps: ensemble.totalSteps, stepsPerEpoch: configStepsPerEpoch(config) ?? 1, layerNames: t.layout.layers.map((l, i) => `${l.spec.kind}${i + 1}`), ...this.densities() });
      this.tracker = new EnsembleTracker(this.store, ensemble, run, data);
      await this.track(this.refreshViews(true));
      await this.track(this.tracker.refresh(false));
      if (generation !== this.generation) return;
      // Ready once the views show the new network.
      this.state.updateRun({ status: 'ready', message: null });
    } catch (e) {
      if (generation !== this.generation) return;
      this.state.updateRun({ status: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private freshRun(): Partial<RunView> {
    return { step: 0, history: emptyHistory(), test: null, maskUpdates: 0, lastUpdate: null, stepsPerSecond: null };
  }

  private async loadData(config: ExperimentConfig): Promise<DatasetInput> {
    const d = config.data.dataset;
    if (d === 'mnist' || d === 'fashion-mnist') return this.deps.loadImages(d);
    const drawn = this.state.drawn;
    const points = Float32Array.from(drawn.flatMap((p) => [p.x, p.y]));
    const labels = Uint32Array.from(drawn, (p) => p.label);
    if (d === 'user') {
      const need = Math.ceil(config.training.batchSize / (1 - config.data.validation - config.data.test));
      if (drawn.length < need) throw new Error(`Click on the plane to draw at least ${need} points (${drawn.length} so far): with batch size ${config.training.batchSize}, fewer leave no full training batch.`);
      return { kind: 'points', points, labels, classes: config.data.classes };
    }
    const g = generatedData(config);
    if (g.kind !== 'points' || drawn.length === 0) return g;
    // Drawn points join the generated ones, all in the training split.
    return { ...g, points: Float32Array.from([...g.points, ...points]), labels: Uint32Array.from([...g.labels, ...labels]), extraTrain: drawn.length };
  }

  /** The run as it stands: settings, metrics, and the network's state where it can be resumed. */
  async snapshotRun(name: string): Promise<SavedRun> {
    // Views still being read (EDST swaps its members' checkpoints into the trainer to predict
    // with them) must finish first, or the step and state read here could be a member's.
    await this.inflight;
    const run = this.run;
    const saved: SavedRun = { format: RUN_FORMAT, version: RUN_VERSION, name, savedAt: new Date().toISOString(), config: this.state.config, step: run?.step ?? 0, history: this.state.run.history.rows };
    // The whole run's state, so every mode continues exactly (EDST's members, P&T's children too).
    if (run) saved.checkpoint = await run.driver.saveState();
    return saved;
  }

  /** Opens a saved run: its settings, its metrics, and its network when it was saved with one. */
  async openRun(saved: SavedRun): Promise<void> {
    this.state.setConfig(saved.config);
    await this.rebuild();
    const run = this.run;
    if (!run) return;
    const history = appendHistory(emptyHistory(), saved.history);
    if (saved.checkpoint) {
      const c = saved.checkpoint;
      if ('trainers' in c) await run.driver.loadState(c);
      else run.driver.live().restore(c); // saved by an earlier version: the first trainer only
      this.historyFromFile = false;
      this.tracker?.reset();
      this.state.setViews({ ensemble: null });
      this.state.updateRun({ step: run.step, history, status: run.step >= run.totalSteps ? 'done' : 'paused', message: `Opened "${saved.name}" at step ${saved.step}.`, ...this.densities() });
      await this.track(this.refreshViews(true));
      if (this.tracker) await this.track(this.tracker.refresh(true));
    } else {
      // A run file: the metrics are shown; training starts again from step 0 (and replaces them).
      this.historyFromFile = true;
      this.state.updateRun({ history, message: `Opened "${saved.name}": its settings and metrics. The file holds no weights, so Play trains again from step 0.` });
    }
  }

  /** The history on screen came from a run file: the first new step replaces it. */
  private historyFromFile = false;

  /** A run exists and is not being replaced or swept. */
  private get idle(): boolean {
    return this.run !== null && !this.running && !this.sweeping && this.state.run.status !== 'building';
  }

  play(): void {
    if (!this.idle || this.run!.step >= this.run!.totalSteps) return;
    this.clearFileHistory();
    const generation = this.generation;
    this.running = true;
    this.rate = { steps: 0, since: performance.now() };
    this.state.updateRun({ status: 'running', message: null });
    void this.loop(generation);
  }

  pause(): void {
    if (!this.running) return;
    this.running = false;
  }

  private clearFileHistory(): void {
    if (!this.historyFromFile) return;
    this.historyFromFile = false;
    this.state.updateRun({ history: emptyHistory(), message: null });
  }

  async step(): Promise<void> {
    if (!this.idle) return;
    const generation = this.generation;
    this.clearFileHistory();
    await this.track(this.trainChunk(1));
    if (generation !== this.generation) return;
    await this.track(this.publish(true));
    if (this.state.run.status === 'ready') this.state.updateRun({ status: 'paused' });
  }

  /** The global sparsity slider: new per-layer targets, reached exactly at the next mask update. */
  setSparsity(target: number): void {
    const run = this.run;
    if (!run || run.setup.mode === 'prune-and-tune' || run.setup.mode === 'edst') return;
    const t = run.driver.live();
    if (t.setup.method === 'dense' || t.setup.method === 'static') return;
    const layers = maskableLayers(t.layout);
    const { densities } = allocateDensities(layers, 1 - target, t.setup.densityRule);
    t.setLayerTargets(activeCounts(layers, densities));
  }

  /**
   * One layer's density, live (not part of the config, so not in the link: Reset returns to the
   * density rule). Reached exactly at the next mask update.
   */
  setLayerDensity(layer: number, density: number): void {
    const t = this.run?.driver.live();
    if (!t || t.setup.method === 'dense' || t.setup.method === 'static') return;
    t.setLayerTargets(t.layout.layers.map((_, i) => (i === layer ? t.targetForDensity(i, density) : t.activeCounts[i]!)));
    this.state.updateRun({ message: `Layer ${layer + 1} will move to ${(density * 100).toFixed(1)} % density at the next mask update (until you reset).` });
  }

  private async loop(generation: number): Promise<void> {
    const run = this.run!;
    while (this.running && generation === this.generation && run.step < run.totalSteps) {
      try {
        const rows = await this.track(this.trainChunk(this.state.speed));
        if (generation !== this.generation) return;
        if (rows.some((r) => r.loss.some((v) => !Number.isFinite(v)))) {
          this.running = false;
          const bad = rows.find((r) => r.loss.some((v) => !Number.isFinite(v)))!;
          await this.track(this.publish(true));
          this.state.updateRun({ status: 'diverged', message: `The loss became ${bad.loss.find((v) => !Number.isFinite(v))} at step ${bad.step + 1}: the weights blew up. Lower the learning rate, then reset.` });
          return;
        }
        await this.track(this.publish(false));
      } catch (e) {
        this.running = false;
        if (generation !== this.generation) return;
        this.state.updateRun({ status: 'lost', message: `Training stopped at step ${run.step}: ${e instanceof Error ? e.message : String(e)}. Your settings are kept; reset to start again.` });
        return;
      }
      await nextFrame();
    }
    if (generation !== this.generation) return;
    this.running = false;
    // Say so at once (the step is final); the evaluation and views follow.
    this.state.updateRun({ status: run.step >= run.totalSteps ? 'done' : 'paused', step: run.step });
    await this.track(this.publish(true));
  }

  private async trainChunk(count: number): Promise<StepMetrics[]> {
    const run = this.run!;
    const rows = await run.train(count);
    this.rate.steps += rows.length;
    const spe = this.state.run.stepsPerEpoch;
    const { overallDensity } = this.densities();
    const evalEvery = this.state.config.training.evalEvery;
    // Evaluate when the step count crosses a multiple of evalEvery, and at the end.
    if (rows.length > 0 && (Math.floor(run.step / evalEvery) > Math.floor((run.step - rows.length) / evalEvery) || run.step >= run.totalSteps)) await this.evaluate();
    for (const r of rows) {
      this.pending.push({ step: r.step, epoch: Math.floor(r.step / spe), loss: mean(r.loss), trainAccuracy: mean(r.accuracy), testAccuracy: this.test?.accuracy ?? null, testLoss: this.test?.loss ?? null, lr: r.lr, density: overallDensity, flopsRatio: r.flopsRatio, trainingFlops: r.trainingFlops, itop: this.itop });
    }
    const updates = rows.filter((r) => r.maskUpdate);
    if (updates.length > 0) {
      this.state.updateRun({ maskUpdates: this.state.run.maskUpdates + updates.length });
      this.maskDirty = updates.at(-1)!.step;
    }
    return rows;
  }

  private maskDirty: number | null = null;

  /** Test-set loss and accuracy (mean over the trained models) and the ITOP rate, now. */
  private async evaluate(): Promise<void> {
    const run = this.run!;
    const e = await run.driver.live().evaluate('test');
    this.test = { accuracy: mean(e.accuracy), loss: mean(e.loss), step: run.step };
    this.itop = mean(await run.driver.live().itopRates());
  }

  private densities(): { densities: number[]; overallDensity: number } {
    const d = this.run!.driver.live().densities();
    return { densities: d.layers, overallDensity: d.overall };
  }

  /** Pushes pending rows and (after a mask update or when forced) fresh views to the store. */
  private async publish(force: boolean): Promise<void> {
    const now = performance.now();
    if (!force && now - this.lastPublish < PUBLISH_MS) return;
    const run = this.run!;
    // A forced publish (pause, step, end) shows the test metrics of this very step.
    const evaluated = force && run.step > 0 && this.test?.step !== run.step;
    if (evaluated) await this.evaluate();
    const seconds = (now - this.rate.since) / 1000;
    const history = appendHistory(this.state.run.history, this.pending);
    const last = history.rows.at(-1);
    if (evaluated && last && last.step === run.step - 1) history.rows[history.rows.length - 1] = { ...last, testAccuracy: this.test!.accuracy, testLoss: this.test!.loss, itop: this.itop };
    this.pending = [];
    this.lastPublish = now;
    this.state.updateRun({ step: run.step, history, test: this.test, stepsPerSecond: seconds > 0.2 ? this.rate.steps / seconds : this.state.run.stepsPerSecond, ...this.densities() });
    if (force || this.maskDirty !== null || now - this.lastViews > 1000) await this.refreshViews(force);
    // Ensemble snapshots on the probe set: at most every 1.5 s while training, and at once in a new
    // phase; the test-set report on pause and at the end.
    if (this.tracker && (force || now - this.lastEnsemble > 1500 || this.tracker.phaseChanged())) {
      this.lastEnsemble = now;
      await this.tracker.refresh(force);
    }
  }

  private lastViews = 0;
  /** Set when the heatmap render pass failed on this device: later refreshes colour on the CPU. */
  private heatmapError: string | null = null;

  /** The render pass's heatmaps, or null (the CPU colours `cells`) once it has failed, said once. */
  private async renderHeatmaps(t: Trainer): Promise<Uint8ClampedArray[] | null> {
    if (this.heatmapError !== null) return null;
    try {
      return await t.renderMaskImages(CELL_COLORS);
    } catch (e) {
      this.heatmapError = e instanceof Error ? e.message : String(e);
      console.warn(`Mask heatmaps: the WebGPU render pass failed (${this.heatmapError}); colouring them on the CPU from now on.`);
      return null;
    }
  }

  private async refreshViews(includeSlow: boolean): Promise<void> {
    const run = this.run;
    const plan = this.plan;
    const data = this.data;
    if (!run || !plan || !data) return;
    this.lastViews = performance.now();
    const t = run.driver.live();
    // The heatmaps' pixels come from a render pass on the same buffers, queued with the reads.
    const [mask, weights, fired, events, maskImages] = await Promise.all([t.readMask(), t.readWeights(), t.readFired(), t.readEvents(), this.renderHeatmaps(t)]);
    const s = t.setup;
    const sparse = s.method === 'set' || s.method === 'rigl';
    const masks = maskViews(t.layout, mask, weights, fired, events, sparse ? dropFraction(s.schedule, run.step) : null);
    const counts = masks.reduce((a, m) => ({ grown: a.grown + m.counts.grown, pruned: a.pruned + m.counts.pruned }), { grown: 0, pruned: 0 });
    const timeline = this.state.views.maskTimeline;
    const after = this.maskDirty;
    if (after !== null) this.state.updateRun({ lastUpdate: { step: after, ...counts } });
    this.maskDirty = null;
    // A timeline entry per update (and one at the start), at most MAX_TIMELINE, thinning the oldest half.
    let next = timeline;
    if (after !== null || timeline.length === 0 || run.step === 0) {
      const entry = { step: after === null ? run.step : after + 1, masks };
      next = run.step === 0 ? [entry] : [...timeline, entry];
      if (next.length > MAX_TIMELINE) next = [...next.slice(0, MAX_TIMELINE / 2).filter((_, i) => i % 2 === 0), ...next.slice(MAX_TIMELINE / 2)];
    }
    this.state.setViews({ masks, maskImages, maskTimeline: next });
    if (plan.grid && data.kind === 'points') {
      const logits = (await t.predictLogits('grid'))[0]!;
      const test = new Set(Array.from(s.evalIdx));
      const shown = Uint32Array.from([...s.trainIdx, ...s.evalIdx]);
      this.state.setViews({ boundary: boundaryView(plan.grid, t.classes, logits, data.points, data.labels, test, shown) });
    } else if (data.kind === 'images' && includeSlow) {
      const logits = (await t.predictLogits('test'))[0]!;
      const classes = t.classes;
      const { predicted } = boundaryCells(logits, classes); // argmax per test image
      const labels = Uint8Array.from(s.evalIdx, (i) => data.labels[i]!);
      // 48 test images spread over the split (it is ordered by class), always the same ones.
      const shown = Math.min(48, s.evalIdx.length);
      const pick = Array.from({ length: shown }, (_, k) => Math.floor((k * s.evalIdx.length) / shown));
      const px = data.width * data.height;
      const images = new Uint8Array(shown * px);
      pick.forEach((j, k) => images.set(data.images.subarray(s.evalIdx[j]! * px, (s.evalIdx[j]! + 1) * px), k * px));
      const confusion = confusionMatrix(predicted, labels, classes);
      this.state.setViews({ predictions: { images, width: data.width, height: data.height, labels: Uint8Array.from(pick, (j) => labels[j]!), predicted: Uint8Array.from(pick, (j) => predicted[j]!), classNames: Array.from({ length: classes }, (_, c) => String(c)), confusion } });
    }
  }

  /**
   * The first model's masks, last-update events and ITOP record, read from the GPU now: lets the
   * end-to-end tests check the mask view's pixels against the GPU's own buffers.
   */
  async gpuMasks(): Promise<{ name: string; rows: number; cols: number; mask: number[]; events: number[]; fired: number[] }[]> {
    const t = this.run?.driver.live();
    if (!t) return [];
    const [mask, fired, events] = await Promise.all([t.readMask(), t.readFired(), t.readEvents()]);
    return t.layout.layers.map((l, i) => {
      const seg = (a: ArrayLike<number>, from: number) => Array.from({ length: l.numel }, (_, k) => a[from + k]!);
      return { name: `${l.spec.kind}${i + 1}`, rows: l.outChannels, cols: l.numel / l.outChannels, mask: seg(mask, l.weight.offset), events: seg(events[i]!, 0), fired: seg(fired, l.weight.offset) };
    });
  }

  private sweeping = false;
  private sweepCancelled = false;

  /**
   * A sparsity sweep: trains each point's config to the end as a run of its own (the playground's
   * run is paused and kept) and records its final test accuracy. Cancel stops after the current
   * chunk of steps.
   */
  async sweep(points: SweepPoint[]): Promise<void> {
    if (this.sweeping) return;
    this.pause();
    this.sweeping = true;
    this.sweepCancelled = false;
    const results: SweepResult[] = [];
    const show = (running: boolean, message: string | null) => this.state.setViews({ sweep: { results: [...results], total: points.length, running, message } });
    try {
      await this.inflight;
      for (const [i, p] of points.entries()) {
        if (this.sweepCancelled) break;
        const label = `${p.method.toUpperCase()} at ${(p.sparsity * 100).toFixed(0)} %`;
        show(true, `Training ${label} (run ${i + 1} of ${points.length})…`);
        const data = await this.loadData(p.config);
        const { setup, run } = ensembleSetupFromConfig(p.config, data);
        const ensemble = await EnsembleRun.create(this.deps.cache, setup);
        try {
          await prepareEnsembleRun(ensemble, run);
          while (ensemble.step < ensemble.totalSteps && !this.sweepCancelled) {
            await ensemble.train(this.state.config.training.stepsPerSubmit * 4);
            await nextFrame();
          }
          if (this.sweepCancelled) break;
          const e = await ensemble.driver.live().evaluate('test');
          results.push({ method: p.method, sparsity: p.sparsity, accuracy: e.accuracy[0]! });
        } finally {
          ensemble.destroy();
        }
      }
      show(false, this.sweepCancelled ? `Sweep cancelled after ${results.length} of ${points.length} runs.` : `Sweep done: ${results.length} runs.`);
    } catch (e) {
      show(false, `The sweep stopped: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.sweeping = false;
    }
  }

  cancelSweep(): void {
    this.sweepCancelled = true;
  }

  destroy(): void {
    this.generation++;
    this.running = false;
    this.run?.destroy();
    this.run = null;
  }
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => resolve()) : setTimeout(resolve, 0)));
}
