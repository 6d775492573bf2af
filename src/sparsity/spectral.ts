// Spectral gaps of a sparse layer's mask (docs/METHODS.md §6, Ramanujan-graph view of sparse nets).
//
// The graph: each maskable layer is a bipartite graph. Left nodes are the layer's inputs (dense: `in`;
// conv: the unrolled cin·kh·kw), right nodes its outputs (out / cout), and there is an edge (i, j) iff
// mask[j, i] ≠ 0. Masks and weights are row-major (rows = out, cols = in); a conv's (cout, cin, kh, kw)
// flattens to the same (cout × cin·kh·kw) matrix. The biadjacency B (in × out) is maskᵀ and the
// bipartite adjacency [[0, B], [Bᵀ, 0]] has eigenvalues ±σ_k(B), so its top eigenvalues are σ1, σ1, σ2
// and everything we need is σ1, σ2 of the mask itself. Isolated nodes (all-zero rows / columns) are
// removed first; they change no singular value but do change the mean degrees.
//
// * Unweighted Ramanujan gap (ICLR'23): Δr = √(d̄_L − 1) + √(d̄_R − 1) − σ2, with d̄_L = edges / left
//   nodes and d̄_R = edges / right nodes (non-isolated); defined only when both mean degrees are ≥ 3,
//   else null. Variant Δs = 2√(σ1 − 1) − σ2 (null when σ1 < 1).
// * Weighted spectral gap (NeurIPS'23): λ = σ1(|W⊙M|) − σ2(|W⊙M|).
//
// σ1, σ2 come from block (subspace) iteration on the smaller Gram matrix AᵀA (A = M or Mᵀ, whichever
// has fewer columns), applied implicitly as two sparse products per sweep (CSR of the nonzeros; the
// Gram matrix and the bipartite adjacency are never formed). The block holds the 2 wanted vectors plus
// GUARD = 3 guard vectors, so σ2 converges at rate (σ6/σ2)² instead of (σ3/σ2)²: at a random mask's
// bulk edge σ2 ≈ σ3 ≈ σ4, and with 2 vectors LeNet-300-100 fc1 (density 0.1) still had a 1e-4 relative
// error in σ2 after 100 sweeps (3e-6 with the guards). Each sweep orthonormalises the block
// (Gram–Schmidt), does a Rayleigh–Ritz step (Jacobi eigen-solve of the small (AQ)ᵀ(AQ)) and reads σ_k
// as ‖A·q_k‖ of the Ritz vectors, not √θ_k, which keeps a zero σ2 (rank 1) at ε·σ1 instead of √ε·σ1.

import { assert, assertCount } from '../util/assert';
import { mulberry32 } from '../util/rng';

export interface SpectralOptions {
  /** Maximum subspace-iteration sweeps (default 100). */
  iterations?: number;
  /** Seed of the deterministic Gaussian start block (default 0x5eed). */
  seed?: number;
  /** Early stop once σ1 and σ2 both change by less than tolerance·σ1 in one sweep (default 1e-7). */
  tolerance?: number;
}

/** `iterations`: sweeps performed (0 for an empty or all-zero matrix). */
export interface TopSingularValues { sigma1: number; sigma2: number; iterations: number }

/** Row-major rows×cols `matrix` without all-zero rows / columns; kept* are their original indices. */
export interface CompactMatrix { matrix: Float64Array; rows: number; cols: number; keptRows: Uint32Array; keptCols: Uint32Array }

/** leftNodes = non-isolated inputs (mask columns), rightNodes = non-isolated outputs (mask rows). */
export interface RamanujanGap {
  edges: number;
  leftNodes: number;
  rightNodes: number;
  meanDegreeLeft: number;
  meanDegreeRight: number;
  sigma1: number;
  sigma2: number;
  deltaR: number | null;
  deltaS: number | null;
}

export interface WeightedSpectralGap { sigma1: number; sigma2: number; gap: number }

