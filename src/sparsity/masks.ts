// Exact-count random masks (docs/METHODS.md §1.2 "Mask sampling", §8 pitfall 4).
//
// RigL draws exactly floor(s·N) zeros and shuffles; the PyTorch ports draw Bernoulli(d) per entry,
// so their realised density drifts. We always draw an exact count: a partial Fisher-Yates shuffle
// picks `active` distinct positions uniformly, driven by the seeded RNG of src/util/rng, so the same
// seed gives the same mask on every machine. Masks are Float32Array of 0/1 so they multiply weights
// directly (the GPU mask buffers hold the same values).

import { assert } from '../util/assert';
import type { Rng } from '../util/rng';

/** A 0/1 mask of length `n` with exactly `active` ones at uniformly random positions. */
export function randomMask(n: number, active: number, rng: Rng): Float32Array {
  assert(Number.isInteger(n) && n >= 0, `randomMask: numel must be a non-negative integer, got ${n}`);
  assert(Number.isInteger(active) && active >= 0 && active <= n, `randomMask: active must be an integer in [0, ${n}], got ${active}`);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const mask = new Float32Array(n);
  // Partial Fisher-Yates: after step i, idx[0..i] is a uniform random i+1-subset in random order.
  for (let i = 0; i < active; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
    mask[idx[i]!] = 1;
  }
  return mask;
}

/** One exact-count random mask per layer, drawn in layer order from one RNG stream. */
export function randomMasks(numels: readonly number[], counts: readonly number[], rng: Rng): Float32Array[] {
  assert(numels.length === counts.length, `randomMasks: ${numels.length} layers but ${counts.length} counts`);
  return numels.map((n, l) => randomMask(n, counts[l]!, rng));
}

/** Number of active (non-zero) entries of a mask. */
export function popcount(mask: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) c++;
  return c;
}
