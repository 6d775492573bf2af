// Ensemble evaluation metrics (docs/METHODS.md §2.4), pure CPU code with no GPU or DOM.
// The ensemble prediction is the mean of the members' softmax probabilities, as FreeTickets does.
// Computes: row softmax; accuracy, NLL, expected calibration error (ECE) with its reliability
// diagram bins and the confusion matrix; pairwise prediction disagreement and KL divergence between
// members (Fort et al. 2019; FreeTickets); Hamming and Jaccard distances between members' masks,
// per layer and pooled over all layers. Every probability array is (N, C) row-major.
import { assert } from '../util/assert';

/** Equal-width ECE bins of Guo et al. 2017 and Prune-and-Tune ensembles. */
export const ECE_BINS_STANDARD = 15;
/** FreeTickets' ECE: `linspace(0, 1, 15)` edges with `digitize(right=True)` give 14 bins. */
export const ECE_BINS_FREETICKETS = 14;
/** Floor for probabilities inside logarithms (NLL, KL), so p = 0 gives a finite value. */
const PROB_FLOOR = 1e-12;
/** One bar of a reliability diagram: the bin (lower, upper] (bin 0 also takes confidence 0), its
 *  example count, mean confidence and accuracy (both 0 when the bin is empty). */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  confidence: number;
  accuracy: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  nll: number; // −mean ln max(p[label], 1e-12)
  ece: number;
  reliability: ReliabilityBin[]; // (bins,)
  confusion: number[][]; // (C, C) counts, confusion[true][predicted]
  count: number; // N
}

export interface MetricsOptions {
  bins?: number; // equal-width ECE bins, default ECE_BINS_STANDARD
}

/** disagreement and kl are the off-diagonal means of the (M, M) matrices; null when M < 2. */
export interface EnsembleReport {
  ensemble: ClassificationMetrics;
  members: ClassificationMetrics[];
  disagreement: number | null;
  kl: number | null;
  disagreementMatrix: number[][];
  klMatrix: number[][];
}

export interface DistanceMatrices {
  hamming: number[][];
  jaccard: number[][];
}

export interface MaskDistances {
  layers: DistanceMatrices[]; // one pair of (M, M) matrices per layer
  overall: DistanceMatrices; // all layers pooled: counts summed over layers before dividing
}

const zeros = (k: number): number[] => new Array<number>(k).fill(0);
const square = (k: number): number[][] => Array.from({ length: k }, () => zeros(k));

/** Number of rows of an (N, C) array; throws unless C is a positive integer dividing its length. */
function rowCount(length: number, classes: number, what: string): number {
  assert(Number.isInteger(classes) && classes > 0, `classes must be a positive integer, got ${classes}`);
  assert(length % classes === 0, `${what} length ${length} is not a multiple of classes = ${classes}`);
  return length / classes;
}

/** Numerically stable softmax of each row of (N, C) logits (the row max is subtracted first). */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const n = rowCount(logits.length, classes, 'logits');
  const out = new Float32Array(logits.length); // (N, C) row-major
  for (let r = 0; r < n; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[o + c]! - max);
    for (let c = 0; c < classes; c++) out[o + c] = Math.exp(logits[o + c]! - max) / sum;
  }
  return out;
}

/** Elementwise mean of M same-length arrays: the ensemble's (N, C) probabilities. */
export function meanProbabilities(members: readonly Float32Array[]): Float32Array {
  const first = members[0];
  if (first === undefined) throw new Error('meanProbabilities: need at least one member');
  const acc = new Float64Array(first.length);
  members.forEach((m, i) => {
    assert(m.length === first.length, `meanProbabilities: member ${i} has length ${m.length}, member 0 has ${first.length}`);
    for (let k = 0; k < m.length; k++) acc[k]! += m[k]!;
  });
  const out = new Float32Array(first.length); // (N, C) row-major
  for (let k = 0; k < acc.length; k++) out[k] = acc[k]! / members.length;
  return out;
}

/** Argmax of each row of (N, C) probabilities; the first index wins a tie. Returns (N,). */
export function predictions(probs: Float32Array, classes: number): Uint32Array {
  const n = rowCount(probs.length, classes, 'probs');
  const out = new Uint32Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[o + c]! > probs[o + best]!) best = c;
    out[r] = best;
  }
  return out;
}

// Bin of confidence `conf` among `bins` equal-width bins (b/B, (b+1)/B]; conf ≤ 0 goes to bin 0.
// Edges are rounded to float32 before comparing, so a Float32 confidence equal to an edge (e.g.
// Math.fround(0.6) with 5 bins) lands in the bin the edge closes, (0.4, 0.6], not the next one.
function binOf(conf: number, bins: number): number {
  if (!(conf > 0)) return 0; // also NaN
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
  while (b > 0 && conf <= Math.fround(b / bins)) b--;
  while (b < bins - 1 && conf > Math.fround((b + 1) / bins)) b++;
  return b;
}

