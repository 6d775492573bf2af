import { describe, expect, it } from 'vitest';
import { ItopTracker, itopRate, orInto } from '../../../src/sparsity/itop';
import { popcount, randomMask, randomMasks } from '../../../src/sparsity/masks';
import { mulberry32 } from '../../../src/util/rng';

describe('randomMask', () => {
  it('has exactly `active` ones and only 0/1 values', () => {
    const rng = mulberry32(1);
    for (const [n, active] of [[0, 0], [1, 0], [1, 1], [10, 3], [1000, 999], [1000, 1000], [4097, 1234]] as const) {
      const m = randomMask(n, active, rng);
      expect(m).toHaveLength(n);
      expect(popcount(m)).toBe(active);
      expect(m.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = randomMask(500, 100, mulberry32(7));
    const b = randomMask(500, 100, mulberry32(7));
    const c = randomMask(500, 100, mulberry32(8));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('picks every position with probability active/n', () => {
    const rng = mulberry32(3);
    const hits = new Float64Array(10);
    const draws = 20000;
    for (let d = 0; d < draws; d++) randomMask(10, 3, rng).forEach((v, i) => (hits[i]! += v));
    // binomial sd of a frequency: sqrt(0.3·0.7/20000) ≈ 0.0032; allow 5 sd
    hits.forEach((h) => expect(Math.abs(h / draws - 0.3)).toBeLessThan(0.016));
  });

  it('rejects impossible counts', () => {
    expect(() => randomMask(5, 6, mulberry32(1))).toThrow(/active/);
    expect(() => randomMask(5, 1.5, mulberry32(1))).toThrow(/active/);
  });

  it('draws one mask per layer with the requested counts', () => {
    const masks = randomMasks([20, 30], [5, 30], mulberry32(9));
    expect(masks.map(popcount)).toEqual([5, 30]);
  });
});

describe('ITOP rate', () => {
  it('ORs masks and divides by all maskable weights', () => {
    const fired = [Float32Array.of(1, 0, 0, 0), Float32Array.of(0, 1)];
    expect(itopRate(fired)).toBeCloseTo(2 / 6, 15);
    orInto(fired[0]!, [0, 1, 0, 0]);
    orInto(fired[1]!, [1, 0]);
    expect(Array.from(fired[0]!)).toEqual([1, 1, 0, 0]);
    expect(Array.from(fired[1]!)).toEqual([1, 1]);
    expect(itopRate(fired)).toBeCloseTo(4 / 6, 15); // an AND (FreeTickets' bug) would give 0
  });

  it('tracker starts at the initial density, copies its input and never decreases', () => {
    const rng = mulberry32(11);
    const masks = [randomMask(200, 20, rng), randomMask(50, 10, rng)];
    const itop = new ItopTracker(masks);
    expect(itop.rate()).toBeCloseTo(30 / 250, 15);
    masks[0]!.fill(1); // editing the caller's mask must not change the tracker
    expect(itop.rate()).toBeCloseTo(30 / 250, 15);
    let prev = itop.rate();
    for (let u = 0; u < 20; u++) {
      itop.update([randomMask(200, 20, rng), randomMask(50, 10, rng)]);
      expect(itop.rate()).toBeGreaterThanOrEqual(prev);
      prev = itop.rate();
    }
    expect(prev).toBeGreaterThan(0.5); // 20 fresh random masks at density 0.12 cover most weights
    expect(prev).toBe(itop.firedMasks().reduce((a, f) => a + popcount(f), 0) / 250);
  });
});
