// Batch order on the GPU: the contents of the index buffer the gather kernel reads
// (shaders/data.wgsl: member m's batch for step s is indices[m][s·batch .. (s+1)·batch)).
//
// Every ensemble member shuffles the training set with its own seed, freshly each epoch: the
// order for (memberSeed, epoch) is fixed, so a run replays exactly, and members see different
// orders, one source of ensemble diversity.
//
// Last partial batch: DROPPED (PyTorch's drop_last=True). An epoch is
// stepsPerEpoch = floor(n / batch) full batches, so every GPU buffer has a fixed shape. Which
// n mod batch examples sit out changes every epoch (they are the tail of a fresh random order),
// so over many epochs every example is used equally often in expectation.
//
// balancedBatch draws the class-balanced batch GraSP scores its mask on.

import { mulberry32, pcgHash, type Rng } from '../util/rng';
import { DataError, check, checkInt } from './errors';

/** Full batches in one epoch of n examples (the partial tail is dropped). */
export function stepsPerEpoch(n: number, batch: number): number {
  return Math.floor(n / batch);
}

/** The RNG seed of one member's shuffle in one epoch; mixes both through the PCG hash. */
export function epochSeed(memberSeed: number, epoch: number): number {
  return pcgHash((pcgHash(memberSeed >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0);
}

/**
 * Per-member shuffled training indices for one epoch.
 * trainIdx: (n) dataset indices of the training split.
 * Returns (members, stepsPerEpoch·batch): row m is a random order (seeded by
 * epochSeed(memberSeeds[m], epoch)) of all but n mod batch of the training indices.
 */
export function epochIndices(
  trainIdx: Uint32Array,
  members: number,
  memberSeeds: ArrayLike<number>,
  epoch: number,
  batch: number,
): Uint32Array {
  const n = trainIdx.length;
  checkInt(members, 1, 1 << 16, 'epochIndices: members');
  check(memberSeeds.length === members, `epochIndices: ${memberSeeds.length} member seeds for ${members} members`);
  checkInt(epoch, 0, 0x7fffffff, 'epochIndices: epoch');
  check(n > 0, 'epochIndices: the training split is empty');
  checkInt(batch, 1, n, `epochIndices: batch (${n} training examples)`);
  const stride = stepsPerEpoch(n, batch) * batch;
  const out = new Uint32Array(members * stride); // (members, stride)
  const scratch = new Uint32Array(n);
  for (let m = 0; m < members; m++) {
    const seed = memberSeeds[m]!;
    checkInt(seed, 0, 0xffffffff, `epochIndices: memberSeeds[${m}]`);
    const rng = mulberry32(epochSeed(seed, epoch));
    scratch.set(trainIdx);
    // Forward Fisher-Yates, stopped after `stride` draws: a uniform sample in uniform order.
    for (let i = 0; i < stride; i++) {
      const j = i + rng.int(n - i);
      const t = scratch[i]!;
      scratch[i] = scratch[j]!;
      scratch[j] = t;
    }
    out.set(scratch.subarray(0, stride), m * stride);
  }
  return out;
}

/**
 * A class-balanced batch: perClass distinct training examples of every class, drawn without
 * replacement with `rng`. Returns dataset indices (classes, perClass), grouped by class in
 * class order. `classes` defaults to 1 + the largest training label; a class with fewer than
 * perClass training examples is an error (a balanced batch is impossible).
 */
export function balancedBatch(
  labels: ArrayLike<number>,
  trainIdx: Uint32Array,
  perClass: number,
  rng: Rng,
  classes?: number,
): Uint32Array {
  checkInt(perClass, 1, trainIdx.length, 'balancedBatch: perClass');
  let maxLabel = -1;
  for (const i of trainIdx) {
    check(i < labels.length, `balancedBatch: training index ${i} is out of range (${labels.length} labels)`);
    maxLabel = Math.max(maxLabel, labels[i]!);
  }
  const C = classes ?? maxLabel + 1;
  check(maxLabel < C, `balancedBatch: label ${maxLabel} is not < classes (${C})`);
  const byClass: number[][] = Array.from({ length: C }, () => []);
  for (const i of trainIdx) byClass[labels[i]!]!.push(i);

  const out = new Uint32Array(C * perClass); // (classes, perClass)
  byClass.forEach((pool, c) => {
    if (pool.length < perClass) {
      throw new DataError(`balancedBatch: class ${c} has ${pool.length} training examples, fewer than perClass = ${perClass}`);
    }
    for (let k = 0; k < perClass; k++) {
      const j = k + rng.int(pool.length - k);
      const t = pool[k]!;
      pool[k] = pool[j]!;
      pool[j] = t;
      out[c * perClass + k] = pool[k]!;
    }
  });
  return out;
}
