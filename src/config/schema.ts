// The one experiment-config schema, version 1 (docs/ARCHITECTURE.md §2 "config/").
//
// A config says everything that decides a run: seed, data, model, sparsity, dynamic sparse
// training (DST), optimisation, ensemble and ToST tricks. The URL hash, saved runs, the UI's
// export and the headless runner all read it through parseConfig (validate.ts); decodeConfig
// (codec.ts) stores only the fields that differ from these defaults.
//
// Rules kept here: every field has a default (so `ExperimentConfig.parse({})` is a complete
// run), every number has bounds, choices are string literals, and a choice that carries options
// is a discriminated union (`kind`, or `dataset` / `mode` where that reads better). Objects are
// strict: a misspelt field is reported, not silently dropped. Rules that relate two fields live
// in rules.ts. Defaults are part of the version: changing one means a new version (docs/CONFIG.md).
import { z } from 'zod';
import { DataSchema } from './data';
import { bool, int, intIn, num, numIn, oneOf, tag, u32 } from './fields';

export { CIFAR_DATASETS, CIFAR_TEST, CIFAR_TRAIN, DATASETS, DATASETS_2D, IMAGE_DATASETS, IMAGE_SPLIT_SEED, IMAGE_TOTALS, classCount, isImageDataset } from './data';
export type { Dataset } from './data';

export const CONFIG_VERSION = 1;

// ---- model (docs/METHODS.md §1.2 shapes, §7.2 LeNet-5-Caffe) --------------------------------------
/** Models only the Python package trains (docs/SCALE-OUT.md). */
export const CIFAR_MODELS = ['resnet18', 'resnet32', 'vgg16', 'wrn-28-10'] as const;
const commonModel = {
  init: oneOf(['he', 'glorot'], 'he'),
  sparseAwareInit: bool(false), // std ÷ √density per layer (§3.5 closed form)
};
const ModelSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: tag(['mlp']),
      // Above 1,024 a layer trains on the sparse storage only (rules.ts wideLayers, docs/CONFIG.md).
      hidden: z.array(intIn(1, 16384), { error: 'must be a list of layer widths' }).max(8, { error: 'at most 8 hidden layers' }).default(() => [32, 32]),
      activation: oneOf(['relu', 'tanh', 'swish', 'pswish'], 'relu'),
      ...commonModel,
    }),
    z.strictObject({ kind: tag(['lenet-300-100', 'lenet5-caffe']), ...commonModel }),
    // The papers' CIFAR models (BatchNorm after every conv): the Python package trains them; the
    // browser refuses them by name (rules.ts pythonOnly) and points to Export › PyTorch.
    z.strictObject({ kind: tag(CIFAR_MODELS), ...commonModel }),
  ])
  .prefault({ kind: 'mlp' });

// ---- sparsity: how much, where, and which initial mask (§1.2, §4) -------------------------------
const scope = oneOf(['global', 'per-layer'], 'global');
const DistributionSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: tag(['uniform']), denseFirst: bool(true), denseLast: bool(false) }),
    z.strictObject({ kind: tag(['er']), epsilon: numIn(0.01, 1000).optional() }),
    z.strictObject({ kind: tag(['erk']), powerScale: num(0, 2, 1) }),
  ])
  .prefault({ kind: 'erk' });
const MaskSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: tag(['random']) }),
    z.strictObject({ kind: tag(['magnitude']), scope }),
    z.strictObject({ kind: tag(['snip']), scope, samplesPerClass: int(1, 100, 10) }),
    z.strictObject({ kind: tag(['grasp']), scope, temperature: num(1, 10000, 200), samplesPerClass: int(1, 100, 10) }),
    z.strictObject({ kind: tag(['synflow']), scope, rounds: int(1, 1000, 100) }),
    z.strictObject({
      kind: tag(['lottery']),
      scope,
      rounds: int(1, 20, 3),
      pruneFraction: numIn(0.01, 0.99).optional(), // absent: 1 − (1 − target)^(1/rounds)
      rewindStep: int(0, 1_000_000, 0),
      reinitControl: bool(false),
    }),
  ])
  .prefault({ kind: 'random' });
