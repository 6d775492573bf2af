// The sparse storage's index rebuild and mask update over bitmaps and slots
// (shaders/sparse_select.wgsl, shaders/sparse_index.wgsl) against the CPU reference composed from
// the masked storage's position-space update (src/reference/sparse-update.ts): the same pruned and
// grown connections, the same carried values and optimizer state, exactly. The call lists are the
// storage's own (src/engine/sparse-update-plan.ts). Shapes with partial and whole bitmap words,
// M = 1 and 3, densities 0.5 % to 60 %, SET's random keys and RigL's scores with many ties. The
// host side (packing a load, unpacking a read, CHANGE codes) is the storage's own sparse-host.ts.
import { describe, expect, it } from 'vitest';
import { bitmapSizes, indexCalls, updateCalls, updateParamsOf, type BitmapBuffers, type Call, type SlotBuffers, type UpdateShape } from '../../src/engine/sparse-update-plan';
import { changeCodes, packBits, packSlots, unpackBits, unpackSlots } from '../../src/engine/sparse-host';
import { sparseMaskUpdate } from '../../src/reference/sparse-update';
import { csrFromMask, csrToDense, slotRows, type CsrLayer } from '../../src/reference/sparse';
import { randomArray, useGpu, type GpuHarness } from './harness';
import { layerCase, transposedRows } from './sparse-cases';

const gpu = useGpu([
  'sparse.score_prune',
  'sparse.scan_lines',
  'mask.select_k',
  'sparse_select.kept_bits',
  'sparse_select.grow_histogram',
  'sparse_select.grow_digit',
  'sparse_select.grow_mark',
  'sparse_select.grow_ties',
  'sparse_index.copy_words',
  'sparse_index.merge_count',
  'sparse_index.fill_rows',
  'sparse_index.count_cols',
  'sparse_index.fill_cols',
  'sparse_index.carry_index',
  'sparse_index.carry_values',
  'sparse_index.or_words',
]);

const SHAPES = [
  { nIn: 7, nOut: 3 },
  { nIn: 64, nOut: 9 },
  { nIn: 100, nOut: 70 },
];
const DENSITIES = [0.005, 0.05, 0.3, 0.6];

function bitmapBuffers(h: GpuHarness, s: UpdateShape): BitmapBuffers {
  const z = bitmapSizes(s);
  return {
    occ: h.empty('occ', z.bitmap),
    base: h.empty('base', z.bitmap),
    kept: h.empty('kept', z.bitmap),
    grown: h.empty('grown', z.bitmap),
    ties: h.empty('ties', z.bitmap),
    fired: h.empty('fired', z.bitmap),
    old: h.empty('old', z.old),
    hist: h.empty('hist', z.hist),
    state: h.empty('state', s.members * 4),
    rowPtr: h.empty('row ptr', s.members * (s.nOut + 1)),
    tPtr: h.empty('t ptr', s.members * (s.nIn + 1)),
  };
}

function slotBuffers(h: GpuHarness, members: number, cap: number, states: number): SlotBuffers {
  const e = (label: string): GPUBuffer => h.empty(label, members * cap);
  const list = (label: string): GPUBuffer[] => Array.from({ length: states }, (_, i) => e(`${label} ${i + 1}`));
  return { cap, val: e('val'), states: list('state'), col: e('col'), row: e('row'), tSlot: e('t slot'), tRow: e('t row'), keys: e('keys'), slotEvents: e('slot events'), oldVal: e('old val'), oldStates: list('old state'), from: e('from') };
}

const run = (h: GpuHarness, calls: readonly Call[], params: readonly (Record<string, number> | null)[] = []): Promise<void> => h.run(...calls.map((c, i): [Call['name'], Call['args']] => [c.name, { ...c.args, params: params[i] ?? c.args.params }]));

/** Member-major (members, per) → (members, cap), padded with `pad`. */
const padded = (a: ArrayLike<number>, members: number, per: number, cap: number, pad = 0): number[] => Array.from({ length: members }, (_, m) => [...Array.from(a).slice(m * per, (m + 1) * per), ...new Array<number>(cap - per).fill(pad)]).flat();

async function expectIndex(h: GpuHarness, b: BitmapBuffers, slots: SlotBuffers, want: CsrLayer): Promise<void> {
  const M = want.shape.members;
  const cap = slots.cap;
  expect(Array.from(await h.readU32(b.occ))).toEqual(Array.from(want.occupied));
  expect(Array.from(await h.readU32(b.rowPtr))).toEqual(Array.from(want.rowPtr));
  expect(Array.from(await h.readU32(b.tPtr))).toEqual(Array.from(want.tPtr));
  const [col, row, tSlot, tRow] = await Promise.all([slots.col, slots.row, slots.tSlot, slots.tRow].map((x) => h.readU32(x)));
  const mine = (a: Uint32Array): number[] => Array.from({ length: M }, (_, m) => Array.from(a.subarray(m * cap, m * cap + want.nnz))).flat();
  expect(mine(col!)).toEqual(Array.from(want.col));
  expect(mine(row!)).toEqual(Array.from(slotRows(want)));
  expect(mine(tSlot!)).toEqual(Array.from(want.tSlot));
  expect(mine(tRow!)).toEqual(Array.from(transposedRows(want)));
}

