// ToST layer-wise re-scaled initialisation (GradInit by finite differences on per-layer scales):
// the learned scales lower the loss after one normalised SGD step, compared with the unscaled
// init, on batches the search never saw.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { Trainer, type TrainerSetup } from '../../../src/engine';
import { applyGradInit, gradInitObjective } from '../../../src/engine/gradinit';
import { PipelineCache } from '../../../src/gpu';
import { mulberry32 } from '../../../src/util/rng';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();
const data = generate2D('blobs', { n: 600, noise: 0.3, seed: 5, classes: 3 });
const split = fractionSplit(data.labels, { train: 0.8 }, 3);

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  return pointsSetup(data, split, { members: 2, seed: 17, density: 0.3, method: 'static', optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 }, stepsPerSubmit: 8, ...over });
}

describe('GradInit-style layer scales (ToST LRsI)', () => {
  it('lower the loss after one step compared with the unscaled init', async () => {
    const cache = PipelineCache.for(device().device);
    const t = await Trainer.create(cache, setup());
    try {
      const o = { iters: 15, eta: 0.5, gamma: 100, lr: 0.05, minScale: 0.01, afterMask: true };
      const mask = await t.readMask();
      // Held-out batch pairs from the test split: the search only drew from the training split.
      const rng = mulberry32(99);
      const pairs = Array.from({ length: 4 }, () => {
        const draw = () => Uint32Array.from({ length: 32 }, () => split.test[Math.floor(rng.next() * split.test.length)]!);
        return { a: draw(), b: draw() };
      });
      const oneStepLoss = async (scales: number[][]): Promise<number[]> => {
        const sum = [0, 0];
        for (const p of pairs) (await gradInitObjective(t, o, mask, scales, p, ['step', 'step'])).j.forEach((v, m) => (sum[m]! += v / pairs.length));
        return sum;
      };
      const L = t.layout.layers.length;
      const before = await oneStepLoss([new Array<number>(L).fill(1), new Array<number>(L).fill(1)]);
      const result = await applyGradInit(t, o);
      // The run now starts from the rescaled weights, under the same mask (read before the
      // objective below loads other parameters).
      const [w, mask2] = await Promise.all([t.readWeights(), t.readMask()]);
      const after = await oneStepLoss(result.scales);
      console.log(`GradInit scales ${JSON.stringify(result.scales.map((r) => r.map((v) => +v.toFixed(3))))}; loss after one step ${before.map((v) => (v * o.eta).toFixed(4))} -> ${after.map((v) => (v * o.eta).toFixed(4))}; ${result.evaluations} GPU passes; objective ${result.objective.map((v) => v.toFixed(3)).join(' ')}`);
      for (let m = 0; m < 2; m++) expect(after[m]!, `member ${m}`).toBeLessThan(before[m]!);
      expect(result.scales.flat().some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
      expect(Array.from(mask2)).toEqual(Array.from(mask));
      const l0 = t.layout.layers[0]!;
      const i = Array.from({ length: l0.numel }, (_, k) => k).find((k) => mask[l0.weight.offset + k] === 1)!;
      expect(w[l0.weight.offset + i]).toBeCloseTo(t.initial.denseWeights[l0.weight.offset + i]! * result.scales[0]![0]!, 5);
    } finally {
      t.destroy();
    }
  });
});