const SparsitySchema = z
  .strictObject({
    target: num(0, 0.999, 0.5),
    distribution: DistributionSchema,
    mask: MaskSchema,
  })
  .prefault({});

// ---- dynamic sparse training (§1.1, §1.4–1.6, §2.5) ---------------------------------------------
const DstSchema = z
  .strictObject({
    method: oneOf(['dense', 'static', 'set', 'rigl', 'snfs'], 'rigl'),
    deltaT: int(1, 100_000, 100),
    dropFraction: num(0.01, 0.99, 0.3),
    decay: oneOf(['cosine', 'constant'], 'cosine'),
    tEndFraction: num(0.01, 1, 0.75),
    beginStep: int(0, 1_000_000, 0),
    portCompatible: bool(false),
  })
  .prefault({});

// ---- training ------------------------------------------------------------------------------------
const OptimizerSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: tag(['sgd']),
      lr: num(1e-6, 10, 0.1),
      momentum: num(0, 0.999, 0.9),
      nesterov: bool(false),
      weightDecay: num(0, 0.1, 1e-4),
    }),
    z.strictObject({
      kind: tag(['adam']),
      lr: num(1e-6, 1, 1e-3),
      beta1: num(0, 0.9999, 0.9),
      beta2: num(0, 0.99999, 0.999),
      eps: num(1e-12, 0.01, 1e-8),
      weightDecay: num(0, 1, 0),
      decoupled: bool(true),
    }),
  ])
  .prefault({ kind: 'sgd' });
const increasing = (a: readonly number[]) => a.every((v, i) => i === 0 || v > (a[i - 1] ?? -Infinity));
const ScheduleSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: tag(['constant']) }),
    z.strictObject({
      kind: tag(['multistep']),
      milestones: z
        .array(numIn(0.01, 0.99), { error: 'must be a list of fractions of training' })
        .min(1, { error: 'needs at least one milestone' })
        .max(8, { error: 'at most 8 milestones' })
        .refine(increasing, { error: 'must increase strictly' })
        .default(() => [0.5, 0.75]),
      gamma: num(0.001, 1, 0.1),
    }),
    z.strictObject({ kind: tag(['cosine']), minLr: num(0, 10, 0), warmupSteps: int(0, 1_000_000, 0) }),
    z.strictObject({ kind: tag(['onecycle']), pctStart: num(0.01, 0.99, 0.3), div: num(1, 10000, 25), finalDiv: num(1, 1e6, 1e4) }),
  ])
  .prefault({ kind: 'multistep' });
const TrainingSchema = z
  .strictObject({
    epochs: int(1, 1000, 100),
    batchSize: int(1, 4096, 32),
    optimizer: OptimizerSchema,
    schedule: ScheduleSchema,
    evalEvery: int(1, 1_000_000, 50),
    stepsPerSubmit: int(1, 256, 16),
    // How dense layers keep their weights: masked (dense W ⊙ mask), sparse (the active connections
    // only), or auto (sparse below the measured crossover density). Both give the same floats.
    storage: oneOf(['auto', 'masked', 'sparse'], 'auto'),
    // Small MLPs on 2-D points: ordinary steps in one dispatch (src/engine/fused-steps.ts), or off
    // (every step kernel by kernel). Both give the same floats; the choice changes speed only.
    fused: oneOf(['auto', 'off'], 'auto'),
  })
  .prefault({});

