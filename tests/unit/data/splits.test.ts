// Splits: exact sizes, disjoint and covering, stratified, deterministic for a seed; the
// documented defaults; the 2-D fraction split.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLITS, defaultSplit, fractionSplit, stratifiedSplit, type Split } from '../../../src/data';

function expectPartition(s: Split, n: number): void {
  const seen = new Uint8Array(n);
  let ascending = true; // and so no repeats within a part
  for (const part of [s.train, s.val, s.test]) {
    for (let i = 0; i < part.length; i++) {
      if (i > 0 && part[i]! <= part[i - 1]!) ascending = false;
      seen[part[i]!]!++;
    }
  }
  expect(ascending).toBe(true);
  expect(seen.every((v) => v === 1)).toBe(true); // disjoint and covering
}

/** Labels shaped like MNIST's class counts in the mnist package (class-sorted). */
const mnistCounts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const mnistLabels = Uint8Array.from(mnistCounts.flatMap((c, k) => new Array<number>(c).fill(k)));

describe('stratifiedSplit', () => {
  it('MNIST default: 8,000 / 1,000 / 1,000, a partition, each class in proportion (±2)', () => {
    const s = defaultSplit('mnist', mnistLabels, 123);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([8000, 1000, 1000]);
    expectPartition(s, 10_000);
    for (const part of [s.val, s.test, s.train]) {
      const c = new Array<number>(10).fill(0);
      for (const i of part) c[mnistLabels[i]!]!++;
      c.forEach((count, k) => expect(Math.abs(count - (mnistCounts[k]! * part.length) / 10_000)).toBeLessThanOrEqual(2));
    }
  });

  it('Fashion default: 5,000 val, 5,000 test, the rest train', () => {
    expect(DEFAULT_SPLITS['fashion-mnist']).toEqual({ val: 5000, test: 5000 });
    const labels = Uint8Array.from({ length: 69_945 }, (_, i) => i % 10);
    const s = defaultSplit('fashion-mnist', labels);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([59_945, 5000, 5000]);
    expectPartition(s, 69_945);
  });

  it('same seed → same split; another seed → another', () => {
    const a = stratifiedSplit(mnistLabels, { val: 500, test: 700 }, 9);
    const b = stratifiedSplit(mnistLabels, { val: 500, test: 700 }, 9);
    const c = stratifiedSplit(mnistLabels, { val: 500, test: 700 }, 10);
    expect(a).toEqual(b);
    expect(a.val).not.toEqual(c.val);
  });

  it('handles empty held-out parts, tiny classes and rejects impossible sizes', () => {
    const labels = Uint32Array.from([0, 0, 0, 0, 1]);
    const s = stratifiedSplit(labels, { val: 0, test: 0 }, 1);
    expect(Array.from(s.train)).toEqual([0, 1, 2, 3, 4]);
    expectPartition(stratifiedSplit(labels, { val: 2, test: 3 }, 1), 5);
    expect(() => stratifiedSplit(labels, { val: 3, test: 3 }, 1)).toThrow(/test size .* must be an integer in \[0, 2\]/);
    expect(() => stratifiedSplit(labels, { val: -1, test: 0 }, 1)).toThrow(/val size/);
    expect(() => stratifiedSplit([0, -1], { val: 0, test: 0 }, 1)).toThrow(/label -1 at index 1/);
  });
});

describe('fractionSplit (2-D data)', () => {
  it('train fraction rounds to examples; test is the rest; stratified', () => {
    const labels = Uint32Array.from({ length: 501 }, (_, i) => i % 3);
    const s = fractionSplit(labels, { train: 0.7 }, 5);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([351, 0, 150]);
    expectPartition(s, 501);
    const c = [0, 0, 0];
    for (const i of s.train) c[labels[i]!]!++;
    expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(2);
    const v = fractionSplit(labels, { train: 0.6, val: 0.2 }, 5);
    expect([v.train.length, v.val.length, v.test.length]).toEqual([301, 100, 100]);
    expect(() => fractionSplit(labels, { train: 0.9, val: 0.2 }, 5)).toThrow(/val fraction/);
  });
});
