// Pruning at initialisation, the pure parts (docs/METHODS.md §4, §4.1–4.3, §8 pitfalls 9–10):
// per-weight scores from weights and gradients the engine computed, the SynFlow / IMP density
// schedules, and an exact, deterministic top-k selection that turns scores into masks.
//
// Sign conventions (all selections KEEP the highest scores):
// * magnitude |w|; SNIP |g ⊙ w| (SNIP's division by Σ scores is a positive global rescaling and
//   leaves every mask unchanged, so it is not applied); SynFlow |∂R/∂w ⊙ w|.
// * GraSP's score is S = −w ⊙ Hg and GraSP REMOVES the largest S (docs/METHODS.md §4.1, pitfall 9), i.e. it
//   keeps the largest w ⊙ Hg. `graspScores` returns S as docs/METHODS.md §4.1 defines it; feed
//   `graspKeepScores` (= −S) to keepTopK. Ranking |w ⊙ Hg| would be a different method.
// * Hg without double backprop: central differences of two gradients,
//   Hg ≈ (∇L(w + εg) − ∇L(w − εg)) / 2ε. With `normalise` the probe direction is ĝ = g/‖g‖ and the
//   quotient is scaled back by ‖g‖ (docs/METHODS.md §4.1's form, the same as ε/‖g‖ in the plain form).
//   Error is O(ε²‖g‖³) for smooth losses (tests check it against an exact HVP in float64).
// Ties in keepTopK go to the lower index (global scope: lower layer, then lower index), so masks
// are deterministic; counts are exact.

import { assert } from '../util/assert';

export type ScoreArray = Float32Array | Float64Array;
export type Scope = 'global' | 'per-layer';

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, fn: string): void {
  assert(a.length === b.length, `${fn}: lengths differ (${a.length} vs ${b.length})`);
}

/** Magnitude: |w|. */
export function magnitudeScores(w: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: w.length }, (_, i) => Math.abs(w[i]!));
}

/** SNIP (= Taylor-1 abs): |g ⊙ w|, unnormalised. */
export function snipScores(w: ArrayLike<number>, g: ArrayLike<number>): Float64Array {
  sameLength(w, g, 'snipScores');
  return Float64Array.from({ length: w.length }, (_, i) => Math.abs(g[i]! * w[i]!));
}

/** GraSP's S = −w ⊙ Hg; GraSP removes the LARGEST S. */
export function graspScores(w: ArrayLike<number>, hg: ArrayLike<number>): Float64Array {
  sameLength(w, hg, 'graspScores');
  return Float64Array.from({ length: w.length }, (_, i) => -w[i]! * hg[i]!);
}

/** w ⊙ Hg = −S: keeping its largest entries is GraSP's mask. */
export function graspKeepScores(w: ArrayLike<number>, hg: ArrayLike<number>): Float64Array {
  sameLength(w, hg, 'graspKeepScores');
  return Float64Array.from({ length: w.length }, (_, i) => w[i]! * hg[i]!);
}

/** SynFlow: |∂R/∂w ⊙ w| (R computed on |w| with an all-ones input, by the engine). */
export function synflowScores(w: ArrayLike<number>, dRdw: ArrayLike<number>): Float64Array {
  sameLength(w, dRdw, 'synflowScores');
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = Math.abs(dRdw[i]! * w[i]!);
  return out;
}

/**
 * Hessian-gradient product by central differences of two gradients:
 * Hg ≈ (∇L(w + εg) − ∇L(w − εg)) / 2ε, all in float64. `gradAt` must use the same batch(es) and
 * temperature for both calls. `normalise`: probe along ĝ = g/‖g‖ and multiply by ‖g‖.
 */