const GUARD = 3; // extra block vectors beyond the 2 wanted (see header)

function checkShape(data: ArrayLike<number>, rows: number, cols: number, what: string): void {
  assertCount(rows, `${what} rows`);
  assertCount(cols, `${what} cols`);
  assert(data.length === rows * cols, `${what}: length ${data.length} ≠ ${rows}·${cols}`);
}

/** Eigenvectors (columns of the result, descending eigenvalue) of a small symmetric p×p matrix, by cyclic Jacobi. */
function smallSymEigenvectors(h: Float64Array, p: number): Float64Array {
  const a = Float64Array.from(h);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  // rotate columns i, j of x (p×p) by (c, s); with `rows` also rows i, j
  const rot = (x: Float64Array, i: number, j: number, c: number, s: number, rows: boolean): void => {
    for (let k = 0; k < p; k++) {
      const u = rows ? i * p + k : k * p + i;
      const w = rows ? j * p + k : k * p + j;
      const [xu, xw] = [x[u]!, x[w]!];
      x[u] = c * xu - s * xw;
      x[w] = s * xu + c * xw;
    }
  };
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += a[i * p + j]! ** 2;
    if (off <= 1e-30 * a.reduce((s, x) => s + x * x, 0)) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j]!;
        if (aij === 0) continue;
        const theta = (a[j * p + j]! - a[i * p + i]!) / (2 * aij);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        rot(a, i, j, c, t * c, false);
        rot(a, i, j, c, t * c, true);
        rot(v, i, j, c, t * c, false);
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((x, y) => a[y * p + y]! - a[x * p + x]!);
  return Float64Array.from({ length: p * p }, (_, k) => v[Math.floor(k / p) * p + order[k % p]!]!);
}

/**
 * Orthonormalises column k of the n×p row-major block q against columns 0..k−1 (modified
 * Gram–Schmidt, two passes); a column that lost its rank is restarted from `refill`.
 */
function orthonormalise(q: Float64Array, n: number, p: number, k: number, refill: () => number): void {
  const norm = (): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += q[i * p + k]! ** 2;
    return Math.sqrt(s);
  };
  for (let attempt = 0; attempt < 4; attempt++) {
    const before = norm();
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * p + j]! * q[i * p + k]!;
        for (let i = 0; i < n; i++) q[i * p + k] = q[i * p + k]! - d * q[i * p + j]!;
      }
    }
    const after = norm();
    if (after > 0 && after > 1e-10 * before) {
      for (let i = 0; i < n; i++) q[i * p + k] = q[i * p + k]! / after;
      return;
    }
    for (let i = 0; i < n; i++) q[i * p + k] = refill();
  }
  throw new Error('spectral: could not orthonormalise the iteration block');
}

/**
 * σ1 ≥ σ2 of a dense row-major rows×cols matrix (σ2 = 0 when the rank is ≤ 1 or min(rows, cols) = 1).
 * Subspace iteration on the smaller Gram matrix with a Rayleigh–Ritz step per sweep (see header).
 */
