import { describe, expect, it } from 'vitest';
import { popcount } from '../../../src/sparsity/masks';
import {
  graspKeepScores,
  graspScores,
  hessianGradFiniteDiff,
  impActiveCounts,
  impDensity,
  keepTopK,
  magnitudeScores,
  snipScores,
  suggestedHvpEpsilon,
  synflowDensity,
  synflowScores,
} from '../../../src/sparsity/init-scores';
import { mulberry32 } from '../../../src/util/rng';
import { paramCount, tinyMlpPass } from './tiny-mlp';
import type { TinyMlp } from './tiny-mlp';

function makeNet(seed: number): { net: TinyMlp; theta: Float64Array } {
  const rng = mulberry32(seed);
  const net: TinyMlp = {
    inputs: 4,
    hidden: 5,
    classes: 3,
    x: Float64Array.from({ length: 6 * 4 }, () => rng.normal()),
    y: Uint32Array.from({ length: 6 }, (_, b) => b % 3),
  };
  const theta = Float64Array.from({ length: paramCount(net) }, () => rng.normal() * 0.8);
  return { net, theta };
}

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, ai, i) => s + ai * b[i]!, 0);
const maxAbsDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, ai, i) => Math.max(m, Math.abs(ai - b[i]!)), 0);
const maxAbs = (a: Float64Array): number => a.reduce((m, ai) => Math.max(m, Math.abs(ai)), 0);

describe('tiny MLP reference (float64)', () => {
  const { net, theta } = makeNet(21);
  const n = theta.length;
  it('gradient matches central differences of the loss', () => {
    const { grad } = tinyMlpPass(net, theta);
    for (let i = 0; i < n; i += 3) {
      const tp = theta.slice();
      const tm = theta.slice();
      tp[i]! += 1e-5;
      tm[i]! -= 1e-5;
      const fd = (tinyMlpPass(net, tp).loss - tinyMlpPass(net, tm).loss) / 2e-5;
      expect(Math.abs(fd - grad[i]!)).toBeLessThan(1e-8);
    }
  });

  it('exact HVP is symmetric (uᵀHv = vᵀHu) and linear in v', () => {
    const rng = mulberry32(4);
    const u = Float64Array.from({ length: n }, () => rng.normal());
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const Hu = tinyMlpPass(net, theta, u).hv;
    const Hv = tinyMlpPass(net, theta, v).hv;
    expect(Math.abs(dot(u, Hv) - dot(v, Hu))).toBeLessThan(1e-12 * (1 + Math.abs(dot(u, Hv))));
    const H2v = tinyMlpPass(net, theta, v.map((t) => 2 * t)).hv;
    expect(maxAbsDiff(H2v, Hv.map((t) => 2 * t))).toBeLessThan(1e-14);
  });
});

describe('GraSP Hg by finite differences vs the exact HVP', () => {
  const { net, theta } = makeNet(33);
  const gradAt = (w: Float64Array): Float64Array => tinyMlpPass(net, w).grad;
  const g = gradAt(theta);
  const exact = tinyMlpPass(net, theta, g).hv;

  it('agrees to 1e-6 relative at ε = 1e-3 along g', () => {
    const hg = hessianGradFiniteDiff(gradAt, theta, g, 1e-3);
    expect(maxAbsDiff(hg, exact) / maxAbs(exact)).toBeLessThan(1e-6); // O(ε²) truncation, measured ≈ 3e-7
  });

  it('error shrinks like ε² (central, not one-sided, differences)', () => {
    const err = (eps: number): number => maxAbsDiff(hessianGradFiniteDiff(gradAt, theta, g, eps, { normalise: true }), exact);
    const ratio = err(1e-2) / err(1e-3);
    expect(ratio).toBeGreaterThan(50); // ε² gives 100; a one-sided difference would give 10
    expect(ratio).toBeLessThan(200);
  });

  it('normalised probe agrees with the plain one and with the exact HVP', () => {
    const eps = suggestedHvpEpsilon(theta);
    expect(eps).toBeCloseTo((1e-3 * Math.sqrt(dot(theta, theta))) / Math.sqrt(theta.length), 15);
    const hg = hessianGradFiniteDiff(gradAt, theta, g, eps, { normalise: true });
    expect(maxAbsDiff(hg, exact) / maxAbs(exact)).toBeLessThan(1e-6);
  });

  it('GraSP removes the largest −w⊙Hg: every removed score ≥ every kept one', () => {
    const S = graspScores(theta, exact);
    const [keep] = keepTopK([graspKeepScores(theta, exact)], 10, 'global');
    expect(popcount(keep!)).toBe(10);
    const kept = S.filter((_, i) => keep![i] === 1);
    const removed = S.filter((_, i) => keep![i] === 0);
    expect(Math.max(...kept)).toBeLessThanOrEqual(Math.min(...removed));
  });
});

