// Engine invariants on the GPU, for every DST method: exact active counts per layer and member,
// masked weights exactly 0 after optimizer steps, the same seed gives the same loss curve,
// ensemble members differ, and a changed density target lands exactly at the next update.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { mlpLayers, RunLoop, stopMessage, Trainer, type TrainerSetup } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';
import type { SparseMethod } from '../../../src/sparsity';

const device = useDevice();

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  const data = generate2D('moons', { n: 256, noise: 0.1, seed: 3 });
  const split = fractionSplit(data.labels, { train: 0.75 }, 5);
  return pointsSetup(data, split, {
    layers: mlpLayers(2, [24, 16], 2, 'tanh'),
    members: 3,
    batch: 16,
    seed: 9,
    density: 0.3,
    densityRule: { kind: 'uniform' },
    init: 'glorot',
    sparseAwareInit: true,
    schedule: { deltaT: 10, alpha: 0.3, decay: 'cosine', tEnd: 150, beginStep: 0 },
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 },
    lr: { kind: 'cosine', lr: 0.1 },
    totalSteps: 200,
    labelSmoothing: 0.1,
    ...over,
  });
}

async function checkMasks(trainer: Trainer, what: string): Promise<void> {
  const [mask, w] = await Promise.all([trainer.readMask(), trainer.readWeights()]);
  trainer.layout.layers.forEach((l, li) => {
    const n = l.numel;
    for (let m = 0; m < trainer.layout.members; m++) {
      const from = l.weight.offset + m * n;
      const seg = mask.subarray(from, from + n);
      expect(seg.reduce((a, v) => a + v, 0), `${what}: layer ${li} member ${m} active count`).toBe(trainer.activeCounts[li]);
      for (let i = 0; i < n; i++) {
        if (seg[i] === 0 && !Object.is(w[from + i], 0)) throw new Error(`${what}: masked weight ${li}/${m}/${i} is ${w[from + i]}`);
      }
    }
  });
}

describe('engine invariants', () => {
  it.each(['rigl', 'set', 'snfs', 'static', 'dense'] as SparseMethod[])('%s: exact counts and zero masked weights after every chunk', async (method) => {
    const trainer = await Trainer.create(PipelineCache.for(device().device), setup({ method, optimizer: method === 'snfs' ? { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 5e-4 } : setup().optimizer }));
    let updates = 0;
    for (let c = 0; c < 10; c++) {
      const rows = await trainer.train(20);
      updates += rows.filter((r) => r.maskUpdate).length;
      await checkMasks(trainer, `${method} after step ${trainer.currentStep}`);
    }
    // RigL/SET: every ΔT = 10 steps from t = 0 while t <= T_end = 150. SNFS: at the end of every
    // epoch (12 steps of 16 from 192 training points) except the last step of the run.
    const expected = { rigl: 16, set: 16, snfs: Math.floor(199 / trainer.stepsPerEpoch), static: 0, dense: 0 }[method];
    expect(updates, 'mask updates in 200 steps').toBe(expected);
    if (method === 'dense') expect(trainer.activeCounts).toEqual(trainer.layout.layers.map((l) => l.numel));
    trainer.destroy();
  });

  it('the same seed gives the same loss curve; ensemble members differ', async () => {
    const cache = PipelineCache.for(device().device);
    const a = await Trainer.create(cache, setup());
    const b = await Trainer.create(cache, setup());
    const ra = await a.train(120);
    const rb = await b.train(120);
    expect(ra.map((r) => r.loss)).toEqual(rb.map((r) => r.loss));
    expect(await a.readMask()).toEqual(await b.readMask());
    // Three members: own masks, init and data order, so their curves are not identical.
    const last = ra.at(-1)!.loss;
    expect(new Set(last).size).toBe(3);
    const c = await Trainer.create(cache, setup({ seed: 10 }));
    const rc = await c.train(120);
    expect(rc.map((r) => r.loss)).not.toEqual(ra.map((r) => r.loss));
    for (const t of [a, b, c]) t.destroy();
  });

  it('a new density target is reached exactly at the next mask update, lowered or raised', async () => {
    const trainer = await Trainer.create(PipelineCache.for(device().device), setup());
    await trainer.train(15);
    // activeCount(n, d) = n − floor((1 − d)·n): what each layer must hold after the update.
    const exact = (d: number) => trainer.layout.layers.map((l) => l.numel - Math.floor((1 - d) * l.numel + 1e-9));
    trainer.setDensityTargets(trainer.layout.layers.map(() => 0.15));
    expect(trainer.targetCounts).toEqual(exact(0.15));
    expect(trainer.activeCounts).not.toEqual(exact(0.15)); // not before the update
    await trainer.train(10); // crosses the update at step 20
    expect(trainer.activeCounts).toEqual(exact(0.15));
    await checkMasks(trainer, 'after lowering the density');
    trainer.setDensityTargets([0.6, null, 0.6]); // null: the middle layer keeps its count
    await trainer.train(20); // crosses the updates at steps 30 and 40
    expect(trainer.activeCounts).toEqual([exact(0.6)[0], exact(0.15)[1], exact(0.6)[2]]);
    await checkMasks(trainer, 'after raising the density');
    trainer.destroy();
  });

  it('evaluation loss falls over training and a NaN loss stops the run with a message', async () => {
    const cache = PipelineCache.for(device().device);
    const trainer = await Trainer.create(cache, setup({ members: 1 }));
    const before = await trainer.evaluate();
    await trainer.train(200);
    const after = await trainer.evaluate();
    expect(after.loss[0]!).toBeLessThan(0.85 * before.loss[0]!);
    expect(after.accuracy[0]!).toBeGreaterThanOrEqual(0.8);
    trainer.destroy();

    // The one run loop stops at the first non-finite loss and names its step exactly: the same
    // run trained one step at a time turns non-finite at that very step.
    const diverging = () => setup({ members: 1, lr: { kind: 'constant', lr: 1e30 } });
    const bad = await Trainer.create(cache, diverging());
    const stop = await new RunLoop(bad).run({ chunkSize: () => 16 });
    expect(stop.kind).toBe('diverged');
    expect(bad.currentStep).toBeLessThan(200);
    expect(stopMessage(stop)).toMatch(/^The loss became (NaN|Infinity|-Infinity) at step \d+: the weights blew up/);
    const single = await Trainer.create(cache, diverging());
    let n = 0;
    while (n < 200 && (await single.step())!.loss.every(Number.isFinite)) n++;
    expect(stop.kind === 'diverged' && stop.step).toBe(n + 1);
    single.destroy();
    bad.destroy();
  });
});

