// The ensemble views' data, built from what EnsembleRun measures: snapshots over time (pairwise
// disagreement, KL and mask distance; each live model's probe-set probabilities), the final report
// (member and ensemble accuracy, NLL, ECE, reliability, FLOPs), members' masks with their overlap,
// and the function-space trajectories: a 2-D PCA of every (model, time) probability vector on the
// probe set, so each model draws a line through function space. Plain data in, plain data out.
import type { EnsembleResult, EnsembleSnapshot, MemberInfo, ReliabilityBin } from '../ensemble';
import type { BoundaryView } from './store';
import { boundaryView } from './views';

export interface SnapshotSummary {
  step: number;
  phase: string;
  labels: string[];
  accuracy: number | null;
  memberAccuracy: number[];
  disagreement: number | null;
  kl: number | null;
  maskDistance: number | null;
  /** (members × members); mask: overall Jaccard distance. */
  disagreementMatrix: number[][];
  klMatrix: number[][];
  maskMatrix: number[][];
  /** Per live model, per layer: the mask's Ramanujan gap Δr and the weighted gap σ1 − σ2. */
  spectral: { ramanujan: number | null; weighted: number }[][] | null;
}

export interface TrajectoryPoint {
  step: number;
  /** The model's line: a live model's index (DST), or the EDST member its phase produces (−1 while exploring). */
  line: number;
  x: number;
  y: number;
}

export interface TrajectoryView {
  lines: string[];
  points: TrajectoryPoint[];
  /** Fraction of the variance the two axes explain. */
  explained: [number, number];
}

export interface ResultView {
  step: number;
  rows: { label: string; accuracy: number; nll: number; ece: number; itop: number | null }[];
  ensemble: { accuracy: number; nll: number; ece: number };
  reliability: ReliabilityBin[];
  disagreement: number | null;
  kl: number | null;
  maskDistance: number | null;
  /** Training FLOPs so far ÷ one dense model trained for the config's epochs. */
  trainFlopsRatio: number;
  inferenceFlopsRatio: number;
}

export interface MemberMasksView {
  labels: string[];
  layers: { name: string; rows: number; cols: number; masks: Uint8Array[]; overlap: Uint8Array; shared: number }[];
}

export function snapshotSummary(s: EnsembleSnapshot): SnapshotSummary {
  return {
    step: s.step,
    phase: s.phase,
    labels: s.ensemble.labels,
    accuracy: s.ensemble.accuracy,
    memberAccuracy: s.ensemble.memberAccuracy,
    disagreement: s.ensemble.disagreement,
    kl: s.ensemble.kl,
    maskDistance: s.ensemble.maskDistance,
    disagreementMatrix: s.ensemble.disagreementMatrix,
    klMatrix: s.ensemble.klMatrix,
    maskMatrix: s.ensemble.masks?.overall.jaccard ?? [],
    spectral: s.spectral?.map((layers) => layers.map((g) => ({ ramanujan: g.ramanujan.deltaR, weighted: g.weighted.gap }))) ?? null,
  };
}

export function resultView(r: EnsembleResult): ResultView {
  return {
    step: r.step,
    rows: r.report.members.map((m, i) => ({ label: r.members[i]?.label ?? `member ${i + 1}`, accuracy: m.accuracy, nll: m.nll, ece: m.ece, itop: r.members[i]?.itop ?? null })),
    ensemble: { accuracy: r.report.ensemble.accuracy, nll: r.report.ensemble.nll, ece: r.report.ensemble.ece },
    reliability: r.report.ensemble.reliability,
    disagreement: r.report.disagreement,
    kl: r.report.kl,
    maskDistance: r.maskDistance,
    trainFlopsRatio: r.trainFlops / r.denseTrainFlops,
    inferenceFlopsRatio: r.inferenceFlopsRatio,
  };
}

/** Members' masks per layer as 0/1 cells (rows = outputs) and how many members share each weight. */
export function memberMasksView(members: readonly MemberInfo[], shapes: readonly { name: string; rows: number; cols: number }[]): MemberMasksView {
  return {
    labels: members.map((m) => m.label),
    layers: shapes.map((shape, l) => {
      const masks = members.map((m) => Uint8Array.from(m.masks[l]!, (v) => (v !== 0 ? 1 : 0)));
      const overlap = new Uint8Array(shape.rows * shape.cols);
      for (const m of masks) for (let i = 0; i < overlap.length; i++) overlap[i]! += m[i]!;
      const active = overlap.reduce((a, c) => a + (c > 0 ? 1 : 0), 0);
      const all = overlap.reduce((a, c) => a + (c === masks.length ? 1 : 0), 0);
      return { ...shape, masks, overlap, shared: active > 0 ? all / active : 0 };
    }),
  };
}

