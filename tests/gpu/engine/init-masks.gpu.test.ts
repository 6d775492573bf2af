// Masks at initialisation and lottery tickets, on the GPU engine: the dense gradient the scores
// use equals the CPU reference chain; SNIP, GraSP, magnitude and SynFlow keep exact counts and pick
// exactly the top scores; IMP rounds follow the (1-p)^r schedule and rewind the survivors to θ_k.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { Trainer, applyMaskAtInit, denseGradient, flatIndex, initialState, lotteryTicket, mlpLayers, randomReinitialisation, type TrainerSetup } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { activationBackward, activationForward } from '../../../src/reference/activation';
import { denseBackwardInput, denseBackwardWeight, denseForward } from '../../../src/reference/dense';
import { softmaxCrossEntropy } from '../../../src/reference/loss';
import { magnitudeScores, snipScores } from '../../../src/sparsity';
import { expectClose, useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();
const data = generate2D('blobs', { n: 240, noise: 0.2, classes: 3, seed: 8 });
const split = fractionSplit(data.labels, { train: 0.8 }, 1);

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  return pointsSetup(data, split, {
    layers: mlpLayers(2, [12, 10], 3, 'relu'),
    members: 2,
    batch: 16,
    seed: 21,
    density: 0.3,
    densityRule: { kind: 'uniform', denseFirst: false, denseLast: false },
    method: 'static',
    schedule: { deltaT: 20, alpha: 0.3, decay: 'cosine', tEnd: 60, beginStep: 0 },
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 },
    lr: { kind: 'constant', lr: 0.05 },
    totalSteps: 60,
    stepsPerSubmit: 10,
    ...over,
  });
}

/** CPU gradient (dense network, both members) of the mean loss over `examples`, by layer. */
function cpuGradient(t: Trainer, w: Float32Array, examples: Uint32Array, temperature: number): Float64Array[][] {
  const M = 2;
  const B = examples.length;
  const x = new Float32Array(M * B * 2);
  const y = new Uint32Array(M * B);
  for (let m = 0; m < M; m++)
    examples.forEach((e, b) => {
      x.set(data.points.subarray(e * 2, e * 2 + 2), (m * B + b) * 2);
      y[m * B + b] = data.labels[e]!;
    });
  const L = t.layout.layers;
  const ones = (n: number) => new Float32Array(n).fill(1);
  const seg = (s: { offset: number; perMember: number }) => w.slice(s.offset, s.offset + s.perMember * M);
  const shapes = L.map((l) => ({ members: M, batch: B, nIn: (l.spec as { nIn: number }).nIn, nOut: (l.spec as { nOut: number }).nOut }));
  const zs: Float32Array[] = [];
  const inputs: Float32Array[] = [];
  let a: Float32Array = x;
  L.forEach((l, i) => {
    inputs.push(a);
    const z = denseForward(shapes[i]!, a, seg(l.weight), ones(M * l.numel), seg(l.bias));
    zs.push(z);
    a = i < L.length - 1 ? activationForward('relu', z, 1) : z;
  });
  let g = softmaxCrossEntropy(M, B, 3, a, y, 0, temperature).dlogits;
  const grads: Float32Array[] = [];
  for (let i = L.length - 1; i >= 0; i--) {
    if (i < L.length - 1) g = activationBackward('relu', zs[i]!, g, 1);
    grads[i] = denseBackwardWeight(shapes[i]!, g, inputs[i]!, null);
    if (i > 0) g = denseBackwardInput(shapes[i]!, g, seg(L[i]!.weight), ones(M * L[i]!.numel));
  }
  return [0, 1].map((m) => grads.map((gl, i) => Float64Array.from(gl.subarray(m * L[i]!.numel, (m + 1) * L[i]!.numel))));
}

function weightLayers(t: Trainer, flat: ArrayLike<number>, m: number): Float64Array[] {
  return t.layout.layers.map((l) => Float64Array.from({ length: l.numel }, (_, i) => flat[flatIndex(l.weight, m, i)]!));
}

