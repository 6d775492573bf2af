// A trainer setup for 2-D point data, shared by the engine and ensemble GPU tests: an MLP with
// RigL at 50 % (ERK), SGD with momentum, constant lr; each test overrides what it is about.
import type { Split } from '../../src/data';
import { mlpLayers, type TrainerSetup } from '../../src/engine';

export function pointsSetup(data: { points: Float32Array; labels: Uint32Array; classes: number }, split: Split, over: Partial<TrainerSetup> = {}): TrainerSetup {
  return {
    layers: mlpLayers(2, [32, 32], data.classes, 'relu'),
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
    data: { kind: 'points', values: data.points, dim: 2, labels: data.labels, mean: 0, std: 1 },
    trainIdx: split.train,
    evalIdx: split.test,
    ...(split.val.length > 0 ? { valIdx: split.val } : {}),
    stepsPerSubmit: 16,
    ...over,
  };
}
