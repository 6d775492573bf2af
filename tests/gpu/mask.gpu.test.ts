// Mask update on the GPU vs src/reference/mask.ts: scores bit-exact, radix select identical to a
// sort on the same keys (ties included), and 50 consecutive prune/regrow updates that keep exact
// counts, pick exactly the smallest |w| and the largest scores, and zero what they should.
import { describe, expect, it } from 'vitest';
import {
  CHANGE,
  EV_GROWN,
  EV_PRUNED,
  SENTINEL,
  absBits,
  applyUpdate,
  growKeysByMagnitude,
  growKeysRandom,
  pruneKeys,
  selectK,
} from '../../src/reference/mask';
import { expectClose, randomArray, useGpu, type GpuHarness } from './harness';

const gpu = useGpu(['mask.score_prune', 'mask.score_grow_magnitude', 'mask.score_grow_random', 'mask.select_k', 'mask.apply_update']);
const EXACT = { atol: 0, rtol: 0 };

/** A 0/1 mask with exactly `active` ones per member, deterministic. */
function exactMask(members: number, n: number, active: number, seed: number): Float32Array {
  const mask = new Float32Array(members * n);
  for (let m = 0; m < members; m++) {
    const r = randomArray(n, seed + m);
    const order = [...r.keys()].sort((a, b) => r[a]! - r[b]!);
    for (const i of order.slice(0, active)) mask[m * n + i] = 1;
  }
  return mask;
}

async function select(h: GpuHarness, keys: Uint32Array, events: Uint32Array, members: number, k: number, bit: number) {
  const n = keys.length / members;
  const kb = h.upload('keys', keys);
  const eb = h.upload('events', events);
  await h.run(['mask.select_k', { resources: { keys: kb, events: eb }, params: { n, k, bit }, members }]);
  return h.readU32(eb);
}

describe.each([1, 3])('exact top-k selection, %i member(s)', (members) => {
  it.each([
    [7, [0, 1, 3, 6, 7, 9]],
    [300, [0, 1, 100, 299]],
    [1000, [0, 1, 257, 700, 1000]],
  ])('n = %i, k in %j, with heavy ties and sentinels: identical to a sort', async (n, ks) => {
    const h = gpu();
    // Keys from a small range force many ties; every 5th position is not a candidate.
    const r = randomArray(members * n, n + members);
    const keys = Uint32Array.from(r, (v, j) => (j % 5 === 4 ? SENTINEL : Math.floor((v + 1) * 20)));
    const events0 = Uint32Array.from(r, (v) => (v > 0 ? EV_GROWN : 0) | (v > 0.5 ? EV_PRUNED : 0));
    for (const k of ks) {
      const got = await select(h, keys, events0, members, k, EV_PRUNED);
      const want = events0.slice();
      selectK(keys, want, members, k, EV_PRUNED);
      expectClose(got, want, EXACT, `events after select k=${k}`);
      // The other bit is untouched, and exactly min(k, candidates) are selected per member.
      for (let m = 0; m < members; m++) {
        const seg = got.subarray(m * n, (m + 1) * n);
        const candidates = keys.subarray(m * n, (m + 1) * n).filter((x) => x !== SENTINEL).length;
        expect(seg.filter((e) => (e & EV_PRUNED) !== 0).length).toBe(Math.min(k, candidates));
      }
    }
  });

  it('scores are bit-identical to the reference (prune, grow by |score|, grow at random)', async () => {
    const h = gpu();
    const n = 777;
    const w = randomArray(members * n, 31);
    const g = randomArray(members * n, 32, 1e-3);
    const mask = exactMask(members, n, 200, 33);
    const events = Uint32Array.from(w, (_v, j) => (j % 7 === 0 ? EV_PRUNED : 0));
    const b = {
      w: h.upload('w', w),
      g: h.upload('g', g),
      mask: h.upload('mask', mask),
      events: h.upload('events', events),
      prune: h.empty('prune keys', members * n),
      grow: h.empty('grow keys', members * n),
      random: h.empty('random keys', members * n),
    };
    const params = { n, seed: 1234, step: 500, layer: 2 };
    await h.run(
      ['mask.score_prune', { resources: { src: b.w, mask: b.mask, keys: b.prune }, params, members }],
      ['mask.score_grow_magnitude', { resources: { src: b.g, mask: b.mask, events: b.events, keys: b.grow }, params, members }],
      ['mask.score_grow_random', { resources: { src: b.g, mask: b.mask, events: b.events, keys: b.random }, params, members }],
    );
    expectClose(await h.readU32(b.prune), pruneKeys(w, mask), EXACT, 'prune keys');
    expectClose(await h.readU32(b.grow), growKeysByMagnitude(g, mask, events), EXACT, 'grow keys');
    expectClose(await h.readU32(b.random), growKeysRandom(1234, 500, 2, members, mask, events), EXACT, 'random keys');
  });
});

