// Bounded message text (src/util/text.ts): what a notice or refusal repeats of its input.
import { describe, expect, it } from 'vitest';
import { clip, listed } from '../../../src/util/text';

describe('clip and listed', () => {
  it('keeps short text whole and cuts long text to the limit, marked', () => {
    expect(clip('dense1', 80)).toBe('dense1');
    const long = clip('x'.repeat(9000), 60);
    expect(long).toHaveLength(60);
    expect(long.endsWith('…')).toBe(true);
  });
  it('lists the first few items and counts the rest', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}: unknown field`);
    const text = listed(keys, 5);
    expect(text).toBe('k0: unknown field; k1: unknown field; k2: unknown field; k3: unknown field; k4: unknown field; and 495 more');
    expect(listed(keys.slice(0, 2))).toBe('k0: unknown field; k1: unknown field');
    expect(listed([`${'y'.repeat(1000)}`], 5, '; ', 100)).toHaveLength(100);
  });
});