export function topSingularValues(
  matrix: ArrayLike<number>, rows: number, cols: number, options: SpectralOptions = {},
): TopSingularValues {
  checkShape(matrix, rows, cols, 'topSingularValues');
  const maxIter = Math.max(1, assertCount(options.iterations ?? 100, 'iterations'));
  const tol = options.tolerance ?? 1e-7;
  // CSR of the nonzeros of M.
  const rowPtr = new Uint32Array(rows + 1);
  const colList: number[] = [];
  const valList: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = matrix[r * cols + c]!;
      if (x !== 0) {
        assert(Number.isFinite(x), `topSingularValues: non-finite entry at (${r}, ${c})`);
        colList.push(c);
        valList.push(x);
      }
    }
    rowPtr[r + 1] = colList.length;
  }
  if (colList.length === 0) return { sigma1: 0, sigma2: 0, iterations: 0 };
  const colIdx = Uint32Array.from(colList);
  const vals = Float64Array.from(valList);

  // A = M (n = cols) when cols ≤ rows, else A = Mᵀ (n = rows). Blocks are row-major with p columns:
  // Q is n×p, Z = A·Q and W are m×p; each CSR pass updates all p vectors at once.
  const transposed = cols > rows;
  const n = transposed ? rows : cols;
  const m = transposed ? cols : rows;
  const p = Math.min(n, 2 + GUARD);
  const mulM = (x: Float64Array, y: Float64Array): void => {
    for (let r = 0; r < rows; r++) {
      const o = r * p;
      for (let k = 0; k < p; k++) y[o + k] = 0;
      for (let e = rowPtr[r]!; e < rowPtr[r + 1]!; e++) {
        const v = vals[e]!;
        const xo = colIdx[e]! * p;
        for (let k = 0; k < p; k++) y[o + k] = y[o + k]! + v * x[xo + k]!;
      }
    }
  };
  const mulMT = (x: Float64Array, y: Float64Array): void => {
    y.fill(0);
    for (let r = 0; r < rows; r++) {
      const o = r * p;
      for (let e = rowPtr[r]!; e < rowPtr[r + 1]!; e++) {
        const v = vals[e]!;
        const yo = colIdx[e]! * p;
        for (let k = 0; k < p; k++) y[yo + k] = y[yo + k]! + v * x[o + k]!;
      }
    }
  };
  const mulA = transposed ? mulMT : mulM; // Rⁿ → Rᵐ
  const mulAT = transposed ? mulM : mulMT; // Rᵐ → Rⁿ

  const rng = mulberry32(options.seed ?? 0x5eed);
  const refill = (): number => rng.normal();
  const q = Float64Array.from({ length: n * p }, refill);
  for (let k = 0; k < p; k++) orthonormalise(q, n, p, k, refill);
  const z = new Float64Array(m * p);
  const w = new Float64Array(m * p);
  const h = new Float64Array(p * p);
  let s1 = NaN;
  let s2 = NaN;
  let it = 0;
  for (;;) {
    it++;
    mulA(q, z);
    h.fill(0);
    for (let i = 0; i < m; i++)
      for (let a = 0; a < p; a++) for (let b = a; b < p; b++) h[a * p + b] = h[a * p + b]! + z[i * p + a]! * z[i * p + b]!;
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) h[a * p + b] = h[b * p + a]!;
    const vec = smallSymEigenvectors(h, p);
    // Ritz vectors in the image, W = Z·V, and σ_k = ‖w_k‖ (not √θ_k, see header).
    const sig = new Float64Array(p);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < p; k++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += z[i * p + j]! * vec[j * p + k]!;
        w[i * p + k] = s;
        sig[k] = sig[k]! + s * s;
      }
    }
    const n1 = Math.sqrt(sig[0]!);
    const n2 = p > 1 ? Math.sqrt(sig[1]!) : 0;
    const done = Math.abs(n1 - s1) <= tol * n1 && Math.abs(n2 - s2) <= tol * n1;
    s1 = n1;
    s2 = n2;
    if (done || it >= maxIter) break;
    // Next block: Q ← orth(Aᵀ·W) = orth(AᵀA·Q·V), kept in descending Ritz order.
    mulAT(w, q);
    for (let k = 0; k < p; k++) orthonormalise(q, n, p, k, refill);
  }
  return { sigma1: s1, sigma2: Math.min(s2, s1), iterations: it };
}

/**
 * Drops every all-zero row and column of a row-major rows×cols matrix (the isolated nodes of its
 * bipartite graph). With `values`, the kept entries are taken from `values` (same shape) while the
 * zero pattern is still decided by `mask`.
 */
