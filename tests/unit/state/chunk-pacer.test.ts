// The page's chunk sizes (src/state/chunk-pacer.ts): by measured time, capped by the speed
// slider, never past the end of the current phase.
import { describe, expect, it } from 'vitest';
import { ChunkPacer, SPEED_MAX, TARGET_CHUNK_MS } from '../../../src/state/chunk-pacer';

describe('ChunkPacer', () => {
  it('starts small, then fills the time budget from the measured cost per step', () => {
    const p = new ChunkPacer();
    expect(p.size(SPEED_MAX, 10_000)).toBe(4);
    p.record(4, 8); // 2 ms per step
    expect(p.size(SPEED_MAX, 10_000)).toBe(TARGET_CHUNK_MS / 2);
    p.record(50, 200); // 4 ms per step: smoothed to 0.7·2 + 0.3·4 = 2.6 ms
    expect(p.size(SPEED_MAX, 10_000)).toBe(Math.floor(TARGET_CHUNK_MS / 2.6));
  });

  it('obeys the speed slider below its top, and ends a chunk where the phase ends', () => {
    const p = new ChunkPacer();
    p.record(10, 1); // 0.1 ms per step: 1,000 steps fit the budget
    expect(p.size(SPEED_MAX, 10_000)).toBe(1000);
    expect(p.size(8, 10_000)).toBe(8);
    expect(p.size(1, 10_000)).toBe(1);
    expect(p.size(SPEED_MAX, 37)).toBe(37);
    expect(p.size(SPEED_MAX, 0)).toBe(1);
    p.record(0, 5); // nothing trained: no measurement
    p.record(10, NaN);
    expect(p.size(SPEED_MAX, 10_000)).toBe(1000);
  });
});