describe('scores by hand', () => {
  const w = [0.5, -2, 0, 1];
  const g = [4, 0.25, 9, -3];
  it('magnitude |w|, SNIP |g⊙w|, SynFlow |∂R/∂w ⊙ w|', () => {
    expect(Array.from(magnitudeScores(w))).toEqual([0.5, 2, 0, 1]);
    expect(Array.from(snipScores(w, g))).toEqual([2, 0.5, 0, 3]);
    expect(Array.from(synflowScores(w, g))).toEqual([2, 0.5, 0, 3]);
  });

  it('GraSP S = −w⊙Hg; its keep score is the negation', () => {
    const hg = [0.5, 0.5, -1];
    expect(Array.from(graspScores([1, -2, 3], hg))).toEqual([-0.5, 1, 3]);
    const [keep] = keepTopK([graspKeepScores([1, -2, 3], hg)], 1, 'global');
    expect(Array.from(keep!)).toEqual([1, 0, 0]); // the smallest S survives
  });
});

describe('schedules', () => {
  it('SynFlow density d^(r/R)', () => {
    expect(synflowDensity(0, 2, 0.01)).toBe(1);
    expect(synflowDensity(1, 2, 0.01)).toBeCloseTo(0.1, 14);
    expect(synflowDensity(2, 2, 0.01)).toBeCloseTo(0.01, 14);
    expect(synflowDensity(50, 100, 0.01)).toBeCloseTo(0.1, 14);
  });

  it('IMP keeps (1 − p)^R, pruning ceil(p·remaining) each round', () => {
    expect(impDensity(3, 0.2)).toBeCloseTo(0.512, 14);
    expect(impActiveCounts(1000, 3, 0.2)).toEqual([800, 640, 512]);
    expect(impActiveCounts(10, 3, 0.2)).toEqual([8, 6, 4]); // prune 2, ceil(1.6) = 2, ceil(1.2) = 2
  });
});

describe('keepTopK', () => {
  it('breaks ties by lower index', () => {
    const [m] = keepTopK([Float64Array.of(1, 3, 3, 2, 3)], 2, 'global');
    expect(Array.from(m!)).toEqual([0, 1, 1, 0, 0]);
    const [z] = keepTopK([Float32Array.of(0, -0, 0)], 1, 'global');
    expect(Array.from(z!)).toEqual([1, 0, 0]);
  });

  it('global scope ranks the concatenation (layer order, then index)', () => {
    const scores = [Float64Array.of(5, 1), Float32Array.of(5, 5, 0)];
    expect(keepTopK(scores, 2, 'global').map((m) => Array.from(m))).toEqual([[1, 0], [1, 0, 0]]);
    expect(keepTopK(scores, 3, 'global').map((m) => Array.from(m))).toEqual([[1, 0], [1, 1, 0]]);
    expect(keepTopK(scores, 0, 'global').map((m) => Array.from(m))).toEqual([[0, 0], [0, 0, 0]]);
  });

  it('per-layer scope takes one count per layer', () => {
    const scores = [Float64Array.of(5, 1), Float64Array.of(-1, 7, -Infinity)];
    expect(keepTopK(scores, [1, 2], 'per-layer').map((m) => Array.from(m))).toEqual([[1, 0], [1, 1, 0]]);
    expect(() => keepTopK(scores, 2, 'per-layer')).toThrow(/one count per layer/);
    expect(() => keepTopK(scores, [3, 1], 'per-layer')).toThrow(/count/);
  });

  it('`within` limits the choice to active entries (iterative SynFlow, IMP)', () => {
    const scores = [Float64Array.of(9, 8, 7, 6)];
    expect(Array.from(keepTopK(scores, 2, 'global', [[0, 1, 1, 1]])[0]!)).toEqual([0, 1, 1, 0]);
    expect(() => keepTopK(scores, 2, 'global', [[0, 0, 0, 1]])).toThrow(/count/);
  });

  it('counts are exact even with heavy ties, and NaN is rejected', () => {
    const rng = mulberry32(2);
    const scores = [0, 1, 2].map((l) => Float64Array.from({ length: 500 + l * 77 }, () => rng.int(4)));
    const global = keepTopK(scores, 321, 'global');
    expect(global.reduce((a, m) => a + popcount(m), 0)).toBe(321);
    expect(keepTopK(scores, [0, 250, 654], 'per-layer').map(popcount)).toEqual([0, 250, 654]);
    expect(() => keepTopK([Float64Array.of(1, NaN)], 1, 'global')).toThrow(/NaN/);
  });
});
