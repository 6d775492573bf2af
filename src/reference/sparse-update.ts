// CPU reference of the sparse storage's mask update (shaders/sparse_select.wgsl,
// shaders/sparse_index.wgsl), composed from the masked storage's position-space reference
// (mask.ts): the same prune and growth selections on the layer expanded to dense, then the CSR
// rebuilt with values and optimizer state carried (sparse.ts csrApplyUpdate). The GPU kernels never
// expand the layer; their test holds them to this, so both storages choose the same connections.
import { assert } from '../util/assert';
import { applyUpdate, EV_GROWN, EV_PRUNED, growKeysByMagnitude, growKeysRandom, pruneKeys, selectK } from './mask';
import { bitmapWords, bitOf, csrApplyUpdate, csrToDense, slotRows, type CsrLayer } from './sparse';

export interface SlotUpdate {
  prune: number;
  grow: number;
  /** SET's random keys, or RigL's |score| (the dense gradient, (members, out, in)). */
  rule: 'random' | 'gradient';
  seed: number;
  step: number;
  layer: number;
  score?: Float32Array;
}

export interface SlotUpdateResult {
  layer: CsrLayer;
  /** The optimizer states carried like the values. */
  states: Float32Array[];
  /** (members, out, in) CHANGE codes, as mask.wgsl apply_update leaves them. */
  events: Uint32Array;
  /** Bitmaps like the layer's occupancy: active and not pruned; chosen by the growth selection. */
  kept: Uint32Array;
  grown: Uint32Array;
}

export function sparseMaskUpdate(c: CsrLayer, states: readonly Float32Array[], u: SlotUpdate): SlotUpdateResult {
  const s = c.shape;
  const { members: M, nOut: O, nIn: I } = s;
  const n = O * I;
  const { w, mask } = csrToDense(c);
  const events = new Uint32Array(M * n);
  selectK(pruneKeys(w, mask), events, M, u.prune, EV_PRUNED);
  let keys: Uint32Array;
  if (u.rule === 'random') keys = growKeysRandom(u.seed, u.step, u.layer, M, mask, events);
  else {
    assert(u.score?.length === M * n, 'sparseMaskUpdate: RigL needs a (members, out, in) score');
    keys = growKeysByMagnitude(u.score, mask, events);
  }
  selectK(keys, events, M, u.grow, EV_GROWN);
  const kept = new Uint32Array(M * bitmapWords(s));
  const grown = new Uint32Array(M * bitmapWords(s));
  const pruned: Set<number>[] = [];
  const grownSets: Set<number>[] = [];
  const rows = slotRows(c);
  for (let m = 0; m < M; m++) {
    const p = new Set<number>();
    for (let slot = 0; slot < c.nnz; slot++) {
      const pos = rows[m * c.nnz + slot]! * I + c.col[m * c.nnz + slot]!;
      const { word, bit } = bitOf(s, m, pos);
      if (events[m * n + pos]! & EV_PRUNED) p.add(slot);
      else kept[word]! |= 1 << bit;
    }
    const g = new Set<number>();
    for (let pos = 0; pos < n; pos++) {
      if (events[m * n + pos]! & EV_GROWN) {
        g.add(pos);
        const { word, bit } = bitOf(s, m, pos);
        grown[word]! |= 1 << bit;
      }
    }
    pruned.push(p);
    grownSets.push(g);
  }
  const newNnz = c.nnz - (pruned[0]?.size ?? 0) + (grownSets[0]?.size ?? 0);
  const next = csrApplyUpdate(c, pruned, grownSets, newNnz, [...states]);
  applyUpdate(mask, w, events, new Float32Array(M * n), []);
  return { ...next, events, kept, grown };
}
