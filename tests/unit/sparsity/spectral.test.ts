import { describe, expect, it } from 'vitest';
import {
  compactMask,
  layerGraphShape,
  layerSpectralGaps,
  ramanujanGap,
  topSingularValues,
  weightedSpectralGap,
} from '../../../src/sparsity/spectral';
import { bernoulliMask, mulberry32 } from '../../../src/util/rng';

// Independent reference: all eigenvalues of a dense symmetric matrix by cyclic Jacobi rotations.
function jacobiEigenvalues(sym: Float64Array, n: number): number[] {
  const a = Float64Array.from(sym);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off < 1e-26) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const tau = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]!).sort((x, y) => y - x);
}

/** σ1, σ2 of M (rows×cols) as √ of the top eigenvalues of BᵀB = M·Mᵀ (B = Mᵀ), by Jacobi. */
function referenceSigmas(m: ArrayLike<number>, rows: number, cols: number): [number, number] {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += m[i * cols + c]! * m[j * cols + c]!;
      g[i * rows + j] = s;
    }
  }
  const ev = jacobiEigenvalues(g, rows);
  return [Math.sqrt(Math.max(0, ev[0] ?? 0)), Math.sqrt(Math.max(0, ev[1] ?? 0))];
}

function randomMask(rows: number, cols: number, density: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: rows * cols }, () => (rng.next() < density ? 1 : 0));
}

function circulant(n: number, d: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) m[j * n + ((j + k) % n)] = 1;
  return m;
}