export function hessianGradFiniteDiff(
  gradAt: (w: Float64Array) => Float64Array,
  w: ArrayLike<number>,
  g: ArrayLike<number>,
  eps: number,
  options: { normalise?: boolean } = {},
): Float64Array {
  sameLength(w, g, 'hessianGradFiniteDiff');
  assert(eps > 0, `hessianGradFiniteDiff: eps must be > 0, got ${eps}`);
  const n = w.length;
  let h = eps; // the step along g itself
  if (options.normalise === true) {
    let sq = 0;
    for (let i = 0; i < n; i++) sq += g[i]! * g[i]!;
    if (sq === 0) return new Float64Array(n);
    h = eps / Math.sqrt(sq);
  }
  const plus = Float64Array.from({ length: n }, (_, i) => w[i]! + h * g[i]!);
  const minus = Float64Array.from({ length: n }, (_, i) => w[i]! - h * g[i]!);
  const gp = gradAt(plus);
  const gm = gradAt(minus);
  assert(gp.length === n && gm.length === n, `hessianGradFiniteDiff: gradAt returned ${gp.length}/${gm.length} entries for ${n} weights`);
  return Float64Array.from({ length: n }, (_, i) => (gp[i]! - gm[i]!) / (2 * h));
}

/** Spec §4.1's step size for the finite-difference HVP: 1e-3·‖w‖/√n. */
export function suggestedHvpEpsilon(w: ArrayLike<number>): number {
  let sq = 0;
  for (let i = 0; i < w.length; i++) sq += w[i]! * w[i]!;
  return (1e-3 * Math.sqrt(sq)) / Math.sqrt(Math.max(1, w.length));
}

/** SynFlow's exponential schedule: density after round r of R is d^(r/R) (r = 1..R; d^0 = 1). */
export function synflowDensity(round: number, rounds: number, finalDensity: number): number {
  assert(Number.isInteger(rounds) && rounds > 0, `synflowDensity: rounds must be a positive integer, got ${rounds}`);
  assert(Number.isInteger(round) && round >= 0 && round <= rounds, `synflowDensity: round must be an integer in [0, ${rounds}], got ${round}`);
  assert(finalDensity > 0 && finalDensity <= 1, `synflowDensity: finalDensity must be in (0, 1], got ${finalDensity}`);
  return finalDensity ** (round / rounds);
}

/** IMP: density after `round` rounds that each prune a fraction p of the remaining: (1 − p)^round. */
export function impDensity(round: number, p: number): number {
  assert(p >= 0 && p < 1, `impDensity: p must be in [0, 1), got ${p}`);
  return (1 - p) ** round;
}

/**
 * IMP exact counts: active weights after each of `rounds` rounds, starting from `total`; each round
 * prunes ceil(p·remaining) (open_lth's rounding; 1e-9 slack against float noise).
 */
export function impActiveCounts(total: number, rounds: number, p: number): number[] {
  assert(Number.isInteger(total) && total >= 0, `impActiveCounts: total must be a non-negative integer, got ${total}`);
  assert(p >= 0 && p < 1, `impActiveCounts: p must be in [0, 1), got ${p}`);
  const out: number[] = [];
  let remaining = total;
  for (let r = 0; r < rounds; r++) {
    remaining -= Math.min(remaining, Math.ceil(p * remaining - 1e-9));
    out.push(remaining);
  }
  return out;
}

/**
 * The k indices of `idx` with the largest scores, ties to the lower index: the first k of `idx`
 * sorted by (score descending, index ascending), as a set (in index order). O(n): a selection of
 * the threshold and two linear passes, not a comparator sort of the indices: SynFlow runs this
 * every round over millions of weights, and a comparator sort of 2 M indices took seconds per
 * round on the page's thread.
 */
function topIndices(score: (i: number) => number, idx: Uint32Array, k: number): Uint32Array {
  if (k === 0) return new Uint32Array(0);
  if (k === idx.length) return idx;
  const values = new Float64Array(idx.length); // a loop: Float64Array.from with a function is ~10× slower
  for (let j = 0; j < idx.length; j++) values[j] = score(idx[j]!);
  const threshold = kthSmallest(values, idx.length - k); // the k-th largest
  let above = 0;
  for (let j = 0; j < idx.length; j++) if (score(idx[j]!) > threshold) above++;
  // Every score above the threshold, then ties at it in ascending index order (idx is ascending).
  let ties = k - above;
  const out = new Uint32Array(k);
  let n = 0;
  for (let j = 0; j < idx.length; j++) {
    const v = score(idx[j]!);
    if (v > threshold || (v === threshold && ties-- > 0)) out[n++] = idx[j]!;
  }
  return out;
}

