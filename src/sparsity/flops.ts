// Training- and inference-FLOPs accounting (docs/METHODS.md §0, §1.2, §1.9), RigL convention.
//
// FLOPs = 2 × MACs; per-layer dense forward cost F_l from `denseFlopsPerExample` (bias adds,
// activations, pooling and BN are not counted). f_D = Σ F_l, f_S = Σ d_l·F_l (per example).
// Backward ≈ 2× forward, so per example and training step:
//   dense 3f_D · static, SET 3f_S (SET's update is negligible) · SNFS 2f_S + f_D (dense gradient
//   every step) · RigL (3f_S·ΔT + 2f_S + f_D)/(ΔT + 1).
// RigL's formula is an average: ΔT ordinary steps at 3f_S and one update step at 2f_S + f_D (sparse
// forward, sparse input-gradient, one DENSE weight gradient, and no optimizer step). The
// FlopsAccumulator charges each actual step its exact cost instead, so it is exact when updates stop
// at T_end, when the cadence is every ΔT rather than every ΔT + 1 steps, or when f_S changes with the
// live density slider; over ΔT ordinary steps plus one update it equals the formula.

import { assert } from '../util/assert';
import { denseFlopsPerExample, type FlopsLayer } from './layers';
import type { SparseMethod } from './schedule';

/** f_D: dense forward FLOPs per example. */
export function denseForwardFlops(layers: readonly FlopsLayer[]): number {
  return layers.reduce((a, layer) => a + denseFlopsPerExample(layer), 0);
}

/** f_S = Σ d_l·F_l: sparse forward FLOPs per example. */
export function sparseForwardFlops(layers: readonly FlopsLayer[], densities: readonly number[]): number {
  assert(layers.length === densities.length, `sparseForwardFlops: ${layers.length} layers but ${densities.length} densities`);
  return layers.reduce((a, layer, l) => a + densities[l]! * denseFlopsPerExample(layer), 0);
}

export interface TrainingFlopsInput {
  fS: number;
  fD: number;
  /** Update interval; used by RigL only. */
  deltaT: number;
  batch: number;
}

/** Averaged per-step training FLOPs of §1.9's table, times the batch size. */
export function trainingFlopsPerStep(method: SparseMethod, { fS, fD, deltaT, batch }: TrainingFlopsInput): number {
  let perExample: number;
  switch (method) {
    case 'dense':
      perExample = 3 * fD;
      break;
    case 'static':
    case 'set':
      perExample = 3 * fS;
      break;
    case 'snfs':
      perExample = 2 * fS + fD;
      break;
    case 'rigl':
      assert(deltaT > 0, `trainingFlopsPerStep: RigL needs deltaT > 0, got ${deltaT}`);
      perExample = (3 * fS * deltaT + 2 * fS + fD) / (deltaT + 1);
      break;
  }
  return perExample * batch;
}

/** Exact per-example FLOPs of one step of `method`; `update` marks a mask-update iteration. */
export function stepFlopsPerExample(method: SparseMethod, fS: number, fD: number, update: boolean): number {
  switch (method) {
    case 'dense':
      return 3 * fD;
    case 'static':
    case 'set':
      return 3 * fS;
    case 'snfs':
      return 2 * fS + fD;
    case 'rigl':
      return update ? 2 * fS + fD : 3 * fS;
  }
}

/** Sums the exact training FLOPs of the steps actually run, and compares with dense training. */
export class FlopsAccumulator {
  private readonly method: SparseMethod;
  private readonly fD: number;
  private readonly batch: number;
  private fS: number;
  private total = 0;
  private steps = 0;

  constructor(method: SparseMethod, init: { fS: number; fD: number; batch: number }) {
    assert(init.fD > 0 && init.batch > 0, 'FlopsAccumulator: fD and batch must be > 0');
    this.method = method;
    this.fS = init.fS;
    this.fD = init.fD;
    this.batch = init.batch;
  }

  /** Charge one training step; `update` = this iteration was a mask update. */
  step(update = false): void {
    this.total += stepFlopsPerExample(this.method, this.fS, this.fD, update) * this.batch;
    this.steps++;
  }

  /** Charge FLOPs outside the method's own accounting (a ToST ghost bypass, a GradInit search). */
  addFlops(flops: number): void {
    this.total += flops;
  }

  /** The sparse forward cost changed (densities edited live); applies to later steps. */
  setSparseFlops(fS: number): void {
    this.fS = fS;
  }

  /** Continues from saved totals (a restored checkpoint). */
  restore(total: number, steps: number): void {
    this.total = total;
    this.steps = steps;
  }

  /** Cumulative training FLOPs so far. */
  cumulative(): number {
    return this.total;
  }

  stepCount(): number {
    return this.steps;
  }

  /** Cumulative / (3·f_D·batch·steps): the cost relative to dense training for the same steps. */
  ratioToDense(): number {
    return this.steps === 0 ? 0 : this.total / (3 * this.fD * this.batch * this.steps);
  }
}
