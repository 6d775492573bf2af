// In-Time Over-Parameterization rate, CPU version (docs/METHODS.md §1.7, §7.6, §8 pitfall 12).
//
//   fired_l ← m_l at init;  after every mask update: fired_l ← fired_l OR m_l
//   R_s = Σ_l popcount(fired_l) / Σ_l N_l     (fraction of all maskable weights ever active)
//
// ITOP's `fired_masks_update` ORs the masks. FreeTickets' copy of that function ANDs them, which
// would make R_s shrink towards the weights that never left: a bug (unused there), not a variant.
// R_s is therefore monotone non-decreasing and starts at the initial overall density.

import { assert } from '../util/assert';

/** fired ← fired OR mask, in place (both 0/1, same length). Returns `fired`. */
export function orInto(fired: Float32Array, mask: ArrayLike<number>): Float32Array {
  assert(fired.length === mask.length, `orInto: fired has ${fired.length} entries, mask ${mask.length}`);
  for (let i = 0; i < fired.length; i++) if (mask[i] !== 0) fired[i] = 1;
  return fired;
}

/** R_s = Σ popcount(fired_l) / Σ N_l, with N_l = fired_l.length. */
export function itopRate(fired: readonly ArrayLike<number>[]): number {
  let on = 0;
  let total = 0;
  for (const f of fired) {
    for (let i = 0; i < f.length; i++) if (f[i] !== 0) on++;
    total += f.length;
  }
  assert(total > 0, 'itopRate: no maskable weights');
  return on / total;
}

/** Keeps the fired masks of one model across mask updates. */
export class ItopTracker {
  private readonly fired: Float32Array[];

  /** Starts from the initial masks (copied, so later in-place mask edits do not leak in). */
  constructor(initialMasks: readonly ArrayLike<number>[]) {
    this.fired = initialMasks.map((m) => Float32Array.from(m, (v) => (v !== 0 ? 1 : 0)));
  }

  /** Call after every mask update with the new masks, in the same layer order. */
  update(masks: readonly ArrayLike<number>[]): void {
    assert(masks.length === this.fired.length, `ItopTracker.update: ${masks.length} masks for ${this.fired.length} layers`);
    masks.forEach((m, l) => orInto(this.fired[l]!, m));
  }

  rate(): number {
    return itopRate(this.fired);
  }

  /** The union so far, per layer (read-only views for the mask visualisations). */
  firedMasks(): readonly Float32Array[] {
    return this.fired;
  }
}