function expectRel(actual: number, expected: number, rel = 1e-5, abs = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

const CASES: [number, number, number, number][] = [
  [12, 20, 0.3, 1],
  [12, 20, 0.6, 2],
  [30, 7, 0.5, 3],
  [30, 7, 0.25, 4],
  [25, 25, 0.1, 5],
  [25, 25, 0.4, 6],
  [20, 12, 0.15, 7],
];

describe('topSingularValues vs a Jacobi eigen-solve of BᵀB', () => {
  it.each(CASES)('random %i×%i mask at density %f (seed %i)', (rows, cols, density, seed) => {
    const m = randomMask(rows, cols, density, seed);
    const [r1, r2] = referenceSigmas(m, rows, cols);
    const got = topSingularValues(m, rows, cols);
    expect(r1).toBeGreaterThan(r2 + 1e-3); // the comparison is not vacuous
    expectRel(got.sigma1, r1);
    expectRel(got.sigma2, r2);
    expect(got.iterations).toBeLessThanOrEqual(100);
  });

  it.each(CASES)('weighted |W⊙M|, %i×%i at density %f (seed %i)', (rows, cols, density, seed) => {
    const m = randomMask(rows, cols, density, seed);
    const rng = mulberry32(seed + 100);
    const w = Float64Array.from({ length: rows * cols }, () => rng.normal());
    const abs = w.map((x, k) => Math.abs(x * m[k]!));
    const [r1, r2] = referenceSigmas(abs, rows, cols);
    const got = weightedSpectralGap(w, m, rows, cols);
    expectRel(got.sigma1, r1);
    expectRel(got.sigma2, r2);
    expectRel(got.gap, r1 - r2, 1e-4, 1e-6);
  });

  it.each([1, 4])('bulk edge (σ2 ≈ σ3 ≈ σ4): 120×300 Bernoulli mask at 0.1, seed %i, default options', (seed) => {
    // With a 2-vector block these stop at 100 sweeps with σ2 off by 1e-3 (seed 1) and 1e-4 (seed 4).
    const m = bernoulliMask(120 * 300, seed, 0.1);
    const [r1, r2] = referenceSigmas(m, 120, 300);
    const got = topSingularValues(m, 120, 300);
    expectRel(got.sigma1, r1);
    expectRel(got.sigma2, r2);
  });

  it('a dense Gaussian matrix, both orientations agree with the reference', () => {
    const rng = mulberry32(42);
    const m = Float64Array.from({ length: 9 * 16 }, () => rng.normal());
    const mt = new Float64Array(16 * 9);
    for (let r = 0; r < 9; r++) for (let c = 0; c < 16; c++) mt[c * 9 + r] = m[r * 16 + c]!;
    const [r1, r2] = referenceSigmas(m, 9, 16);
    for (const got of [topSingularValues(m, 9, 16), topSingularValues(mt, 16, 9)]) {
      expectRel(got.sigma1, r1);
      expectRel(got.sigma2, r2);
    }
  });

  it('1×n and n×1 give σ1 = ‖v‖, σ2 = 0; empty and all-zero give 0 without iterating', () => {
    const v = [3, 0, -4, 0, 12];
    for (const [r, c] of [[1, 5], [5, 1]] as const) {
      const got = topSingularValues(v, r, c);
      expectRel(got.sigma1, 13, 1e-12);
      expect(got.sigma2).toBe(0);
    }
    expect(topSingularValues(new Float64Array(12), 3, 4)).toEqual({ sigma1: 0, sigma2: 0, iterations: 0 });
    expect(topSingularValues([], 0, 7)).toEqual({ sigma1: 0, sigma2: 0, iterations: 0 });
  });

  it('rank 1 (u·vᵀ): σ1 = ‖u‖‖v‖ and σ2 ≈ 0', () => {
    const u = [1, -2, 0.5, 3, 1];
    const v = [2, 0, 1, -1, 0.25, 4, 1];
    const m = Float64Array.from({ length: 35 }, (_, k) => u[Math.floor(k / 7)]! * v[k % 7]!);
    const got = topSingularValues(m, 5, 7);
    const nu = Math.hypot(...u);
    const nv = Math.hypot(...v);
    expectRel(got.sigma1, nu * nv, 1e-10);
    expect(got.sigma2).toBeLessThan(1e-10 * got.sigma1);
  });

  it('near-degenerate: two identical diagonal blocks give σ1 = σ2 = σ1(block); three give σ3 too', () => {
    const block = randomMask(5, 6, 0.6, 11);
    const [b1] = referenceSigmas(block, 5, 6);
    for (const copies of [2, 3]) {
      const rows = 5 * copies;
      const cols = 6 * copies;
      const m = new Float64Array(rows * cols);
      for (let b = 0; b < copies; b++)
        for (let r = 0; r < 5; r++) for (let c = 0; c < 6; c++) m[(b * 5 + r) * cols + b * 6 + c] = block[r * 6 + c]!;
      const got = topSingularValues(m, rows, cols);
      expectRel(got.sigma1, b1, 1e-7);
      expectRel(got.sigma2, b1, 1e-7);
    }
  });

  it('is deterministic per seed, seed-independent in value, and honours the iteration cap', () => {
    const m = randomMask(20, 30, 0.3, 9);
    expect(topSingularValues(m, 20, 30, { seed: 5 })).toEqual(topSingularValues(m, 20, 30, { seed: 5 }));
    const a = topSingularValues(m, 20, 30, { seed: 5 });
    const b = topSingularValues(m, 20, 30, { seed: 77 });
    expectRel(a.sigma1, b.sigma1, 1e-6);
    expectRel(a.sigma2, b.sigma2, 1e-6);
    expect(a.iterations).toBeLessThan(100); // early stop happened
    expect(topSingularValues(m, 20, 30, { iterations: 3 }).iterations).toBe(3);
  });

  it('rejects a length that does not match the shape', () => {
    expect(() => topSingularValues(new Float64Array(10), 3, 4)).toThrow(/length/);
    expect(() => ramanujanGap(new Float64Array(10), 3, 4)).toThrow(/length/);
    expect(() => weightedSpectralGap(new Float64Array(12), new Float64Array(10), 3, 4)).toThrow(/length/);
  });
});

describe('compactMask', () => {
  it('drops all-zero rows and columns and keeps the rest in order', () => {
    // prettier-ignore
    const m = [
      0, 0, 0, 0,
      1, 0, 2, 0,
      0, 0, 0, 0,
      0, 0, 3, 0,
    ];
    const g = compactMask(m, 4, 4);
    expect([g.rows, g.cols]).toEqual([2, 2]);
    expect(Array.from(g.keptRows)).toEqual([1, 3]);
    expect(Array.from(g.keptCols)).toEqual([0, 2]);
    expect(Array.from(g.matrix)).toEqual([1, 2, 0, 3]);
    expect(compactMask(new Float64Array(6), 2, 3).matrix.length).toBe(0);
  });
});

describe('ramanujanGap', () => {
  it('complete bipartite K: a×b all-ones mask', () => {
    const a = 4; // outputs (rows, right nodes), each of degree b
    const b = 6; // inputs (cols, left nodes), each of degree a
    const g = ramanujanGap(new Float64Array(a * b).fill(1), a, b);
    expect(g.edges).toBe(24);
    expect([g.leftNodes, g.rightNodes]).toEqual([b, a]);
    expect(g.meanDegreeLeft).toBe(a);
    expect(g.meanDegreeRight).toBe(b);
    expectRel(g.sigma1, Math.sqrt(a * b), 1e-10);
    expect(g.sigma2).toBeLessThan(1e-9);
    expectRel(g.deltaR!, Math.sqrt(a - 1) + Math.sqrt(b - 1), 1e-9);
    expectRel(g.deltaS!, 2 * Math.sqrt(Math.sqrt(a * b) - 1), 1e-9);
  });

  it('d-regular circulant: σ1 = d, σ2 = max_j |sin(πjd/n)/sin(πj/n)|', () => {
    const n = 12;
    const d = 4;
    const g = ramanujanGap(circulant(n, d), n, n);
    let s2 = 0;
    for (let j = 1; j < n; j++) s2 = Math.max(s2, Math.abs(Math.sin((Math.PI * j * d) / n) / Math.sin((Math.PI * j) / n)));
    expect(g.edges).toBe(n * d);
    expect([g.meanDegreeLeft, g.meanDegreeRight]).toEqual([d, d]);
    expectRel(g.sigma1, d, 1e-9);
    expectRel(g.sigma2, s2, 1e-6);
    expectRel(g.deltaR!, 2 * Math.sqrt(d - 1) - s2, 1e-6);
    expectRel(g.deltaS!, 2 * Math.sqrt(d - 1) - s2, 1e-6);
  });

  it('identity: σ1 = σ2 = 1, mean degree 1 → Δr null, Δs = −1', () => {
    const n = 6;
    const id = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
    const g = ramanujanGap(id, n, n);
    expectRel(g.sigma1, 1, 1e-9);
    expectRel(g.sigma2, 1, 1e-9);
    expect(g.meanDegreeLeft).toBe(1);
    expect(g.deltaR).toBeNull();
    expectRel(g.deltaS!, -1, 1e-9);
  });

  it('mean degree below 3 → Δr null (2-regular circulant), though Δs is defined', () => {
    const g = ramanujanGap(circulant(10, 2), 10, 10);
    expectRel(g.sigma1, 2, 1e-6); // σ2 = σ3 = 2cos(π/10) ≈ 0.95·σ1: slower, stops at the 1e-7 tolerance
    expect(g.deltaR).toBeNull();
    expect(g.deltaS).not.toBeNull();
    // one side ≥ 3 is not enough: a 3×12 mask with every input of degree 1, outputs of degree 4
    const m = Float64Array.from({ length: 36 }, (_, k) => (Math.floor(k / 12) === (k % 12) % 3 ? 1 : 0));
    const h = ramanujanGap(m, 3, 12);
    expect([h.meanDegreeLeft, h.meanDegreeRight]).toEqual([1, 4]);
    expect(h.deltaR).toBeNull();
  });

  it('isolated rows and columns are removed: same result as the compact mask', () => {
    const n = 9;
    const base = circulant(n, 3);
    // insert an all-zero output row at 4 and an all-zero input column at 2
    const rows = n + 1;
    const cols = n + 1;
    const padded = new Float64Array(rows * cols);
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++) padded[(r < 4 ? r : r + 1) * cols + (c < 2 ? c : c + 1)] = base[r * n + c]!;
    const a = ramanujanGap(base, n, n);
    const b = ramanujanGap(padded, rows, cols);
    expect(b.leftNodes).toBe(n);
    expect(b.rightNodes).toBe(n);
    expect(b.meanDegreeLeft).toBe(3);
    expect(b.deltaR).not.toBeNull();
    expectRel(b.sigma1, a.sigma1, 1e-9);
    expectRel(b.sigma2, a.sigma2, 1e-7);
    expectRel(b.deltaR!, a.deltaR!, 1e-6);
  });

  it('random masks: degrees counted over non-isolated nodes, σ vs the Jacobi reference', () => {
    for (const [rows, cols, density, seed] of CASES) {
      const m = randomMask(rows, cols, density, seed);
      const edges = m.reduce((s, x) => s + x, 0);
      let usedRows = 0;
      let usedCols = 0;
      for (let r = 0; r < rows; r++) if (m.subarray(r * cols, (r + 1) * cols).some((x) => x)) usedRows++;
      for (let c = 0; c < cols; c++) if (Array.from({ length: rows }, (_, r) => m[r * cols + c]).some((x) => x)) usedCols++;
      const g = ramanujanGap(m, rows, cols);
      const [r1, r2] = referenceSigmas(m, rows, cols);
      expect(g.edges).toBe(edges);
      expect([g.leftNodes, g.rightNodes]).toEqual([usedCols, usedRows]);
      expectRel(g.meanDegreeLeft, edges / usedCols, 1e-12);
      expectRel(g.meanDegreeRight, edges / usedRows, 1e-12);
      expectRel(g.sigma1, r1);
      expectRel(g.sigma2, r2);
      const dl = edges / usedCols;
      const dr = edges / usedRows;
      if (dl >= 3 && dr >= 3) expectRel(g.deltaR!, Math.sqrt(dl - 1) + Math.sqrt(dr - 1) - r2, 1e-5, 1e-6);
      else expect(g.deltaR).toBeNull();
    }
  });

  it('all-zero mask: no edges, σ = 0, both gaps null, no crash', () => {
    const g = ramanujanGap(new Float64Array(20), 4, 5);
    expect(g).toEqual({
      edges: 0,
      leftNodes: 0,
      rightNodes: 0,
      meanDegreeLeft: 0,
      meanDegreeRight: 0,
      sigma1: 0,
      sigma2: 0,
      deltaR: null,
      deltaS: null,
    });
    expect(weightedSpectralGap(new Float64Array(20).fill(1), new Float64Array(20), 4, 5)).toEqual({ sigma1: 0, sigma2: 0, gap: 0 });
  });

  it('LeNet-300-100 fc1 (300×784) at density 0.1 runs well under a second', () => {
    const m = randomMask(300, 784, 0.1, 2024);
    const t0 = performance.now();
    const g = ramanujanGap(m, 300, 784);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1000);
    // σ1 bounds: √(d̄_L·d̄_R) ≤ σ1 ≤ √(max col sum · max row sum); σ2 well below σ1 for a random graph
    let maxRow = 0;
    const colSum = new Float64Array(784);
    for (let r = 0; r < 300; r++) {
      let s = 0;
      for (let c = 0; c < 784; c++) {
        s += m[r * 784 + c]!;
        colSum[c] = colSum[c]! + m[r * 784 + c]!;
      }
      maxRow = Math.max(maxRow, s);
    }
    expect(g.sigma1).toBeGreaterThanOrEqual(Math.sqrt(g.meanDegreeLeft * g.meanDegreeRight) - 1e-9);
    expect(g.sigma1).toBeLessThanOrEqual(Math.sqrt(maxRow * Math.max(...colSum)) + 1e-9);
    expect(g.sigma2).toBeLessThan(0.5 * g.sigma1);
    expect(g.deltaR).not.toBeNull();
  });
});

describe('layerSpectralGaps', () => {
  it('a conv [cout, cin, kh, kw] is the (cout × cin·kh·kw) graph', () => {
    const shape = [6, 2, 3, 3];
    expect(layerGraphShape(shape)).toEqual({ rows: 6, cols: 18 });
    const m = randomMask(6, 18, 0.5, 31);
    const rng = mulberry32(32);
    const w = Float64Array.from({ length: 108 }, () => rng.normal());
    const both = layerSpectralGaps(w, m, shape);
    expect(both.ramanujan).toEqual(ramanujanGap(m, 6, 18));
    expect(both.weighted).toEqual(weightedSpectralGap(w, m, 6, 18));
    const [r1, r2] = referenceSigmas(w.map((x, k) => Math.abs(x * m[k]!)), 6, 18);
    expectRel(both.weighted.gap, r1 - r2, 1e-4, 1e-6);
  });
});
