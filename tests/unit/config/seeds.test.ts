// Member and stream seeds: deterministic, pinned (a shared link must reproduce the same run
// forever), distinct across members and streams, u32, and well mixed.
import { describe, expect, it } from 'vitest';
import { STREAM_NAMES, memberSeed, memberSeeds, streamSeed } from '../../../src/config';
import type { Stream } from '../../../src/config';

const popcount = (x: number) => {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
};

describe('seeds', () => {
  it('are deterministic and pinned to these values (changing them changes every shared run)', () => {
    expect([memberSeed(1, 0), memberSeed(1, 1), memberSeed(0, 0)]).toEqual([4228190905, 2550777781, 3079781674]);
    expect([streamSeed(1, 0, 'init'), streamSeed(1, 0, 'mask'), streamSeed(1, 2, 'data-order'), streamSeed(4294967295, 7, 'regrow')]).toEqual([
      3289282809, 120594565, 1983582608, 2255342614,
    ]);
    expect(streamSeed(123, 4, 'mask')).toBe(streamSeed(123, 4, 'mask'));
  });

  it('are u32 and all distinct across seeds, members and streams', () => {
    const all = new Set<number>();
    let count = 0;
    for (let seed = 0; seed < 32; seed++) {
      for (let m = 0; m < 16; m++) {
        const values = [memberSeed(seed, m), ...STREAM_NAMES.map((s) => streamSeed(seed, m, s))];
        for (const v of values) {
          expect(Number.isInteger(v) && v >= 0 && v <= 0xffffffff).toBe(true);
          all.add(v);
          count++;
        }
      }
    }
    expect(all.size).toBe(count);
  });

  it('differ from the run seed and between members of one run', () => {
    const members = Array.from({ length: 8 }, (_, m) => memberSeed(42, m));
    expect(new Set(members).size).toBe(8);
    expect(members).not.toContain(42);
  });

  it('are well mixed: one flipped input bit flips about half the output bits', () => {
    let flips = 0;
    let trials = 0;
    for (let seed = 0; seed < 64; seed++) {
      const base = streamSeed(seed, 0, 'init');
      for (let bit = 0; bit < 32; bit++) {
        flips += popcount(base ^ streamSeed((seed ^ (1 << bit)) >>> 0, 0, 'init'));
        trials++;
      }
      flips += popcount(base ^ streamSeed(seed, 1, 'init'));
      trials++;
    }
    expect(flips / trials).toBeGreaterThan(15);
    expect(flips / trials).toBeLessThan(17);
  });

  it('have balanced bits across consecutive members', () => {
    const ones = new Array<number>(32).fill(0);
    const n = 4096;
    for (let m = 0; m < n; m++) {
      const s = streamSeed(7, m, 'mask');
      for (let b = 0; b < 32; b++) ones[b]! += (s >>> b) & 1;
    }
    for (const c of ones) expect(Math.abs(c / n - 0.5)).toBeLessThan(0.04);
  });

  it('list every stream of every member', () => {
    const list = memberSeeds(5, 3);
    expect(list).toHaveLength(3);
    expect(list[2]).toEqual({ member: 2, seed: memberSeed(5, 2), init: streamSeed(5, 2, 'init'), mask: streamSeed(5, 2, 'mask'), 'data-order': streamSeed(5, 2, 'data-order'), regrow: streamSeed(5, 2, 'regrow'), reinit: streamSeed(5, 2, 'reinit') });
  });

  it('refuse inputs that are not u32', () => {
    expect(() => memberSeed(-1, 0)).toThrow(/seed must be an integer/);
    expect(() => memberSeed(1.5, 0)).toThrow(/seed/);
    expect(() => memberSeed(2 ** 32, 0)).toThrow(/seed/);
    expect(() => memberSeed(1, -1)).toThrow(/member/);
    expect(() => streamSeed(1, 0, 'weights' as Stream)).toThrow(/unknown random stream "weights"/);
  });
});
