// From the one experiment config (URL hash, saved run, headless runner) to a trainer setup:
// generates or takes the data, makes the split the config describes, and maps every setting of a
// single run (ToST tricks included). The ensemble modes are built on this by src/ensemble
// (ensembleSetupFromConfig), which also runs the steps that follow Trainer.create.
import { classCount, lotteryPruneFraction, splitSizes, streamSeed, type ExperimentConfig } from '../config';
import { balancedBatch, fractionSplit, generate2D, stratifiedSplit, type Split } from '../data';
import type { GradInitOptions } from './gradinit';
import type { InitMaskMethod, LotteryOptions } from './init-masks';
import type { TostSetup } from './tost';
import { densityOfSparsity, type DensityRule } from '../sparsity';
import { mulberry32, permutation } from '../util/rng';
import type { LrSchedule } from './lr-schedule';
import { lenet5CaffeLayers, mlpLayers, type LayerSpec } from './layers';
import type { NetworkData } from './network';
import type { OptimizerSetup, TrainerSetup } from './trainer-setup';

/** Data the caller already has: generated or drawn points, or a loaded image dataset. */
export type DatasetInput =
  | {
      kind: 'points';
      points: Float32Array /* (n, 2) */;
      labels: Uint32Array;
      classes: number;
      /** The last `extraTrain` points were drawn by the learner: they all go to the training split. */
      extraTrain?: number;
    }
  | { kind: 'images'; images: Uint8Array /* (n, h·w) */; labels: ArrayLike<number>; width: number; height: number; classes: number; pixelMean: number; pixelStd: number };

/** Probe set size: test examples predicted often for function-space snapshots. */
export const PROBE_SIZE = 256;

/**
 * The probe set: PROBE_SIZE test examples evenly spread over the test split. Not its first ones:
 * image test splits are ordered by class, and a prefix would hold only the first classes.
 */
export function probeIndices(evalIdx: Uint32Array, size = PROBE_SIZE): Uint32Array {
  if (evalIdx.length <= size) return evalIdx;
  return Uint32Array.from({ length: size }, (_, k) => evalIdx[Math.floor((k * evalIdx.length) / size)]!);
}

/** Decision-boundary grid of 2-D runs: GRID_SIZE × GRID_SIZE points over the data's range. */
export const GRID_SIZE = 48;

/** Where the grid points of a 2-D run lie (data coordinates): row-major, y from top to bottom. */
export interface GridSpec {
  size: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * The G·G grid points covering the points' range with a 10 % margin, row r (top, y1) to the
 * bottom, column c left to right: point (r·G + c).
 */
export function gridPoints(points: Float32Array, size = GRID_SIZE): { grid: GridSpec; values: Float32Array } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    x0 = Math.min(x0, points[i]!);
    x1 = Math.max(x1, points[i]!);
    y0 = Math.min(y0, points[i + 1]!);
    y1 = Math.max(y1, points[i + 1]!);
  }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [-1, 1, -1, 1];
  const mx = (x1 - x0) * 0.1 || 1;
  const my = (y1 - y0) * 0.1 || 1;
  const grid = { size, x0: x0 - mx, x1: x1 + mx, y0: y0 - my, y1: y1 + my };
  const values = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      values[(r * size + c) * 2] = grid.x0 + ((c + 0.5) / size) * (grid.x1 - grid.x0);
      values[(r * size + c) * 2 + 1] = grid.y1 - ((r + 0.5) / size) * (grid.y1 - grid.y0);
    }
  }
  return { grid, values };
}

export interface ConfigRun {
  setup: TrainerSetup;
  split: Split;
  /**
   * What to do after Trainer.create: a mask at initialisation (applyMaskAtInit), or a lottery
   * ticket run (lotteryTicket; the setup then starts dense and static), then train.
   */
  mask: { kind: 'init'; method: InitMaskMethod } | { kind: 'lottery'; options: LotteryOptions; reinitControl: boolean };
  /** ToST GradInit-style layer scales, searched after the mask is chosen (applyGradInit). */
  rescale: GradInitOptions | null;
  /** 2-D data: the decision-boundary grid (its points follow the data's, setup.gridIdx). */
  grid: GridSpec | null;
}

/** The config's generated 2-D dataset (not for 'user', which is drawn, or image datasets). */
export function generatedData(config: ExperimentConfig): DatasetInput {
  const d = config.data;
  const common = { n: 0, noise: 0, seed: d.seed };
  switch (d.dataset) {
    case 'spiral':
      return points(generate2D('spiral', { ...common, n: d.points, noise: d.noise, arms: d.arms, turns: d.turns }));
    case 'blobs':
      return points(generate2D('blobs', { ...common, n: d.points, noise: d.noise, classes: d.classes }));
    case 'moons':
    case 'circles':
    case 'xor':
      return points(generate2D(d.dataset, { ...common, n: d.points, noise: d.noise }));
    default:
      throw new Error(`dataset "${d.dataset}" is not generated: load it and pass it in`);
  }
}

