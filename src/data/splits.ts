// Seeded, stratified train / validation / test splits, as index arrays into a dataset.
//
// Method (systematic stratified sampling): each class's indices are shuffled, and the j-th of
// class c (n_c examples) gets the key (j + u_c) / n_c with u_c ~ U[0, 1). Sorting all examples
// by key interleaves the classes in proportion; the first `val` positions become validation,
// the next `test` positions test, and everything left is train. So every split holds each class
// in proportion to its share of the whole (to within a couple of examples), the three splits are
// disjoint and together cover every index, and the same (labels, sizes, seed) always gives the
// same split. Each index array is sorted ascending (a split is a set; batch order comes from
// shuffle.ts).
//
// Defaults (docs/DATA.md): MNIST (10,000 digits): train 8,000 / val 1,000 / test 1,000.
// Fashion-MNIST (69,945 after de-duplication): train 59,945 / val 5,000 / test 5,000.
// These are NOT the published 60k/10k MNIST splits; numbers are not comparable to papers.

import { mulberry32, permutation } from '../util/rng';
import type { ImageDatasetName } from './manifest';
import { check, checkInt, checkRange } from './errors';

export interface Split {
  train: Uint32Array; // dataset indices, ascending
  val: Uint32Array;
  test: Uint32Array;
}

/** Held-out sizes; train gets every remaining example. */
export interface SplitSizes {
  val: number;
  test: number;
}

export const DEFAULT_SPLITS: Readonly<Record<ImageDatasetName, SplitSizes>> = {
  mnist: { val: 1000, test: 1000 },
  'fashion-mnist': { val: 5000, test: 5000 },
};

/** Fixed so that every experiment on a dataset sees the same held-out examples by default. */
export const DEFAULT_SPLIT_SEED = 20_240_601;

/** Splits examples with `labels` (n) into val / test of the given sizes and train = the rest. */
export function stratifiedSplit(labels: ArrayLike<number>, sizes: SplitSizes, seed: number): Split {
  const n = labels.length;
  checkInt(sizes.val, 0, n, 'split: val size');
  checkInt(sizes.test, 0, n - sizes.val, `split: test size (with val = ${sizes.val} of ${n})`);
  checkInt(seed, 0, 0xffffffff, 'split: seed');
  const rng = mulberry32(seed);

  // Indices of each class, in index order.
  let classes = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    check(Number.isInteger(l) && l >= 0, `split: label ${l} at index ${i} is not a non-negative integer`);
    classes = Math.max(classes, l + 1);
  }
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]!]!.push(i);

  // key (n) = (rank within its shuffled class + class offset) / class size.
  const key = new Float64Array(n);
  for (const members of byClass) {
    const nc = members.length;
    if (nc === 0) continue;
    const order = permutation(nc, rng);
    const u = rng.next();
    for (let j = 0; j < nc; j++) key[members[order[j]!]!] = (j + u) / nc;
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a]! - key[b]! || a - b);

  const part = (from: number, to: number): Uint32Array => order.slice(from, to).sort();
  return {
    val: part(0, sizes.val),
    test: part(sizes.val, sizes.val + sizes.test),
    train: part(sizes.val + sizes.test, n),
  };
}

/**
 * For 2-D data: train fraction (TF Playground's "ratio of training to test data") and an
 * optional validation fraction; test gets the rest. Sizes round to the nearest example.
 */
export function fractionSplit(labels: ArrayLike<number>, fractions: { train: number; val?: number }, seed: number): Split {
  const n = labels.length;
  const train = checkRange(fractions.train, 0, 1, 'split: train fraction');
  const valFrac = checkRange(fractions.val ?? 0, 0, 1 - train, 'split: val fraction (≤ 1 − train)');
  const nTrain = Math.round(n * train);
  const nVal = Math.min(Math.round(n * valFrac), n - nTrain);
  return stratifiedSplit(labels, { val: nVal, test: n - nTrain - nVal }, seed);
}

/** The documented default split of an image dataset (sizes in DEFAULT_SPLITS). */
export function defaultSplit(name: ImageDatasetName, labels: ArrayLike<number>, seed = DEFAULT_SPLIT_SEED): Split {
  return stratifiedSplit(labels, DEFAULT_SPLITS[name], seed);
}
