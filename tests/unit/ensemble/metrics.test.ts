// Hand-computed checks of the ensemble metrics (docs/METHODS.md §2.4): every expected value
// below is worked out in the comments next to it.
import { describe, expect, it } from 'vitest';
import {
  ECE_BINS_FREETICKETS,
  ECE_BINS_STANDARD,
  classificationMetrics,
  disagreementMatrix,
  ensembleReport,
  klMatrix,
  maskDistanceMatrices,
  maskHamming,
  maskJaccard,
  meanOffDiagonal,
  meanProbabilities,
  normalizedDisagreement,
  predictions,
  softmaxRows,
} from '../../../src/ensemble/metrics';

const f32 = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());

describe('softmaxRows', () => {
  it('is stable for huge logits: softmax([1000, 1001]) = [1/(1+e), e/(1+e)]', () => {
    const p = softmaxRows(f32([[1000, 1001], [-1000, -1001]]), 2);
    const e = Math.E;
    // [1000, 1001] − 1001 = [−1, 0] → [e⁻¹, 1] / (1 + e⁻¹) = [1/(1+e), e/(1+e)] ≈ [0.268941, 0.731059]
    expect(p[0]).toBeCloseTo(1 / (1 + e), 6);
    expect(p[1]).toBeCloseTo(e / (1 + e), 6);
    // [−1000, −1001] − (−1000) = [0, −1] → the mirror image
    expect(p[2]).toBeCloseTo(e / (1 + e), 6);
    expect(p[3]).toBeCloseTo(1 / (1 + e), 6);
    expect(Array.from(p).every(Number.isFinite)).toBe(true);
  });

  it('matches exp(z)/Σexp(z) on an ordinary row: [0, ln 3] → [1/4, 3/4]', () => {
    const p = softmaxRows(f32([[0, Math.log(3)]]), 2);
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.75, 6);
  });

  it('rejects a length that is not a multiple of classes', () => {
    expect(() => softmaxRows(new Float32Array(5), 2)).toThrow(/multiple of classes/);
    expect(() => softmaxRows(new Float32Array(4), 0)).toThrow(/positive integer/);
  });
});

describe('meanProbabilities and predictions', () => {
  it('averages elementwise: ([0.5, 0.5] + [0.25, 0.75] + [0, 1]) / 3 = [0.25, 0.75]', () => {
    const mean = meanProbabilities([f32([[0.5, 0.5]]), f32([[0.25, 0.75]]), f32([[0, 1]])]);
    expect(Array.from(mean)).toEqual([0.25, 0.75]);
  });

  it('throws on an empty list or mismatched lengths', () => {
    expect(() => meanProbabilities([])).toThrow(/at least one member/);
    expect(() => meanProbabilities([new Float32Array(4), new Float32Array(6)])).toThrow(/member 1 has length 6/);
  });

  it('takes the first index on ties', () => {
    const p = f32([
      [0.4, 0.4, 0.2], // tie between 0 and 1 → 0
      [0.2, 0.4, 0.4], // tie between 1 and 2 → 1
      [0.1, 0.2, 0.7], // → 2
    ]);
    expect(Array.from(predictions(p, 3))).toEqual([0, 1, 2]);
  });
});