/** Per member and layer: active count, and the lowest kept / highest dropped score. */
function checkTopK(t: Trainer, mask: Float32Array, scores: (m: number) => Float64Array[], scope: 'global' | 'per-layer', what: string): void {
  for (let m = 0; m < 2; m++) {
    const s = scores(m);
    let minKept = Infinity;
    let maxDropped = -Infinity;
    t.layout.layers.forEach((l, li) => {
      let count = 0;
      if (scope === 'per-layer') {
        minKept = Infinity;
        maxDropped = -Infinity;
      }
      for (let i = 0; i < l.numel; i++) {
        const kept = mask[flatIndex(l.weight, m, i)] !== 0;
        count += kept ? 1 : 0;
        if (kept) minKept = Math.min(minKept, s[li]![i]!);
        else maxDropped = Math.max(maxDropped, s[li]![i]!);
      }
      expect(count, `${what}: member ${m} layer ${li} count`).toBe(t.activeCounts[li]);
      if (scope === 'per-layer') expect(minKept >= maxDropped, `${what}: member ${m} layer ${li} keeps the top scores`).toBe(true);
    });
    if (scope === 'global' && m === 0) expect(minKept >= maxDropped, `${what}: member 0 keeps the global top scores`).toBe(true);
  }
}

describe('masks at initialisation', () => {
  it('the dense gradient on the GPU equals the CPU reference chain (temperature 1 and 200; whole and partial batches)', async () => {
    const t = await Trainer.create(PipelineCache.for(device().device), setup());
    // 32 = two whole batches of 16; 37 leaves a partial last batch, whose padding slots must not
    // count (they once repeated the first examples, so those weighed twice in SNIP and GraSP).
    for (const n of [32, 37]) {
      const examples = split.train.slice(0, n);
      for (const T of [1, 200]) {
        const g = await denseGradient(t, t.initial.denseWeights, examples, T);
        const want = cpuGradient(t, t.initial.denseWeights, examples, T);
        for (let m = 0; m < 2; m++) weightLayers(t, g, m).forEach((gl, li) => expectClose(gl, want[m]![li]!, { atol: 1e-6 / T, rtol: 1e-3 }, `${n} examples, T=${T} member ${m} layer ${li}`));
      }
    }
    t.destroy();
  });

  it('magnitude and SNIP keep exact counts and the top scores, per layer and globally', async () => {
    const cache = PipelineCache.for(device().device);
    const examples = split.train.slice(0, 30);
    for (const scope of ['per-layer', 'global'] as const) {
      const mag = await Trainer.create(cache, setup());
      await applyMaskAtInit(mag, { kind: 'magnitude', scope });
      checkTopK(mag, await mag.readMask(), (m) => weightLayers(mag, mag.initial.denseWeights, m).map(magnitudeScores), scope, `magnitude ${scope}`);
      mag.destroy();

      const snip = await Trainer.create(cache, setup());
      const counts = await applyMaskAtInit(snip, { kind: 'snip', scope, examples });
      const mask = await snip.readMask();
      // The same (deterministic) gradient the scores used; it loads the dense network, so the SNIP
      // mask is put back before training.
      const g = await denseGradient(snip, snip.initial.denseWeights, examples);
      snip.loadMask(snip.initial.denseWeights, mask, counts);
      checkTopK(snip, mask, (m) => weightLayers(snip, snip.initial.denseWeights, m).map((w, li) => snipScores(w, weightLayers(snip, g, m)[li]!)), scope, `SNIP ${scope}`);
      const rows = await snip.train(20);
      expect(rows.every((r) => r.loss.every(Number.isFinite))).toBe(true);
      snip.destroy();
    }
  });

  it('GraSP and SynFlow give exact counts, and training runs from their masks', async () => {
    const cache = PipelineCache.for(device().device);
    for (const method of [
      { kind: 'grasp', scope: 'global', examples: split.train.slice(0, 30), temperature: 200 },
      { kind: 'synflow', scope: 'global', rounds: 20 },
      { kind: 'synflow', scope: 'per-layer', rounds: 5 },
    ] as const) {
      const t = await Trainer.create(cache, setup());
      const before = [...t.activeCounts];
      const counts = await applyMaskAtInit(t, method);
      const mask = await t.readMask();
      expect(counts.reduce((a, b) => a + b, 0)).toBe(before.reduce((a, b) => a + b, 0));
      if (method.scope === 'per-layer') expect(counts).toEqual(before);
      for (let m = 0; m < 2; m++) t.layout.layers.forEach((l, li) => expect(mask.subarray(flatIndex(l.weight, m, 0), flatIndex(l.weight, m, l.numel)).reduce((a, v) => a + v, 0), `${method.kind} member ${m} layer ${li}`).toBe(counts[li]));
      const rows = await t.train(20);
      expect(rows.every((r) => r.loss.every(Number.isFinite)), method.kind).toBe(true);
      t.destroy();
    }
  });
});

