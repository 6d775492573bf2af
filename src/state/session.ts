// The training session of the playground: builds an EnsembleRun from the store's config, trains
// it with the engine's one run loop (src/engine/run-loop.ts: a chunk sized by time, chunk-pacer.ts,
// then a browser frame) and hands every chunk to the run's publisher (run-publisher.ts), which shows
// progress, metrics and views at most 10 times a second. A generation counter makes anything of
// a replaced run stop at its next check (TF Playground's Player pattern). No GPU import: the
// pipeline cache and the heatmap renderer come in from main.tsx.
import { stepsPerEpoch as configStepsPerEpoch, type ExperimentConfig } from '../config';
import { RunLoop, firstNonFinite, stopMessage, type RunStop } from '../engine';
import { DEFAULT_MEMORY_BUDGET, runFigures, runMemory, type EnsembleRun } from '../ensemble';
import type { SweepPoint } from './compare';
import { EnsembleTracker } from './ensemble-tracker';
import { appendHistory, emptyHistory } from './history';
import { ChunkPacer } from './chunk-pacer';
import { RunPublisher, type HeatmapRenderer } from './run-publisher';
import { RUN_FORMAT, RUN_VERSION, RunRefusedError, savedRunProblems, type SavedRun } from './saved-run';
import { buildEnsemble, prepareSettings, trackedRun, type PreparedSettings, type RunCache } from './session-build';
import { SessionData, type ImageLoader } from './session-data';
import { liveLayerDensity, liveSparsity } from './live-edits';
import type { AppStore, RunView } from './store';
import { Sweeper } from './sweep-run';
import { gpuMasksOf, type GpuMasks } from './views';

export interface SessionDeps {
  cache: RunCache;
  /** Loads MNIST or Fashion-MNIST (public/data, built by npm run data). */
  loadImages: ImageLoader;
  /**
   * Draws member 0's mask heatmaps on the GPU (src/viz, handed in by main.tsx: state never imports
   * viz). Absent, or once it has failed on a device, the views colour the cells on the CPU.
   */
  renderHeatmaps?: HeatmapRenderer;
  /** Settles when the device is lost: a readback its loss aborted may fail before the loss is reported. */
  deviceLost?: Promise<unknown>;
}

/** A built run: the ensemble, its loop and its publisher, and the config it was built from. */
interface Built {
  run: EnsembleRun;
  loop: RunLoop;
  pub: RunPublisher;
  config: ExperimentConfig;
  /** A live edit (slider, layer density) changed the run since it was built. */
  edited: boolean;
}

/** A run in these states is on screen, and stays there when new settings are refused. */
const KEEPABLE: readonly RunView['status'][] = ['ready', 'running', 'paused', 'done', 'diverged'];

export class TrainingSession {
  private built: Built | null = null;
  private readonly data: SessionData;
  private generation = 0;
  private buildAbort: AbortController | null = null;
  /** The settings of the last run that was built (Cancel goes back to them). */
  private lastBuilt: ExperimentConfig | null = null;
  private running = false;
  /** Counts train() calls: only the latest one may still set the status after an await. */
  private trains = 0;
  /** GPU work of the current run still in flight (training chunks, readbacks for the views). */
  private inflight: Promise<unknown> = Promise.resolve();
  /** The history on screen came from a run file: the first new step replaces it. */
  private historyFromFile = false;
  private readonly sweeper: Sweeper;
  /** Chunk sizes by time (chunk-pacer.ts), capped by the speed slider. */
  private pacer = new ChunkPacer();

  constructor(
    private readonly store: AppStore,
    private readonly deps: SessionDeps,
  ) {
    this.data = new SessionData(store, deps.loadImages);
    this.sweeper = new Sweeper({ cache: deps.cache, loadData: (c) => this.data.load(c), chunk: () => this.state.config.training.stepsPerSubmit * 4, show: (v) => this.state.setViews({ sweep: v }) });
  }

  private get state() {
    return this.store.getState();
  }

