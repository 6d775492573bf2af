// Finite-difference gradient checker for the CPU reference kernels.
//
// For a forward f(inputs) -> y and a fixed random cotangent r, the scalar L = sum(r ⊙ y) has
// dL/d(inputs) = vjp(r), which is exactly what a backward kernel computes when fed dy = r.
// Each input entry is perturbed by ±eps and the central difference (L+ - L-) / (x+ - x-) is
// compared with the analytic entry. Notes on precision (the forwards return float32):
//  - the perturbed inputs are rounded to float32, so we divide by the perturbation that was
//    actually applied (x+ - x-), not by 2*eps;
//  - L is summed in float64 from the float32 outputs, so the only noise is the final float32
//    rounding of each output (~6e-8 relative), amplified by 1/(2 eps). eps = 1e-2 keeps it well
//    below the tolerance while the O(eps^2) truncation error of the smooth kernels stays ~1e-5
//    (dense, conv, pool and bias are piecewise linear: no truncation error at all).
// An entry passes when |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
// The check also fails if every numeric gradient is ~0 (a vacuous check proves nothing).

import { mulberry32, type Rng } from '../../../src/util/rng';

export interface GradCheckSpec {
  /** The point at which to differentiate; never modified. */
  inputs: Float32Array[];
  forward: (inputs: Float32Array[]) => ArrayLike<number>;
  /** Analytic dL/d(input k) for L = sum(r ⊙ forward(inputs)); null for inputs not checked. */
  vjp: (r: Float32Array, inputs: Float32Array[]) => (ArrayLike<number> | null)[];
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
}

export interface GradCheckResult {
  ok: boolean;
  /** Number of input entries compared. */
  checked: number;
  /** Human-readable descriptions of the first failing entries (empty when ok). */
  failures: string[];
  /** Largest |analytic - numeric| seen. */
  maxAbsErr: number;
}

function weightedSum(r: ArrayLike<number>, y: ArrayLike<number>): number {
  if (y.length !== r.length) throw new Error(`forward output length changed: ${y.length} vs ${r.length}`);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += r[i]! * y[i]!;
  return s;
}

export function gradCheck(spec: GradCheckSpec): GradCheckResult {
  const { eps = 1e-2, rtol = 2e-3, atol = 1e-4, seed = 1234 } = spec;
  const inputs = spec.inputs;
  const y0 = spec.forward(inputs);
  const rng = mulberry32(seed);
  const r = randomArray(rng, y0.length);
  const analytic = spec.vjp(r, inputs);
  if (analytic.length !== inputs.length) throw new Error(`vjp returned ${analytic.length} gradients for ${inputs.length} inputs`);

  const failures: string[] = [];
  let failed = 0;
  let checked = 0;
  let maxAbsErr = 0;
  let maxNumeric = 0;
  analytic.forEach((grad, k) => {
    if (grad === null) return;
    const base = inputs[k]!;
    if (grad.length !== base.length) throw new Error(`gradient ${k} has length ${grad.length}, input has ${base.length}`);
    for (let j = 0; j < base.length; j++) {
      const perturbed = inputs.slice();
      const xk = Float32Array.from(base);
      perturbed[k] = xk;
      const xp = Math.fround(base[j]! + eps);
      const xm = Math.fround(base[j]! - eps);
      xk[j] = xp;
      const lp = weightedSum(r, spec.forward(perturbed));
      xk[j] = xm;
      const lm = weightedSum(r, spec.forward(perturbed));
      const numeric = (lp - lm) / (xp - xm);
      const a = grad[j]!;
      const err = Math.abs(a - numeric);
      checked++;
      maxAbsErr = Math.max(maxAbsErr, err);
      maxNumeric = Math.max(maxNumeric, Math.abs(numeric));
      if (!(err <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)))) {
        failed++;
        if (failures.length < 5) failures.push(`input ${k}[${j}]: analytic ${a}, numeric ${numeric}`);
      }
    }
  });
  if (failed > failures.length) failures.push(`... ${failed - failures.length} more`);
  if (checked === 0) failures.push('no gradient entries were checked');
  else if (maxNumeric < 10 * atol) failures.push(`vacuous check: every numeric gradient is below ${10 * atol}`);
  return { ok: failures.length === 0, checked, failures, maxAbsErr };
}

// ---- random test data --------------------------------------------------------------------------

/** Standard normal entries times scale, as float32. */
export function randomArray(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

/** 0/1 mask with roughly the given density, guaranteed to hold at least one 0 and one 1. */
export function randomMask(rng: Rng, n: number, density: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() < density ? 1 : 0;
  if (n >= 2) {
    a[0] = 1;
    a[n - 1] = 0;
  }
  return a;
}

/** n distinct values at least `gap` apart (a shuffled arithmetic progression), centred on 0. */
export function distinctArray(rng: Rng, n: number, gap: number): Float32Array {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return Float32Array.from(order, (v) => (v - n / 2) * gap);
}

export function scaled(a: ArrayLike<number>, factor: number): Float32Array {
  return Float32Array.from(a, (v) => v * factor);
}

export function ones(n: number): Float32Array {
  return new Float32Array(n).fill(1);
}

export function times(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  return Float32Array.from(a, (v, i) => v * b[i]!);
}
