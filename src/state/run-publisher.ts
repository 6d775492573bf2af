// What the page shows of one run while it trains. The session's run loop (src/engine/run-loop.ts)
// hands every chunk it trains to a RunPublisher, which keeps the bookkeeping (history rows, the
// test evaluation every evalEvery steps, mask-update marks, the speed) and publishes it to the
// store at most 10 times a second; the views (mask heatmaps, decision boundary, predictions) and
// the ensemble snapshots follow at their own, slower pace. One publisher per built run.
import { viewBlock, type ConfigRun, type DatasetInput, type MaskBuffers, type StepMetrics } from '../engine';
import type { EnsembleRun } from '../ensemble';
import { dropFraction } from '../sparsity';
import type { EnsembleTracker } from './ensemble-tracker';
import { appendHistory, type HistoryRow } from './history';
import type { AppStore, RunView } from './store';
import { boundaryView, maskViews, predictionsView } from './views';

const PUBLISH_MS = 100;
const VIEWS_AFTER_UPDATE_MS = 300;
const BOUNDARY_MS = 1000;
const MAX_TIMELINE = 64;
const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

/** Draws member 0's mask heatmaps on the GPU (src/viz, handed in by main.tsx). */
export type HeatmapRenderer = (buffers: MaskBuffers) => Promise<Uint8ClampedArray[]>;

export class RunPublisher {
  private pending: HistoryRow[] = [];
  /** Mean training loss of every step of this run trained in this tab (null once unknown: reopened). */
  losses: number[] | null = [];
  private rate = { steps: 0, since: 0 };
  private test: RunView['test'] = null;
  private itop: number | null = null;
  /** The step of the last mask update not yet shown by the views. */
  private maskDirty: number | null = null;
  private lastPublish = 0;
  private lastViews = 0;
  private lastBoundary = -Infinity;
  private lastEnsemble = 0;
  /** Milliseconds the last ensemble snapshot took. */
  private ensembleCost = 0;
  /** Set when the heatmap render pass failed on this device: later refreshes colour on the CPU. */
  private heatmapError: string | null = null;

  constructor(
    private readonly store: AppStore,
    readonly run: EnsembleRun,
    private readonly plan: ConfigRun,
    private readonly data: DatasetInput,
    readonly tracker: EnsembleTracker,
    private readonly renderHeatmaps?: HeatmapRenderer,
  ) {}

  private get state() {
    return this.store.getState();
  }

  /** Restarts the steps-per-second count (a new Play). */
  startRate(): void {
    this.rate = { steps: 0, since: performance.now() };
  }

  /** Books a chunk the loop trained: history rows, a test evaluation at each evalEvery boundary, mask updates. */
  async afterChunk(rows: readonly StepMetrics[]): Promise<void> {
    const run = this.run;
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
  }

  /** Test-set loss and accuracy (mean over the trained models) and the ITOP rate, now. */
  private async evaluate(): Promise<void> {
    const t = this.run.driver.live();
    const e = await t.evaluate('test');
    this.test = { accuracy: mean(e.accuracy), loss: mean(e.loss), step: this.run.step };
    this.itop = mean(await t.itopRates());
  }

  densities(): { densities: number[]; overallDensity: number } {
    const d = this.run.driver.live().densities();
    return { densities: d.layers, overallDensity: d.overall };
  }

  /** Pushes pending rows and (after a mask update, once a second, or when forced) fresh views to the store. */
  async publish(force: boolean): Promise<void> {
    const now = performance.now();
    if (!force && now - this.lastPublish < PUBLISH_MS) return;
    const run = this.run;
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
    // The views (readbacks, heatmaps, the boundary's grid) cost far more than a publish: while
    // training, at most ~3 a second after mask updates and one a second otherwise.
    if (force || (this.maskDirty !== null && now - this.lastViews > VIEWS_AFTER_UPDATE_MS) || now - this.lastViews > 1000) await this.refreshViews(force);
    // Ensemble snapshots on the probe set: while training at most every 1.5 s (more apart when they
    // are slow), and at once in a new phase; the test-set report on pause and at the end.
    // Each snapshot costs what it costs (EDST swaps every member in and out): they are spaced so
    // that they take at most a fifth of the time.
    if (force || now - this.lastEnsemble > Math.max(1500, 4 * this.ensembleCost) || this.tracker.phaseChanged()) {
      this.lastEnsemble = now;
      await this.tracker.refresh(force);
      this.ensembleCost = performance.now() - now;
    }
  }

  /** The render pass's heatmaps, or null (the CPU colours `cells`) once it has failed, said once. */
  private async heatmaps(): Promise<Uint8ClampedArray[] | null> {
    if (!this.renderHeatmaps || this.heatmapError !== null) return null;
    try {
      return await this.renderHeatmaps(this.run.driver.live().maskBuffers());
    } catch (e) {
      this.heatmapError = e instanceof Error ? e.message : String(e);
      console.warn(`Mask heatmaps: the WebGPU render pass failed (${this.heatmapError}); colouring them on the CPU from now on.`);
      return null;
    }
  }

  /** Mask views (with a timeline entry per update), the decision boundary or, when `includeSlow`, the image predictions. */
  async refreshViews(includeSlow: boolean): Promise<void> {
    const { run, plan, data } = this;
    this.lastViews = performance.now();
    const t = run.driver.live();
    // The heatmaps' pixels come from a render pass on the same buffers, queued with the reads.
    const [mask, weights, fired, events, maskImages] = await Promise.all([t.readMask(), t.readWeights(), t.readFired(), t.readEvents(), this.heatmaps()]);
    const s = t.setup;
    const sparse = s.method === 'set' || s.method === 'rigl';
    const blocks = t.maskBuffers().layers.map((l) => viewBlock(l));
    const masks = maskViews(t.layout, mask, weights, fired, events, sparse ? dropFraction(s.schedule, run.step) : null, blocks);
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
    // The boundary predicts every grid point (48² of them, one forward pass per batch): the
    // costliest view, so while training it follows at most once a second.
    const now = performance.now();
    if (plan.grid && data.kind === 'points' && (includeSlow || now - this.lastBoundary >= BOUNDARY_MS)) {
      this.lastBoundary = now;
      const logits = (await t.predictLogits('grid'))[0]!;
      const test = new Set(Array.from(s.evalIdx));
      const shown = Uint32Array.from([...s.trainIdx, ...s.evalIdx]);
      this.state.setViews({ boundary: boundaryView(plan.grid, t.classes, logits, data.points, data.labels, test, shown, run.step) });
    } else if (data.kind === 'images' && includeSlow) {
      this.state.setViews({ predictions: predictionsView(t.classes, (await t.predictLogits('test'))[0]!, s.evalIdx, data, run.step) });
    }
  }
}
