// Prune-and-Tune ensembles (docs/METHODS.md §5, Whitaker & Whitley AAAI 2022; pitfall §8.8):
// a dense parent trained E epochs, then M children cloned from the parent weights, each pruned by
// its own mask and tuned `tuneEpochs` with that mask fixed and a OneCycle lr. Pure planning: the
// children's masks, the step counts and tune lr schedule, and the training cost.
//
// Choices where docs/METHODS.md leaves room:
// * Masks are Float32Array 0/1, indexed [member][layer] over the caller's maskable layers in order.
//   The LAST layer (the classifier) is never pruned: its mask is all ones for every child. With a
//   single layer nothing is pruned at all (every child equals the parent); that is allowed.
// * anti-random (default): pair p = 0..⌈M/2⌉−1 draws m_p with exactly floor(numel/2) ones per layer
//   (50 % hard-coded, `density` is ignored, as in the released code); child 2p = parent ⊙ m_p and
//   child 2p+1 = parent ⊙ (1 − m_p), so with odd numel the complement keeps one weight more. PyTorch's
//   random_unstructured(0.5) prunes round(numel/2) (round half to even), which can differ by one on
//   odd layers. With odd M the last child is an unpaired random 50 % mask: the first child of a pair
//   that is never completed (identical to child M−1 of an ensemble with M+1 members).
// * random: M independent masks with exactly activeCount(numel, density) ones per layer (RigL's
//   floor-of-zeros count, src/sparsity/densities.ts) on every layer except the last.
// * Determinism: each (pair, layer) for anti-random, each (member, layer) for random, draws from its
//   own mulberry32 stream seeded by a pcgHash chain of (seed, kind tag, pair or member, layer), so
//   child k's masks do not depend on M or on the other layers' sizes. `seed` should be the mask
//   stream of the run (docs/CONFIG.md §5, stream `mask`).
// * Tune lr: OneCycle with max lr = the base lr, div 100, pctStart 0.1, finalDiv 1e4 (PyTorch's
//   default final_div_factor: final lr = maxLr/(100·1e4)); momentum cycling is not modelled. The
//   schedule object is a src/engine/lr-schedule.ts `onecycle` schedule over `tuneSteps` steps; every
//   child restarts it at its own step 0.
// * Cost in dense-model-epoch units: E + M·tuneEpochs·(f_S/f_D), with f_S/f_D given by the caller
//   (0.5 for anti-random children when FLOPs scale with density). Evaluating the parent in the
//   ensemble (`includeParent`) costs no training and changes only the ensemble size.

import { activeCount } from '../sparsity/densities';
import { randomMask } from '../sparsity/masks';
import { assert } from '../util/assert';
import { mulberry32, pcgHash } from '../util/rng';

export type ChildMaskKind = 'anti-random' | 'random';

export interface LayerSize {
  numel: number;
}

export interface ChildMaskOptions {
  members: number;
  kind: ChildMaskKind;
  /** Fraction of weights kept per pruned layer for `random`; ignored (fixed 0.5) for `anti-random`. */
  density: number;
  /** u32 seed, e.g. the run's `mask` stream seed. */
  seed: number;
}

const KIND_TAG: Record<ChildMaskKind, number> = { 'anti-random': 0x616e7469, random: 0x72616e64 }; // 'anti', 'rand'

function mix(a: number, b: number): number {
  return pcgHash((pcgHash(a >>> 0) ^ b) >>> 0);
}

/** Seed of the stream for one (pair or member, layer) of one kind. */
function streamKey(seed: number, kind: ChildMaskKind, index: number, layer: number): number {
  return mix(mix(mix(seed, KIND_TAG[kind]), index), layer);
}

function checkInt(x: number, min: number, what: string, fn: string): void {
  assert(Number.isInteger(x) && x >= min, `${fn}: ${what} must be an integer >= ${min}, got ${x}`);
}

