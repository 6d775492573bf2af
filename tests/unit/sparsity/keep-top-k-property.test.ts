// keepTopK against the definition (sort by score descending, index ascending; keep the first k),
// on random scores with many ties and signed zeros, per layer and global, with and without a
// `within` restriction: the fast selection (a numeric sort of the scores and a linear pass) must
// choose exactly the same entries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keepTopK } from '../../../src/sparsity';

const naive = (s: readonly number[], eligible: readonly number[], k: number): Set<number> =>
  new Set([...eligible].sort((a, b) => (s[a] !== s[b] ? (s[a]! > s[b]! ? -1 : 1) : a - b)).slice(0, k));

const layer = fc.array(fc.oneof(fc.constantFrom(0, -0, 1, 2, Infinity), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: 1, maxLength: 40 });

describe('keepTopK (1,000 cases per scope, seed 20261202)', () => {
  it('global scope keeps exactly the entries the definition keeps', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(layer, fc.boolean()), { minLength: 1, maxLength: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), (layers, frac) => {
        const scores = layers.map(([s]) => Float64Array.from(s));
        const within = layers.map(([s, restrict]) => Float32Array.from(s, (_, i) => (restrict && i % 3 === 0 ? 0 : 1)));
        const flat = scores.flatMap((s) => Array.from(s));
        const eligible = within.flatMap((w, l) => Array.from(w, (v, i) => (v ? scores.slice(0, l).reduce((a, x) => a + x.length, 0) + i : -1))).filter((i) => i >= 0);
        const k = Math.floor(frac * eligible.length);
        const masks = keepTopK(scores, k, 'global', within);
        const kept = new Set(masks.flatMap((m, l) => Array.from(m, (v, i) => (v ? scores.slice(0, l).reduce((a, x) => a + x.length, 0) + i : -1))).filter((i) => i >= 0));
        expect(kept).toEqual(naive(flat, eligible, k));
      }),
      { numRuns: 1000, seed: 20261202 },
    );
  });
  it('per-layer scope keeps exactly the entries the definition keeps, layer by layer', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(layer, fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 4 }), (layers) => {
        const scores = layers.map(([s]) => Float64Array.from(s));
        const counts = layers.map(([s, f]) => Math.floor(f * s.length));
        const masks = keepTopK(scores, counts, 'per-layer');
        masks.forEach((m, l) => {
          const kept = new Set(Array.from(m, (v, i) => (v ? i : -1)).filter((i) => i >= 0));
          expect(kept).toEqual(naive(Array.from(scores[l]!), Array.from(scores[l]!, (_, i) => i), counts[l]!));
        });
      }),
      { numRuns: 1000, seed: 20261202 },
    );
  });
});