// Accuracy, NLL, ECE (with reliability bins) and confusion matrix of (N, C) probabilities.
// NLL = −mean ln max(p[label], 1e-12): the clamp keeps a zero probability finite (ln 1e-12 ≈ −27.6).
// ECE = Σ_b |Σ_{n∈b} (correct_n − conf_n)| / N with conf = max prob and correct = argmax == label.
// bins = 14 reproduces the FreeTickets code (`linspace(0,1,15)` + `digitize(right=True)`);
// 15 (the default) is the standard choice of Guo et al. and Prune-and-Tune.
export function classificationMetrics(
  probs: Float32Array, // (N, C) row-major
  labels: ArrayLike<number>, // (N,)
  classes: number,
  options: MetricsOptions = {},
): ClassificationMetrics {
  const n = rowCount(probs.length, classes, 'probs');
  const bins = options.bins ?? ECE_BINS_STANDARD;
  assert(Number.isInteger(bins) && bins > 0, `bins must be a positive integer, got ${bins}`);
  assert(n > 0, 'classificationMetrics: need at least one example');
  assert(labels.length === n, `labels length ${labels.length} does not match N = ${n} rows of probs`);
  const preds = predictions(probs, classes); // (N,)
  const confusion = square(classes); // (C, C)
  const [binCount, binConf, binCorrect] = [zeros(bins), zeros(bins), zeros(bins)]; // (bins,) each
  let [correctTotal, nllSum] = [0, 0];
  for (let r = 0; r < n; r++) {
    const label = labels[r]!;
    assert(Number.isInteger(label) && label >= 0 && label < classes, `label ${label} at ${r} is not in [0, ${classes})`);
    const pred = preds[r]!;
    const conf = probs[r * classes + pred]!;
    const correct = pred === label ? 1 : 0;
    correctTotal += correct;
    nllSum -= Math.log(Math.max(probs[r * classes + label]!, PROB_FLOOR));
    confusion[label]![pred]! += 1;
    const b = binOf(conf, bins);
    binCount[b]! += 1;
    binConf[b]! += conf;
    binCorrect[b]! += correct;
  }
  const reliability = binCount.map((count, b): ReliabilityBin => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count,
    confidence: count > 0 ? binConf[b]! / count : 0,
    accuracy: count > 0 ? binCorrect[b]! / count : 0,
  }));
  const gap = binCount.reduce((sum, _count, b) => sum + Math.abs(binCorrect[b]! - binConf[b]!), 0);
  return { accuracy: correctTotal / n, nll: nllSum / n, ece: gap / n, reliability, confusion, count: n };
}

/** Checks M same-shape (N, C) member arrays and returns N. */
function memberRows(members: readonly Float32Array[], classes: number): number {
  const first = members[0];
  if (first === undefined) return 0;
  members.forEach((m, i) => assert(m.length === first.length, `member ${i} has length ${m.length}, member 0 has ${first.length}`));
  return rowCount(first.length, classes, 'member probs');
}

/** d[i][j] = fraction of examples whose argmax differs between members i and j; (M, M), diagonal 0. */
export function disagreementMatrix(members: readonly Float32Array[], classes: number): number[][] {
  const n = memberRows(members, classes);
  const d = square(members.length);
  if (members.length < 2) return d;
  assert(n > 0, 'disagreementMatrix: need at least one example');
  const preds = members.map((p) => predictions(p, classes)); // M × (N,)
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      let differ = 0;
      for (let r = 0; r < n; r++) if (preds[i]![r] !== preds[j]![r]) differ++;
      d[i]![j] = d[j]![i] = differ / n;
    }
  }
  return d;
}

// kl[i][j] = KL(p_j ‖ p_i) = (1/N) Σ_n Σ_c p_j (ln p_j − ln p_i), the value of
// `F.kl_div(log_softmax(z_i), softmax(z_j), reduction='batchmean')`. Probabilities are clamped at
// 1e-12 inside the logs and terms with p_j = 0 contribute 0. (M, M), not symmetric, diagonal 0.
export function klMatrix(members: readonly Float32Array[], classes: number): number[][] {
  const n = memberRows(members, classes);
  const kl = square(members.length);
  if (members.length < 2) return kl;
  assert(n > 0, 'klMatrix: need at least one example');
  const logs = members.map((p) => Float64Array.from(p, (v) => Math.log(Math.max(v, PROB_FLOOR)))); // M × (N, C)
  for (let i = 0; i < members.length; i++) {
    for (let j = 0; j < members.length; j++) {
      if (i === j) continue;
      const [pj, lj, li] = [members[j]!, logs[j]!, logs[i]!];
      let sum = 0;
      for (let k = 0; k < pj.length; k++) if (pj[k]! > 0) sum += pj[k]! * (lj[k]! - li[k]!);
      kl[i]![j] = sum / n;
    }
  }
  return kl;
}