/**
 * Decision boundaries of each member and of the ensemble (mean of softmax) on the grid: the
 * ensemble's "logits" are log mean probabilities, whose softmax is the mean probability.
 */
export function memberBoundaries(grid: BoundaryView['grid'], classes: number, logits: readonly Float32Array[], probabilities: readonly Float32Array[], points: Float32Array, labels: ArrayLike<number>, test: ReadonlySet<number>, shown: ArrayLike<number>, step: number): BoundaryView[] {
  const views = logits.map((l) => boundaryView(grid, classes, l, points, labels, test, shown, step));
  const mean = new Float32Array(probabilities[0]?.length ?? 0);
  for (const p of probabilities) for (let i = 0; i < mean.length; i++) mean[i]! += p[i]! / probabilities.length;
  views.push(boundaryView(grid, classes, mean.map((v) => Math.log(Math.max(v, 1e-12))), points, labels, test, shown, step));
  return views;
}

/**
 * Top two principal components of the rows of X (n × d, row-major) by power iteration on the
 * n × n Gram matrix of the centred rows (n ≤ a few hundred here, d up to a few thousand).
 * Returns each row's coordinates and the fraction of variance each axis explains.
 */
export function pca2(rows: readonly Float32Array[]): { coords: [number, number][]; explained: [number, number] } {
  const n = rows.length;
  if (n === 0) return { coords: [], explained: [0, 0] };
  const d = rows[0]!.length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      const ra = rows[a]!;
      const rb = rows[b]!;
      for (let j = 0; j < d; j++) s += (ra[j]! - mean[j]!) * (rb[j]! - mean[j]!);
      gram[a * n + b] = s;
      gram[b * n + a] = s;
    }
  }
  let trace = 0;
  for (let a = 0; a < n; a++) trace += gram[a * n + a]!;
  const vectors: Float64Array[] = [];
  const values: number[] = [];
  for (let k = 0; k < 2; k++) {
    // Deterministic start, orthogonalised against the components found.
    let v = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919 + k * 104729) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      for (const u of vectors) {
        const dot = v.reduce((s, x, i) => s + x * u[i]!, 0);
        v = v.map((x, i) => x - dot * u[i]!);
      }
      const w = new Float64Array(n);
      for (let a = 0; a < n; a++) {
        let s = 0;
        for (let b = 0; b < n; b++) s += gram[a * n + b]! * v[b]!;
        w[a] = s;
      }
      const norm = Math.hypot(...w);
      if (norm < 1e-12) {
        lambda = 0;
        break;
      }
      const next = w.map((x) => x / norm);
      const change = next.reduce((s, x, i) => s + Math.abs(x - v[i]!), 0);
      v = next;
      lambda = norm;
      if (change < 1e-9) break;
    }
    vectors.push(v);
    values.push(lambda);
  }
  // Scores along a component of the centred data = Gram eigenvector × √eigenvalue.
  const coords = Array.from({ length: n }, (_, i) => [vectors[0]![i]! * Math.sqrt(values[0]!), vectors[1]![i]! * Math.sqrt(values[1]!)] as [number, number]);
  return { coords, explained: trace > 0 ? [values[0]! / trace, values[1]! / trace] : [0, 0] };
}

export interface TrajectoryFrame {
  step: number;
  /** Per live model: its probe-set probabilities and the line it belongs to. */
  models: { line: number; probabilities: Float32Array }[];
}

/** The function-space trajectories of the frames so far (one PCA over all of them). */
export function trajectoryView(frames: readonly TrajectoryFrame[], lines: string[]): TrajectoryView {
  const flat = frames.flatMap((f) => f.models.map((m) => ({ step: f.step, line: m.line, p: m.probabilities })));
  const { coords, explained } = pca2(flat.map((f) => f.p));
  return { lines, points: flat.map((f, i) => ({ step: f.step, line: f.line, x: coords[i]![0], y: coords[i]![1] })), explained };
}
