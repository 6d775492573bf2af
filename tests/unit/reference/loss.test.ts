import { describe, expect, it } from 'vitest';
import { PAD_LABEL, softmaxCrossEntropy } from '../../../src/reference/loss';
import { mulberry32 } from '../../../src/util/rng';
import { gradCheck, randomArray, scaled } from './gradcheck';

const ln3 = Math.log(3);

describe('softmaxCrossEntropy', () => {
  it('logits [0, ln 3] give p = [0.25, 0.75]', () => {
    // one member, batch 2: the same logits labelled 1 and then 0
    const logits = Float32Array.from([0, ln3, 0, ln3]);
    const { loss, dlogits, correct } = softmaxCrossEntropy(1, 2, 2, logits, Uint32Array.of(1, 0), 0);
    expect(loss[0]).toBeCloseTo(-Math.log(0.75), 6);
    expect(loss[1]).toBeCloseTo(Math.log(4), 6);
    // (p - onehot) / batch: [(0.25 - 0)/2, (0.75 - 1)/2] and [(0.25 - 1)/2, 0.75/2]
    [0.125, -0.125, -0.375, 0.375].forEach((v, i) => expect(dlogits[i]).toBeCloseTo(v, 6));
    expect(Array.from(correct)).toEqual([1, 0]);
  });

  it('label smoothing alpha = 0.1 over 2 classes targets [0.1, 0.9]', () => {
    const { loss, dlogits } = softmaxCrossEntropy(1, 1, 2, Float32Array.from([0, ln3]), Uint32Array.of(1), 0.1);
    expect(loss[0]).toBeCloseTo(-(0.1 * Math.log(0.25) + 0.9 * Math.log(0.75)), 6);
    expect(dlogits[0]).toBeCloseTo(0.25 - 0.1, 6);
    expect(dlogits[1]).toBeCloseTo(0.75 - 0.9, 6);
  });

  it('smoothed target sums to 1: 1-alpha on the label, alpha/(C-1) elsewhere', () => {
    const rng = mulberry32(50);
    const [M, B, C] = [2, 3, 5];
    const logits = randomArray(rng, M * B * C);
    const labels = Uint32Array.from({ length: M * B }, (_, i) => (i * 3) % C);
    const { dlogits } = softmaxCrossEntropy(M, B, C, logits, labels, 0.1);
    for (let r = 0; r < M * B; r++) {
      const row = Array.from(logits.subarray(r * C, r * C + C));
      const max = Math.max(...row);
      const z = row.reduce((a, v) => a + Math.exp(v - max), 0);
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const target = Math.exp(row[c]! - max) / z - dlogits[r * C + c]! * B; // p - dlogits*batch
        expect(target).toBeCloseTo(c === labels[r] ? 0.9 : 0.025, 6);
        sum += target;
      }
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('a perfect prediction costs ~0 with one-hot targets but > 0 with smoothing', () => {
    const logits = Float32Array.from([50, 0, 0, 0]);
    const hard = softmaxCrossEntropy(1, 1, 4, logits, Uint32Array.of(0), 0);
    const soft = softmaxCrossEntropy(1, 1, 4, logits, Uint32Array.of(0), 0.1);
    expect(hard.loss[0]).toBeLessThan(1e-12);
    // ~ alpha * 50: each wrong class has log p ~ -50
    expect(soft.loss[0]).toBeGreaterThan(4.9);
    expect(hard.correct[0]).toBe(1);
  });

  it('ties in argmax go to the lowest index', () => {
    const logits = Float32Array.from([1, 3, 3, 1, 3, 3]);
    const { correct } = softmaxCrossEntropy(2, 1, 3, logits, Uint32Array.of(1, 2), 0);
    expect(Array.from(correct)).toEqual([1, 0]);
  });

  it('is stable for huge logits', () => {
    const { loss, dlogits } = softmaxCrossEntropy(1, 1, 3, Float32Array.from([1e4, -1e4, 0]), Uint32Array.of(1), 0.1);
    for (const v of [...loss, ...dlogits]) expect(Number.isFinite(v)).toBe(true);
    expect(loss[0]).toBeCloseTo(0.9 * 2e4 + 0.05 * 1e4, 0);
  });

  it('validates labels and lengths', () => {
    expect(() => softmaxCrossEntropy(1, 1, 2, new Float32Array(2), Uint32Array.of(2), 0)).toThrow(/labels\[0\]/);
    expect(() => softmaxCrossEntropy(1, 2, 2, new Float32Array(4), Uint32Array.of(0), 0)).toThrow(/labels has length/);
    expect(() => softmaxCrossEntropy(1, 1, 2, new Float32Array(3), Uint32Array.of(0), 0)).toThrow(/logits/);
  });
});

describe('softmaxCrossEntropy gradient (finite differences of the mean loss)', () => {
  for (const alpha of [0, 0.1]) {
    it(`dlogits is d(mean loss)/dlogits, alpha = ${alpha}`, () => {
      const rng = mulberry32(60);
      const [M, B, C] = [2, 3, 5];
      const labels = Uint32Array.from({ length: M * B }, () => rng.int(C));
      const meanLoss = (logits: Float32Array): Float64Array => {
        // one scalar: the per-member batch means, summed over members
        const { loss } = softmaxCrossEntropy(M, B, C, logits, labels, alpha);
        return Float64Array.of(loss.reduce((a, v) => a + v, 0) / B);
      };
      const res = gradCheck({
        inputs: [randomArray(rng, M * B * C, 2)],
        forward: ([z]) => meanLoss(z!),
        vjp: (r, [z]) => [scaled(softmaxCrossEntropy(M, B, C, z!, labels, alpha).dlogits, r[0]!)],
      });
      expect(res.failures).toEqual([]);
    });
  }
});

describe('softmaxCrossEntropy with a temperature', () => {
  it('equals the loss of logits / T, with the gradient scaled by 1 / T (chain rule)', () => {
    const logits = Float32Array.from([3, -1, 2, 0.5, 8, -4, 1, 1]);
    const labels = Uint32Array.from([2, 0]);
    const T = 200;
    const hot = softmaxCrossEntropy(1, 2, 4, logits, labels, 0.1, T);
    const cooled = softmaxCrossEntropy(1, 2, 4, logits.map((v) => v / T), labels, 0.1, 1);
    for (let i = 0; i < 2; i++) expect(hot.loss[i]).toBeCloseTo(cooled.loss[i]!, 6);
    for (let i = 0; i < 8; i++) expect(hot.dlogits[i]).toBeCloseTo(cooled.dlogits[i]! / T, 9);
    // Finite differences of the mean loss in float64 confirm the 1 / T factor.
    const meanLoss = (z: Float32Array): number => {
      const r = softmaxCrossEntropy(1, 2, 4, z, labels, 0.1, T);
      return (r.loss[0]! + r.loss[1]!) / 2;
    };
    const eps = 1;
    const up = logits.slice();
    const down = logits.slice();
    up[4] = up[4]! + eps;
    down[4] = down[4]! - eps;
    expect((meanLoss(up) - meanLoss(down)) / (2 * eps)).toBeCloseTo(hot.dlogits[4]!, 6);
    expect(() => softmaxCrossEntropy(1, 2, 4, logits, labels, 0, 0)).toThrow(/temperature must be positive/);
  });
});

describe('padding rows (a partial last chunk of a scoring batch)', () => {
  it('a PAD_LABEL row adds nothing: loss, correct and dlogits 0; the other rows are unchanged', () => {
    const logits = new Float32Array([0.3, -1, 2, 1, 0.5, 0.5]);
    const padded = softmaxCrossEntropy(1, 2, 3, logits, new Uint32Array([2, PAD_LABEL]), 0);
    const plain = softmaxCrossEntropy(1, 2, 3, logits, new Uint32Array([2, 0]), 0);
    expect(Array.from(padded.loss)).toEqual([plain.loss[0], 0]);
    expect(Array.from(padded.correct)).toEqual([1, 0]);
    expect(Array.from(padded.dlogits.subarray(0, 3))).toEqual(Array.from(plain.dlogits.subarray(0, 3)));
    expect(Array.from(padded.dlogits.subarray(3))).toEqual([0, 0, 0]);
  });
});
