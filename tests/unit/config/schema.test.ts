// The schema's defaults: complete, sensible, fresh on every call, and per-variant defaults filled.
import { describe, expect, it } from 'vitest';
import { CONFIG_VERSION, ExperimentConfig, classCount, defaultConfig, isImageDataset, parseConfig } from '../../../src/config';

/** Every leaf of a JSON-like value as [dotted path, value]. */
function leaves(x: unknown, path = ''): [string, unknown][] {
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    return Object.entries(x).flatMap(([k, v]) => leaves(v, path === '' ? k : `${path}.${k}`));
  }
  return [[path, x]];
}

describe('defaults', () => {
  it('parse from nothing, and parseConfig of {version: 1} gives the same', () => {
    const d = defaultConfig();
    expect(ExperimentConfig.parse({})).toEqual(d);
    const r = parseConfig({ version: 1 });
    expect(r).toEqual({ ok: true, config: d });
    expect(d.version).toBe(CONFIG_VERSION);
  });

  it('are the teaching opening: 3-arm spiral, MLP 2-32-32-3 ReLU, 50 % ERK, RigL, SGD', () => {
    const d = defaultConfig();
    expect(d.data).toEqual({ dataset: 'spiral', arms: 3, turns: 1.5, points: 600, noise: 0.1, validation: 0.1, test: 0.2, seed: 1, normalize: 'standardize' });
    expect(d.model).toEqual({ kind: 'mlp', hidden: [32, 32], activation: 'relu', init: 'he', sparseAwareInit: false });
    expect(d.sparsity).toEqual({ target: 0.5, distribution: { kind: 'erk', powerScale: 1 }, mask: { kind: 'random' } });
    expect(d.dst).toEqual({ method: 'rigl', deltaT: 100, dropFraction: 0.3, decay: 'cosine', tEndFraction: 0.75, beginStep: 0, portCompatible: false });
    expect(d.training.optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-4 });
    expect(d.training.schedule).toEqual({ kind: 'multistep', milestones: [0.5, 0.75], gamma: 0.1 });
    expect([d.training.epochs, d.training.batchSize, d.training.evalEvery, d.training.stepsPerSubmit]).toEqual([100, 32, 50, 16]);
    expect(d.ensemble).toEqual({ mode: 'none', members: 1 });
    expect(d.tost).toEqual({
      smoothActivation: { kind: 'off' },
      ghostSkip: { enabled: false, initScale: 1e-4, endFraction: 0.5 },
      labelSmoothing: 0,
      layerRescaledInit: { kind: 'off' },
    });
  });

  it('are complete: every section present, no undefined leaf, and JSON round-trips exactly', () => {
    const d = defaultConfig();
    expect(Object.keys(d)).toEqual(['version', 'seed', 'data', 'model', 'sparsity', 'dst', 'training', 'ensemble', 'tost']);
    for (const [path, v] of leaves(d)) expect(v, path).not.toBeUndefined();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(leaves(d).length).toBeGreaterThan(40);
  });

  it('are a fresh object each time (mutating one run cannot change the next)', () => {
    const a = defaultConfig();
    if (a.model.kind === 'mlp') a.model.hidden.push(99);
    a.sparsity.target = 0.9;
    const b = defaultConfig();
    expect(b.model.kind === 'mlp' && b.model.hidden).toEqual([32, 32]);
    expect(b.sparsity.target).toBe(0.5);
  });

  it('fill each variant of a choice with its own options', () => {
    const p = (input: object) => ExperimentConfig.parse(input);
    expect(p({ sparsity: { mask: { kind: 'grasp' } } }).sparsity.mask).toEqual({ kind: 'grasp', scope: 'global', temperature: 200, samplesPerClass: 10 });
    expect(p({ sparsity: { mask: { kind: 'synflow' } } }).sparsity.mask).toEqual({ kind: 'synflow', scope: 'global', rounds: 100 });
    expect(p({ sparsity: { mask: { kind: 'lottery' } } }).sparsity.mask).toEqual({ kind: 'lottery', scope: 'global', rounds: 3, rewindStep: 0, reinitControl: false });
    expect(p({ sparsity: { distribution: { kind: 'uniform' } } }).sparsity.distribution).toEqual({ kind: 'uniform', denseFirst: true, denseLast: false });
    expect(p({ sparsity: { distribution: { kind: 'er' } } }).sparsity.distribution).toEqual({ kind: 'er' });
    expect(p({ training: { optimizer: { kind: 'adam' } } }).training.optimizer).toEqual({ kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true });
    expect(p({ training: { schedule: { kind: 'onecycle' } } }).training.schedule).toEqual({ kind: 'onecycle', pctStart: 0.3, div: 25, finalDiv: 1e4 });
    expect(p({ training: { schedule: { kind: 'cosine' } } }).training.schedule).toEqual({ kind: 'cosine', minLr: 0, warmupSteps: 0 });
    expect(p({ ensemble: { mode: 'edst' } }).ensemble).toEqual({ mode: 'edst', members: 3, explorationEpochs: 40, exploreRate: 0.8, drop: 'constant-0.5' });
    expect(p({ ensemble: { mode: 'prune-and-tune' } }).ensemble).toEqual({ mode: 'prune-and-tune', members: 6, maskKind: 'anti-random', tuneEpochs: 10, includeParent: false });
    expect(p({ tost: { smoothActivation: { kind: 'pswish' } } }).tost.smoothActivation).toEqual({ kind: 'pswish', betaStart: 1, betaEnd: 50, reluFrom: 0.5 });
    expect(p({ tost: { layerRescaledInit: { kind: 'gradinit' } } }).tost.layerRescaledInit).toEqual({ kind: 'gradinit', iters: 180, eta: 0.1, gamma: 1, lr: 0.01, minScale: 0.01, afterMask: true });
    expect(p({ data: { dataset: 'mnist' } }).data).toEqual({ dataset: 'mnist', validationSize: 1000, testSize: 1000, trainLimit: 0, seed: 20240601, normalize: 'standardize' });
    expect(p({ data: { dataset: 'fashion-mnist' } }).data).toMatchObject({ validationSize: 5000, testSize: 5000, trainLimit: 0 });
    expect(p({ data: { dataset: 'user' } }).data).toEqual({ dataset: 'user', classes: 2, validation: 0.1, test: 0.2, seed: 1, normalize: 'standardize' });
    expect(p({ model: { kind: 'lenet5-caffe' } }).model).toEqual({ kind: 'lenet5-caffe', init: 'he', sparseAwareInit: false });
  });

  it('know the classes and the image datasets', () => {
    const data = (d: object) => ExperimentConfig.parse({ data: d }).data;
    expect(classCount(data({ dataset: 'spiral', arms: 5 }))).toBe(5);
    expect(classCount(data({ dataset: 'blobs', classes: 4 }))).toBe(4);
    expect(classCount(data({ dataset: 'moons' }))).toBe(2);
    expect(classCount(data({ dataset: 'fashion-mnist' }))).toBe(10);
    expect(isImageDataset('mnist') && isImageDataset('fashion-mnist') && !isImageDataset('xor')).toBe(true);
  });
});