describe.each([1, 3])('50 consecutive mask updates, %i member(s)', (members) => {
  it.each(['gradient', 'random'] as const)('RigL-style prune + regrow by %s keeps exact counts', async (growBy) => {
    const h = gpu();
    const n = 40 * 17; // one 40x17 layer per member
    const active = 204; // 30% density
    const mask = exactMask(members, n, active, 7);
    const w = randomArray(members * n, 8).map((v, j) => v * mask[j]!);
    const momentum = randomArray(members * n, 9, 0.1).map((v, j) => v * mask[j]!);
    const fired = mask.slice();
    const b = {
      w: h.upload('w', w),
      mask: h.upload('mask', mask),
      momentum: h.upload('momentum', momentum),
      fired: h.upload('fired', fired),
      grad: h.empty('grad', members * n),
      events: h.empty('events', members * n),
      pruneKeys: h.empty('prune keys', members * n),
      growKeys: h.empty('grow keys', members * n),
    };
    const device = h.gpu.device;
    let totalRegrown = 0;
    for (let u = 0; u < 50; u++) {
      // Training moved the active weights a little since the last update.
      const noise = randomArray(members * n, 100 + u, 0.05);
      for (let j = 0; j < w.length; j++) if (mask[j] !== 0) w[j] = w[j]! + noise[j]!;
      const grad = randomArray(members * n, 200 + u);
      device.queue.writeBuffer(b.w, 0, new Float32Array(w));
      device.queue.writeBuffer(b.grad, 0, new Float32Array(grad));
      const k = Math.floor(0.3 * (1 + Math.cos((Math.PI * u) / 50)) / 2 * active);
      const params = { n, seed: 99, step: u * 100, layer: 0 };
      await h.run(
        ['mask.score_prune', { resources: { src: b.w, mask: b.mask, keys: b.pruneKeys }, params, members }],
        ['mask.select_k', { resources: { keys: b.pruneKeys, events: b.events }, params: { n, k, bit: EV_PRUNED }, members }],
        [
          growBy === 'gradient' ? 'mask.score_grow_magnitude' : 'mask.score_grow_random',
          { resources: { src: b.grad, mask: b.mask, events: b.events, keys: b.growKeys }, params, members },
        ],
        ['mask.select_k', { resources: { keys: b.growKeys, events: b.events }, params: { n, k, bit: EV_GROWN }, members }],
        ['mask.apply_update', { resources: { mask: b.mask, weights: b.w, events: b.events, fired: b.fired, state1: b.momentum }, params: { n, states: 1 }, members }],
      );
      // CPU reference in lockstep, selecting on the keys the GPU produced.
      const gpuPruneKeys = await h.readU32(b.pruneKeys);
      const gpuGrowKeys = await h.readU32(b.growKeys);
      expectClose(gpuPruneKeys, pruneKeys(w, mask), EXACT, `update ${u}: prune keys`);
      const events = new Uint32Array(members * n);
      selectK(gpuPruneKeys, events, members, k, EV_PRUNED);
      const wantGrowKeys = growBy === 'gradient' ? growKeysByMagnitude(grad, mask, events) : growKeysRandom(99, u * 100, 0, members, mask, events);
      expectClose(gpuGrowKeys, wantGrowKeys, EXACT, `update ${u}: grow keys`);
      selectK(gpuGrowKeys, events, members, k, EV_GROWN);
      checkSelectionIsExtreme(w, mask, events, grad, members, n, growBy, u);
      applyUpdate(mask, w, events, fired, [momentum]);
      totalRegrown += events.filter((e) => e === CHANGE.regrown).length;

      const gotMask = await h.readF32(b.mask);
      const gotW = await h.readF32(b.w);
      expectClose(gotMask, mask, EXACT, `update ${u}: mask`);
      expectClose(gotW, w, EXACT, `update ${u}: weights`);
      expectClose(await h.readU32(b.events), events, EXACT, `update ${u}: change codes`);
      for (let m = 0; m < members; m++) {
        expect(gotMask.subarray(m * n, (m + 1) * n).reduce((a, v) => a + v, 0), `update ${u} member ${m}: active count`).toBe(active);
      }
      for (let j = 0; j < gotW.length; j++) if (gotMask[j] === 0 && gotW[j] !== 0) throw new Error(`update ${u}: masked weight ${j} is ${gotW[j]}`);
    }
    expectClose(await h.readF32(b.momentum), momentum, EXACT, 'momentum after 50 updates (reset where grown)');
    expectClose(await h.readF32(b.fired), fired, EXACT, 'ITOP fired mask');
    // Exploration really happened: more positions were ever active than are active now.
    expect(fired.reduce((a, v) => a + v, 0)).toBeGreaterThan(members * active);
    if (growBy === 'gradient') expect(totalRegrown).toBeGreaterThanOrEqual(0);
  });
});

/** Every dropped |w| <= every kept |w|; every grown score >= every other candidate's. */
function checkSelectionIsExtreme(
  w: Float32Array,
  mask: Float32Array,
  events: Uint32Array,
  grad: Float32Array,
  members: number,
  n: number,
  growBy: 'gradient' | 'random',
  u: number,
): void {
  for (let m = 0; m < members; m++) {
    let maxDropped = -1;
    let minKept = Infinity;
    let minGrown = Infinity;
    let maxOther = -1;
    for (let i = 0; i < n; i++) {
      const j = m * n + i;
      const pruned = (events[j]! & EV_PRUNED) !== 0;
      if (mask[j] !== 0) {
        if (pruned) maxDropped = Math.max(maxDropped, absBits(w[j]!));
        else minKept = Math.min(minKept, absBits(w[j]!));
      }
      const candidate = mask[j] === 0 || pruned;
      if (candidate && growBy === 'gradient') {
        if ((events[j]! & EV_GROWN) !== 0) minGrown = Math.min(minGrown, absBits(grad[j]!));
        else maxOther = Math.max(maxOther, absBits(grad[j]!));
      }
    }
    expect(maxDropped <= minKept, `update ${u} member ${m}: a dropped |w| exceeds a kept one`).toBe(true);
    if (growBy === 'gradient') expect(maxOther <= minGrown, `update ${u} member ${m}: a grown score is below another candidate's`).toBe(true);
  }
}
