// CPU reference for shaders/mask.wgsl: prune/grow keys, exact k-smallest selection with ties by
// index, and the mask update. Plain loops and a sort: readable, not fast.
//
// Every tensor is one layer's (members, n) range. Keys are u32; the k SMALLEST non-SENTINEL keys
// of each member are selected, ties going to the lower index:
//   prune           active ? bits(|w|) : SENTINEL
//   grow by score   candidate ? 0x7fffffff - bits(|s|) : SENTINEL      (largest |s| first)
//   grow at random  candidate ? randomKey(seed, step, member, layer, i) : SENTINEL
// candidate = inactive, or pruned in this same update (RigL may regrow what it just dropped).
import { assert } from '../util/assert';
import { pcgHash } from '../util/rng';

import { CHANGE, EV_GROWN, EV_PRUNED } from './mask-codes';

export { CHANGE, EV_GROWN, EV_PRUNED } from './mask-codes';
export const SENTINEL = 0xffffffff;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bits of |x| as a u32 (monotone in |x| for non-NaN floats). */
export function absBits(x: number): number {
  f32[0] = x;
  return u32[0]! & 0x7fffffff;
}

/** Same hash chain as `random_key` in mask.wgsl. */
export function randomKey(seed: number, step: number, member: number, layer: number, i: number): number {
  let h = pcgHash(seed);
  h = pcgHash((h ^ step) >>> 0);
  h = pcgHash((h ^ member) >>> 0);
  h = pcgHash((h ^ layer) >>> 0);
  h = pcgHash((h ^ i) >>> 0);
  return h >>> 1;
}

export function pruneKeys(w: Float32Array, mask: Float32Array): Uint32Array {
  assert(w.length === mask.length, 'pruneKeys: w and mask differ in length');
  return Uint32Array.from(w, (v, j) => (mask[j] !== 0 ? absBits(v) : SENTINEL));
}

const isCandidate = (mask: Float32Array, events: Uint32Array, j: number): boolean =>
  mask[j] === 0 || (events[j]! & EV_PRUNED) !== 0;

export function growKeysByMagnitude(score: Float32Array, mask: Float32Array, events: Uint32Array): Uint32Array {
  assert(score.length === mask.length && events.length === mask.length, 'growKeysByMagnitude: length mismatch');
  return Uint32Array.from(score, (v, j) => (isCandidate(mask, events, j) ? 0x7fffffff - absBits(v) : SENTINEL));
}

export function growKeysRandom(
  seed: number,
  step: number,
  layer: number,
  members: number,
  mask: Float32Array, // (members, n)
  events: Uint32Array, // (members, n)
): Uint32Array {
  const n = mask.length / members;
  return Uint32Array.from(mask, (_v, j) =>
    isCandidate(mask, events, j) ? randomKey(seed, step, Math.floor(j / n), layer, j % n) : SENTINEL,
  );
}

/**
 * For each member, sets `bit` in events for the k smallest non-SENTINEL keys (ties: lower index)
 * and clears it everywhere else. Fewer than k candidates: all of them are selected.
 */
export function selectK(keys: Uint32Array, events: Uint32Array, members: number, k: number, bit: number): void {
  assert(keys.length === events.length && keys.length % members === 0, 'selectK: length mismatch');
  const n = keys.length / members;
  for (let m = 0; m < members; m++) {
    const order: number[] = [];
    for (let i = 0; i < n; i++) if (keys[m * n + i] !== SENTINEL) order.push(i);
    order.sort((a, b) => keys[m * n + a]! - keys[m * n + b]! || a - b);
    const picked = new Set(order.slice(0, k));
    for (let i = 0; i < n; i++) {
      const j = m * n + i;
      events[j] = picked.has(i) ? events[j]! | bit : events[j]! & ~bit;
    }
  }
}

/**
 * new mask = (active and not pruned) or grown; newly active positions start at 0 with their
 * optimizer state reset; pruned-only positions become 0; fired |= new mask; events -> CHANGE code.
 */
export function applyUpdate(
  mask: Float32Array,
  weights: Float32Array,
  events: Uint32Array,
  fired: Float32Array,
  states: Float32Array[],
): void {
  for (let j = 0; j < mask.length; j++) {
    const wasActive = mask[j] !== 0;
    const pruned = wasActive && (events[j]! & EV_PRUNED) !== 0;
    const grown = (events[j]! & EV_GROWN) !== 0;
    const nowActive = (wasActive && !pruned) || grown;
    let code: number = CHANGE.none;
    if (grown && !wasActive) {
      code = CHANGE.grown;
      weights[j] = 0;
      for (const s of states) s[j] = 0;
    } else if (pruned && !grown) {
      code = CHANGE.pruned;
      weights[j] = 0;
    } else if (pruned && grown) {
      code = CHANGE.regrown;
    }
    mask[j] = nowActive ? 1 : 0;
    if (nowActive) fired[j] = 1;
    events[j] = code;
  }
}