// ---- ensembles (§2.1, §2.2, §2.3, §5) -------------------------------------------------------------
const members = (def: number) => int(1, 8, def);
const EnsembleSchema = z
  .discriminatedUnion('mode', [
    z.strictObject({ mode: tag(['none']), members: members(1) }),
    z.strictObject({ mode: tag(['dst', 'dense']), members: members(3) }),
    z.strictObject({
      mode: tag(['edst']),
      members: members(3),
      explorationEpochs: int(1, 1000, 40),
      refineEpochs: intIn(1, 1000).optional(), // absent: (training.epochs − explorationEpochs) / members
      exploreRate: num(0, 0.99, 0.8), // 0: no global exploration (the q = 0 ablation, docs/METHODS.md §7.6)
      drop: oneOf(['constant-0.5', 'cosine'], 'constant-0.5'),
    }),
    z.strictObject({
      mode: tag(['prune-and-tune']),
      members: members(6),
      maskKind: oneOf(['anti-random', 'random'], 'anti-random'),
      tuneEpochs: int(1, 1000, 10),
      includeParent: bool(false),
    }),
  ])
  .prefault({ mode: 'none' });

// ---- ToST: training a sparse net better with any mask (§3.2–3.5) ---------------------------------
const SmoothActivationSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: tag(['off']) }),
    z.strictObject({ kind: tag(['swish']), reluFrom: num(0, 1, 0.5) }),
    z.strictObject({ kind: tag(['pswish']), betaStart: num(0.1, 100, 1), betaEnd: num(0.1, 1000, 50), reluFrom: num(0, 1, 0.5) }),
  ])
  .prefault({ kind: 'off' });
const RescaledInitSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: tag(['off', 'closed-form']) }),
    z.strictObject({
      kind: tag(['gradinit']),
      iters: int(1, 1000, 180),
      eta: num(1e-4, 10, 0.1),
      gamma: num(1e-3, 100, 1),
      lr: num(1e-5, 1, 0.01),
      minScale: num(0, 1, 0.01),
      afterMask: bool(true),
    }),
  ])
  .prefault({ kind: 'off' });
const TostSchema = z
  .strictObject({
    smoothActivation: SmoothActivationSchema,
    ghostSkip: z.strictObject({ enabled: bool(false), initScale: num(0, 1, 1e-4), endFraction: num(0, 1, 0.5) }).prefault({}),
    labelSmoothing: num(0, 0.5, 0),
    layerRescaledInit: RescaledInitSchema,
  })
  .prefault({});

// ---- the whole config ---------------------------------------------------------------------------
export const ExperimentConfig = z.strictObject({
  version: z.literal(CONFIG_VERSION, { error: `must be ${CONFIG_VERSION}` }).default(CONFIG_VERSION),
  seed: u32(1),
  data: DataSchema,
  model: ModelSchema,
  sparsity: SparsitySchema,
  dst: DstSchema,
  training: TrainingSchema,
  ensemble: EnsembleSchema,
  tost: TostSchema,
});

/** A complete, valid config (what parseConfig returns). */
export type ExperimentConfig = z.output<typeof ExperimentConfig>;
/** What a person may write: every field optional, filled from the defaults. */
export type ExperimentConfigInput = z.input<typeof ExperimentConfig>;
export type { DataConfig } from './data';
export type ModelConfig = ExperimentConfig['model'];
export type SparsityConfig = ExperimentConfig['sparsity'];
export type DistributionConfig = SparsityConfig['distribution'];
export type MaskConfig = SparsityConfig['mask'];
export type DstConfig = ExperimentConfig['dst'];
export type TrainingConfig = ExperimentConfig['training'];
export type OptimizerConfig = TrainingConfig['optimizer'];
export type ScheduleConfig = TrainingConfig['schedule'];
export type EnsembleConfig = ExperimentConfig['ensemble'];
export type TostConfig = ExperimentConfig['tost'];
export type DstMethod = DstConfig['method'];

/** A fresh copy of the defaults: 3-arm spiral, MLP 2-32-32-3, 50 % ERK, RigL (docs/CONFIG.md). */
export function defaultConfig(): ExperimentConfig {
  return ExperimentConfig.parse({});
}
