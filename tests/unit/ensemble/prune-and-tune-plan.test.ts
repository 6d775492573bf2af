import { describe, expect, it } from 'vitest';
import { lrAt } from '../../../src/engine/lr-schedule';
import { childMasks, pruneAndTuneCost, pruneAndTunePlan, type LayerSize } from '../../../src/ensemble/prune-and-tune-plan';
import { activeCount } from '../../../src/sparsity/densities';
import { popcount } from '../../../src/sparsity/masks';

// An MLP-like stack: 784→30 = 23520, 30→7 = 210, 7→3 = 21 (odd), classifier 3→10 = 30.
const layers: LayerSize[] = [{ numel: 23520 }, { numel: 210 }, { numel: 21 }, { numel: 30 }];

const isBinary = (m: Float32Array) => m.every((v) => v === 0 || v === 1);
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('childMasks: anti-random', () => {
  const masks = childMasks(layers, { members: 6, kind: 'anti-random', density: 0.5, seed: 1234 });

  it('has one mask per member per layer, 0/1, right lengths', () => {
    expect(masks).toHaveLength(6);
    for (const child of masks) {
      expect(child).toHaveLength(layers.length);
      child.forEach((m, l) => {
        expect(m).toHaveLength(layers[l]!.numel);
        expect(isBinary(m)).toBe(true);
      });
    }
  });

  it('pairs are complementary per layer, with floor(numel/2) ones in the first child', () => {
    for (let p = 0; p < 3; p++) {
      const a = masks[2 * p]!;
      const b = masks[2 * p + 1]!;
      for (let l = 0; l < layers.length - 1; l++) {
        const n = layers[l]!.numel;
        expect(a[l]!.every((v, i) => v + b[l]![i]! === 1)).toBe(true);
        expect(popcount(a[l]!)).toBe(Math.floor(n / 2));
        expect(popcount(b[l]!)).toBe(n - Math.floor(n / 2));
      }
    }
    // The odd layer (21 weights): 10 in the first child, 11 in its complement.
    expect(popcount(masks[0]![2]!)).toBe(10);
    expect(popcount(masks[1]![2]!)).toBe(11);
  });

  it('keeps the last layer dense for every child', () => {
    for (const child of masks) expect(child.at(-1)!.every((v) => v === 1)).toBe(true);
  });

  it('different pairs and different layers draw different masks', () => {
    expect(same(masks[0]![0]!, masks[2]![0]!)).toBe(false);
    expect(same(masks[0]![0]!, masks[4]![0]!)).toBe(false);
    expect(same(masks[2]![1]!, masks[4]![1]!)).toBe(false);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = childMasks(layers, { members: 6, kind: 'anti-random', density: 0.5, seed: 1234 });
    const other = childMasks(layers, { members: 6, kind: 'anti-random', density: 0.5, seed: 1235 });
    masks.forEach((child, k) => child.forEach((m, l) => expect(same(m, again[k]![l]!)).toBe(true)));
    expect(same(masks[0]![0]!, other[0]![0]!)).toBe(false);
  });

  it('ignores density and does not depend on M beyond the pairs used', () => {
    const two = childMasks(layers, { members: 2, kind: 'anti-random', density: 0.1, seed: 1234 });
    two.forEach((child, k) => child.forEach((m, l) => expect(same(m, masks[k]![l]!)).toBe(true)));
  });

  it('odd M: the last child is an unpaired 50 % mask, the first child of the next pair', () => {
    const five = childMasks(layers, { members: 5, kind: 'anti-random', density: 0.5, seed: 1234 });
    expect(five).toHaveLength(5);
    five.forEach((child, k) => child.forEach((m, l) => expect(same(m, masks[k]![l]!)).toBe(true)));
    expect(popcount(five[4]![0]!)).toBe(23520 / 2);
    const one = childMasks(layers, { members: 1, kind: 'anti-random', density: 0.5, seed: 1234 });
    expect(same(one[0]![1]!, masks[0]![1]!)).toBe(true);
  });

  it('handles empty and single layers', () => {
    const m = childMasks([{ numel: 0 }, { numel: 1 }, { numel: 5 }], { members: 2, kind: 'anti-random', density: 0.5, seed: 3 });
    expect(m[0]![0]).toHaveLength(0);
    expect(popcount(m[0]![1]!) + popcount(m[1]![1]!)).toBe(1);
    expect(popcount(m[0]![1]!)).toBe(0);
    const only = childMasks([{ numel: 4 }], { members: 2, kind: 'anti-random', density: 0.5, seed: 3 });
    expect(only.every((c) => c[0]!.every((v) => v === 1))).toBe(true);
  });
});