function points(g: { points: Float32Array; labels: Uint32Array; classes: number }): DatasetInput {
  return { kind: 'points', ...g };
}

/** The ToST switches as the trainer takes them (label smoothing goes to the loss). */
export function tostSetup(config: ExperimentConfig): TostSetup {
  const t = config.tost;
  const a = t.smoothActivation;
  return {
    ...(a.kind === 'off' ? {} : { smooth: a.kind === 'swish' ? { kind: 'swish', reluFrom: a.reluFrom } : { kind: 'pswish', betaStart: a.betaStart, betaEnd: a.betaEnd, reluFrom: a.reluFrom } }),
    ...(t.ghostSkip.enabled ? { ghost: { initScale: t.ghostSkip.initScale, endFraction: t.ghostSkip.endFraction } } : {}),
  };
}

export function trainerSetupFromConfig(config: ExperimentConfig, data: DatasetInput): ConfigRun {
  const classes = classCount(config.data);
  if (data.classes !== classes) throw new Error(`the data has ${data.classes} classes, the config ${classes}`);
  const labels = Uint32Array.from(data.labels);
  const extra = data.kind === 'points' ? (data.extraTrain ?? 0) : 0;
  const base = makeSplit(config, labels.subarray(0, labels.length - extra));
  const split = extra === 0 ? base : { ...base, train: Uint32Array.from([...base.train, ...Array.from({ length: extra }, (_, i) => labels.length - extra + i)]) };
  const tr = config.training;
  const batch = tr.batchSize;
  const perEpoch = Math.floor(split.train.length / batch);
  if (perEpoch < 1) throw new Error(`the training split (${split.train.length}) is smaller than one batch (${batch})`);
  const totalSteps = perEpoch * tr.epochs;
  const target = config.sparsity.target;
  const m = config.model;
  const mask = maskPlan(config, labels, split, target);
  const lottery = mask.kind === 'lottery';
  const r = config.tost.layerRescaledInit;
  const evalIdx = split.test.length > 0 ? split.test : split.val;
  const netData = mlpData(config, data, split);
  const g = data.kind === 'points' ? gridPoints(data.points) : null;
  if (g && data.kind === 'points') {
    // The grid points ride along after the data (label 0, never trained on): one dataset buffer.
    const values = new Float32Array(data.points.length + g.values.length);
    values.set(data.points);
    values.set(g.values, data.points.length);
    const labels = new Uint32Array(netData.labels.length + g.grid.size ** 2);
    labels.set(netData.labels);
    netData.values = values;
    netData.labels = labels;
  }
  return {
    split,
    mask,
    grid: g?.grid ?? null,
    rescale: r.kind === 'gradinit' ? { iters: r.iters, eta: r.eta, gamma: r.gamma, lr: r.lr, minScale: r.minScale, afterMask: r.afterMask } : null,
    setup: {
      layers: modelLayers(config, data, classes),
      members: config.ensemble.members,
      batch,
      seed: config.seed,
      density: lottery ? 1 : densityOfSparsity(target), // a lottery run starts dense and prunes round by round
      densityRule: densityRule(config),
      init: m.init,
      sparseAwareInit: m.sparseAwareInit || r.kind === 'closed-form',
      method: target === 0 ? 'dense' : config.dst.method,
      schedule: {
        deltaT: config.dst.deltaT,
        alpha: config.dst.dropFraction,
        decay: config.dst.decay,
        tEnd: Math.floor(config.dst.tEndFraction * totalSteps),
        beginStep: config.dst.beginStep,
      },
      portCompatible: config.dst.portCompatible,
      storage: config.training.storage,
      fused: config.training.fused,
      optimizer: optimizer(config),
      lr: lrSchedule(config),
      totalSteps,
      labelSmoothing: config.tost.labelSmoothing,
      data: netData,
      trainIdx: split.train,
      evalIdx,
      valIdx: split.val,
      probeIdx: probeIndices(evalIdx),
      ...(g ? { gridIdx: Uint32Array.from({ length: g.grid.size ** 2 }, (_, i) => data.labels.length + i) } : {}),
      stepsPerSubmit: tr.stepsPerSubmit,
      tost: tostSetup(config),
    },
  };
}

function makeSplit(config: ExperimentConfig, labels: Uint32Array): Split {
  const d = config.data;
  if (d.dataset === 'mnist' || d.dataset === 'fashion-mnist') {
    const split = stratifiedSplit(labels, { val: d.validationSize, test: d.testSize }, d.seed);
    if (d.trainLimit === 0 || d.trainLimit >= split.train.length) return split;
    // A seeded random subset, so a small training set keeps every class.
    const order = permutation(split.train.length, mulberry32(d.seed));
    const train = Uint32Array.from(order.subarray(0, d.trainLimit), (i) => split.train[i]!).sort();
    return { ...split, train };
  }
  if (d.dataset === 'cifar10' || d.dataset === 'cifar100') throw new Error(`${d.dataset} is trained by the Python package only (docs/SCALE-OUT.md)`);
  const sizes = splitSizes(d);
  const n = labels.length;
  // Drawn points have no fixed count in the config: use its fractions on what was drawn.
  const trainFraction = sizes ? sizes.train / n : 1 - d.validation - d.test;
  const valFraction = sizes ? sizes.validation / n : d.validation;
  return fractionSplit(labels, { train: trainFraction, val: valFraction }, d.seed);
}