/** Masks per child per layer ([member][layer]); the last layer is all ones. See the header. */
export function childMasks(layers: readonly LayerSize[], o: ChildMaskOptions): Float32Array[][] {
  assert(layers.length >= 1, 'childMasks: need at least one layer');
  layers.forEach((l, i) => checkInt(l.numel, 0, `layers[${i}].numel`, 'childMasks'));
  checkInt(o.members, 1, 'members', 'childMasks');
  assert(o.kind === 'anti-random' || o.kind === 'random', `childMasks: unknown mask kind "${String(o.kind)}"`);
  assert(Number.isFinite(o.density) && o.density >= 0 && o.density <= 1, `childMasks: density must be in [0, 1], got ${o.density}`);
  assert(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffff_ffff, `childMasks: seed must be an integer in [0, 2^32), got ${o.seed}`);

  const last = layers.length - 1;
  const out: Float32Array[][] = [];
  for (let member = 0; member < o.members; member++) {
    out.push(
      layers.map((layer, l) => {
        const n = layer.numel;
        if (l === last) return new Float32Array(n).fill(1);
        if (o.kind === 'random') return randomMask(n, activeCount(n, o.density), mulberry32(streamKey(o.seed, 'random', member, l)));
        const pair = Math.floor(member / 2);
        const m = randomMask(n, Math.floor(n / 2), mulberry32(streamKey(o.seed, 'anti-random', pair, l)));
        return member % 2 === 0 ? m : m.map((v) => 1 - v);
      }),
    );
  }
  return out;
}

export interface OneCycleTuneLr {
  kind: 'onecycle';
  maxLr: number;
  div: 100;
  finalDiv: 10000;
  pctStart: 0.1;
}

export interface PruneAndTunePlanOptions {
  parentEpochs: number;
  tuneEpochs: number;
  stepsPerEpoch: number;
  members: number;
  /** Base lr: the parent's and the children's OneCycle max lr. */
  lr: number;
  /** Put the parent in the ensemble too (the released evaluation does). Default false. */
  includeParent?: boolean;
}

export interface PruneAndTunePlan {
  parentSteps: number;
  /** Steps of ONE child's tuning. */
  tuneSteps: number;
  /** Parent plus every child, run one after another. */
  totalSteps: number;
  /** Models in the evaluated ensemble: members, plus one with includeParent. */
  ensembleSize: number;
  tuneLr: OneCycleTuneLr;
}

export function pruneAndTunePlan(o: PruneAndTunePlanOptions): PruneAndTunePlan {
  const fn = 'pruneAndTunePlan';
  checkInt(o.parentEpochs, 1, 'parentEpochs', fn);
  checkInt(o.tuneEpochs, 1, 'tuneEpochs', fn);
  checkInt(o.stepsPerEpoch, 1, 'stepsPerEpoch', fn);
  checkInt(o.members, 1, 'members', fn);
  assert(Number.isFinite(o.lr) && o.lr > 0, `${fn}: lr must be a finite number > 0, got ${o.lr}`);
  const parentSteps = o.parentEpochs * o.stepsPerEpoch;
  const tuneSteps = o.tuneEpochs * o.stepsPerEpoch;
  return {
    parentSteps,
    tuneSteps,
    totalSteps: parentSteps + o.members * tuneSteps,
    ensembleSize: o.members + (o.includeParent === true ? 1 : 0),
    tuneLr: { kind: 'onecycle', maxLr: o.lr, div: 100, finalDiv: 10000, pctStart: 0.1 },
  };
}

export interface PruneAndTuneCostOptions {
  parentEpochs: number;
  tuneEpochs: number;
  members: number;
  /** f_S/f_D: a child's training FLOPs per example relative to the dense parent's. */
  childDensityFlopsRatio: number;
}

/** Training cost in dense-model-epoch units: E + M·tuneEpochs·(f_S/f_D). */
export function pruneAndTuneCost(o: PruneAndTuneCostOptions): number {
  const fn = 'pruneAndTuneCost';
  checkInt(o.parentEpochs, 0, 'parentEpochs', fn);
  checkInt(o.tuneEpochs, 0, 'tuneEpochs', fn);
  checkInt(o.members, 0, 'members', fn);
  const r = o.childDensityFlopsRatio;
  assert(Number.isFinite(r) && r >= 0 && r <= 1, `${fn}: childDensityFlopsRatio must be in [0, 1], got ${r}`);
  return o.parentEpochs + o.members * o.tuneEpochs * r;
}
