// What the training session shows of an ensemble run (and, for any run, its phase timeline):
// snapshots on the probe set over time (divergence, pairwise heatmaps, spectral gaps), the
// function-space trajectories, each member's decision boundary and mask with their overlap, and
// on pause or at the end the test-set report (member table, reliability). Reads from the
// EnsembleRun; writes plain view data to the store (ensemble-view.ts, timeline.ts).
import type { ConfigRun, DatasetInput, Trainer } from '../engine';
import { softmaxRows, type EnsembleRun } from '../ensemble';
import { memberBoundaries, memberMasksView, resultView, snapshotSummary, trajectoryView, type TrajectoryFrame } from './ensemble-view';
import type { AppStore, EnsembleViews } from './store';
import { timelineView } from './timeline';

const MAX_SNAPSHOTS = 120;
/** Spectral gaps are computed on the CPU: only for networks up to this many weights. */
const SPECTRAL_MAX_WEIGHTS = 50_000;
/** Keeps at most `max` items: when full, every other one of the older half goes. */
function bounded<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const half = Math.floor(max / 2);
  return [...items.slice(0, half).filter((_, i) => i % 2 === 0), ...items.slice(half)];
}

export class EnsembleTracker {
  private frames: TrajectoryFrame[] = [];
  private lines: string[] = [];
  private liveTrainer: Trainer | null = null;
  private lastStep = -1;
  /** The phase of the last snapshot: a new phase is snapshotted at once (EDST's explorations). */
  private lastPhase: string | null = null;
  readonly active: boolean;

  constructor(
    private readonly store: AppStore,
    private readonly run: EnsembleRun,
    private readonly plan: ConfigRun,
    private readonly data: DatasetInput,
  ) {
    this.active = run.setup.mode !== 'none';
    if (run.setup.mode === 'edst') this.lines = ['exploration', ...Array.from({ length: run.setup.members }, (_, m) => `refinement ${m + 1}`)];
  }

  private get views(): EnsembleViews {
    return this.store.getState().views.ensemble ?? { snapshots: [], trajectories: null, result: null, boundaries: null, memberMasks: null };
  }

  private set(patch: Partial<EnsembleViews>): void {
    this.store.getState().setViews({ ensemble: { ...this.views, ...patch } });
  }

  /** The phase timeline; redrawn when the trainer that trains changes (Prune-and-Tune's children). */
  timeline(): void {
    const t = this.run.driver.live();
    if (t === this.liveTrainer) return;
    this.liveTrainer = t;
    const offset = this.run.totalSteps - t.setup.totalSteps;
    const explorations = (t.setup.explorations ?? []).map((e) => e.step + offset);
    this.store.getState().setViews({ timeline: timelineView({ totalSteps: this.run.totalSteps, phases: this.run.phases, explorations, trainer: { offset, steps: t.setup.totalSteps, lr: t.setup.lr, ...(t.setup.tost ? { tost: t.setup.tost } : {}) } }) });
    if (this.active && this.store.getState().views.ensemble === null) this.set({});
  }

  /**
   * Whether training has entered a phase the last snapshot was not in: the session then takes a
   * snapshot without waiting for its interval, so no phase (an EDST refinement after its global
   * exploration, a Prune-and-Tune child) passes between two timed snapshots unseen.
   */
  phaseChanged(): boolean {
    return this.active && this.run.step > 0 && this.run.phaseAt(this.run.step - 1).name !== this.lastPhase;
  }

  /** A snapshot (and views) if the run moved since the last one; with `full`, the test-set report too. */
  async refresh(full: boolean): Promise<void> {
    this.timeline();
    if (!this.active || (this.run.step === this.lastStep && !full)) return;
    this.lastStep = this.run.step;
    const t = this.run.driver.live();
    const weights = t.layout.layers.reduce((a, l) => a + l.numel, 0) * t.setup.members;
    const s = await this.run.snapshot('probe', weights <= SPECTRAL_MAX_WEIGHTS);
    const phase = this.run.phaseAt(Math.max(0, this.run.step - 1));
    this.lastPhase = phase.name;
    const models = s.live.labels.map((label, i) => {
      if (this.run.setup.mode === 'edst') return { line: (phase.member ?? -1) + 1, probabilities: s.live.probabilities[i]! };
      if (!this.lines.includes(label)) this.lines.push(label);
      return { line: this.lines.indexOf(label), probabilities: s.live.probabilities[i]! };
    });
    this.frames = bounded([...this.frames, { step: s.step, models }], 60);
    const patch: Partial<EnsembleViews> = {
      snapshots: bounded([...this.views.snapshots, snapshotSummary(s)], MAX_SNAPSHOTS),
      trajectories: trajectoryView(this.frames, [...this.lines]),
    };
    const members = await this.run.driver.members();
    const shapes = t.layout.layers.map((l) => ({ name: l.name, rows: l.outChannels, cols: l.numel / l.outChannels }));
    if (members.length > 0) patch.memberMasks = memberMasksView(members, shapes);
    const grid = this.plan.grid;
    const data = this.data;
    if (grid && data.kind === 'points') {
      const p = await this.run.driver.predictEnsemble('grid');
      const setup = t.setup;
      const shown = Uint32Array.from([...setup.trainIdx, ...setup.evalIdx]);
      if (p.logits.length > 0) patch.boundaries = { labels: [...p.labels, 'ensemble'], views: memberBoundaries(grid, t.classes, p.logits, p.logits.map((l) => softmaxRows(l, t.classes)), data.points, data.labels, new Set(Array.from(setup.evalIdx)), shown, this.run.step) };
    }
    if (full && members.length > 0) patch.result = resultView(await this.run.result());
    this.set(patch);
  }

  reset(): void {
    this.frames = [];
    this.lastStep = -1;
    this.lastPhase = null;
  }
}