describe('trainer API and gradients', () => {
  it('RigL: dW is restricted to active weights on ordinary steps and dense on update steps', async () => {
    const t = await Trainer.create(PipelineCache.for(device().device), setup({ members: 1 }));
    const inactiveGrad = async (): Promise<number> => {
      const [g, mask] = await Promise.all([t.readGrads(), t.readMask()]);
      let sum = 0;
      for (const l of t.layout.layers) for (let i = 0; i < l.numel; i++) if (mask[l.weight.offset + i] === 0) sum += Math.abs(g[l.weight.offset + i]!);
      return sum;
    };
    const first = await t.step(); // step 0 is an update step (RigL updates at t = 0)
    expect(first?.maskUpdate).toBe(true);
    // The update changed the mask after the gradient was taken, so look at an ordinary step instead.
    await t.train(4);
    expect(await inactiveGrad()).toBe(0);
    await t.train(5); // steps 5..9; step 10 is the next update
    const update = await t.step();
    expect(update?.step).toBe(10);
    expect(update?.maskUpdate).toBe(true);
    // The grads buffer now holds the dense dW of step 10 (taken before the mask changed).
    expect(await inactiveGrad()).toBeGreaterThan(0);
    t.destroy();
  });

  it('reset() replays the run; densities and inference FLOPs are reported', async () => {
    const t = await Trainer.create(PipelineCache.for(device().device), setup());
    const first = await t.train(30);
    t.reset();
    expect(t.currentStep).toBe(0);
    const again = await t.train(30);
    expect(again.map((r) => r.loss)).toEqual(first.map((r) => r.loss));
    // Densities are what the GPU's mask holds (member 0), per layer and over all weights.
    const mask = await t.readMask();
    const ones = t.layout.layers.map((l) => mask.subarray(l.weight.offset, l.weight.offset + l.numel).reduce((a, v) => a + v, 0));
    const d = t.densities();
    expect(d.layers).toEqual(t.layout.layers.map((l, i) => ones[i]! / l.numel));
    expect(d.overall).toBe(ones.reduce((a, b) => a + b, 0) / t.layout.layers.reduce((a, l) => a + l.numel, 0));
    expect(d.overall).toBeCloseTo(0.3, 2);
    const inf = t.inferenceFlops();
    expect(inf.perExample).toBe(3 * t.forwardFlops().fS);
    expect(inf.ratioToDense).toBeCloseTo((3 * t.forwardFlops().fS) / t.forwardFlops().fD, 12);
    t.destroy();
  });
});
