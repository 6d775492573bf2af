// The memory estimate that refuses a model too big for the adapter before allocating anything.
import { describe, expect, it } from 'vitest';
import { HOST_BUDGET, HOST_COPIES, mlpLayers, memoryEstimate, tooBigForAdapter, tooBigForHost, type TrainerSetup } from '../../../src/engine';

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
    const msg = tooBigForAdapter(setup([1024, 1024], 32), limits);
    expect(msg).toMatch(/needs a \d+ MiB buffer for the parameters of all members, but this GPU allows at most 128 MiB/);
  });

  it('a layer over 1,024 × 1,024 connections on the masked storage is refused by name, with the reason and the fix', () => {
    expect(tooBigForAdapter({ ...setup([4096, 4096]), storage: 'masked' }, limits)).toMatch(/^dense1 has 3,211,264 connections \(784 → 4096\) and would stay on the masked storage \(training\.storage is masked\), which holds at most 1,048,576 connections a layer.*set training\.storage to sparse/);
    // auto keeps a layer masked from 50 % density: a dense-ish wide layer is named with its density.
    expect(tooBigForAdapter({ ...setup([2048]), density: 0.9, storage: 'auto' }, limits)).toMatch(/^dense1 .*starts at \d+\.\d %/);
    // On the sparse storage the same 4096-wide network fits: no buffer per position but RigL's dense dW (64 MiB).
    const sparse = { ...setup([4096, 4096]), density: 0.01, storage: 'sparse' as const };
    expect(tooBigForAdapter(sparse, limits)).toBeNull();
    expect(memoryEstimate(sparse).largest.what).toBe("dense2's dense gradient (RigL's growth scores)");
  });

  it('host arrays beyond a tab\'s budget are refused, saying the host side is not sparse yet', () => {
    const wide = { ...setup([16384, 16384]), density: 0.001, storage: 'sparse' as const };
    expect(tooBigForAdapter(wide, { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31 })).toBeNull();
    expect(tooBigForHost(wide)).toMatch(/^This network has 281,\d{3},\d{3} weights over all members.*the host side does not yet/);
    expect(tooBigForHost({ ...setup([4096, 4096]), storage: 'sparse' })).toBeNull();
    expect(HOST_BUDGET / 4 / HOST_COPIES).toBeGreaterThan(20_000_000); // 784-4096-4096-10 fits
  });
});
