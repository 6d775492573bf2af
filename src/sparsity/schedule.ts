// Dynamic-sparse-training schedules (docs/METHODS.md §1.1, §1.5, §1.6, §8 pitfalls 1–2): when a
// mask update happens, what fraction of each layer it swaps, how many weights to prune and grow,
// and whether the optimizer steps on an update iteration.
//
// Step indices t are 0-based minibatch iterations.
// * RigL / SET (RigL-style frameworks): update iff t ≥ beginStep, t ≤ tEnd and t − lastUpdate ≥ ΔT;
//   lastUpdate starts at −ΔT, so with beginStep = 0 the first update is at t = 0 (RigL code).
//   Drop fraction: cosine α/2·(1 + cos(π·min(t, tEnd)/tEnd)) or constant α (FreeTickets' constant
//   0.5 is pitfall 1).
// * SNFS: one update at the end of every epoch (sparse_learning `at_end_of_epoch`), i.e. after the
//   last step of the epoch, except after the final epoch when totalSteps is given; prune rate 0.5
//   cosine-annealed per iteration to 0.005 (sparse_learning's CosineDecay eta_min).

import { assert } from '../util/assert';

export type SparseMethod = 'dense' | 'static' | 'set' | 'rigl' | 'snfs';

export interface DstSchedule {
  /** Iterations between mask updates (ΔT). */
  deltaT: number;
  /** Initial drop fraction α. */
  alpha: number;
  decay: 'cosine' | 'constant';
  /** Last iteration that may update (T_end); also the cosine's period end. */
  tEnd: number;
  /** First iteration that may update. */
  beginStep: number;
}

/** The value `lastUpdate` starts at, so an update is due at t = beginStep = 0. */
export function initialLastUpdate(schedule: DstSchedule): number {
  return -schedule.deltaT;
}

/** True when iteration t is a mask-update iteration. */
export function isUpdateStep(schedule: DstSchedule, t: number, lastUpdate: number): boolean {
  return t >= schedule.beginStep && t <= schedule.tEnd && t - lastUpdate >= schedule.deltaT;
}

/** Drop fraction at iteration t (the caller asks on update iterations only). */
export function dropFraction(schedule: DstSchedule, t: number): number {
  if (schedule.decay === 'constant') return schedule.alpha;
  assert(schedule.tEnd > 0, `dropFraction: cosine decay needs tEnd > 0, got ${schedule.tEnd}`);
  const u = Math.min(Math.max(t, 0), schedule.tEnd) / schedule.tEnd;
  return (schedule.alpha / 2) * (1 + Math.cos(Math.PI * u));
}

export interface PruneGrowOptions {
  /**
   * May a position dropped in this update be regrown in the same update? true (default) is RigL:
   * grow candidates are all positions outside the kept set. false is the PyTorch ports', where only
   * positions inactive before the update are candidates, so the swap count k may shrink.
   */
  regrowDropped?: boolean;
}

/**
 * How many weights a layer prunes and grows in one update so that it ends at exactly `target`
 * active entries. k = floor(fraction·nnz) (+1e-9 slack against float noise, as in activeCounts):
 * * target = nnz: prune k, grow k (the ordinary swap);
 * * target ≠ nnz (the UI's live density slider): prune k + max(0, nnz − target) and grow
 *   k + max(0, target − nnz).
 * Clamps: target to [0, numel]; prune ≤ nnz (then grow = prune + target − nnz, still landing on
 * target). Grow never exceeds the available candidates: numel − (nnz − prune) with regrowDropped,
 * numel − nnz without (k is reduced to numel − max(nnz, target) there).
 */
export function pruneGrowCounts(
  nnz: number,
  targetActive: number,
  fraction: number,
  numel: number,
  options: PruneGrowOptions = {},
): { prune: number; grow: number } {
  assert(Number.isInteger(numel) && numel >= 0, `pruneGrowCounts: numel must be a non-negative integer, got ${numel}`);
  assert(Number.isInteger(nnz) && nnz >= 0 && nnz <= numel, `pruneGrowCounts: nnz must be an integer in [0, ${numel}], got ${nnz}`);
  assert(Number.isInteger(targetActive), `pruneGrowCounts: targetActive must be an integer, got ${targetActive}`);
  assert(fraction >= 0 && fraction <= 1, `pruneGrowCounts: fraction must be in [0, 1], got ${fraction}`);
  const target = Math.min(numel, Math.max(0, targetActive));
  let k = Math.min(nnz, Math.floor(fraction * nnz + 1e-9));
  if (options.regrowDropped === false) k = Math.min(k, numel - Math.max(nnz, target));
  const prune = Math.min(nnz, k + Math.max(0, nnz - target));
  const grow = prune + target - nnz;
  return { prune, grow };
}

/** Methods whose masks change during training. */
export function isDynamic(method: SparseMethod): boolean {
  return method === 'set' || method === 'rigl' || method === 'snfs';
}

/**
 * Does the optimizer step on a mask-update iteration? RigL (Style B, docs/METHODS.md §1.1) skips it: the
 * update replaces the step. SET and SNFS apply the step, then update the mask. `portCompatible`
 * (the PyTorch ports' behaviour, Style A) always steps.
 */
export function optimizerStepOnUpdate(method: SparseMethod, portCompatible: boolean): boolean {
  if (portCompatible) return true;
  return method !== 'rigl';
}

/**
 * SNFS updates after the last iteration of each epoch: (t + 1) % stepsPerEpoch = 0. When
 * `totalSteps` is given the end of the final epoch (t = totalSteps − 1) is excluded, as
 * sparse_learning skips `at_end_of_epoch` after the last epoch.
 */
export function snfsIsUpdateStep(stepsPerEpoch: number, t: number, totalSteps?: number): boolean {
  assert(Number.isInteger(stepsPerEpoch) && stepsPerEpoch > 0, `snfsIsUpdateStep: stepsPerEpoch must be a positive integer, got ${stepsPerEpoch}`);
  if (totalSteps !== undefined && t >= totalSteps - 1) return false;
  return t >= 0 && (t + 1) % stepsPerEpoch === 0;
}

/** SNFS prune rate at iteration t: cosine from `initial` (0.5) at t = 0 to `minRate` (0.005) at totalSteps. */
export function snfsPruneRate(t: number, totalSteps: number, initial = 0.5, minRate = 0.005): number {
  assert(totalSteps > 0, `snfsPruneRate: totalSteps must be > 0, got ${totalSteps}`);
  const u = Math.min(Math.max(t, 0), totalSteps) / totalSteps;
  return minRate + ((initial - minRate) / 2) * (1 + Math.cos(Math.PI * u));
}
