// The sparse storage against the masked one (docs/ARCHITECTURE.md §7): from the same seed, SET,
// RigL and static runs with M = 2 give the same masks after every mask update and the same losses
// (bit for bit: the sparse kernels sum in the masked GEMM's order), through a density change
// (the slots are reallocated), Adam, a reset, and a checkpoint restored across the two storages;
// the host reads (ITOP record, CHANGE codes, a dense gradient) agree too. Memory follows density:
// a sparse run allocates less than one dense copy of its weights.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { mlpLayers, Trainer, type TrainerSetup } from '../../../src/engine';
import type { StorageSetting } from '../../../src/engine/storage-choice';
import { bufferCounts, PipelineCache } from '../../../src/gpu';
import type { SparseMethod } from '../../../src/sparsity';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  const data = generate2D('spiral', { n: 300, noise: 0.1, seed: 4, arms: 3 });
  const split = fractionSplit(data.labels, { train: 0.8 }, 2);
  return pointsSetup(data, split, {
    layers: mlpLayers(2, [40, 24], 3, 'relu'),
    members: 2,
    batch: 20,
    seed: 11,
    density: 0.2,
    densityRule: { kind: 'erk' },
    schedule: { deltaT: 10, alpha: 0.3, decay: 'cosine', tEnd: 60, beginStep: 0 },
    lr: { kind: 'cosine', lr: 0.1 },
    totalSteps: 80,
    ...over,
  });
}

const make = (s: TrainerSetup, storage: StorageSetting): Promise<Trainer> => Trainer.create(PipelineCache.for(device().device), { ...s, storage });

/** Trains both trainers in chunks of `chunk` steps; after each, losses, masks and active counts must agree. */
async function trainTogether(a: Trainer, b: Trainer, chunks: number, chunk: number, what: string): Promise<number> {
  let updates = 0;
  for (let c = 0; c < chunks; c++) {
    const [ra, rb] = await Promise.all([a.train(chunk), b.train(chunk)]);
    expect(rb.map((r) => r.loss), `${what}: losses, chunk ${c}`).toEqual(ra.map((r) => r.loss));
    updates += ra.filter((r) => r.maskUpdate).length;
    const [ma, mb] = await Promise.all([a.readMask(), b.readMask()]);
    expect(mb.join(''), `${what}: masks after step ${a.currentStep}`).toBe(ma.join(''));
    expect(b.activeCounts).toEqual(a.activeCounts);
    const [fa, fb, ea, eb] = await Promise.all([a.readFired(), b.readFired(), a.readEvents(), b.readEvents()]);
    expect(fb.join(''), `${what}: ITOP record after step ${a.currentStep}`).toBe(fa.join(''));
    expect(eb.map((e) => e.join('')), `${what}: CHANGE codes after step ${a.currentStep}`).toEqual(ea.map((e) => e.join('')));
  }
  return updates;
}

