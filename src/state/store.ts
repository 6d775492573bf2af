// The app store: a zustand vanilla store (no React here), so the training loop and the headless
// runner can use it without a DOM. React components subscribe through src/ui/use-app-state.ts.
// Slices: gpu (what the device can do), config (the experiment, mirrored in the URL hash), run
// (progress and metrics of the current run, published at most 10 times a second by the session),
// views (mask and decision-boundary data for the visualisations). Actions that drive training are
// forwarded to the session (session.ts) that main.tsx attaches.
import { createStore } from 'zustand/vanilla';
import { defaultConfig, type ExperimentConfig } from '../config';
import type { CELL } from '../reference/mask-codes';
import { SPEED_MAX } from './chunk-pacer';
import type { SweepPoint, SweepResult } from './compare';
import type { MemberMasksView, ResultView, SnapshotSummary, TrajectoryView } from './ensemble-view';
import { withFinishedRun, type FinishedRun } from './finished-runs';
import type { AdapterView, GpuProblem, GpuStatus } from './gpu-status';
import { emptyHistory, type History } from './history';
import type { SavedRun } from './saved-run';
import type { TimelineView } from './timeline';

export type RunStatus = 'waiting' | 'building' | 'ready' | 'running' | 'paused' | 'done' | 'diverged' | 'lost' | 'error';

export interface RunView {
  status: RunStatus;
  /** Why the run stopped or failed, in plain words. */
  message: string | null;
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
  stepsPerSecond: number | null;
  history: History;
  layerNames: string[];
  /** The weight storage of each layer (training.storage resolved: masked or sparse). */
  storages: ('masked' | 'sparse')[];
  /** Why ordinary steps run kernel by kernel instead of on the fused path (training.fused); null: fused, or no run yet. */
  fusedRefusal: string | null;
  /** Whether ordinary steps run on the fused path. */
  fused: boolean;
  /** GPU memory the run is estimated to take, known before it is built, and the most a run may take (null: none yet). */
  memory: { bytes: number; budget: number } | null;
  /** Current density of each weight layer and overall (active / all maskable weights). */
  densities: number[];
  overallDensity: number;
  /** The latest test-set evaluation (mean over the trained models). */
  test: { accuracy: number; loss: number; step: number } | null;
  /** Mask updates so far and what the last one did (summed over layers, first model). */
  maskUpdates: number;
  lastUpdate: { step: number; grown: number; pruned: number } | null;
}

/** Display codes of a mask cell (first model): src/reference/mask-codes.ts, maskCell(). */
export { CELL, maskCell } from '../reference/mask-codes';

/** CELL code → RGB (Okabe-Ito: blue active, bluish green grown, vermillion pruned; greys). */
export const CELL_COLORS: readonly (readonly [number, number, number])[] = [
  [236, 236, 232], // never active
  [178, 178, 172], // once active, now dropped
  [0, 114, 178], // active
  [0, 158, 115], // just grown
  [213, 94, 0], // just pruned
];

export interface MaskLayerView {
  name: string;
  rows: number;
  cols: number;
  /**
   * (cellRows, cols) CELL codes: every row, or for a layer of more than VIEW_MAX_CELLS
   * connections (a wide sparse one) only the first rows, which the receptive fields draw.
   */
  cells: Uint8Array;
  cellRows: number;
  /** Connections per pixel along each side of the live heatmap (engine viewBlock; 1: one per connection). */
  block: number;
  /** A layer too large to keep per connection: its picture at `block` connections a pixel side (views.ts blockImage), for the timeline and a failed render. */
  preview: { block: number; pixels: Uint8ClampedArray } | null;
  counts: Record<keyof typeof CELL, number>;
  /** |w| of the active weights, for the histogram (first model), and the next prune threshold. */
  magnitudes: Float32Array;
  /** The first model's weights of this layer, (rows, cols) (0 where masked); empty for a layer too large to keep per connection. */
  weights: Float32Array;
  threshold: number | null;
}

export interface BoundaryView {
  grid: { size: number; x0: number; x1: number; y0: number; y1: number };
  classes: number;
  /** (size·size) predicted class and its probability, row 0 at the top. */
  predicted: Uint8Array;
  confidence: Float32Array;
  points: { x: Float32Array; y: Float32Array; label: Uint8Array; test: Uint8Array };
  /** The step the boundary was computed at (it follows training about once a second). */
  step: number;
}

/** Ensemble runs (mode other than none): divergence over time and the members side by side. */
export interface EnsembleViews {
  /** Probe-set snapshots, oldest first (thinned when many). */
  snapshots: SnapshotSummary[];
  trajectories: TrajectoryView | null;
  /** The test-set report, computed on pause and at the end. */
  result: ResultView | null;
  /** 2-D data: each member's decision boundary, then the ensemble's. */
  boundaries: { labels: string[]; views: BoundaryView[] } | null;
  memberMasks: MemberMasksView | null;
}

export interface Views {
  masks: MaskLayerView[] | null;
  /**
   * The live masks as the GPU's render pass drew them, (rows, cols) RGBA per layer, same step as
   * `masks`; null where the render pass failed (the heatmaps then colour `cells` on the CPU).
   */
  maskImages: Uint8ClampedArray[] | null;
  /** The masks right after each update so far (and at the start), oldest first, for the timeline. */
  maskTimeline: { step: number; masks: MaskLayerView[] }[];
  boundary: BoundaryView | null;
  /** Image data: test images with predicted labels, and the confusion matrix. */
  /** `step`: when they were computed (on pause, at the end, at a build: not while training). */
  predictions: { images: Uint8Array; width: number; height: number; labels: Uint8Array; predicted: Uint8Array; classNames: string[]; confusion: number[][]; step: number } | null;
  /** The run's phases and changing schedules on one step axis. */
  timeline: TimelineView | null;
  ensemble: EnsembleViews | null;
  /** A sparsity sweep: the results so far, how many runs it has, and what it is doing. */
  sweep: { results: SweepResult[]; total: number; running: boolean; message: string | null } | null;
}

