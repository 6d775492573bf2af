// Checkpoints: training resumed from a checkpoint continues the same loss curve, masks and all;
// a checkpoint from another model is refused with a clear message. Also FLOPs and ITOP accounting.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { mlpLayers, Trainer, type TrainerSetup } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  const data = generate2D('xor', { n: 200, noise: 0.1, seed: 4 });
  const split = fractionSplit(data.labels, { train: 0.8 }, 2);
  return pointsSetup(data, split, {
    layers: mlpLayers(2, [16, 16], 2, 'relu'),
    members: 2,
    batch: 16,
    seed: 5,
    density: 0.4,
    schedule: { deltaT: 15, alpha: 0.3, decay: 'cosine', tEnd: 200, beginStep: 0 },
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4, decoupled: true },
    lr: { kind: 'onecycle', maxLr: 0.02 },
    totalSteps: 240,
    stepsPerSubmit: 12,
    ...over,
  });
}

describe('checkpoints and accounting', () => {
  it('a run resumed from a checkpoint continues the same loss curve', async () => {
    const cache = PipelineCache.for(device().device);
    const a = await Trainer.create(cache, setup());
    await a.train(97); // mid-epoch, between mask updates
    const saved = await a.checkpoint();
    const continued = await a.train(100);
    const maskA = await a.readMask();

    const b = await Trainer.create(cache, setup());
    b.restore(saved);
    expect(b.currentStep).toBe(97);
    const resumed = await b.train(100);
    expect(resumed.map((r) => r.loss)).toEqual(continued.map((r) => r.loss));
    expect(resumed.map((r) => r.trainingFlops)).toEqual(continued.map((r) => r.trainingFlops));
    expect(await b.readMask()).toEqual(maskA);
    expect(continued.some((r) => r.maskUpdate)).toBe(true);

    const other = await Trainer.create(cache, setup({ layers: mlpLayers(2, [8], 2, 'relu') }));
    expect(() => other.restore(saved)).toThrow(/saved from a different model/);
    for (const t of [a, b, other]) t.destroy();
  });

  it('counts training FLOPs per docs/METHODS.md §1.9 and tracks the ITOP rate', async () => {
    const cache = PipelineCache.for(device().device);
    const rigl = await Trainer.create(cache, setup());
    const rows = await rigl.train(60);
    const { fD, fS } = rigl.forwardFlops();
    // 2 members x 16 examples: 3 f_S per ordinary step, 2 f_S + f_D on the 4 update steps.
    const updates = rows.filter((r) => r.maskUpdate).length;
    expect(updates).toBe(4);
    expect(rows.at(-1)!.trainingFlops).toBeCloseTo(2 * 16 * ((60 - updates) * 3 * fS + updates * (2 * fS + fD)), 0);
    expect(rows.at(-1)!.flopsRatio).toBeGreaterThan(0.3);
    expect(rows.at(-1)!.flopsRatio).toBeLessThan(0.6);
    const itop = await rigl.itopRates();
    expect(itop).toHaveLength(2);
    for (const r of itop) expect(r).toBeGreaterThan(0.4);
    rigl.destroy();

    const dense = await Trainer.create(cache, setup({ method: 'dense' }));
    const denseRows = await dense.train(10);
    expect(denseRows.at(-1)!.flopsRatio).toBeCloseTo(1, 10);
    expect(await dense.itopRates()).toEqual([1, 1]);
    dense.destroy();
  });
});