describe('sparse storage = masked storage', () => {
  it.each(['set', 'rigl', 'static'] as SparseMethod[])('%s, M = 2: same masks after every update and same losses', async (method) => {
    const s = setup({ method });
    const [masked, sparse] = await Promise.all([make(s, 'masked'), make(s, 'sparse')]);
    expect(sparse.net.storages.map((st) => st.kind)).toEqual(['sparse', 'sparse', 'sparse']);
    const updates = await trainTogether(masked, sparse, 8, 10, method);
    if (method !== 'static') expect(updates, 'mask updates compared').toBeGreaterThanOrEqual(3);
    const [wa, wb] = await Promise.all([masked.readWeights(), sparse.readWeights()]);
    expect(Array.from(wb)).toEqual(Array.from(wa));
    masked.destroy();
    sparse.destroy();
  });

  it('RigL with Adam through a lowered and a raised density target (the slots are reallocated), then reset', async () => {
    const s = setup({ method: 'rigl', optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4, decoupled: true }, lr: { kind: 'constant', lr: 0.01 } });
    const [masked, sparse] = await Promise.all([make(s, 'masked'), make(s, 'sparse')]);
    await trainTogether(masked, sparse, 1, 15, 'before');
    for (const t of [masked, sparse]) t.setDensityTargets([0.1, 0.1, null]);
    await trainTogether(masked, sparse, 2, 10, 'lowered');
    for (const t of [masked, sparse]) t.setDensityTargets([0.5, null, 0.5]);
    await trainTogether(masked, sparse, 2, 10, 'raised');
    for (const t of [masked, sparse]) t.reset();
    await trainTogether(masked, sparse, 2, 15, 'after reset');
    masked.destroy();
    sparse.destroy();
  });

  it('a checkpoint of a sparse run continues the same in the masked storage, and back', async () => {
    const s = setup({ method: 'set' });
    const sparse = await make(s, 'sparse');
    await sparse.train(35);
    const c = await sparse.checkpoint();
    expect(c.storages, 'a checkpoint names its storage').toEqual(['sparse', 'sparse', 'sparse']);
    const [masked, sparse2] = await Promise.all([make(s, 'masked'), make(s, 'sparse')]);
    masked.restore(c);
    sparse2.restore(await masked.checkpoint()); // sparse → masked → sparse
    const [a, b, d] = await Promise.all([sparse.train(30), masked.train(30), sparse2.train(30)]);
    expect(b.map((r) => r.loss), 'restored into masked').toEqual(a.map((r) => r.loss));
    expect(d.map((r) => r.loss), 'restored back into sparse').toEqual(a.map((r) => r.loss));
    expect(a.filter((r) => r.maskUpdate).length, 'updates after the restore').toBeGreaterThanOrEqual(2);
    const [ma, mb, md] = await Promise.all([sparse.readMask(), masked.readMask(), sparse2.readMask()]);
    expect(mb.join('')).toBe(ma.join(''));
    expect(md.join('')).toBe(ma.join(''));
    for (const t of [sparse, masked, sparse2]) t.destroy();
  });

  it('a dense gradient (masks at initialisation, GradInit) is the masked storage\'s, and its buffer is released after', async () => {
    const s = setup({ method: 'set' });
    const [masked, sparse] = await Promise.all([make(s, 'masked'), make(s, 'sparse')]);
    const [w, mask] = await Promise.all([masked.readWeights(), masked.readMask()]);
    const examples = Uint32Array.from({ length: 30 }, (_, i) => i * 3);
    const live = () => bufferCounts(device().device)!.liveBytes;
    for (const t of [masked, sparse]) await t.lossAndGradient(w, mask, examples); // readback staging buffers stay in the pools
    const before = live();
    const [ga, gb] = [await masked.lossAndGradient(w, mask, examples), await sparse.lossAndGradient(w, mask, examples)];
    expect(gb.loss).toEqual(ga.loss);
    expect(Array.from(gb.gradient)).toEqual(Array.from(ga.gradient));
    expect(ga.gradient.some((v, i) => v !== 0 && mask[i] === 0), 'inactive positions get the dense gradient').toBe(true);
    expect(live(), 'the dense gradient buffers are gone').toBe(before);
    masked.destroy();
    sparse.destroy();
  });

  it('memory follows density: a SET run on the sparse storage allocates less than one dense copy of its weights', async () => {
    const s = setup({ method: 'set', layers: mlpLayers(2, [1024, 1024], 3, 'relu'), density: 0.01, densityRule: { kind: 'uniform' }, schedule: { deltaT: 4, alpha: 0.3, decay: 'constant', tEnd: 60, beginStep: 0 }, stepsPerSubmit: 4 });
    const live = () => bufferCounts(device().device)!.liveBytes;
    const denseCopy = 4 * s.members * (2 * 1024 + 1024 * 1024 + 1024 * 3);
    let at = live();
    const sparse = await make(s, 'sparse');
    const r = await sparse.train(6); // through a mask update
    expect(r.some((x) => x.maskUpdate)).toBe(true);
    const sparseBytes = live() - at;
    at = live();
    const masked = await make(s, 'masked');
    const maskedBytes = live() - at;
    console.log(`2-1024-1024-3 at 1 %, SET, M = 2: sparse storage ${(sparseBytes / 2 ** 20).toFixed(2)} MiB, masked ${(maskedBytes / 2 ** 20).toFixed(2)} MiB, one dense copy of the weights ${(denseCopy / 2 ** 20).toFixed(2)} MiB`);
    expect(sparseBytes, `sparse ${sparseBytes} B, one dense copy ${denseCopy} B`).toBeLessThan(denseCopy);
    // The masked storage keeps weights, gradients, mask, two states, ITOP, CHANGE codes and update keys per position.
    expect(maskedBytes).toBeGreaterThan(8 * denseCopy);
    masked.destroy();
    sparse.destroy();
  });

  it('refuses SNFS on the sparse storage by name; auto and conv layers fall back to masked', async () => {
    await expect(make(setup({ method: 'snfs' }), 'sparse')).rejects.toThrow(/storage "sparse" cannot run this setup: SNFS/);
    const auto = await make(setup({ method: 'snfs' }), 'auto');
    expect(auto.net.storages.map((st) => st.kind)).toEqual(['masked', 'masked', 'masked']);
    auto.destroy();
  });
});