describe('childMasks: random', () => {
  it('has exact activeCount ones per pruned layer and a dense last layer', () => {
    for (const density of [0.05, 0.2, 0.5, 0.9]) {
      const masks = childMasks(layers, { members: 4, kind: 'random', density, seed: 9 });
      expect(masks).toHaveLength(4);
      for (const child of masks) {
        child.forEach((m, l) => {
          expect(isBinary(m)).toBe(true);
          const n = layers[l]!.numel;
          expect(popcount(m)).toBe(l === layers.length - 1 ? n : activeCount(n, density));
        });
      }
    }
  });

  it('members are independent, not complementary, and stable across M', () => {
    const masks = childMasks(layers, { members: 4, kind: 'random', density: 0.5, seed: 9 });
    expect(same(masks[0]![0]!, masks[1]![0]!)).toBe(false);
    expect(masks[0]![0]!.every((v, i) => v + masks[1]![0]![i]! === 1)).toBe(false);
    const three = childMasks(layers, { members: 3, kind: 'random', density: 0.5, seed: 9 });
    three.forEach((child, k) => child.forEach((m, l) => expect(same(m, masks[k]![l]!)).toBe(true)));
    const anti = childMasks(layers, { members: 1, kind: 'anti-random', density: 0.5, seed: 9 });
    expect(same(anti[0]![0]!, masks[0]![0]!)).toBe(false);
  });
});

describe('childMasks: input checks', () => {
  const ok = { members: 2, kind: 'anti-random' as const, density: 0.5, seed: 1 };
  it('rejects bad inputs', () => {
    expect(() => childMasks([], ok)).toThrow(/at least one layer/);
    expect(() => childMasks([{ numel: -1 }], ok)).toThrow(/numel/);
    expect(() => childMasks([{ numel: 2.5 }], ok)).toThrow(/numel/);
    expect(() => childMasks(layers, { ...ok, members: 0 })).toThrow(/members/);
    expect(() => childMasks(layers, { ...ok, density: 1.5 })).toThrow(/density/);
    expect(() => childMasks(layers, { ...ok, seed: -1 })).toThrow(/seed/);
    expect(() => childMasks(layers, { ...ok, kind: 'structured' as never })).toThrow(/kind/);
  });
});

describe('pruneAndTunePlan', () => {
  it('counts steps and gives the OneCycle tune schedule', () => {
    const plan = pruneAndTunePlan({ parentEpochs: 140, tuneEpochs: 10, stepsPerEpoch: 352, members: 6, lr: 0.1 });
    expect(plan.parentSteps).toBe(140 * 352);
    expect(plan.tuneSteps).toBe(10 * 352);
    expect(plan.totalSteps).toBe(140 * 352 + 6 * 10 * 352);
    expect(plan.ensembleSize).toBe(6);
    expect(plan.tuneLr).toEqual({ kind: 'onecycle', maxLr: 0.1, div: 100, finalDiv: 10000, pctStart: 0.1 });
    expect(pruneAndTunePlan({ parentEpochs: 1, tuneEpochs: 1, stepsPerEpoch: 1, members: 6, lr: 0.1, includeParent: true }).ensembleSize).toBe(7);
  });

  it('the tune schedule runs 0.001 → 0.1 → 1e-7 under the engine lr schedule', () => {
    const { tuneLr, tuneSteps } = pruneAndTunePlan({ parentEpochs: 2, tuneEpochs: 10, stepsPerEpoch: 100, members: 6, lr: 0.1 });
    expect(lrAt(tuneLr, 0, tuneSteps)).toBeCloseTo(0.001, 12);
    expect(lrAt(tuneLr, 99, tuneSteps)).toBeCloseTo(0.1, 12);
    expect(lrAt(tuneLr, tuneSteps - 1, tuneSteps)).toBeCloseTo(1e-7, 15);
  });

  it('rejects bad inputs', () => {
    const ok = { parentEpochs: 10, tuneEpochs: 2, stepsPerEpoch: 5, members: 6, lr: 0.1 };
    expect(() => pruneAndTunePlan({ ...ok, parentEpochs: 0 })).toThrow(/parentEpochs/);
    expect(() => pruneAndTunePlan({ ...ok, tuneEpochs: 1.5 })).toThrow(/tuneEpochs/);
    expect(() => pruneAndTunePlan({ ...ok, stepsPerEpoch: 0 })).toThrow(/stepsPerEpoch/);
    expect(() => pruneAndTunePlan({ ...ok, members: 0 })).toThrow(/members/);
    expect(() => pruneAndTunePlan({ ...ok, lr: 0 })).toThrow(/lr/);
  });
});

describe('pruneAndTuneCost', () => {
  it('is E + M·tuneEpochs·(f_S/f_D) in dense epochs', () => {
    expect(pruneAndTuneCost({ parentEpochs: 140, tuneEpochs: 10, members: 6, childDensityFlopsRatio: 0.5 })).toBe(170);
    expect(pruneAndTuneCost({ parentEpochs: 20, tuneEpochs: 3, members: 6, childDensityFlopsRatio: 1 })).toBe(38);
    expect(pruneAndTuneCost({ parentEpochs: 20, tuneEpochs: 3, members: 4, childDensityFlopsRatio: 0.25 })).toBe(23);
  });

  it('rejects bad inputs', () => {
    expect(() => pruneAndTuneCost({ parentEpochs: 20, tuneEpochs: 3, members: 6, childDensityFlopsRatio: 1.5 })).toThrow(/childDensityFlopsRatio/);
    expect(() => pruneAndTuneCost({ parentEpochs: -1, tuneEpochs: 3, members: 6, childDensityFlopsRatio: 0.5 })).toThrow(/parentEpochs/);
  });
});
