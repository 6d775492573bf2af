// Epoch shuffles and GraSP's balanced batch: shapes, drop-last, determinism per (seed, epoch),
// members differ, exact per-class counts.
import { describe, expect, it } from 'vitest';
import { balancedBatch, epochIndices, stepsPerEpoch } from '../../../src/data';
import { mulberry32 } from '../../../src/util/rng';

const train = Uint32Array.from({ length: 103 }, (_, i) => 1000 + 3 * i); // dataset indices

describe('epochIndices', () => {
  it('(members, steps·batch) rows, each a distinct subset of the training indices, tail dropped', () => {
    const batch = 10;
    const out = epochIndices(train, 3, [1, 2, 3], 0, batch);
    const stride = stepsPerEpoch(103, batch) * batch;
    expect(stride).toBe(100);
    expect(out).toHaveLength(3 * stride);
    const allowed = new Set(train);
    for (let m = 0; m < 3; m++) {
      const row = out.subarray(m * stride, (m + 1) * stride);
      expect(new Set(row).size).toBe(stride);
      for (const i of row) expect(allowed.has(i)).toBe(true);
    }
  });

  it('deterministic for (seed, epoch); differs across members and epochs', () => {
    const a = epochIndices(train, 2, [7, 8], 4, 16);
    expect(epochIndices(train, 2, [7, 8], 4, 16)).toEqual(a);
    const stride = a.length / 2;
    expect(a.subarray(0, stride)).not.toEqual(a.subarray(stride));
    expect(epochIndices(train, 2, [7, 8], 5, 16)).not.toEqual(a);
    // A member's order depends only on its own seed, not on the other members.
    expect(epochIndices(train, 1, [8], 4, 16)).toEqual(a.subarray(stride));
  });

  it('over many epochs every example is used about equally often', () => {
    const uses = new Map<number, number>();
    for (let e = 0; e < 200; e++) for (const i of epochIndices(train, 1, [3], e, 25)) uses.set(i, (uses.get(i) ?? 0) + 1);
    expect(uses.size).toBe(103);
    for (const u of uses.values()) expect(u).toBeGreaterThan(150); // expected 200·100/103 ≈ 194
  });

  it('rejects bad arguments', () => {
    expect(() => epochIndices(train, 2, [1], 0, 10)).toThrow(/1 member seeds for 2 members/);
    expect(() => epochIndices(train, 1, [1], 0, 104)).toThrow(/batch \(103 training examples\)/);
    expect(() => epochIndices(new Uint32Array(0), 1, [1], 0, 1)).toThrow(/training split is empty/);
    expect(() => epochIndices(train, 1, [-1], 0, 10)).toThrow(/memberSeeds\[0\]/);
  });
});

describe('balancedBatch', () => {
  const labels = Uint8Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : i < 50 ? 1 : 2)); // 30/20/10
  const trainIdx = Uint32Array.from({ length: 60 }, (_, i) => i);

  it('perClass distinct examples of each class, grouped by class', () => {
    const b = balancedBatch(labels, trainIdx, 8, mulberry32(1));
    expect(b).toHaveLength(24);
    expect(new Set(b).size).toBe(24);
    for (let k = 0; k < 24; k++) expect(labels[b[k]!]).toBe(Math.floor(k / 8));
    expect(balancedBatch(labels, trainIdx, 8, mulberry32(1))).toEqual(b);
    expect(balancedBatch(labels, trainIdx, 8, mulberry32(2))).not.toEqual(b);
  });

  it('only draws from the training split; too few examples of a class is an error', () => {
    const sub = Uint32Array.from([0, 1, 2, 30, 31, 32, 50, 51]);
    const b = balancedBatch(labels, sub, 2, mulberry32(1));
    for (const i of b) expect(sub.includes(i)).toBe(true);
    expect(() => balancedBatch(labels, sub, 3, mulberry32(1))).toThrow(/class 2 has 2 training examples, fewer than perClass = 3/);
    expect(() => balancedBatch(labels, sub, 1, mulberry32(1), 4)).toThrow(/class 3 has 0 training examples/);
  });
});