describe('lottery tickets', () => {
  it('IMP rounds prune p of the remaining weights and rewind the survivors to θ_k', async () => {
    const t = await Trainer.create(PipelineCache.for(device().device), setup({ density: 1, method: 'static' }));
    const rounds = await lotteryTicket(t, { rounds: 2, pruneFraction: 0.5, rewindStep: 10, scope: 'per-layer' });
    expect(rounds.map((r) => r.counts)).toEqual([
      t.layout.layers.map((l) => l.numel - Math.ceil(0.5 * l.numel)),
      t.layout.layers.map((l) => { const a = l.numel - Math.ceil(0.5 * l.numel); return a - Math.ceil(0.5 * a); }),
    ]);
    expect(t.currentStep).toBe(10);
    expect(t.activeCounts).toEqual(rounds[1]!.counts);
    // The survivors hold θ_k: train a fresh dense run to step 10 and compare.
    const ref = await Trainer.create(PipelineCache.for(device().device), setup({ density: 1, method: 'static' }));
    await ref.train(10);
    const [w, mask, wk] = await Promise.all([t.readWeights(), t.readMask(), ref.readWeights()]);
    for (const l of t.layout.layers) {
      for (let m = 0; m < 2; m++) {
        for (let i = 0; i < l.numel; i++) {
          const j = flatIndex(l.weight, m, i);
          expect(w[j]).toBe(mask[j] ? wk[j] : 0);
        }
      }
    }
    // The control gets the run's own seed (as from a config): its weights must be neither θ_k nor θ_0.
    await randomReinitialisation(t, t.setup.seed);
    expect(t.currentStep).toBe(0);
    const re = await t.readWeights();
    expect(await t.readMask()).toEqual(mask);
    const theta0 = initialState(t.layout, { seed: t.setup.seed, density: 1, rule: { kind: 'uniform' }, scheme: 'he', sparseAwareInit: false }).denseWeights;
    const active = Array.from({ length: re.length }, (_, j) => j).filter((j) => mask[j] !== 0 && t.layout.layers.some((l) => j >= l.weight.offset && j < l.weight.offset + l.weight.perMember * l.weight.members));
    expect(active.length).toBeGreaterThan(0);
    expect(active.filter((j) => re[j] === theta0[j]).length).toBe(0);
    expect(active.filter((j) => re[j] === w[j]).length).toBe(0);
    for (let j = 0; j < re.length; j++) if (mask[j] === 0) expect(re[j]).toBe(0);
    for (const x of [t, ref]) x.destroy();
  });

  it('a lottery ticket whose training diverges is refused with the round and what to change, not a NaN assertion', async () => {
    const t = await Trainer.create(PipelineCache.for(device().device), setup({ density: 1, method: 'static', lr: { kind: 'constant', lr: 1e30 } }));
    await expect(lotteryTicket(t, { rounds: 2, pruneFraction: 0.5, rewindStep: 10, scope: 'per-layer' })).rejects.toThrow(/^Lottery ticket, round 1 of 2: the scores of layer dense1 \(member 1\) are not numbers .* Its training diverged \(final loss NaN, NaN\): lower the learning rate/);
    t.destroy();
  });

  it('SynFlow gives the page a turn between rounds, says which round it is at, and stops when told to', async () => {
    const t = await Trainer.create(PipelineCache.for(device().device), setup());
    const heard: string[] = [];
    await applyMaskAtInit(t, { kind: 'synflow', scope: 'global', rounds: 5 }, (m) => heard.push(m), 0);
    expect(heard).toEqual(['SynFlow round 1 of 5', 'SynFlow round 2 of 5', 'SynFlow round 3 of 5', 'SynFlow round 4 of 5']);
    const u = await Trainer.create(PipelineCache.for(device().device), setup());
    await expect(applyMaskAtInit(u, { kind: 'synflow', scope: 'global', rounds: 5 }, () => { throw new Error('cancelled'); }, 0)).rejects.toThrow('cancelled');
    for (const x of [t, u]) x.destroy();
  });
});
