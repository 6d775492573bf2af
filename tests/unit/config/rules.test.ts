// Cross-field rules: each one fires on the field to change, with the reason, and stays quiet on
// the consistent settings next to it. Also the shared examples of docs/CONFIG.md are valid.
import { describe, expect, it } from 'vitest';
import { edstRefineEpochs, lotteryPruneFraction, parseConfig, splitSizes, stepsPerEpoch, totalSteps, trainPerClass } from '../../../src/config';
import { EDST_FASHION, LOTTERY_MNIST } from './examples';

type Input = Record<string, unknown>;
const errorsOf = (input: Input) => {
  const r = parseConfig({ version: 1, ...input });
  return r.ok ? [] : r.errors;
};
const pathsOf = (input: Input) => errorsOf(input).map((e) => e.path);
const parsed = (input: Input) => {
  const r = parseConfig({ version: 1, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
};
const DENSE = { sparsity: { target: 0 }, dst: { method: 'dense' } };

describe('derived quantities', () => {
  it('count splits and steps the way the rules do', () => {
    const d = parsed({});
    expect(splitSizes(d.data)).toEqual({ train: 420, validation: 60, test: 120 });
    expect([stepsPerEpoch(d), totalSteps(d), trainPerClass(d)]).toEqual([13, 1300, 140]);
    const mnist = parsed({ data: { dataset: 'mnist', validationSize: 500, testSize: 500, trainLimit: 1000 }, model: { kind: 'lenet5-caffe' } });
    expect(splitSizes(mnist.data)).toEqual({ train: 1000, validation: 500, test: 500 });
    expect(splitSizes(parsed({ data: { dataset: 'fashion-mnist' } }).data)).toEqual({ train: 59945, validation: 5000, test: 5000 });
    expect(splitSizes(parsed({ data: { dataset: 'moons', points: 101, validation: 0.05, test: 0.3 } }).data)).toEqual({ train: 66, validation: 5, test: 30 });
    expect(totalSteps(parsed({ data: { dataset: 'user' } }))).toBeNull();
    expect(lotteryPruneFraction(0.488, 3)).toBeCloseTo(0.2, 3);
    expect(edstRefineEpochs(parsed(EDST_FASHION))).toBe(6);
  });
});

describe('the documented examples', () => {
  it('are valid', () => {
    expect(errorsOf(EDST_FASHION)).toEqual([]);
    expect(errorsOf(LOTTERY_MNIST)).toEqual([]);
  });
});

describe('cross-field rules', () => {
  it('LeNets need an image dataset', () => {
    expect(errorsOf({ model: { kind: 'lenet5-caffe' } })).toEqual([{ path: 'model.kind', message: 'lenet5-caffe takes 28×28 images: choose data.dataset mnist or fashion-mnist, or use an mlp' }]);
    expect(pathsOf({ model: { kind: 'lenet-300-100' }, data: { dataset: 'xor' } })).toEqual(['model.kind']);
    expect(errorsOf({ model: { kind: 'lenet-300-100' }, data: { dataset: 'mnist' } })).toEqual([]);
  });

  it('more than one member needs an ensemble mode, and a mode needs two', () => {
    expect(errorsOf({ ensemble: { mode: 'none', members: 3 } })).toEqual([{ path: 'ensemble.members', message: '3 members need an ensemble mode: set ensemble.mode to dst, edst, prune-and-tune or dense' }]);
    expect(pathsOf({ ensemble: { mode: 'dst', members: 1 } })).toEqual(['ensemble.members']);
    expect(errorsOf({ ensemble: { mode: 'dst', members: 4 } })).toEqual([]);
  });

  it('dense runs have sparsity 0 and method dense, sparse runs neither', () => {
    expect(pathsOf({ dst: { method: 'dense' } })).toEqual(['sparsity.target']);
    expect(pathsOf({ sparsity: { target: 0 } })).toEqual(['dst.method']);
    expect(errorsOf(DENSE)).toEqual([]);
    expect(pathsOf({ ...DENSE, sparsity: { target: 0, mask: { kind: 'snip' } } })).toEqual(['sparsity.mask.kind']);
    expect(errorsOf({ ...DENSE, ensemble: { mode: 'dense', members: 3 } })).toEqual([]);
    expect(pathsOf({ ensemble: { mode: 'dense' } })).toEqual(['dst.method', 'sparsity.target']);
    expect(pathsOf({ ...DENSE, ensemble: { mode: 'dst' } })).toEqual(['dst.method']);
  });

  it('Prune-and-Tune: dense parent, sparse children, anti-random halves in pairs', () => {
    const pat = (ensemble: Input, rest: Input = {}) => pathsOf({ dst: { method: 'dense' }, ensemble: { mode: 'prune-and-tune', ...ensemble }, ...rest });
    expect(pat({})).toEqual([]);
    expect(pat({ members: 5 })).toEqual(['ensemble.members']);
    expect(pat({}, { sparsity: { target: 0.3 } })).toEqual(['sparsity.target']);
    expect(pat({ maskKind: 'random' }, { sparsity: { target: 0.3 } })).toEqual([]);
    expect(pat({}, { sparsity: { target: 0 } })).toEqual(['sparsity.target']);
    expect(pat({}, { sparsity: { mask: { kind: 'magnitude' } } })).toEqual(['sparsity.mask.kind']);
    expect(pathsOf({ ensemble: { mode: 'prune-and-tune' } })).toEqual(['dst.method']);
  });

  it('EDST: a dynamic method, constant lr, and phases that add up to training.epochs', () => {
    const edst = (over: Input) => errorsOf({ ...EDST_FASHION, ...over });
    expect(edst({ ensemble: { ...EDST_FASHION.ensemble, explorationEpochs: 10 } })).toEqual([{ path: 'ensemble.explorationEpochs', message: 'training.epochs − explorationEpochs = 20 epochs do not split into 3 equal refinement phases' }]);
    expect(edst({ ensemble: { ...EDST_FASHION.ensemble, refineEpochs: 5 } })).toEqual([{ path: 'ensemble.refineEpochs', message: 'exploration 12 + 3 × 5 = 27 epochs, but training.epochs is 30' }]);
    expect(edst({ ensemble: { ...EDST_FASHION.ensemble, refineEpochs: 6 } })).toEqual([]);
    expect(edst({ ensemble: { ...EDST_FASHION.ensemble, explorationEpochs: 30 } }).map((e) => e.path)).toEqual(['ensemble.explorationEpochs']);
    expect(edst({ ensemble: { ...EDST_FASHION.ensemble, explorationEpochs: 27 } }).map((e) => e.path)).toEqual(['ensemble.members']);
    expect(edst({ dst: { method: 'static' } }).map((e) => e.path)).toEqual(['dst.method']);
    expect(edst({ training: { ...EDST_FASHION.training, schedule: { kind: 'cosine' } } }).map((e) => e.path)).toEqual(['training.schedule.kind']);
    expect(edst({ dst: { ...EDST_FASHION.dst, decay: 'constant' }, ensemble: { ...EDST_FASHION.ensemble, drop: 'cosine' } }).map((e) => e.path)).toEqual(['ensemble.drop']);
  });

  it('lottery tickets: static mask, rounds that land on the target, rewind inside the run', () => {
    const lt = (mask: Input, rest: Input = {}) => errorsOf({ ...LOTTERY_MNIST, sparsity: { ...LOTTERY_MNIST.sparsity, mask: { ...LOTTERY_MNIST.sparsity.mask, ...mask } }, ...rest });
    expect(lt({ rounds: 3 })).toEqual([{ path: 'sparsity.mask.pruneFraction', message: '3 rounds of 0.2 reach sparsity 0.488, not sparsity.target 0.672: use 0.3104, or leave it out' }]);
    expect(lt({ rounds: 3, pruneFraction: undefined })).toEqual([]);
    expect(lt({ rewindStep: 1330 })).toEqual([{ path: 'sparsity.mask.rewindStep', message: 'must be below the 1330 steps of one training run' }]);
    expect(lt({}, { dst: { method: 'rigl' } }).map((e) => e.path)).toEqual(['dst.method']);
    expect(lt({}, { ensemble: { mode: 'edst' } }).map((e) => e.path)).toContain('ensemble.mode');
  });

  it('SNIP and GraSP batches must fit in the training split', () => {
    const small = { data: { dataset: 'spiral', points: 60 } };
    expect(errorsOf({ ...small, sparsity: { mask: { kind: 'grasp', samplesPerClass: 20 } }, training: { batchSize: 8 } })).toEqual([
      { path: 'sparsity.mask.samplesPerClass', message: 'grasp needs 20 training examples of every class, but the training split has about 14 per class' },
    ]);
    expect(errorsOf({ ...small, sparsity: { mask: { kind: 'snip' } }, training: { batchSize: 8 } })).toEqual([]);
  });

  it('optimizer: Nesterov and SNFS need momentum', () => {
    expect(pathsOf({ training: { optimizer: { kind: 'sgd', momentum: 0, nesterov: true } } })).toEqual(['training.optimizer.nesterov']);
    expect(pathsOf({ dst: { method: 'snfs' }, training: { optimizer: { kind: 'sgd', momentum: 0 } } })).toEqual(['training.optimizer.momentum']);
    expect(pathsOf({ dst: { method: 'snfs' }, training: { optimizer: { kind: 'adam', beta1: 0 } } })).toEqual(['training.optimizer.beta1']);
    expect(errorsOf({ dst: { method: 'snfs' } })).toEqual([]);
  });

  it('held-out data leaves a training set', () => {
    expect(errorsOf({ data: { dataset: 'moons', validation: 0.4, test: 0.5 }, dst: { method: 'static' } })).toEqual([
      { path: 'data.validation', message: 'validation + test = 0.9 leave under 20 % of the points for training: keep the sum at most 0.8' },
    ]);
    const mnist = (data: Input) => errorsOf({ data: { dataset: 'mnist', ...data }, model: { kind: 'lenet5-caffe' } });
    expect(mnist({ validationSize: 5000, testSize: 5000 })).toEqual([{ path: 'data.validationSize', message: 'validationSize + testSize = 10000 leave none of the 10000 mnist images for training' }]);
    expect(mnist({ trainLimit: 9000 })).toEqual([{ path: 'data.trainLimit', message: 'only 8000 images remain for training after validationSize and testSize' }]);
    expect(mnist({ trainLimit: 2000 })).toEqual([]);
  });

  it('schedule and batch fit the run', () => {
    expect(pathsOf({ training: { schedule: { kind: 'cosine', minLr: 0.5 } } })).toEqual(['training.schedule.minLr']);
    expect(pathsOf({ training: { schedule: { kind: 'cosine', warmupSteps: 1300 } } })).toEqual(['training.schedule.warmupSteps']);
    expect(errorsOf({ training: { batchSize: 500 } })).toEqual([{ path: 'training.batchSize', message: '500 is larger than the 420 training examples' }]);
    expect(errorsOf({ data: { dataset: 'user' }, training: { batchSize: 4096 } })).toEqual([]);
  });

  it('DST needs room for at least two mask updates before T_end', () => {
    expect(errorsOf({ dst: { beginStep: 1000 } })).toEqual([{ path: 'dst.beginStep', message: 'no mask update would happen: updates stop at step 975 of 1300' }]);
    expect(pathsOf({ dst: { deltaT: 976 } })).toEqual(['dst.deltaT']);
    expect(errorsOf({ dst: { deltaT: 975 } })).toEqual([]);
    expect(errorsOf({ dst: { method: 'static', deltaT: 5000 } })).toEqual([]);
    expect(errorsOf({ dst: { method: 'snfs', deltaT: 5000 } })).toEqual([]); // once per epoch, own schedule
    // EDST with FreeTickets' constant 0.5 updates to the end, whatever tEndFraction says
    expect(errorsOf({ ...EDST_FASHION, dst: { method: 'rigl', deltaT: 5000, tEndFraction: 0.01 } })).toEqual([]);
    expect(errorsOf({ ...EDST_FASHION, dst: { method: 'rigl', deltaT: 14041 } })).toEqual([{ path: 'dst.deltaT', message: '14041 steps leave room for one mask update only (updates stop at step 14040 of 14040)' }]);
  });

  it('ToST: smooth activations replace ReLU; closed-form rescaling is not applied twice; skips need hidden layers', () => {
    expect(pathsOf({ model: { kind: 'mlp', activation: 'tanh' }, tost: { smoothActivation: { kind: 'swish' } } })).toEqual(['tost.smoothActivation.kind']);
    expect(pathsOf({ model: { kind: 'mlp', sparseAwareInit: true }, tost: { layerRescaledInit: { kind: 'closed-form' } } })).toEqual(['tost.layerRescaledInit.kind']);
    expect(pathsOf({ model: { kind: 'mlp', hidden: [] }, tost: { ghostSkip: { enabled: true } } })).toEqual(['tost.ghostSkip.enabled']);
    expect(errorsOf({ tost: { smoothActivation: { kind: 'pswish' }, ghostSkip: { enabled: true }, labelSmoothing: 0.1, layerRescaledInit: { kind: 'gradinit' } } })).toEqual([]);
  });

  it('reports several cross-field errors together', () => {
    expect(pathsOf({ model: { kind: 'lenet5-caffe' }, ensemble: { mode: 'none', members: 2 }, dst: { method: 'dense' }, training: { batchSize: 1000 } })).toEqual([
      'model.kind',
      'ensemble.members',
      'sparsity.target',
      'training.batchSize',
    ]);
  });
});

describe('ToST with ensembles', () => {
  it('EDST members are plain sparse networks: the ghosts must be gone by the end of exploration', () => {
    const base = { version: 1, training: { epochs: 30, schedule: { kind: 'constant' } }, data: { dataset: 'spiral', validation: 0.2 }, ensemble: { mode: 'edst', explorationEpochs: 12 } };
    const bad = parseConfig({ ...base, tost: { ghostSkip: { enabled: true, endFraction: 0.5 }, smoothActivation: { kind: 'swish', reluFrom: 0.6 } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.path).sort()).toEqual(['tost.ghostSkip.endFraction', 'tost.smoothActivation.reluFrom']);
    expect(parseConfig({ ...base, tost: { ghostSkip: { enabled: true, endFraction: 0.4 } } }).ok).toBe(true);
    const noVal = parseConfig({ ...base, data: { dataset: 'spiral', validation: 0 } });
    expect(noVal.ok).toBe(false);
    if (!noVal.ok) expect(noVal.errors[0]!.message).toMatch(/validation split/);
  });
  it('Prune-and-Tune refuses the annealed ghosts', () => {
    const r = parseConfig({ version: 1, dst: { method: 'dense' }, ensemble: { mode: 'prune-and-tune' }, tost: { ghostSkip: { enabled: true } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain('tost.smoothActivation.kind');
  });
});

describe('hidden layers wider than 1,024', () => {
  const WIDE = { data: { dataset: 'mnist' }, model: { kind: 'mlp', hidden: [4096, 4096] }, sparsity: { target: 0.99 }, dst: { method: 'rigl' } };
  it('train sparse on the sparse storage, up to 16,384', () => {
    expect(errorsOf(WIDE)).toEqual([]);
    expect(errorsOf({ ...WIDE, model: { kind: 'mlp', hidden: [16384] }, training: { storage: 'sparse' } })).toEqual([]);
    expect(pathsOf({ ...WIDE, model: { kind: 'mlp', hidden: [16385] } })).toEqual(['model.hidden.0']);
  });
  it('are refused, naming the field to change and why, on the masked storage, dense, SNFS or a lottery ticket', () => {
    const [masked] = errorsOf({ ...WIDE, training: { storage: 'masked' } });
    expect(masked).toEqual({ path: 'training.storage', message: expect.stringMatching(/^hidden layers wider than 1024 \(here 4096\) train on the sparse storage only, since the masked storage keeps .* every connection: set training.storage to auto or sparse$/) });
    expect(pathsOf({ ...WIDE, ...DENSE })).toEqual(['sparsity.target']);
    expect(errorsOf({ ...WIDE, dst: { method: 'snfs' } })).toEqual([{ path: 'dst.method', message: expect.stringMatching(/SNFS keeps momentum for every connection: use static, set or rigl$/) }]);
    expect(pathsOf({ ...WIDE, sparsity: { target: 0.99, mask: { kind: 'lottery' } } })).toContain('sparsity.mask.kind');
    expect(errorsOf({ ...WIDE, model: { kind: 'mlp', hidden: [1024, 1024] }, training: { storage: 'masked' } })).toEqual([]);
  });
});
