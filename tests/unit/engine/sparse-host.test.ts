// The sparse storage's host conversions (src/engine/sparse-host.ts) against the CPU reference's
// CSR layer (src/reference/sparse.ts): the bitmap is the reference's occupancy bitmap, the packed
// slots are its values in slot order, and unpacking gives back the dense arrays; the CHANGE codes
// from the bitmaps an update leaves are the masked update's (mask.ts applyUpdate's `events`).
// Also the GPU layout without slotted weight segments and the segment copy between layouts.
import { describe, expect, it } from 'vitest';
import { activePerMember, changeCodes, packBits, packSlots, unpackBits, unpackSlots } from '../../../src/engine/sparse-host';
import { copySegments, gpuLayoutOf, layoutParams } from '../../../src/engine/param-layout';
import { mlpLayers, viewBlock } from '../../../src/engine';
import { csrFromMask, csrToDense } from '../../../src/reference/sparse';
import { sparseMaskUpdate } from '../../../src/reference/sparse-update';
import { CHANGE } from '../../../src/reference/mask-codes';

/** A seeded (members, out, in) layer with `density` of its positions active, the same count per member. */
function layer(members: number, nOut: number, nIn: number, density: number, seed: number): { w: Float32Array; mask: Float32Array } {
  let x = seed;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const n = nOut * nIn;
  const k = Math.max(1, Math.round(n * density));
  const w = new Float32Array(members * n);
  const mask = new Float32Array(members * n);
  for (let m = 0; m < members; m++) {
    const order = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
    for (const i of order.slice(0, k)) {
      mask[m * n + i] = 1;
      w[m * n + i] = rand() * 2 - 1 || 0.5;
    }
  }
  return { w, mask };
}

describe.each([
  { members: 1, nOut: 3, nIn: 7, density: 0.3 },
  { members: 3, nOut: 9, nIn: 64, density: 0.05 },
  { members: 2, nOut: 5, nIn: 33, density: 0.6 },
])('sparse host conversions at $members x $nOut x $nIn, density $density', (c) => {
  const s = { members: c.members, nOut: c.nOut, nIn: c.nIn };
  const { w, mask } = layer(c.members, c.nOut, c.nIn, c.density, c.nIn * 7 + c.members);
  const ref = csrFromMask(s, w, mask);

  it('packs the bitmap and the slots in the reference CSR order, and unpacks them back', () => {
    const bits = packBits(s, mask);
    expect(Array.from(bits)).toEqual(Array.from(ref.occupied));
    expect(activePerMember(s, mask)).toEqual(new Array(c.members).fill(ref.nnz));
    expect(Array.from(unpackBits(s, bits))).toEqual(Array.from(mask));
    const cap = ref.nnz + 2; // padding slots are zero and ignored by unpacking
    const slots = packSlots(s, w, mask, cap);
    for (let m = 0; m < c.members; m++) {
      expect(Array.from(slots.subarray(m * cap, m * cap + ref.nnz))).toEqual(Array.from(ref.val.subarray(m * ref.nnz, (m + 1) * ref.nnz)));
      expect(Array.from(slots.subarray(m * cap + ref.nnz, (m + 1) * cap))).toEqual([0, 0]);
    }
    expect(Array.from(unpackSlots(s, slots, bits, cap))).toEqual(Array.from(csrToDense(ref).w));
    expect(() => packSlots(s, w, mask, ref.nnz - 1)).toThrow(/more than the/);
  });

  it('derives the masked update\'s CHANGE codes from old occ, kept and occ', () => {
    const k = Math.max(1, Math.round(ref.nnz * 0.4));
    const score = Float32Array.from({ length: w.length }, (_, i) => ((i * 37) % 11) / 11);
    const u = sparseMaskUpdate(ref, [], { prune: k, grow: k, rule: 'gradient', seed: 1, step: 3, layer: 0, score });
    const codes = changeCodes(s, ref.occupied, u.kept, u.layer.occupied);
    expect(Array.from(codes)).toEqual(Array.from(u.events));
    expect(codes.some((v) => v === CHANGE.grown) && codes.some((v) => v === CHANGE.pruned)).toBe(true);
    // A load leaves old = kept = occ: nothing changed.
    expect(changeCodes(s, ref.occupied, ref.occupied, ref.occupied).every((v) => v === CHANGE.none)).toBe(true);
  });
});

describe('the GPU layout of a network with slotted layers', () => {
  const specs = mlpLayers(5, [6, 4], 3, 'relu');
  const host = layoutParams(specs, 2);
  const gpu = gpuLayoutOf(specs, host, [false, true, false]);

  it('drops the slotted weight segment and keeps every other one', () => {
    expect(gpuLayoutOf(specs, host, [false, false, false])).toBe(host);
    expect(gpu.layers[1]!.weight.perMember).toBe(0);
    expect(gpu.layers.map((l) => l.bias.perMember)).toEqual(host.layers.map((l) => l.bias.perMember));
    expect(gpu.totalFloats).toBeLessThan(host.totalFloats);
  });

  it('copies every segment both ways, the slotted one staying zero on the host side', () => {
    const a = Float32Array.from({ length: host.totalFloats }, (_, i) => i + 1);
    const onGpu = new Float32Array(gpu.totalFloats);
    copySegments(a, host, onGpu, gpu);
    const back = new Float32Array(host.totalFloats);
    copySegments(onGpu, gpu, back, host);
    const slotted = host.layers[1]!.weight;
    for (let i = 0; i < host.totalFloats; i++) {
      const inSlotted = i >= slotted.offset && i < slotted.offset + slotted.perMember * slotted.members;
      const inSegment = host.layers.some((l) => [l.weight, l.bias].some((g) => i >= g.offset && i < g.offset + g.perMember * g.members));
      expect(back[i], `float ${i}`).toBe(inSegment && !inSlotted ? a[i] : 0);
    }
  });
});

describe('heatmap blocks (viewBlock)', () => {
  it('one pixel per connection up to 1,024² connections and 8,192 a side; square blocks beyond; masked layers never', () => {
    const bits = (rows: number, cols: number) => viewBlock({ kind: 'bits', rows, cols });
    expect([bits(1024, 1024), bits(2048, 784), bits(4096, 4096), bits(16384, 16384), bits(10, 16384), bits(10, 2048)]).toEqual([1, 2, 4, 16, 2, 1]);
    expect(viewBlock({ kind: 'flat', rows: 4096, cols: 4096 })).toBe(1);
  });
});
