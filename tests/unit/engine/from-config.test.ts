// The config -> trainer adapter: every setting the engine runs is mapped, the split is the one
// the config describes, and settings the engine cannot run yet are refused by name.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ExperimentConfig } from '../../../src/config';
import { generatedData, gridPoints, probeIndices, trainerSetupFromConfig } from '../../../src/engine/from-config';
import { lenet5CaffeLayers, mlpLayers } from '../../../src/engine/layers';
import { lrAt } from '../../../src/engine/lr-schedule';

function config(input: unknown): ExperimentConfig {
  const r = parseConfig(input);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return r.config;
}

describe('trainerSetupFromConfig', () => {
  it('maps the default config (3-arm spiral, MLP 32-32, 50% ERK, RigL, SGD multistep)', () => {
    const c = config({ version: 1 });
    const { setup, split } = trainerSetupFromConfig(c, generatedData(c));
    expect([split.train.length, split.val.length, split.test.length]).toEqual([420, 60, 120]);
    expect(setup).toMatchObject({ layers: mlpLayers(2, [32, 32], 3, 'relu'), members: 1, batch: 32, density: 0.5, method: 'rigl' });
    expect(setup.densityRule).toEqual({ kind: 'erk', powerScale: 1 });
    expect(setup.totalSteps).toBe(Math.floor(420 / 32) * 100);
    expect(setup.schedule).toEqual({ deltaT: 100, alpha: 0.3, decay: 'cosine', tEnd: Math.floor(0.75 * 1300), beginStep: 0 });
    expect(setup.optimizer).toEqual({ kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4 });
    expect(lrAt(setup.lr, 0, 1300)).toBeCloseTo(0.1);
    expect(lrAt(setup.lr, 1299, 1300)).toBeCloseTo(0.001);
    expect(setup.evalIdx).toBe(split.test);
    // Standardised with the training points' own mean and std.
    let sum = 0;
    for (const i of split.train) sum += (setup.data.values[2 * i]! - setup.data.mean) / setup.data.std;
    expect(Math.abs(sum / split.train.length)).toBeLessThan(0.2);
  });

  it('maps a dense ensemble, Adam, one-cycle and label smoothing', () => {
    const c = config({ version: 1, sparsity: { target: 0 }, dst: { method: 'dense' }, ensemble: { mode: 'dense', members: 4 }, training: { epochs: 10, optimizer: { kind: 'adam', lr: 0.01 }, schedule: { kind: 'onecycle' } }, tost: { labelSmoothing: 0.1 } });
    const { setup } = trainerSetupFromConfig(c, generatedData(c));
    expect(setup).toMatchObject({ method: 'dense', density: 1, members: 4, labelSmoothing: 0.1 });
    expect(setup.optimizer).toEqual({ kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true });
    expect(lrAt(setup.lr, Math.round(0.3 * setup.totalSteps) - 1, setup.totalSteps)).toBeCloseTo(0.01, 4);
  });

  it('builds the image split of the config, trainLimit keeping every class', () => {
    const c = config({ version: 1, data: { dataset: 'mnist', validationSize: 100, testSize: 100, trainLimit: 300 }, model: { kind: 'lenet-300-100' } });
    const n = 1000;
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    const images = new Uint8Array(n * 784);
    const { setup, split } = trainerSetupFromConfig(c, { kind: 'images', images, labels, width: 28, height: 28, classes: 10, pixelMean: 0.13, pixelStd: 0.31 });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([300, 100, 100]);
    expect(new Set([...split.train].map((i) => labels[i])).size).toBe(10);
    expect(setup.layers).toEqual(mlpLayers(784, [300, 100], 10, 'relu'));
    expect(setup.data).toMatchObject({ kind: 'images', dim: 784, mean: 0.13, std: 0.31 });
  });

  it('builds LeNet-5-Caffe for 28x28 images and refuses it for other data', () => {
    const c = config({ version: 1, data: { dataset: 'fashion-mnist', validationSize: 10, testSize: 10 }, model: { kind: 'lenet5-caffe' } });
    const images = { kind: 'images' as const, images: new Uint8Array(200 * 784), labels: Uint8Array.from({ length: 200 }, (_, i) => i % 10), width: 28, height: 28, classes: 10, pixelMean: 0.3, pixelStd: 0.35 };
    expect(trainerSetupFromConfig(c, images).setup.layers).toEqual(lenet5CaffeLayers(10));
    expect(() => trainerSetupFromConfig(c, { ...images, width: 14, height: 14, images: new Uint8Array(200 * 196) })).toThrow(/needs 28x28 images/);
  });

  it('maps the ToST switches: smooth activations, ghost skips, closed-form and GradInit rescaling', () => {
    const c = config({
      version: 1,
      tost: { smoothActivation: { kind: 'pswish', betaStart: 2, betaEnd: 40, reluFrom: 0.4 }, ghostSkip: { enabled: true, endFraction: 0.3 }, labelSmoothing: 0.1, layerRescaledInit: { kind: 'gradinit', iters: 20 } },
    });
    const run = trainerSetupFromConfig(c, generatedData(c));
    expect(run.setup.tost).toEqual({ smooth: { kind: 'pswish', betaStart: 2, betaEnd: 40, reluFrom: 0.4 }, ghost: { initScale: 1e-4, endFraction: 0.3 } });
    expect(run.setup.labelSmoothing).toBe(0.1);
    expect(run.rescale).toEqual({ iters: 20, eta: 0.1, gamma: 1, lr: 0.01, minScale: 0.01, afterMask: true });
    expect(run.setup.probeIdx).toEqual(probeIndices(run.setup.evalIdx));
    const closed = trainerSetupFromConfig(config({ version: 1, tost: { layerRescaledInit: { kind: 'closed-form' } } }), generatedData(c));
    expect(closed.setup.sparseAwareInit).toBe(true);
    expect(closed.rescale).toBeNull();
    expect(trainerSetupFromConfig(config({ version: 1 }), generatedData(c)).setup.tost).toEqual({});
  });

  it('plans masks at initialisation with a class-balanced pruning batch, and lottery tickets from a dense start', () => {
    const snip = config({ version: 1, sparsity: { mask: { kind: 'snip', scope: 'global', samplesPerClass: 5 } } });
    const run = trainerSetupFromConfig(snip, generatedData(snip));
    expect(run.mask.kind).toBe('init');
    if (run.mask.kind !== 'init' || run.mask.method.kind !== 'snip') throw new Error('expected a SNIP plan');
    const ex = run.mask.method.examples;
    expect(ex).toHaveLength(15);
    expect(ex.every((i) => run.split.train.includes(i))).toBe(true);
    const labels = run.setup.data.labels;
    expect([0, 1, 2].map((c) => ex.filter((i) => labels[i] === c).length)).toEqual([5, 5, 5]);
    expect(run.setup.density).toBe(0.5);

    const lt = config({ version: 1, sparsity: { target: 0.75, mask: { kind: 'lottery', rounds: 2, rewindStep: 10 } }, dst: { method: 'static' } });
    const l = trainerSetupFromConfig(lt, generatedData(lt));
    expect(l.setup.density).toBe(1);
    expect(l.mask).toEqual({ kind: 'lottery', options: { rounds: 2, pruneFraction: 0.5, rewindStep: 10, scope: 'global' }, reinitControl: false });
  });

  it('refuses data whose class count differs from the config', () => {
    const c = config({ version: 1 });
    const other = generatedData(config({ version: 1, data: { dataset: 'moons' } }));
    expect(() => trainerSetupFromConfig(c, other)).toThrow(/2 classes, the config 3/);
  });

  it('2-D runs carry a decision-boundary grid after the data points, never trained or evaluated on', () => {
    const c = config({ version: 1 });
    const data = generatedData(c);
    const run = trainerSetupFromConfig(c, data);
    const n = data.labels.length;
    expect(run.grid!.size).toBe(48);
    expect(Array.from(run.setup.gridIdx!.subarray(0, 2))).toEqual([n, n + 1]);
    expect(run.setup.data.values.length).toBe((n + 48 * 48) * 2);
    expect(Math.max(...run.setup.trainIdx, ...run.setup.evalIdx, ...(run.setup.valIdx ?? []))).toBeLessThan(n);
    const { grid, values } = gridPoints(Float32Array.of(0, 0, 10, 20), 2);
    expect(grid).toEqual({ size: 2, x0: -1, x1: 11, y0: -2, y1: 22 });
    // Row 0 is the top (largest y); cell centres.
    expect(Array.from(values)).toEqual([2, 16, 8, 16, 2, 4, 8, 4]);
  });
});

describe('probeIndices', () => {
  it('spreads the probe over a class-ordered test split: every class is in it, in proportion', () => {
    // 10 classes of 100 test images each, ordered by class (as the image splits are).
    const evalIdx = Uint32Array.from({ length: 1000 }, (_, i) => i);
    const labels = (i: number) => Math.floor(i / 100);
    const probe = probeIndices(evalIdx, 250);
    expect(probe).toHaveLength(250);
    const counts = new Array<number>(10).fill(0);
    for (const i of probe) counts[labels(i)]!++;
    expect(counts).toEqual(new Array(10).fill(25));
    expect(new Set(probe).size).toBe(250);
    expect(probeIndices(evalIdx.subarray(0, 100), 256)).toHaveLength(100); // small splits: all of it
  });
});
