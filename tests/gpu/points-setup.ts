// The trainer setups the engine and ensemble GPU tests start from, in one place: RigL at 50 %
// (ERK), SGD with momentum, constant lr 0.1, 100 steps of batch 32, He init; each test overrides
// only what it is about (so a test's setup reads as the list of what it changes).
import type { Split } from '../../src/data';
import { mlpLayers, type NetworkData, type TrainerSetup } from '../../src/engine';

/** Any data (points or images) with its training and held-out indices; `over.layers` gives the network. */
export function baseSetup(data: NetworkData, idx: { train: Uint32Array; test: Uint32Array; val?: Uint32Array }, over: Partial<TrainerSetup> & Pick<TrainerSetup, 'layers'>): TrainerSetup {
  return {
    members: 1,
    batch: 32,
    seed: 3,
    density: 0.5,
    densityRule: { kind: 'erk' },
    init: 'he',
    sparseAwareInit: false,
    method: 'rigl',
    schedule: { deltaT: 20, alpha: 0.3, decay: 'cosine', tEnd: 75, beginStep: 0 },
    portCompatible: false,
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
    lr: { kind: 'constant', lr: 0.1 },
    totalSteps: 100,
    labelSmoothing: 0,
    data,
    trainIdx: idx.train,
    evalIdx: idx.test,
    ...(idx.val && idx.val.length > 0 ? { valIdx: idx.val } : {}),
    stepsPerSubmit: 16,
    ...over,
  };
}

/** 2-D points (as src/data generates them) through a 2-32-32-classes ReLU MLP unless `over` says otherwise. */
export function pointsSetup(data: { points: Float32Array; labels: Uint32Array; classes: number }, split: Split, over: Partial<TrainerSetup> = {}): TrainerSetup {
  const values: NetworkData = { kind: 'points', values: data.points, dim: 2, labels: data.labels, mean: 0, std: 1 };
  return baseSetup(values, split, { layers: mlpLayers(2, [32, 32], data.classes, 'relu'), ...over });
}