  /** Records `p` as in flight: a rebuild waits for it before destroying the run's buffers. */
  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight = Promise.all([this.inflight, p.catch(() => undefined)]);
    return p;
  }

  /** Builds a fresh run from the store's config (training starts paused at step 0). */
  async rebuild(): Promise<void> {
    const generation = ++this.generation;
    // A build still preparing (SynFlow in its worker) stops now.
    this.buildAbort?.abort();
    const abort = (this.buildAbort = new AbortController());
    const previous = this.built;
    const previousStatus = this.state.run.status;
    this.running = false;
    this.built?.loop.cancel();
    this.historyFromFile = false;
    // Building from now on, synchronously: Play and Step must not start the old run while its
    // queued readbacks (a final evaluation can take seconds) finish below.
    this.state.updateRun({ status: 'building', message: 'Preparing data and the network…' });
    // Let readbacks already queued on the old run finish before its buffers go.
    await this.inflight;
    if (generation !== this.generation) return;
    // A run that cannot stay on screen (lost device, GPU error) goes at once, as before the
    // pre-flight moved ahead: nothing may read from it while the new settings are checked.
    if (previous && !KEEPABLE.includes(previousStatus)) {
      this.built?.run.destroy();
      this.built = null;
    }
    const config = this.state.config;
    // Checked before the run on screen goes: settings that cannot be built here (data that does
    // not load, a model over the GPU's limits or the memory budget) are refused, and the run on
    // screen, its settings and its link stay as they were.
    let prepared: PreparedSettings;
    try {
      prepared = await prepareSettings(config, this.data, this.state.gpu);
    } catch (e) {
      if (generation !== this.generation) return;
      const why = (e instanceof Error ? e.message : String(e)).replace(/([^.])$/, '$1.');
      if (previous && this.built === previous) {
        this.state.setConfig(previous.config);
        this.state.updateRun({ status: previousStatus === 'running' ? 'paused' : previousStatus, message: `These settings were not applied: ${why} The run on screen is unchanged.` });
        return;
      }
      this.built?.run.destroy();
      this.built = null;
      this.state.updateRun({ ...freshRun(), status: 'error', message: why });
      return;
    }
    this.built?.run.destroy();
    this.built = null;
    this.state.setViews({ timeline: null, ensemble: null });
    this.state.updateRun({ ...freshRun(), status: 'building', message: 'Preparing data and the network…', memory: { bytes: runMemory(prepared.setup), budget: DEFAULT_MEMORY_BUDGET } });
    try {
      const { data, run: plan } = prepared;
      const current = () => generation === this.generation;
      const ensemble = await buildEnsemble(this.deps.cache, prepared, current, (message) => this.state.updateRun({ message }), abort.signal);
      if (!ensemble) return;
      const tracker = new EnsembleTracker(this.store, ensemble, plan, data);
      const pub = new RunPublisher(this.store, ensemble, plan, data, tracker, this.deps.renderHeatmaps);
      this.built = { run: ensemble, loop: new RunLoop(trackedRun(ensemble, (p) => this.track(p), (steps, ms) => this.pacer.record(steps, ms))), pub, config, edited: false };
      this.pacer = new ChunkPacer(); // a new network: its speed is measured afresh
      const t = ensemble.driver.live();
      this.state.updateRun({ totalSteps: ensemble.totalSteps, stepsPerEpoch: configStepsPerEpoch(config) ?? 1, layerNames: t.layout.layers.map((l) => l.name), storages: t.net.storages.map((st) => st.kind), fused: t.net.fused !== null, fusedRefusal: t.fusedRefusal, ...pub.densities() });
      await this.track(pub.refreshViews(true));
      await this.track(tracker.refresh(false));
      if (generation !== this.generation) return;
      this.lastBuilt = config; // ready once the views show the new network
      this.state.updateRun({ status: 'ready', message: null });
    } catch (e) {
      if (generation !== this.generation) return;
      this.state.updateRun({ status: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * Stops a build in progress (SynFlow's rounds and a lottery ticket's search can take minutes):
   * back to the settings of the last run built, which is built again; when those are the
   * settings being built (a Reset), the build just stops and says so.
   */
  cancelBuild(): void {
    if (this.state.run.status !== 'building') return;
    const back = this.lastBuilt;
    if (back !== null && back !== this.state.config) {
      this.state.setConfig(back);
      void this.rebuild().then(() => this.state.run.status === 'ready' && this.state.updateRun({ message: 'Building was cancelled: these are the settings of the last run.' }));
      return;
    }
    this.generation++; // the build stops at its next check or progress report
    this.buildAbort?.abort(); // SynFlow's worker at once
    this.state.updateRun({ status: 'error', message: 'Building was cancelled. Change the settings, or press Reset to build again.' });
  }

  /** The run as it stands: settings, metrics, and the network's state where it can be resumed. */
  async snapshotRun(name: string): Promise<SavedRun> {
    // Views still being read (EDST swaps its members' checkpoints into the trainer to predict
    // with them) must finish first, or the step and state read here could be a member's.
    await this.inflight;
    const run = this.built?.run;
    const saved: SavedRun = { format: RUN_FORMAT, version: RUN_VERSION, name, savedAt: new Date().toISOString(), config: this.state.config, step: run?.step ?? 0, history: this.state.run.history.rows };
    // The whole run's state, so every mode continues exactly (EDST's members, P&T's children too).
    if (run) saved.checkpoint = await run.driver.saveState();
    return saved;
  }

  /** Opens a saved run: its settings, its metrics, and its network when it was saved with one. */
  async openRun(saved: SavedRun): Promise<void> {
    // Everything is checked before the run on screen is touched: a refused run loses nothing.
    let problems: string[];
    try {
      problems = savedRunProblems(saved, await this.data.load(saved.config));
    } catch (e) {
      problems = [`its settings cannot be built here: ${e instanceof Error ? e.message : String(e)}`];
    }
    if (problems.length > 0) throw new RunRefusedError(saved.name, problems);
    this.state.setConfig(saved.config);
    await this.rebuild();
    const built = this.built;
    if (!built) return;
    const { run, pub } = built;
    const history = appendHistory(emptyHistory(), saved.history);
    if (saved.checkpoint) {
      const c = saved.checkpoint;
      pub.losses = null; // the steps before the save were not trained here
      if ('trainers' in c) await run.driver.loadState(c);
      else run.driver.live().restore(c); // saved by an earlier version: the first trainer only
      this.historyFromFile = false;
      pub.tracker.reset();
      this.state.setViews({ ensemble: null });
      this.state.updateRun({ step: run.step, history, status: run.step >= run.totalSteps ? 'done' : 'paused', message: `Opened "${saved.name}" at step ${saved.step}.`, ...pub.densities() });
      await this.track(pub.refreshViews(true));
      await this.track(pub.tracker.refresh(true));
    } else {
      // A run file: the metrics are shown; training starts again from step 0 (and replaces them).
      this.historyFromFile = true;
      this.state.updateRun({ history, message: `Opened "${saved.name}": its settings and metrics. The file holds no weights, so Play trains again from step 0.` });
    }
  }

  /** A run exists and is not being replaced or swept, nor stopped by a GPU error or a lost device. */
  private get idle(): boolean {
    const status = this.state.run.status;
    return this.built !== null && !this.running && !this.sweeper.running && status !== 'building' && status !== 'error' && status !== 'lost';
  }

  /**
   * The GPU rejected some of this run's work (a validation or out-of-memory error): nothing it
   * computes from here on can be trusted, so the run stops at once, says so, and refuses to train
   * until it is rebuilt. Results are not published after this point.
   */
  gpuFailed(message: string): void {
    this.stopForGpu('error', (step) => `The GPU rejected this run's work at step ${step} (${message}), so it was stopped: its results from here on would be wrong. Change the settings (a smaller batch or model) and reset.`);
  }

  /**
   * The device is gone (a driver reset): said at once, not when the loop notices, since GPU work in
   * flight at the loss need not ever settle; at the step on screen, the last whose results were read.
   */
  deviceLost(message: string): void {
    this.stopForGpu('lost', () => stopMessage({ kind: 'lost', step: this.state.run.step, error: message }));
  }

  private stopForGpu(status: 'error' | 'lost', message: (step: number) => string): void {
    this.sweeper.cancel();
    if (!this.built || this.state.run.status === 'error' || this.state.run.status === 'lost') return;
    this.running = false;
    this.generation++; // any in-flight publish stops at its generation check
    this.built.loop.cancel();
    this.state.updateRun({ status, message: message(this.built.run.step) });
  }

  play(): void {
    if (!this.idle || this.built!.run.step >= this.built!.run.totalSteps) return;
    this.clearFileHistory();
    this.built!.pub.startRate();
    this.state.updateRun({ status: 'running', message: null });
    const run = this.built!.run;
    void this.train((step) => this.pacer.size(this.state.speed, run.phaseAt(step).endStep - step), false);
  }

  /** One step, through the same loop (a non-finite loss or a lost GPU is reported the same way). */
  async step(): Promise<void> {
    if (!this.idle) return;
    this.clearFileHistory();
    await this.train(() => 1, true);
  }

  pause(): void {
    if (!this.running) return;
    this.running = false;
    this.built?.loop.pause();
  }

  /** Runs the loop on the built run until it stops (`once`: after one chunk), then says why. */
  private async train(chunk: (step: number) => number, once: boolean): Promise<void> {
    const built = this.built!;
    const { run, pub } = built;
    const generation = this.generation;
    // A status set after an await must not overwrite a newer train's: a Play pressed as soon as a
    // Step's counter moved would otherwise show "paused" over a running loop.
    const token = ++this.trains;
    const latest = () => token === this.trains;
    this.running = true;
    let stop: RunStop;
    try {
      stop = await built.loop.run({
        chunkSize: chunk,
        afterChunk: async (rows) => {
          await this.track(pub.afterChunk(rows));
          if (once) return 'stop';
          if (!firstNonFinite(rows) && generation === this.generation) await this.track(pub.publish(false));
        },
        yield: nextFrame,
      });
    } catch (e) {
      // A view's or evaluation's readback failed: said already after a GPU failure (the generation
      // moved on), or the device's loss aborted it and is reported within moments (the run is then
      // 'lost' at the step on screen); otherwise it stops with the reason, not as a rejection.
      await this.lossReported();
      if (generation !== this.generation) return;
      this.running = false;
      if (latest()) this.state.updateRun({ status: 'error', message: `Training stopped after step ${run.step}: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (stop.kind === 'lost') await this.lossReported();
    if (generation !== this.generation || stop.kind === 'cancelled') return;
    this.running = false;
    if (stop.kind === 'diverged' || stop.kind === 'lost') {
      if (stop.kind === 'diverged') await this.track(pub.publish(true));
      if (latest()) this.state.updateRun({ status: stop.kind, message: stopMessage(stop) });
      return;
    }
    const status = stop.kind === 'done' ? 'done' : 'paused';
    if (once) {
      // Step: the counter, the metrics and the views move together (a test reads them at once).
      await this.track(pub.publish(true));
      if (latest()) this.state.updateRun({ status });
    } else {
      // Say so at once (the step is final); the evaluation and views follow.
      this.state.updateRun({ status, step: run.step });
      await this.track(pub.publish(true));
    }
    if (stop.kind === 'done' && generation === this.generation) await this.track(this.recordFinished(built));
  }

  /** Until the device's loss is reported, or a second if it is not (a readback failed for another reason). */
  private async lossReported(): Promise<void> {
    if (this.deps.deviceLost) await Promise.race([this.deps.deviceLost, new Promise((r) => setTimeout(r, 1000))]);
  }

  /** A run trained to its end here: its figures join the tab's finished runs (lessons compare them). */
  private async recordFinished(built: Built): Promise<void> {
    // Only runs whose every step was trained here from an unedited config: their figures are the config's.
    const losses = built.pub.losses;
    if (losses === null || losses.length !== built.run.step || built.edited) return;
    const figures = await runFigures(built.run, losses);
    this.state.addFinished({ config: built.config, figures, rows: this.state.run.history.rows });
  }

  private clearFileHistory(): void {
    if (!this.historyFromFile) return;
    this.historyFromFile = false;
    this.state.updateRun({ history: emptyHistory(), message: null });
  }

  /** The global sparsity slider on a dynamic run (live-edits.ts); false where the caller must rebuild instead. */
  setSparsity(target: number): boolean {
    const built = this.built;
    if (!built || !liveSparsity(built.run, this.state.config, target)) return false;
    built.edited = true;
    return true;
  }

  /** One layer's density, live (live-edits.ts): not in the link, so Reset returns to the density rule. */
  setLayerDensity(layer: number, density: number): void {
    const message = this.built ? liveLayerDensity(this.built.run, layer, density) : null;
    if (message === null) return;
    this.built!.edited = true;
    this.state.updateRun({ message });
  }

  /** The first model's masks, events and ITOP record, from the GPU now (the e2e tests' view check). */
  async gpuMasks(): Promise<GpuMasks> {
    const t = this.built?.run.driver.live();
    return t ? gpuMasksOf(t) : [];
  }

  /**
   * A sparsity sweep: each point trained to the end as a run of its own (sweep-run.ts) while the
   * playground's run waits, paused; cancel stops after the current chunk of steps.
   */
  async sweep(points: SweepPoint[]): Promise<void> {
    if (this.sweeper.running) return;
    this.pause();
    await this.sweeper.start(points, () => this.inflight);
  }

  cancelSweep(): void {
    this.sweeper.cancel();
  }

  destroy(): void {
    this.generation++;
    this.running = false;
    this.built?.loop.cancel();
    this.built?.run.destroy();
    this.built = null;
  }
}

/** The run view of a run not trained yet. */
const freshRun = (): Partial<RunView> => ({ step: 0, history: emptyHistory(), test: null, maskUpdates: 0, lastUpdate: null, stepsPerSecond: null });

function nextFrame(): Promise<void> {
  return new Promise((resolve) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => resolve()) : setTimeout(resolve, 0)));
}