describe.each([1, 3])('sparse storage update over bitmaps, %i member(s)', (members) => {
  const cases = SHAPES.flatMap((shape) => DENSITIES.map((density) => ({ ...shape, density })));

  /** The storage's host load: occ and the slot values packed on the CPU (sparse-host.ts), the index built on the GPU. */
  const load = async (h: GpuHarness, s: UpdateShape, b: BitmapBuffers, slots: SlotBuffers, mask: Float32Array, values: Float32Array[]): Promise<void> => {
    h.cache.device.queue.writeBuffer(b.occ, 0, packBits(s, mask));
    [slots.val, ...slots.states].forEach((buf, i) => h.cache.device.queue.writeBuffer(buf, 0, packSlots(s, values[i]!, mask, slots.cap)));
    await run(h, indexCalls(s, b, slots, 0));
  };

  it.each(cases)('load from the host at $nIn -> $nOut, density $density: the index and the slot values', async (c) => {
    const h = gpu();
    const seed = members * 7 + c.nIn * 13 + Math.round(c.density * 1000);
    const { mask, w } = layerCase(members, c, seed);
    const want = csrFromMask({ members, nOut: c.nOut, nIn: c.nIn }, w, mask);
    const s: UpdateShape = { members, nIn: c.nIn, nOut: c.nOut, seed: 1, layer: 0, grow: 'random' };
    const b = bitmapBuffers(h, s);
    const slots = slotBuffers(h, members, want.nnz + 3, 0); // padding slots past nnz gather 0
    await load(h, s, b, slots, mask, [w]);
    await expectIndex(h, b, slots, want);
    expect(Array.from(await h.readF32(slots.val))).toEqual(padded(want.val, members, want.nnz, slots.cap));
    // And back to position space, as a host read does (zeros where inactive).
    expect(Array.from(unpackSlots(s, await h.readF32(slots.val), await h.readU32(b.occ), slots.cap))).toEqual(Array.from(w));
  });

  // growShare < 1: a lowered density target, so the update carries into a second, smaller slot set.
  const updates = [
    ...cases.flatMap((c) => (['random', 'gradient'] as const).map((grow) => ({ ...c, grow, growShare: 1 }))),
    ...(['random', 'gradient'] as const).map((grow) => ({ ...SHAPES[2]!, density: 0.3, grow, growShare: 0.5 })),
  ];
  it.each(updates)('$grow update at $nIn -> $nOut, density $density, grow $growShare of the pruned: the masked reference\'s connections, values and state', async (c) => {
    const h = gpu();
    const seed = members * 31 + c.nIn * 17 + Math.round(c.density * 1000) + (c.grow === 'random' ? 0 : 5);
    const { mask, w } = layerCase(members, c, seed);
    const before = csrFromMask({ members, nOut: c.nOut, nIn: c.nIn }, w, mask);
    const n = c.nOut * c.nIn;
    // Adam's two states; RigL's score rounded so that many positions tie (zeros above all).
    const states = [randomArray(members * before.nnz, seed + 2), randomArray(members * before.nnz, seed + 3)];
    const score = randomArray(members * n, seed + 4).map((v) => Math.round(v * 3) / 3);
    const k = Math.max(1, Math.round(before.nnz * 0.3));
    const grow = Math.round(k * c.growShare);
    const s: UpdateShape = { members, nIn: c.nIn, nOut: c.nOut, seed: 977 + seed, layer: 2, grow: c.grow };
    const want = sparseMaskUpdate(before, states, { prune: k, grow, rule: c.grow, seed: s.seed, step: 41, layer: s.layer, score });
    const b = bitmapBuffers(h, s);
    const slots = slotBuffers(h, members, before.nnz, 2);
    // Load the layer the storage's way, with the states (the test's own, slot-major).
    const flatState = (st: Float32Array): Float32Array => {
      const out = new Float32Array(members * n);
      const rows = slotRows(before);
      for (let m = 0; m < members; m++) for (let j = 0; j < before.nnz; j++) out[m * n + rows[m * before.nnz + j]! * c.nIn + before.col[m * before.nnz + j]!] = st[m * before.nnz + j]!;
      return out;
    };
    await load(h, s, b, slots, mask, [w, ...states.map(flatState)]);
    const to = c.growShare === 1 ? slots : slotBuffers(h, members, want.layer.nnz, 2);
    const calls = updateCalls(s, b, slots, to, { buffer: h.upload('score', score) });
    await run(h, calls, updateParamsOf(calls, 41, { prune: k, grow }));
    for (const [name, buf, bits] of [['kept', b.kept, want.kept], ['grown', b.grown, want.grown]] as const) {
      expect(Array.from(await h.readU32(buf)), name).toEqual(Array.from(bits));
    }
    await expectIndex(h, b, to, want.layer);
    expect(Array.from(await h.readF32(to.val))).toEqual(Array.from(want.layer.val));
    for (let i = 0; i < 2; i++) expect(Array.from(await h.readF32(to.states[i]!)), `state ${i + 1}`).toEqual(Array.from(want.states[i]!));
    // What host reads and the views derive from the bitmaps the update leaves: the CHANGE codes
    // (from old occ, kept and occ), the mask, and ITOP's record (fired |= occ; it started empty).
    const [old, kept, occ, fired] = await Promise.all([h.readU32(b.old, bitmapSizes(s).bitmap), h.readU32(b.kept), h.readU32(b.occ), h.readU32(b.fired)]);
    expect(Array.from(changeCodes(s, old!, kept!, occ!))).toEqual(Array.from(want.events));
    const newMask = csrToDense(want.layer).mask;
    expect(Array.from(unpackBits(s, occ!))).toEqual(Array.from(newMask));
    expect(Array.from(unpackBits(s, fired!))).toEqual(Array.from(newMask));
  });
});