describe('classificationMetrics', () => {
  // 4 examples × 3 classes, all values exact in float32.
  const probs = f32([
    [0.5, 0.25, 0.25], //      label 0: pred 0 ✓, conf 0.5,   p[label] 0.5
    [0.125, 0.75, 0.125], //   label 1: pred 1 ✓, conf 0.75,  p[label] 0.75
    [0.25, 0.25, 0.5], //      label 0: pred 2 ✗, conf 0.5,   p[label] 0.25
    [0.0625, 0.875, 0.0625], // label 2: pred 1 ✗, conf 0.875, p[label] 0.0625
  ]);
  const labels = [0, 1, 0, 2];

  it('accuracy, NLL, ECE (5 bins), reliability and confusion by hand', () => {
    const m = classificationMetrics(probs, labels, 3, { bins: 5 });
    expect(m.count).toBe(4);
    // 2 correct of 4
    expect(m.accuracy).toBe(0.5);
    // NLL = −(ln 0.5 + ln 0.75 + ln 0.25 + ln 0.0625) / 4 ≈ (0.693147 + 0.287682 + 1.386294 + 2.772589) / 4 ≈ 1.284928
    expect(m.nll).toBeCloseTo(-(Math.log(0.5) + Math.log(0.75) + Math.log(0.25) + Math.log(0.0625)) / 4, 10);
    expect(m.nll).toBeCloseTo(1.284928, 5);
    // bins of width 0.2: 0.5, 0.5 → (0.4, 0.6]; 0.75 → (0.6, 0.8]; 0.875 → (0.8, 1]
    // bin 2: |(1 + 0) − (0.5 + 0.5)| = 0; bin 3: |1 − 0.75| = 0.25; bin 4: |0 − 0.875| = 0.875
    // ECE = (0 + 0.25 + 0.875) / 4 = 0.28125
    expect(m.ece).toBeCloseTo(0.28125, 10);
    expect(m.reliability).toHaveLength(5);
    expect(m.reliability[0]).toEqual({ lower: 0, upper: 0.2, count: 0, confidence: 0, accuracy: 0 });
    expect(m.reliability[1]!.count).toBe(0);
    expect(m.reliability[2]).toEqual({ lower: 0.4, upper: 0.6, count: 2, confidence: 0.5, accuracy: 0.5 });
    expect(m.reliability[3]).toEqual({ lower: 0.6, upper: 0.8, count: 1, confidence: 0.75, accuracy: 1 });
    expect(m.reliability[4]).toEqual({ lower: 0.8, upper: 1, count: 1, confidence: 0.875, accuracy: 0 });
    // confusion[true][pred]: (0,0), (1,1), (0,2), (2,1)
    expect(m.confusion).toEqual([
      [1, 0, 1],
      [0, 1, 0],
      [0, 1, 0],
    ]);
  });

  it('defaults to 15 bins', () => {
    expect(ECE_BINS_STANDARD).toBe(15);
    expect(ECE_BINS_FREETICKETS).toBe(14);
    expect(classificationMetrics(probs, labels, 3).reliability).toHaveLength(15);
    // 15 bins: 0.5 → (7/15, 8/15], 0.75 → (11/15, 12/15], 0.875 → (13/15, 14/15]: same grouping as 5 bins
    expect(classificationMetrics(probs, labels, 3).ece).toBeCloseTo(0.28125, 10);
  });

  it('a confidence on a bin edge falls in the bin it closes (lower exclusive, upper inclusive)', () => {
    // 5 bins: conf 0.6 → (0.4, 0.6] = bin 2; 0.8 → (0.6, 0.8] = bin 3; 1 → (0.8, 1] = bin 4;
    // an all-zero row has conf 0 → bin 0.
    const edge = f32([
      [0.6, 0.3, 0.1],
      [0.8, 0.1, 0.1],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    const m = classificationMetrics(edge, [0, 0, 0, 0], 3, { bins: 5 });
    expect(m.reliability.map((b) => b.count)).toEqual([1, 0, 1, 1, 1]);
    expect(m.reliability[2]!.confidence).toBeCloseTo(0.6, 6);
    // NLL clamps p = 0 at 1e-12: −(ln 0.6 + ln 0.8 + ln 1 + ln 1e-12) / 4
    expect(m.nll).toBeCloseTo(-(Math.log(0.6) + Math.log(0.8) + Math.log(1e-12)) / 4, 6);
  });

  it('14 (FreeTickets) and 15 (standard) bins give different ECE on a crafted case', () => {
    // conf 0.5 correct (tie → class 0 = label), conf 0.52 wrong (pred 0, label 1).
    // 15 bins: both in (7/15, 8/15] ≈ (0.467, 0.533] → |(1 + 0) − (0.5 + 0.52)| / 2 = 0.02 / 2 = 0.01
    // 14 bins: 0.5 in (6/14, 7/14] = (0.429, 0.5], 0.52 in (0.5, 0.571] → (|1 − 0.5| + |0 − 0.52|) / 2 = 0.51
    const p = f32([
      [0.5, 0.5],
      [0.52, 0.48],
    ]);
    const standard = classificationMetrics(p, [0, 1], 2, { bins: ECE_BINS_STANDARD });
    const freeTickets = classificationMetrics(p, [0, 1], 2, { bins: ECE_BINS_FREETICKETS });
    expect(standard.ece).toBeCloseTo(0.01, 6);
    expect(freeTickets.ece).toBeCloseTo(0.51, 6);
    expect(freeTickets.reliability[6]!.count).toBe(1);
    expect(freeTickets.reliability[7]!.count).toBe(1);
  });

  it('validates shapes, labels and bins', () => {
    expect(() => classificationMetrics(probs, [0, 1, 0], 3)).toThrow(/labels length 3 does not match N = 4/);
    expect(() => classificationMetrics(probs, [0, 1, 0, 3], 3)).toThrow(/label 3 at 3 is not in \[0, 3\)/);
    expect(() => classificationMetrics(probs, [0, 1, 0.5, 2], 3)).toThrow(/label 0.5/);
    expect(() => classificationMetrics(probs, labels, 5)).toThrow(/multiple of classes/);
    expect(() => classificationMetrics(probs, labels, 3, { bins: 0 })).toThrow(/bins/);
    expect(() => classificationMetrics(new Float32Array(0), [], 3)).toThrow(/at least one example/);
  });
});

describe('pairwise diversity', () => {
  // N = 2 examples, C = 2 classes.
  const a = f32([
    [0.5, 0.5], //  pred 0
    [0.75, 0.25], // pred 0
  ]);
  const b = f32([
    [0.25, 0.75], // pred 1
    [0.75, 0.25], // pred 0
  ]);
  const c = f32([
    [1, 0], // pred 0
    [0, 1], // pred 1
  ]);

  it('disagreement: fraction of differing argmax, symmetric with zero diagonal', () => {
    // a vs b: row 0 differs → 1/2; a vs c: row 1 differs → 1/2; b vs c: both differ → 1
    expect(disagreementMatrix([a, b, c], 2)).toEqual([
      [0, 0.5, 0.5],
      [0.5, 0, 1],
      [0.5, 1, 0],
    ]);
    // mean over the 6 ordered pairs: 2 · (0.5 + 0.5 + 1) / 6 = 2/3
    expect(meanOffDiagonal(disagreementMatrix([a, b, c], 2))).toBeCloseTo(2 / 3, 12);
  });

  it('KL is asymmetric: kl[i][j] = (1/N) Σ p_j (ln p_j − ln p_i)', () => {
    const kl = klMatrix([a, b], 2);
    // kl[0][1] = KL(b‖a): row 0: 0.25 ln(0.25/0.5) + 0.75 ln(0.75/0.5) ≈ −0.173287 + 0.304099 = 0.130812;
    //           row 1: identical rows → 0; batchmean /2 → ≈ 0.065406
    const k01 = (0.25 * Math.log(0.5) + 0.75 * Math.log(1.5)) / 2;
    // kl[1][0] = KL(a‖b): row 0: 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) ≈ 0.346574 − 0.202733 = 0.143841; /2 → ≈ 0.071921
    const k10 = (0.5 * Math.log(2) + 0.5 * Math.log(2 / 3)) / 2;
    expect(kl[0]![1]).toBeCloseTo(k01, 6);
    expect(kl[0]![1]).toBeCloseTo(0.065406, 5);
    expect(kl[1]![0]).toBeCloseTo(k10, 6);
    expect(kl[1]![0]).toBeCloseTo(0.071921, 5);
    expect(kl[0]![1]).not.toBeCloseTo(kl[1]![0]!, 3);
    expect(kl[0]![0]).toBe(0);
    expect(kl[1]![1]).toBe(0);
    expect(meanOffDiagonal(kl)).toBeCloseTo((k01 + k10) / 2, 6);
  });

  it('KL: zero target probabilities contribute 0, zero source probabilities are clamped at 1e-12', () => {
    const kl = klMatrix([a, c], 2);
    // kl[0][1] = KL(c‖a): row 0: 1·ln(1/0.5) + 0 = ln 2; row 1: 0 + 1·ln(1/0.25) = ln 4 → (ln 2 + ln 4)/2 = 1.5 ln 2
    expect(kl[0]![1]).toBeCloseTo(1.5 * Math.LN2, 6);
    // kl[1][0] = KL(a‖c): row 0: 0.5 ln(0.5/1) + 0.5 ln(0.5/1e-12); row 1: 0.75 ln(0.75/1e-12) + 0.25 ln(0.25/1)
    const expected =
      (0.5 * Math.log(0.5) + 0.5 * Math.log(0.5 / 1e-12) + 0.75 * Math.log(0.75 / 1e-12) + 0.25 * Math.log(0.25)) / 2;
    expect(kl[1]![0]).toBeCloseTo(expected, 5);
    expect(Number.isFinite(kl[1]![0])).toBe(true);
  });

  it('single member gives a 1×1 zero matrix and null means; mismatched members throw', () => {
    expect(disagreementMatrix([a], 2)).toEqual([[0]]);
    expect(klMatrix([a], 2)).toEqual([[0]]);
    expect(meanOffDiagonal([[0]])).toBeNull();
    expect(meanOffDiagonal([])).toBeNull();
    expect(() => meanOffDiagonal([[0, 1], [1]])).toThrow(/not square/);
    expect(() => disagreementMatrix([a, new Float32Array(6)], 2)).toThrow(/member 1 has length 6/);
    expect(() => klMatrix([a, new Float32Array(6)], 2)).toThrow(/member 1 has length 6/);
  });

  it("normalizedDisagreement is Fort's d / (1 − accuracy), null at accuracy 1", () => {
    // 0.3 / (1 − 0.7) = 1
    expect(normalizedDisagreement(0.3, 0.7)).toBeCloseTo(1, 12);
    expect(normalizedDisagreement(0.3, 1)).toBeNull();
    expect(normalizedDisagreement(null, 0.5)).toBeNull();
  });
});

describe('ensembleReport', () => {
  // 3 members, 3 examples, 2 classes, all labels 0. Each member is wrong (0.4 vs 0.6) on a different example.
  const m1 = f32([[0.4, 0.6], [0.9, 0.1], [0.9, 0.1]]);
  const m2 = f32([[0.9, 0.1], [0.4, 0.6], [0.9, 0.1]]);
  const m3 = f32([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]]);
  const labels = [0, 0, 0];

  it('the ensemble can beat every member', () => {
    const r = ensembleReport([m1, m2, m3], labels, 2);
    // each member: 2/3 correct
    for (const m of r.members) expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    // every ensemble row is [(0.4 + 0.9 + 0.9)/3, (0.6 + 0.1 + 0.1)/3] = [0.7333, 0.2667] → all correct
    expect(r.ensemble.accuracy).toBe(1);
    // NLL = −ln(2.2/3) ≈ 0.310155
    expect(r.ensemble.nll).toBeCloseTo(-Math.log(2.2 / 3), 6);
    // ECE (15 bins): all three in (10/15, 11/15] → |3 − 3·0.7333| / 3 = 1 − 0.7333 ≈ 0.266667
    expect(r.ensemble.ece).toBeCloseTo(0.8 / 3, 6);
    // each pair of members disagrees on 2 of 3 examples
    expect(r.disagreementMatrix).toEqual([
      [0, 2 / 3, 2 / 3],
      [2 / 3, 0, 2 / 3],
      [2 / 3, 2 / 3, 0],
    ]);
    expect(r.disagreement).toBeCloseTo(2 / 3, 12);
    // KL(p_j‖p_i) on a differing row: 0.9 ln(0.9/0.4) + 0.1 ln(0.1/0.6) (row where i is wrong)
    // or 0.4 ln(0.4/0.9) + 0.6 ln(0.6/0.1) (row where j is wrong); each pair has one of each, /3.
    const k = (0.9 * Math.log(0.9 / 0.4) + 0.1 * Math.log(0.1 / 0.6) + 0.4 * Math.log(0.4 / 0.9) + 0.6 * Math.log(6)) / 3;
    expect(r.kl).toBeCloseTo(k, 5);
    expect(r.klMatrix[0]![1]).toBeCloseTo(k, 5);
    // Fort's normalisation against a member's accuracy: (2/3) / (1 − 2/3) = 2
    expect(normalizedDisagreement(r.disagreement, r.members[0]!.accuracy)).toBeCloseTo(2, 6);
    expect(normalizedDisagreement(r.disagreement, r.ensemble.accuracy)).toBeNull();
  });

  it('a single member reports null diversity and its own metrics as the ensemble', () => {
    const r = ensembleReport([m1], labels, 2, { bins: 10 });
    expect(r.disagreement).toBeNull();
    expect(r.kl).toBeNull();
    expect(r.ensemble).toEqual(r.members[0]);
    expect(r.ensemble.reliability).toHaveLength(10);
  });

  it('throws on mismatched members or labels', () => {
    expect(() => ensembleReport([m1, new Float32Array(4)], labels, 2)).toThrow(/member 1 has length 4/);
    expect(() => ensembleReport([m1, m2], [0, 0], 2)).toThrow(/labels length 2/);
    expect(() => ensembleReport([], labels, 2)).toThrow(/at least one member/);
  });
});

describe('mask distances', () => {
  it('Hamming and Jaccard on tiny masks', () => {
    // a = {0, 1}, b = {0, 2}: XOR = {1, 2} → 2 / (2 + 2) = 0.5; ∧ = {0}, ∨ = {0, 1, 2} → 1 − 1/3 = 2/3
    const a = [1, 1, 0, 0];
    const b = Float32Array.from([1, 0, 1, 0]);
    expect(maskHamming(a, b)).toBe(0.5);
    expect(maskJaccard(a, b)).toBeCloseTo(2 / 3, 12);
    // disjoint: XOR 2 / 2 = 1; ∧ empty → 1 − 0 = 1
    expect(maskHamming(Uint8Array.from([1, 0]), Uint8Array.from([0, 1]))).toBe(1);
    expect(maskJaccard(Uint8Array.from([1, 0]), Uint8Array.from([0, 1]))).toBe(1);
    // identical → 0, both empty → 0 (not 0/0)
    expect(maskHamming([1, 0, 1], [1, 0, 1])).toBe(0);
    expect(maskJaccard([1, 0, 1], [1, 0, 1])).toBe(0);
    expect(maskHamming(new Uint8Array(3), new Uint8Array(3))).toBe(0);
    expect(maskJaccard(new Uint8Array(3), new Uint8Array(3))).toBe(0);
    // one empty, one not: XOR 1 / (0 + 1) = 1; 1 − 0/1 = 1
    expect(maskHamming([0, 0], [0, 1])).toBe(1);
    expect(maskJaccard([0, 0], [0, 1])).toBe(1);
  });

  it('throws on masks of different lengths', () => {
    expect(() => maskHamming([1, 0], [1, 0, 1])).toThrow(/different lengths/);
    expect(() => maskJaccard([1, 0], [1])).toThrow(/different lengths/);
  });

  it('overall pools counts over layers, which differs from the mean of per-layer values', () => {
    // layer 0: m0 = [1, 0], m1 = [0, 1]        → XOR 2, sizes 1 + 1, ∧ 0, ∨ 2 → Hamming 1, Jaccard 1
    // layer 1: m0 = m1 = [1, 1, 1, 1, 0, 0]     → XOR 0, sizes 4 + 4, ∧ 4, ∨ 4 → Hamming 0, Jaccard 0
    // pooled: XOR 2 / (5 + 5) = 0.2 (mean of layers 0.5); 1 − 4/6 = 1/3 (mean of layers 0.5)
    const d = maskDistanceMatrices([
      [Uint8Array.from([1, 0]), Uint8Array.from([1, 1, 1, 1, 0, 0])],
      [Float32Array.from([0, 1]), Float32Array.from([1, 1, 1, 1, 0, 0])],
    ]);
    expect(d.layers).toHaveLength(2);
    expect(d.layers[0]).toEqual({ hamming: [[0, 1], [1, 0]], jaccard: [[0, 1], [1, 0]] });
    expect(d.layers[1]).toEqual({ hamming: [[0, 0], [0, 0]], jaccard: [[0, 0], [0, 0]] });
    expect(d.overall.hamming[0]![1]).toBeCloseTo(0.2, 12);
    expect(d.overall.hamming[1]![0]).toBeCloseTo(0.2, 12);
    expect(d.overall.jaccard[0]![1]).toBeCloseTo(1 / 3, 12);
    expect(d.overall.hamming[0]![1]).not.toBeCloseTo(0.5, 3);
  });

  it('builds symmetric (M, M) matrices with a zero diagonal for three members', () => {
    // one layer: m0 = [1,1,0,0], m1 = [1,0,1,0], m2 = [0,0,1,1]
    // (0,1): Hamming 2/4 = 0.5, Jaccard 1 − 1/3; (0,2): disjoint → 1, 1; (1,2): XOR {0,3} → 2/4, 1 − 1/3
    const d = maskDistanceMatrices([[[1, 1, 0, 0]], [[1, 0, 1, 0]], [[0, 0, 1, 1]]]);
    expect(d.overall.hamming).toEqual([
      [0, 0.5, 1],
      [0.5, 0, 0.5],
      [1, 0.5, 0],
    ]);
    expect(d.overall.jaccard[0]![1]).toBeCloseTo(2 / 3, 12);
    expect(d.overall.jaccard[2]![1]).toBeCloseTo(2 / 3, 12);
    expect(d.overall.jaccard[0]![2]).toBe(1);
    expect(d.layers[0]).toEqual(d.overall);
  });

  it('throws on no members, mismatched layer counts or layer lengths', () => {
    expect(() => maskDistanceMatrices([])).toThrow(/at least one member/);
    expect(() => maskDistanceMatrices([[[1]], [[1], [0]]])).toThrow(/member 1 has 2 layers/);
    expect(() => maskDistanceMatrices([[[1, 0]], [[1]]])).toThrow(/different lengths/);
  });
});
