// Learning, end to end on the GPU: the bar for the engine. A 3-arm spiral (noise 0.1 of
// the arm spacing), MLP 2-32-32-3, 50% sparse (ERK) under RigL, must reach >= 95% training
// accuracy within 2,000 steps, and its ITOP rate must rise above the initial density.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { Trainer, type TrainerSetup } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();

function spiralSetup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  const data = generate2D('spiral', { arms: 3, noise: 0.1, n: 600, seed: 7 });
  const split = fractionSplit(data.labels, { train: 0.8 }, 11);
  return pointsSetup(data, split, {
    seed: 42,
    schedule: { deltaT: 50, alpha: 0.3, decay: 'cosine', tEnd: 1500, beginStep: 0 },
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
    lr: { kind: 'constant', lr: 0.01 },
    totalSteps: 2000,
    evalIdx: split.train, // training accuracy over the whole training split
    stepsPerSubmit: 25,
    ...over,
  });
}

describe('learning on the GPU', () => {
  it('RigL at 50% sparsity learns a 3-arm spiral to >= 95% training accuracy within 2,000 steps', async () => {
    const cache = PipelineCache.for(device().device);
    const trainer = await Trainer.create(cache, spiralSetup());
    const initialMask = await trainer.readMask();
    const t0 = performance.now();
    const rows = await trainer.train(2000);
    const seconds = (performance.now() - t0) / 1000;
    const { accuracy, loss } = await trainer.evaluate();
    const fired = await trainer.readFired();
    const mask = await trainer.readMask();
    // ITOP over the maskable weights only (bias entries are always 1).
    let total = 0;
    let initialActive = 0;
    let ever = 0;
    for (const l of trainer.layout.layers) {
      const n = l.numel;
      total += n;
      for (let i = 0; i < n; i++) {
        initialActive += initialMask[l.weight.offset + i]!;
        ever += fired[l.weight.offset + i]!;
      }
      const active = mask.subarray(l.weight.offset, l.weight.offset + n).reduce((a, v) => a + v, 0);
      expect(active, 'exact active count after training').toBe(trainer.activeCounts[trainer.layout.layers.indexOf(l)]);
    }
    const updates = rows.filter((r) => r.maskUpdate).length;
    console.log(
      `spiral RigL 50%: train accuracy ${(accuracy[0]! * 100).toFixed(1)}%, loss ${loss[0]!.toFixed(3)}, ` +
        `ITOP ${(ever / total).toFixed(3)} (initial density ${(initialActive / total).toFixed(3)}), ` +
        `${updates} mask updates, ${rows.length} steps in ${seconds.toFixed(1)} s`,
    );
    expect(rows).toHaveLength(2000);
    expect(updates).toBeGreaterThan(20);
    expect(accuracy[0]!).toBeGreaterThanOrEqual(0.95);
    expect(ever / total).toBeGreaterThan(initialActive / total + 0.05);
    trainer.destroy();
  });
});
