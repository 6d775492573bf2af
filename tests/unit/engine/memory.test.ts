// The memory estimate that refuses a model too big for the adapter before allocating anything.
import { describe, expect, it } from 'vitest';
import { mlpLayers, memoryEstimate, tooBigForAdapter, type TrainerSetup } from '../../../src/engine';

function setup(hidden: number[], members = 1, batch = 32): TrainerSetup {
  return {
    layers: mlpLayers(784, hidden, 10, 'relu'),
    members,
    batch,
    seed: 1,
    density: 0.1,
    densityRule: { kind: 'erk' },
    init: 'he',
    sparseAwareInit: false,
    method: 'rigl',
    schedule: { deltaT: 100, alpha: 0.3, decay: 'cosine', tEnd: 100, beginStep: 0 },
    portCompatible: false,
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 },
    lr: { kind: 'constant', lr: 0.1 },
    totalSteps: 100,
    labelSmoothing: 0,
    data: { kind: 'images', values: new Uint8Array(1000 * 784), dim: 784, labels: new Uint32Array(1000), mean: 0, std: 1 },
    trainIdx: new Uint32Array(1000),
    evalIdx: new Uint32Array(10),
    stepsPerSubmit: 8,
  };
}

const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };

describe('memory estimate', () => {
  it('LeNet-300-100 fits a default 128 MiB binding; the parameters are the largest buffer', () => {
    const e = memoryEstimate(setup([300, 100]));
    expect(e.largest.what).toBe('the parameters of all members');
    // 784·300 + 300 + 300·100 + 100 + 100·10 + 10 = 266,610 floats, segments aligned to 64 floats.
    expect(e.largest.bytes).toBeGreaterThanOrEqual(266_610 * 4);
    expect(e.largest.bytes).toBeLessThan(266_610 * 4 + 6 * 64 * 4 + 1);
    expect(tooBigForAdapter(setup([300, 100]), limits)).toBeNull();
  });
  it('a model whose parameters exceed the binding limit is refused with the sizes in words', () => {
    const msg = tooBigForAdapter(setup([8192, 8192], 8), limits);
    expect(msg).toMatch(/needs a \d+ MiB buffer for the parameters of all members, but this GPU allows at most 128 MiB/);
  });
});
