// JSON with Float32Arrays split into text and one byte blob (the runner's checkpoints).
import { describe, expect, it } from 'vitest';
import { packBinaryJson, unpackBinaryJson } from '../../../src/util/binary-json';

describe('binary JSON', () => {
  it('round-trips nested Float32Arrays bit for bit, with the rest of the value', () => {
    const value = {
      mode: 'edst',
      trainers: [{ step: 7, weights: Float32Array.from([1.5, -0, NaN, 3e-38]), mask: new Float32Array(0) }],
      saved: [{ member: 1, checkpoint: { fired: Float32Array.from([0, 1]) } }],
      nothing: null,
    };
    const { json, bin } = packBinaryJson(value);
    expect(bin.byteLength).toBe(4 * 6);
    expect(json).not.toContain('1.5'); // the numbers are in the blob, not the text
    const back = unpackBinaryJson<typeof value>(json, bin);
    expect(back.mode).toBe('edst');
    expect(back.nothing).toBeNull();
    expect(back.trainers[0]!.weights).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(back.trainers[0]!.weights.buffer)).toEqual(new Uint8Array(value.trainers[0]!.weights.buffer));
    expect(Object.is(back.trainers[0]!.weights[1], -0)).toBe(true);
    expect(back.trainers[0]!.mask).toHaveLength(0);
    expect([...back.saved[0]!.checkpoint.fired]).toEqual([0, 1]);
  });

  it('packs a view of a larger buffer by its own bytes only', () => {
    const big = Float32Array.from([9, 8, 7, 6]);
    const { json, bin } = packBinaryJson({ a: big.subarray(1, 3) });
    expect([...unpackBinaryJson<{ a: Float32Array }>(json, bin).a]).toEqual([8, 7]);
  });

  it('refuses a reference outside the blob (a truncated file)', () => {
    const { json, bin } = packBinaryJson({ a: new Float32Array(8) });
    expect(() => unpackBinaryJson(json, bin.subarray(0, 16))).toThrow(/outside the 16-byte blob/);
    expect(() => unpackBinaryJson('{"a":{"$f32":[1,1]}}', bin)).toThrow(/outside/);
    expect(() => unpackBinaryJson('{"a":{"$f32":"x"}}', bin)).toThrow(/must be \[byteOffset, length\]/);
  });
});
