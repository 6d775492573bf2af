import { describe, expect, it } from 'vitest';
import { PAD_INDEX, gatherF32, gatherU8, type GatherShape } from '../../../src/reference/data';
import { PAD_LABEL } from '../../../src/reference/loss';
import { packU8, unpackU8 } from '../../../src/util/packing';

// 5 examples of dim 3; example e has bytes [10e, 10e+1, 255 - e] and label 100 + e.
const N = 5;
const dim = 3;
const bytes = Uint8Array.from({ length: N * dim }, (_, i) => {
  const e = Math.floor(i / dim);
  return [10 * e, 10 * e + 1, 255 - e][i % dim]!;
});
const labels = Uint32Array.from({ length: N }, (_, e) => 100 + e);

describe('gatherU8', () => {
  it('round-trips through packU8/unpackU8 and normalises (byte/255 - mean)/std', () => {
    const words = packU8(bytes);
    const unpacked = Uint8Array.from({ length: N * dim }, (_, i) => unpackU8(words, i));
    expect(Array.from(unpacked)).toEqual(Array.from(bytes));
    const s: GatherShape = { members: 1, batch: N, dim, indexStride: N, indexOffset: 0 };
    const { x, y } = gatherU8(s, unpacked, labels, Uint32Array.from([4, 3, 2, 1, 0]), 0.5, 0.25);
    expect(Array.from(y)).toEqual([104, 103, 102, 101, 100]);
    for (let b = 0; b < N; b++) {
      const e = 4 - b;
      for (let d = 0; d < dim; d++) {
        const byte = unpackU8(words, e * dim + d);
        expect(x[b * dim + d]).toBeCloseTo((byte / 255 - 0.5) / 0.25, 6);
      }
    }
    // byte 255 -> (1 - 0.5)/0.25 = 2; byte 0 -> -2
    expect(x[(4 - 0) * dim + 2]).toBe(2); // example 0, feature 2 = 255
    expect(x[(4 - 0) * dim + 0]).toBe(-2); // example 0, feature 0 = 0
  });

  it('reads each member from its own index row, starting at indexOffset', () => {
    // rows of 4 indices per member, batch 2 from position 1
    const s: GatherShape = { members: 2, batch: 2, dim, indexStride: 4, indexOffset: 1 };
    const indices = Uint32Array.from([4, 3, 2, 1, /* member 1 */ 0, 1, 2, 3]);
    const { x, y } = gatherU8(s, bytes, labels, indices, 0, 1);
    expect(Array.from(y)).toEqual([103, 102, 101, 102]);
    // member 1, batch 0 is example 1: bytes [10, 11, 254]
    expect(Array.from(x.subarray(2 * dim, 3 * dim))).toEqual([10, 11, 254].map((v) => Math.fround(v / 255)));
  });

  it('names the argument with the wrong length or an out-of-range index', () => {
    const s: GatherShape = { members: 1, batch: 2, dim, indexStride: 2, indexOffset: 0 };
    const idx = Uint32Array.of(0, 1);
    expect(() => gatherU8(s, bytes.subarray(1), labels, idx, 0, 1)).toThrow(/images/);
    expect(() => gatherU8(s, bytes, labels, Uint32Array.of(0, 1, 2), 0, 1)).toThrow(/indices has length/);
    expect(() => gatherU8(s, bytes, labels, Uint32Array.of(0, 5), 0, 1)).toThrow(/indices\[1\] = 5/);
    expect(() => gatherU8({ ...s, indexOffset: 1 }, bytes, labels, idx, 0, 1)).toThrow(/indexOffset/);
    expect(() => gatherU8(s, bytes, labels, idx, 0, 0)).toThrow(/std/);
  });
});

describe('gatherF32', () => {
  it('gathers and normalises (value - mean)/std without the /255', () => {
    const points = Float32Array.from([0, 1, 2, 3, 4, 5]); // 3 examples of dim 2
    const s: GatherShape = { members: 2, batch: 1, dim: 2, indexStride: 2, indexOffset: 1 };
    const { x, y } = gatherF32(s, points, Uint32Array.of(7, 8, 9), Uint32Array.of(0, 2, 0, 1), 1, 2);
    // member 0 -> example 2 [4, 5]; member 1 -> example 1 [2, 3];  (v - 1)/2
    expect(Array.from(x)).toEqual([1.5, 2, 0.5, 1]);
    expect(Array.from(y)).toEqual([9, 8]);
    expect(() => gatherF32(s, points.subarray(1), Uint32Array.of(7, 8, 9), Uint32Array.of(0, 2, 0, 1), 1, 2)).toThrow(/points/);
  });
});

describe('padding slots', () => {
  it('PAD_INDEX gathers a zero row labelled PAD_LABEL', () => {
    const images = new Uint8Array([10, 20, 30, 40]);
    const labels = new Uint32Array([3, 4]);
    const r = gatherU8({ members: 1, batch: 3, dim: 2, indexStride: 3, indexOffset: 0 }, images, labels, new Uint32Array([1, PAD_INDEX, 0]), 0, 1);
    expect(Array.from(r.y)).toEqual([4, PAD_LABEL, 3]);
    expect(Array.from(r.x.subarray(2, 4))).toEqual([0, 0]);
  });
});