/** The indices of every layer's eligible entries (all, or where `within` is not 0), offset into one ascending list. */
/**
 * The value of rank `r` (0: the smallest) of `a`, which is reordered: Hoare's quickselect with a
 * median-of-three pivot, iterative. -0 and 0 compare equal, as in the callers' comparisons.
 */
function kthSmallest(a: Float64Array, r: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return a[r]!;
  }
  return a[r]!;
}

function eligibleIndices(lengths: readonly number[], offsets: readonly number[], within: readonly ArrayLike<number>[] | undefined): Uint32Array {
  let n = 0;
  lengths.forEach((len, l) => {
    const w = within?.[l];
    if (w === undefined) n += len;
    else for (let i = 0; i < len; i++) if (w[i] !== 0) n++;
  });
  const out = new Uint32Array(n);
  let j = 0;
  lengths.forEach((len, l) => {
    const w = within?.[l];
    for (let i = 0; i < len; i++) if (w === undefined || w[i] !== 0) out[j++] = offsets[l]! + i;
  });
  return out;
}

/**
 * Masks keeping exactly the top-k scores. `global`: k is one count over all layers concatenated
 * (layer order); `per-layer`: k[l] per layer. `within` (optional, per layer 0/1) restricts the
 * choice to currently active entries, as iterative SynFlow and IMP need. Deterministic; NaN rejected.
 */
export function keepTopK(
  scores: readonly ScoreArray[],
  k: number | readonly number[],
  scope: Scope,
  within?: readonly ArrayLike<number>[],
): Float32Array[] {
  assert(within === undefined || within.length === scores.length, `keepTopK: ${within?.length} 'within' masks for ${scores.length} layers`);
  scores.forEach((s, l) => {
    if (within !== undefined) sameLength(s, within[l]!, 'keepTopK within');
    // The message only on failure: built per entry, it cost more than the selection.
    for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i]!)) assert(false, `keepTopK: NaN score at layer ${l}, index ${i}`);
  });
  const masks = scores.map((s) => new Float32Array(s.length));
  if (scope === 'per-layer') {
    assert(Array.isArray(k) && k.length === scores.length, `keepTopK: per-layer scope needs one count per layer`);
    scores.forEach((s, l) => {
      const kl = (k as readonly number[])[l]!;
      const idx = eligibleIndices([s.length], [0], within === undefined ? undefined : [within[l]!]);
      assert(Number.isInteger(kl) && kl >= 0 && kl <= idx.length, `keepTopK: layer ${l} count must be an integer in [0, ${idx.length}], got ${kl}`);
      for (const i of topIndices((i) => s[i]!, idx, kl)) masks[l]![i] = 1;
    });
    return masks;
  }
  assert(typeof k === 'number', 'keepTopK: global scope needs a single count');
  const offsets: number[] = [];
  let total = 0;
  for (const s of scores) {
    offsets.push(total);
    total += s.length;
  }
  const flat = new Float64Array(total);
  const layerOf = new Uint32Array(total);
  scores.forEach((s, l) => {
    flat.set(s, offsets[l]!);
    layerOf.fill(l, offsets[l]!, offsets[l]! + s.length);
  });
  const idx = eligibleIndices(scores.map((s) => s.length), offsets, within);
  assert(Number.isInteger(k) && k >= 0 && k <= idx.length, `keepTopK: count must be an integer in [0, ${idx.length}], got ${k}`);
  for (const g of topIndices((i) => flat[i]!, idx, k)) {
    const l = layerOf[g]!;
    masks[l]![g - offsets[l]!] = 1;
  }
  return masks;
}