function maskPlan(config: ExperimentConfig, labels: Uint32Array, split: Split, target: number): ConfigRun['mask'] {
  const m = config.sparsity.mask;
  // The pruning batch: class-balanced, drawn from the training split with the mask stream's seed.
  const examples = (perClass: number): Uint32Array => Uint32Array.from(balancedBatch(labels, split.train, perClass, mulberry32(streamSeed(config.seed, 0, 'mask')), classCount(config.data)));
  switch (m.kind) {
    case 'random':
      return { kind: 'init', method: { kind: 'random' } };
    case 'magnitude':
      return { kind: 'init', method: { kind: 'magnitude', scope: m.scope } };
    case 'snip':
      return { kind: 'init', method: { kind: 'snip', scope: m.scope, examples: examples(m.samplesPerClass) } };
    case 'grasp':
      return { kind: 'init', method: { kind: 'grasp', scope: m.scope, examples: examples(m.samplesPerClass), temperature: m.temperature } };
    case 'synflow':
      return { kind: 'init', method: { kind: 'synflow', scope: m.scope, rounds: m.rounds } };
    case 'lottery':
      return {
        kind: 'lottery',
        options: { rounds: m.rounds, pruneFraction: m.pruneFraction ?? lotteryPruneFraction(target, m.rounds), rewindStep: m.rewindStep, scope: m.scope },
        reinitControl: m.reinitControl,
      };
  }
}

function modelLayers(config: ExperimentConfig, data: DatasetInput, classes: number): LayerSpec[] {
  const m = config.model;
  const inputDim = data.kind === 'points' ? 2 : data.width * data.height;
  if (m.kind === 'mlp') return mlpLayers(inputDim, m.hidden, classes, m.activation);
  if (m.kind === 'lenet-300-100') return mlpLayers(inputDim, [300, 100], classes, 'relu');
  if (data.kind !== 'images' || data.width !== 28 || data.height !== 28) throw new Error('LeNet-5-Caffe needs 28x28 images');
  return lenet5CaffeLayers(classes);
}

function mlpData(config: ExperimentConfig, data: DatasetInput, split: Split): NetworkData {
  const standardize = config.data.normalize === 'standardize';
  const labels = Uint32Array.from(data.labels);
  if (data.kind === 'images') {
    return { kind: 'images', values: data.images, dim: data.width * data.height, labels, mean: standardize ? data.pixelMean : 0, std: standardize ? data.pixelStd : 1 };
  }
  let mean = 0;
  let std = 1;
  if (standardize) {
    // One scalar mean and std over both coordinates of the training points (keeps the shape).
    let sum = 0;
    let sq = 0;
    for (const i of split.train) for (let d = 0; d < 2; d++) sum += data.points[i * 2 + d]!;
    mean = sum / (2 * split.train.length);
    for (const i of split.train) for (let d = 0; d < 2; d++) sq += (data.points[i * 2 + d]! - mean) ** 2;
    std = Math.sqrt(sq / (2 * split.train.length)) || 1;
  }
  return { kind: 'points', values: data.points, dim: 2, labels, mean, std };
}

function densityRule(config: ExperimentConfig): DensityRule {
  const d = config.sparsity.distribution;
  if (d.kind === 'uniform') return { kind: 'uniform', denseFirst: d.denseFirst, denseLast: d.denseLast };
  if (d.kind === 'er') return d.epsilon === undefined ? { kind: 'er' } : { kind: 'er', epsilon: d.epsilon };
  return { kind: 'erk', powerScale: d.powerScale };
}

function optimizer(config: ExperimentConfig): OptimizerSetup {
  const o = config.training.optimizer;
  if (o.kind === 'sgd') return { kind: 'sgd', momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay };
  return { kind: 'adam', beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, decoupled: o.decoupled };
}

function lrSchedule(config: ExperimentConfig): LrSchedule {
  const lr = config.training.optimizer.lr;
  const s = config.training.schedule;
  switch (s.kind) {
    case 'constant':
      return { kind: 'constant', lr };
    case 'multistep':
      return { kind: 'multistep', lr, gamma: s.gamma, milestones: s.milestones, unit: 'fraction' };
    case 'cosine':
      return { kind: 'cosine', lr, minLr: s.minLr, warmupSteps: s.warmupSteps };
    case 'onecycle':
      return { kind: 'onecycle', maxLr: lr, div: s.div, finalDiv: s.finalDiv, pctStart: s.pctStart };
  }
}
