// Evaluation on held-out sets and what happens when the device goes away mid-run.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { RunLoop, Trainer, mlpLayers, stopMessage, type TrainerSetup } from '../../../src/engine';
import { PipelineCache, acquireGpu } from '../../../src/gpu';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();
const data = generate2D('circles', { n: 300, noise: 0.1, seed: 12 });
const split = fractionSplit(data.labels, { train: 0.7, val: 0.15 }, 4);

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  return pointsSetup(data, split, {
    layers: mlpLayers(2, [16], 2, 'relu'),
    members: 2,
    batch: 16,
    seed: 4,
    method: 'set',
    schedule: { deltaT: 10, alpha: 0.3, decay: 'cosine', tEnd: 400, beginStep: 0 },
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true },
    lr: { kind: 'constant', lr: 0.01 },
    totalSteps: 400,
    stepsPerSubmit: 8,
    ...over,
  });
}

describe('evaluation', () => {
  it('evaluates test and validation sets separately; padding of the last batch is not counted', async () => {
    const cache = PipelineCache.for(device().device);
    // 37 examples (2 full batches + 5): the same examples in reverse order give the same means
    // only if the 11 padding rows of the last batch are left out.
    const some = split.train.slice(0, 37);
    const t = await Trainer.create(cache, setup({ evalIdx: some, valIdx: some.slice().reverse() }));
    await t.train(40);
    const [test, val] = [await t.evaluate('test'), await t.evaluate('validation')];
    for (let m = 0; m < 2; m++) {
      expect(val.loss[m]).toBeCloseTo(test.loss[m]!, 5);
      expect(val.accuracy[m]).toBeCloseTo(test.accuracy[m]!, 6);
      expect(test.accuracy[m]! * 37).toBeCloseTo(Math.round(test.accuracy[m]! * 37), 4); // a whole number correct
    }
    t.destroy();
    const noVal = await Trainer.create(cache, setup({ valIdx: undefined }));
    await expect(noVal.evaluate('validation')).rejects.toThrow(/no evaluation set "validation"/);
    const held = await noVal.evaluate('test');
    expect(held.accuracy).toHaveLength(2);
    noVal.destroy();
  });

  it('a device lost mid-run stops training, keeps the last good metrics and says so', async () => {
    const r = await acquireGpu();
    if (!r.ok) throw new Error('no WebGPU');
    const t = await Trainer.create(PipelineCache.for(r.gpu.device), setup());
    await t.train(24);
    const good = t.lastGood;
    expect(good?.step).toBe(23);
    // The one run loop (src/engine/run-loop.ts), as the session and the runner drive it.
    const running = new RunLoop(t).run({ chunkSize: () => 16 });
    r.gpu.device.destroy(); // what a driver reset looks like to the page
    const stop = await running;
    expect(stop.kind).toBe('lost');
    expect(stop.step).toBeGreaterThanOrEqual(24);
    expect(stopMessage(stop)).toMatch(/^The GPU stopped after step \d+ \(.+\)\. The metrics so far are kept/);
    expect(t.lastGood!.step).toBeGreaterThanOrEqual(23);
    expect(t.lastGood!.loss.every(Number.isFinite)).toBe(true);
  });
});