// Mean of the off-diagonal entries over ordered pairs i ≠ j; null for fewer than 2 members.
// (The FreeTickets code prints this value + 0.001; we report it unshifted.)
export function meanOffDiagonal(matrix: readonly (readonly number[])[]): number | null {
  const m = matrix.length;
  if (m < 2) return null;
  let sum = 0;
  matrix.forEach((row, i) => {
    assert(row.length === m, `matrix is not square: row ${i} has ${row.length} entries, expected ${m}`);
    for (let j = 0; j < m; j++) if (j !== i) sum += row[j]!;
  });
  return sum / (m * (m - 1));
}

/** Fort et al.'s normalised disagreement d / (1 − accuracy); null when accuracy = 1 or d is null. */
export function normalizedDisagreement(d: number | null, accuracy: number): number | null {
  return d === null || accuracy >= 1 ? null : d / (1 - accuracy);
}

/** |a ∧ b| and |a XOR b| of two 0/1 masks (any nonzero entry counts as 1); these two give
 *  |a| + |b| = 2|a ∧ b| + |a XOR b| and |a ∨ b| = |a ∧ b| + |a XOR b|. */
type PairCounts = { and: number; xor: number };

function pairCounts(a: ArrayLike<number>, b: ArrayLike<number>): PairCounts {
  assert(a.length === b.length, `masks have different lengths: ${a.length} and ${b.length}`);
  const c: PairCounts = { and: 0, xor: 0 };
  for (let k = 0; k < a.length; k++) {
    const [x, y] = [a[k] !== 0, b[k] !== 0];
    if (x && y) c.and++;
    else if (x || y) c.xor++;
  }
  return c;
}

const hammingOf = (c: PairCounts): number => (c.xor === 0 ? 0 : c.xor / (2 * c.and + c.xor));
const jaccardOf = (c: PairCounts): number => (c.xor === 0 ? 0 : 1 - c.and / (c.and + c.xor));

/** |a XOR b| / (|a| + |b|), in [0, 1]; 0 when both masks are empty. Masks are 0/1 of equal length. */
export const maskHamming = (a: ArrayLike<number>, b: ArrayLike<number>): number => hammingOf(pairCounts(a, b));
/** 1 − |a ∧ b| / |a ∨ b|, in [0, 1]; 0 when both masks are empty. Masks are 0/1 of equal length. */
export const maskJaccard = (a: ArrayLike<number>, b: ArrayLike<number>): number => jaccardOf(pairCounts(a, b));

// Pairwise (M, M) Hamming and Jaccard matrices per layer and overall, where membersLayers[m][l]
// is member m's mask of layer l. Overall pools the layers: counts are summed over layers before
// dividing, so it is not the mean of the per-layer values.
export function maskDistanceMatrices(membersLayers: readonly (readonly ArrayLike<number>[])[]): MaskDistances {
  const m = membersLayers.length;
  const first = membersLayers[0];
  if (first === undefined) throw new Error('maskDistanceMatrices: need at least one member');
  const nLayers = first.length;
  membersLayers.forEach((ls, i) => assert(ls.length === nLayers, `member ${i} has ${ls.length} layers, member 0 has ${nLayers}`));
  const layers = Array.from({ length: nLayers }, () => ({ hamming: square(m), jaccard: square(m) }));
  const overall = { hamming: square(m), jaccard: square(m) };
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const pooled: PairCounts = { and: 0, xor: 0 };
      for (let l = 0; l < nLayers; l++) {
        const c = pairCounts(membersLayers[i]![l]!, membersLayers[j]![l]!);
        const out = layers[l]!;
        out.hamming[i]![j] = out.hamming[j]![i] = hammingOf(c);
        out.jaccard[i]![j] = out.jaccard[j]![i] = jaccardOf(c);
        pooled.and += c.and;
        pooled.xor += c.xor;
      }
      overall.hamming[i]![j] = overall.hamming[j]![i] = hammingOf(pooled);
      overall.jaccard[i]![j] = overall.jaccard[j]![i] = jaccardOf(pooled);
    }
  }
  return { layers, overall };
}

/** Ensemble (mean probabilities) and per-member metrics plus pairwise diversity, in one call. */
export function ensembleReport(
  members: readonly Float32Array[], // M × (N, C) probabilities
  labels: ArrayLike<number>, // (N,)
  classes: number,
  options: MetricsOptions = {},
): EnsembleReport {
  const [dm, km] = [disagreementMatrix(members, classes), klMatrix(members, classes)];
  return {
    ensemble: classificationMetrics(meanProbabilities(members), labels, classes, options),
    members: members.map((p) => classificationMetrics(p, labels, classes, options)),
    disagreement: meanOffDiagonal(dm),
    kl: meanOffDiagonal(km),
    disagreementMatrix: dm,
    klMatrix: km,
  };
}
