// The training session of the playground: builds an EnsembleRun from the store's config, trains
// it outside React (a chunk of `speed` steps, then yield to the browser), and publishes progress,
// metrics and views to the store at most 10 times a second. A generation counter makes a stale
// loop stop after a rebuild (TF Playground's Player pattern). No GPU import: the pipeline cache
// comes in from main.tsx.
import { stepsPerEpoch as configStepsPerEpoch, type ExperimentConfig } from '../config';
import { generatedData, maskableLayers, type ConfigRun, type DatasetInput, type StepMetrics, type Trainer } from '../engine';
import { EnsembleRun, driverStateProblems, ensembleSetupFromConfig, preflight, prepareEnsembleRun, runFigures, trainerSetups } from '../ensemble';
import { activeCounts, allocateDensities, dropFraction } from '../sparsity';
import type { SweepPoint } from './compare';
import { EnsembleTracker } from './ensemble-tracker';
import { appendHistory, emptyHistory, type HistoryRow } from './history';
import { RUN_FORMAT, RUN_VERSION, RunRefusedError, type SavedRun } from './saved-run';
import { CELL_COLORS, type AppStore, type RunView } from './store';
import { runSweep } from './sweep-run';
import { boundaryView, gpuMasksOf, maskViews, predictionsView, type GpuMasks } from './views';

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
  private readonly images = new Map<string, Promise<DatasetInput>>();
  private generation = 0;
  private running = false;
  private pending: HistoryRow[] = [];
  /** Mean training loss of every step of this run trained in this tab (null once unknown: reopened). */
  private losses: number[] | null = [];
  /** The config this run was built from, and whether a live edit (slider, layer density) changed it since. */
  private built: { config: ExperimentConfig; edited: boolean } | null = null;
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
  /** Milliseconds the last ensemble snapshot took. */
  private ensembleCost = 0;

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
      const tooBig = limits ? preflight(setup, { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? Infinity, maxBufferSize: limits.maxBufferSize ?? Infinity, maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension ?? Infinity }) : null;
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
      this.losses = [];
      this.built = { config, edited: false };
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
    if (d === 'mnist' || d === 'fashion-mnist') {
      // Loaded (and its checksum verified) once per tab: opening a run checks it, then builds on it.
      const cached = this.images.get(d) ?? this.deps.loadImages(d);
      this.images.set(d, cached);
      cached.catch(() => this.images.delete(d));
      return cached;
    }
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
    // Everything is checked before the run on screen is touched: a refused run loses nothing.
    const problems = await this.savedRunProblems(saved);
    if (problems.length > 0) throw new RunRefusedError(saved.name, problems);
    this.state.setConfig(saved.config);
    await this.rebuild();
    const run = this.run;
    if (!run) return;
    const history = appendHistory(emptyHistory(), saved.history);
    if (saved.checkpoint) {
      const c = saved.checkpoint;
      this.losses = null; // the steps before the save were not trained here
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

  /** What keeps `saved` from opening: its steps outside the run its config builds, a damaged network state. */
  private async savedRunProblems(saved: SavedRun): Promise<string[]> {
    try {
      const { setup } = ensembleSetupFromConfig(saved.config, await this.loadData(saved.config));
      const total = trainerSetups(setup).reduce((a, t) => a + t.setup.totalSteps, 0);
      if (saved.step > total) return [`it is at step ${saved.step}, but its settings train ${total} steps`];
      return saved.checkpoint === undefined ? [] : driverStateProblems(saved.checkpoint, setup, saved.step);
    } catch (e) {
      return [`its settings cannot be built here: ${e instanceof Error ? e.message : String(e)}`];
    }
  }

  /** The history on screen came from a run file: the first new step replaces it. */
  private historyFromFile = false;

  /** A run exists and is not being replaced or swept, nor stopped by a GPU error. */
  private get idle(): boolean {
    const status = this.state.run.status;
    return this.run !== null && !this.running && !this.sweeping && status !== 'building' && status !== 'error';
  }

  /**
   * The GPU rejected some of this run's work (a validation or out-of-memory error): nothing it
   * computes from here on can be trusted, so the run stops at once, says so, and refuses to train
   * until it is rebuilt. Results are not published after this point.
   */
  gpuFailed(message: string): void {
    if (!this.run || this.state.run.status === 'error') return;
    this.running = false;
    this.generation++; // the loop and any in-flight publish stop at their generation check
    this.state.updateRun({ status: 'error', message: `The GPU rejected this run's work at step ${this.run.step} (${message}), so it was stopped: its results from here on would be wrong. Change the settings (a smaller batch or model) and reset.` });
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
    if (this.built) this.built.edited = true;
  }

  /**
   * One layer's density, live (not part of the config, so not in the link: Reset returns to the
   * density rule). Reached exactly at the next mask update.
   */
  setLayerDensity(layer: number, density: number): void {
    const t = this.run?.driver.live();
    if (!t || t.setup.method === 'dense' || t.setup.method === 'static') return;
    t.setLayerTargets(t.layout.layers.map((_, i) => (i === layer ? t.targetForDensity(i, density) : t.activeCounts[i]!)));
    if (this.built) this.built.edited = true;
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
    if (run.step >= run.totalSteps && generation === this.generation) await this.track(this.recordFinished(run));
  }

  /** A run trained to its end here: its figures join the tab's finished runs (lessons compare them). */
  private async recordFinished(run: EnsembleRun): Promise<void> {
    // Only runs whose every step was trained here from an unedited config: their figures are the config's.
    if (this.losses === null || this.losses.length !== run.step || !this.built || this.built.edited) return;
    const figures = await runFigures(run, this.losses);
    this.state.addFinished({ config: this.built.config, figures, rows: this.state.run.history.rows });
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
      this.losses?.push(mean(r.loss));
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
    // Ensemble snapshots on the probe set: while training at most every 1.5 s (more apart when they
    // are slow), and at once in a new phase; the test-set report on pause and at the end.
    // Each snapshot costs what it costs (EDST swaps every member in and out): they are spaced so
    // that they take at most a fifth of the time.
    if (this.tracker && (force || now - this.lastEnsemble > Math.max(1500, 4 * this.ensembleCost) || this.tracker.phaseChanged())) {
      this.lastEnsemble = now;
      await this.tracker.refresh(force);
      this.ensembleCost = performance.now() - now;
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
      this.state.setViews({ predictions: predictionsView(t.classes, (await t.predictLogits('test'))[0]!, s.evalIdx, data) });
    }
  }

  /** The first model's masks, events and ITOP record, from the GPU now (the e2e tests' view check). */
  async gpuMasks(): Promise<GpuMasks> {
    const t = this.run?.driver.live();
    return t ? gpuMasksOf(t) : [];
  }

  private sweeping = false;
  private sweepCancelled = false;

  /**
   * A sparsity sweep: each point trained to the end as a run of its own (sweep-run.ts) while the
   * playground's run waits, paused; cancel stops after the current chunk of steps.
   */
  async sweep(points: SweepPoint[]): Promise<void> {
    if (this.sweeping) return;
    this.pause();
    this.sweeping = true;
    this.sweepCancelled = false;
    try {
      await this.inflight;
      await runSweep(points, { cache: this.deps.cache, loadData: (c) => this.loadData(c), chunk: () => this.state.config.training.stepsPerSubmit * 4, cancelled: () => this.sweepCancelled, show: (v) => this.state.setViews({ sweep: v }) });
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