/** What main.tsx attaches: the training session's controls. */
export interface SessionControls {
  rebuild(): Promise<void>;
  cancelBuild(): void;
  play(): void;
  pause(): void;
  step(): Promise<void>;
  setSparsity(target: number): void;
  setLayerDensity(layer: number, density: number): void;
  snapshotRun(name: string): Promise<SavedRun>;
  openRun(run: SavedRun): Promise<void>;
  gpuFailed(message: string): void;
  sweep(points: SweepPoint[]): Promise<void>;
  cancelSweep(): void;
}

export interface AppState {
  gpu: GpuStatus;
  config: ExperimentConfig;
  /** Shown once when the URL hash could not be read (the defaults were loaded instead). */
  notice: string | null;
  run: RunView;
  views: Views;
  /** The speed slider: at most this many steps per chunk (1..SPEED_MAX; SPEED_MAX: no cap, chunks sized by time). */
  speed: number;
  session: SessionControls | null;
  /** Points the learner drew on the 2-D plane (data coordinates), added to the training set. */
  drawn: DrawnPoint[];
  /** The class a click on the plane adds. */
  drawClass: number;
  /** Classroom mode: the advanced controls are hidden. */
  classroom: boolean;
  /** The open lesson and its page (lessons.ts); null when none is open. */
  lesson: { id: string; page: number } | null;
  /** Runs trained to their end in this tab, oldest first (finished-runs.ts). */
  finished: FinishedRun[];
}

export interface DrawnPoint {
  x: number;
  y: number;
  label: number;
}

export interface AppActions {
  gpuUnsupported(problem: GpuProblem): void;
  gpuCompiling(adapter: AdapterView, limits: Record<string, number>, features: string[]): void;
  gpuReady(kernels: { count: number; millis: number }): void;
  /** A failure after the device existed (lost device, validation or compile error). */
  gpuFailed(problem: GpuProblem): void;
  setConfig(config: ExperimentConfig): void;
  setNotice(notice: string | null): void;
  updateRun(patch: Partial<RunView>): void;
  setViews(patch: Partial<Views>): void;
  setSpeed(speed: number): void;
  attachSession(session: SessionControls | null): void;
  addPoint(p: DrawnPoint): void;
  clearDrawn(): void;
  setDrawClass(c: number): void;
  setClassroom(on: boolean): void;
  setLesson(lesson: { id: string; page: number } | null): void;
  addFinished(run: FinishedRun): void;
}

export function initialRun(): RunView {
  return {
    status: 'waiting',
    message: null,
    step: 0,
    totalSteps: 0,
    stepsPerEpoch: 1,
    stepsPerSecond: null,
    history: emptyHistory(),
    layerNames: [],
    storages: [],
    fusedRefusal: null,
    fused: false,
    memory: null,
    densities: [],
    overallDensity: 1,
    test: null,
    maskUpdates: 0,
    lastUpdate: null,
  };
}

export type AppStore = ReturnType<typeof createAppStore>;

export function createAppStore() {
  return createStore<AppState & AppActions>()((set, get) => ({
    gpu: { phase: 'detecting' },
    config: defaultConfig(),
    notice: null,
    run: initialRun(),
    views: { masks: null, maskImages: null, maskTimeline: [], boundary: null, predictions: null, timeline: null, ensemble: null, sweep: null },
    speed: SPEED_MAX,
    session: null,
    drawn: [],
    drawClass: 0,
    classroom: false,
    lesson: null,
    finished: [],
    gpuUnsupported: (problem) => set({ gpu: { phase: 'unsupported', problem } }),
    gpuCompiling: (adapter, limits, features) => set({ gpu: { phase: 'compiling', adapter, limits, features } }),
    gpuReady: (kernels) => {
      const g = get().gpu;
      if (g.phase === 'compiling') set({ gpu: { ...g, phase: 'ready', kernels } });
    },
    gpuFailed: (problem) => {
      const g = get().gpu;
      if (g.phase === 'detecting' || g.phase === 'unsupported') set({ gpu: { phase: 'unsupported', problem } });
      else set({ gpu: { ...g, phase: 'failed', problem } });
    },
    setConfig: (config) => set({ config }),
    setNotice: (notice) => set({ notice }),
    updateRun: (patch) => set({ run: { ...get().run, ...patch } }),
    setViews: (patch) => set({ views: { ...get().views, ...patch } }),
    setSpeed: (speed) => set({ speed: Math.max(1, Math.min(SPEED_MAX, Math.round(speed))) }),
    attachSession: (session) => set({ session }),
    addPoint: (p) => set({ drawn: [...get().drawn, p] }),
    clearDrawn: () => set({ drawn: [] }),
    setDrawClass: (drawClass) => set({ drawClass }),
    setClassroom: (classroom) => set({ classroom }),
    setLesson: (lesson) => set({ lesson }),
    addFinished: (run) => set({ finished: withFinishedRun(get().finished, run) }),
  }));
}

/** The one store of the tab. */
export const appStore = createAppStore();