export function compactMask(mask: ArrayLike<number>, rows: number, cols: number, values: ArrayLike<number> = mask): CompactMatrix {
  checkShape(mask, rows, cols, 'compactMask');
  checkShape(values, rows, cols, 'compactMask values');
  const rowUsed = new Uint8Array(rows);
  const colUsed = new Uint8Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (mask[r * cols + c]! !== 0) {
        rowUsed[r] = 1;
        colUsed[c] = 1;
      }
    }
  }
  const indices = (used: Uint8Array): Uint32Array => Uint32Array.from(Array.from(used.keys()).filter((i) => used[i] === 1));
  const keptRows = indices(rowUsed);
  const keptCols = indices(colUsed);
  const out = new Float64Array(keptRows.length * keptCols.length);
  let o = 0;
  for (const r of keptRows) for (const c of keptCols) out[o++] = mask[r * cols + c]! !== 0 ? values[r * cols + c]! : 0;
  return { matrix: out, rows: keptRows.length, cols: keptCols.length, keptRows, keptCols };
}

/** Unweighted Ramanujan gaps Δr and Δs of a layer's 0/1 mask (rows = outputs, cols = inputs). */
export function ramanujanGap(mask: ArrayLike<number>, rows: number, cols: number, options: SpectralOptions = {}): RamanujanGap {
  const ones = Float64Array.from({ length: mask.length }, (_, k) => (mask[k]! !== 0 ? 1 : 0));
  const g = compactMask(ones, rows, cols);
  const edges = g.matrix.reduce((s, x) => s + x, 0);
  const meanDegreeLeft = g.cols > 0 ? edges / g.cols : 0;
  const meanDegreeRight = g.rows > 0 ? edges / g.rows : 0;
  const { sigma1, sigma2 } = topSingularValues(g.matrix, g.rows, g.cols, options);
  const deltaR =
    meanDegreeLeft >= 3 && meanDegreeRight >= 3 ? Math.sqrt(meanDegreeLeft - 1) + Math.sqrt(meanDegreeRight - 1) - sigma2 : null;
  const deltaS = sigma1 >= 1 ? 2 * Math.sqrt(sigma1 - 1) - sigma2 : null;
  return { edges, leftNodes: g.cols, rightNodes: g.rows, meanDegreeLeft, meanDegreeRight, sigma1, sigma2, deltaR, deltaS };
}

/** Weighted spectral gap λ = σ1 − σ2 of |W⊙M| (isolated nodes of the mask removed). */
export function weightedSpectralGap(
  weights: ArrayLike<number>, mask: ArrayLike<number>, rows: number, cols: number, options: SpectralOptions = {},
): WeightedSpectralGap {
  checkShape(weights, rows, cols, 'weightedSpectralGap weights');
  checkShape(mask, rows, cols, 'weightedSpectralGap mask');
  const abs = Float64Array.from({ length: weights.length }, (_, k) => Math.abs(weights[k]! * mask[k]!));
  const g = compactMask(mask, rows, cols, abs);
  const { sigma1, sigma2 } = topSingularValues(g.matrix, g.rows, g.cols, options);
  return { sigma1, sigma2, gap: sigma1 - sigma2 };
}

/** The (rows = out, cols = in) graph shape of a weight shape: dense [out, in] or conv [cout, cin, kh, kw]. */
export function layerGraphShape(shape: readonly number[]): { rows: number; cols: number } {
  assert(shape.length >= 2, `layerGraphShape: need at least 2 dims, got [${shape.join(', ')}]`);
  return { rows: shape[0]!, cols: shape.slice(1).reduce((a, b) => a * b, 1) };
}

/** Both gaps of one layer, from its weights, mask and weight shape ([out, in] or [cout, cin, kh, kw]). */
export function layerSpectralGaps(
  weights: ArrayLike<number>, mask: ArrayLike<number>, shape: readonly number[], options: SpectralOptions = {},
): { ramanujan: RamanujanGap; weighted: WeightedSpectralGap } {
  const { rows, cols } = layerGraphShape(shape);
  const weighted = weightedSpectralGap(weights, mask, rows, cols, options);
  return { ramanujan: ramanujanGap(mask, rows, cols, options), weighted };
}
