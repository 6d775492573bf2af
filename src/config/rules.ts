// Cross-field rules: checks that relate two or more fields of an otherwise valid config.
//
// Each rule is a small pure function (docs/ARCHITECTURE.md §6: registries of small functions) that
// returns the errors it finds, each on the field a person should change, with the reason and a
// fix in the message. They run only after every single field parsed (validate.ts), so they can
// rely on types and ranges. The spec section behind each rule is given in docs/CONFIG.md.
import { edstRefineEpochs, lotteryPruneFraction, lotterySparsity, totalSteps, trainPerClass, splitSizes } from './derived';
import type { ExperimentConfig } from './schema';
import { CIFAR_DATASETS, CIFAR_MODELS, CIFAR_TRAIN, IMAGE_TOTALS, isImageDataset } from './schema';

export interface ConfigError {
  /** Dotted path of the field to change, e.g. `sparsity.target`; '' for the whole input. */
  path: string;
  message: string;
}

type Rule = (c: ExperimentConfig, steps: number | null) => ConfigError[];
const err = (path: string, message: string): ConfigError => ({ path, message });
const SPARSE_METHODS = 'static, set, rigl or snfs';

const isCifar = (d: string): boolean => (CIFAR_DATASETS as readonly string[]).includes(d);
const isCifarModel = (k: string): boolean => (CIFAR_MODELS as readonly string[]).includes(k);

/** LeNets are defined on 28×28 grey images (784 inputs), the CIFAR models on 32×32 colour ones. */
const imageModels: Rule = (c) => {
  const k = c.model.kind;
  if (isCifarModel(k)) return isCifar(c.data.dataset) ? [] : [err('model.kind', `${k} takes 32×32 colour images: choose data.dataset cifar10 or cifar100`)];
  return k !== 'mlp' && !isImageDataset(c.data.dataset) ? [err('model.kind', `${k} takes 28×28 images: choose data.dataset mnist or fashion-mnist, or use an mlp`)] : [];
};

/** The CIFAR models and data are the Python package's (docs/SCALE-OUT.md): the browser says so by name. */
const pythonOnly: Rule = (c) => {
  const out: ConfigError[] = [];
  const where = 'is trained by the Python package only (python/sparse_playground, docs/SCALE-OUT.md): run this config there';
  if (isCifar(c.data.dataset)) out.push(err('data.dataset', `${c.data.dataset} ${where}; the browser trains the 2-D sets, mnist and fashion-mnist`));
  if (isCifarModel(c.model.kind)) out.push(err('model.kind', `${c.model.kind} ${where}; the browser trains mlp, lenet-300-100 and lenet5-caffe`));
  return out;
};

const ensembleSize: Rule = ({ ensemble: e }) => {
  if (e.mode === 'none' && e.members > 1) return [err('ensemble.members', `${e.members} members need an ensemble mode: set ensemble.mode to dst, edst, prune-and-tune or dense`)];
  if (e.mode !== 'none' && e.members < 2) return [err('ensemble.members', `a ${e.mode} ensemble needs at least 2 members`)];
  return [];
};

/** Dense runs have sparsity 0 and method dense; sparse runs neither. Ensembles fix one side. */
const denseOrSparse: Rule = ({ sparsity: s, dst, ensemble: e }) => {
  const out: ConfigError[] = [];
  if (e.mode === 'prune-and-tune') {
    if (dst.method !== 'dense') out.push(err('dst.method', 'Prune-and-Tune trains a dense parent first: set dst.method to dense (sparsity.target is the children’s sparsity)'));
    if (s.target === 0) out.push(err('sparsity.target', 'Prune-and-Tune children are sparse: sparsity.target must be above 0'));
    else if (e.maskKind === 'anti-random' && s.target !== 0.5) out.push(err('sparsity.target', 'anti-random children are complementary halves of the parent: sparsity.target must be 0.5, or use ensemble.maskKind random'));
    if (e.maskKind === 'anti-random' && e.members % 2 === 1) out.push(err('ensemble.members', 'anti-random children come in complementary pairs: members must be even'));
    if (s.mask.kind !== 'random') out.push(err('sparsity.mask.kind', 'Prune-and-Tune draws its own child masks (ensemble.maskKind): leave sparsity.mask at random'));
    return out;
  }
  if (e.mode === 'dense') {
    if (dst.method !== 'dense') out.push(err('dst.method', 'a dense ensemble trains dense members: set dst.method to dense'));
    if (s.target !== 0) out.push(err('sparsity.target', 'a dense ensemble trains dense members: set sparsity.target to 0'));
  } else if (dst.method === 'dense' && s.target > 0) {
    out.push(err('sparsity.target', `dst.method dense trains every weight: set sparsity.target to 0, or choose dst.method ${SPARSE_METHODS}`));
  } else if (dst.method !== 'dense' && s.target === 0) {
    out.push(err('dst.method', `${dst.method} needs a sparse network: raise sparsity.target above 0, or set dst.method to dense`));
  }
  if (e.mode === 'dst' && dst.method === 'dense') out.push(err('dst.method', `a DST ensemble trains sparse members: choose ${SPARSE_METHODS}, or ensemble.mode dense`));
  if (s.target === 0 && s.mask.kind !== 'random') out.push(err('sparsity.mask.kind', 'a dense run has no mask: leave sparsity.mask at random'));
  return out;
};

/** EDST: one run = exploration + one refinement phase per member, each with its own lr (§2.2). */
const edst: Rule = (c) => {
  const e = c.ensemble;
  if (e.mode !== 'edst') return [];
  const out: ConfigError[] = [];
  if (!['set', 'rigl', 'snfs'].includes(c.dst.method)) out.push(err('dst.method', 'EDST explores by pruning and regrowing: choose set, rigl or snfs'));
  if (c.training.schedule.kind !== 'constant') out.push(err('training.schedule.kind', 'EDST sets its own learning rates (lr while exploring; lr/10 then lr/100 in each refinement): use constant'));
  const d = c.data;
  if (('validationSize' in d ? d.validationSize : d.validation) === 0) out.push(err('ensemble.mode', 'EDST picks each member as the best validation checkpoint of its phase: hold out a validation split'));
  if (e.drop === 'cosine' && c.dst.decay !== 'cosine') out.push(err('ensemble.drop', 'cosine follows dst.dropFraction with dst.decay cosine, but dst.decay is constant'));
  const rest = c.training.epochs - e.explorationEpochs;
  const refine = edstRefineEpochs(c) ?? 0;
  if (rest <= 0) {
    out.push(err('ensemble.explorationEpochs', `must be below training.epochs (${c.training.epochs}) to leave room for the refinement phases`));
  } else if (e.refineEpochs !== undefined && e.explorationEpochs + e.members * e.refineEpochs !== c.training.epochs) {
    out.push(err('ensemble.refineEpochs', `exploration ${e.explorationEpochs} + ${e.members} × ${e.refineEpochs} = ${e.explorationEpochs + e.members * e.refineEpochs} epochs, but training.epochs is ${c.training.epochs}`));
  } else if (!Number.isInteger(refine)) {
    out.push(err('ensemble.explorationEpochs', `training.epochs − explorationEpochs = ${rest} epochs do not split into ${e.members} equal refinement phases`));
  } else if (refine < 2) {
    out.push(err('ensemble.members', `each refinement phase needs at least 2 epochs (lr/10, then lr/100); ${e.members} members get ${refine}`));
  }
  return out;
};

const lottery: Rule = ({ sparsity: s, dst, ensemble: e }, steps) => {
  const m = s.mask;
  if (m.kind !== 'lottery') return [];
  const out: ConfigError[] = [];
  if (dst.method !== 'static') out.push(err('dst.method', 'a lottery ticket keeps its mask fixed while it trains: set dst.method to static'));
  if (e.mode !== 'none' && e.mode !== 'dst') out.push(err('ensemble.mode', 'lottery tickets combine only with independent runs: use none or dst'));
  if (m.pruneFraction !== undefined && s.target > 0) {
    const reached = lotterySparsity(m.pruneFraction, m.rounds);
    if (Math.abs(reached - s.target) > 0.005) {
      const fit = lotteryPruneFraction(s.target, m.rounds).toFixed(4);
      out.push(err('sparsity.mask.pruneFraction', `${m.rounds} rounds of ${m.pruneFraction} reach sparsity ${reached.toFixed(3)}, not sparsity.target ${s.target}: use ${fit}, or leave it out`));
    }
  }
  if (steps !== null && m.rewindStep >= steps) out.push(err('sparsity.mask.rewindStep', `must be below the ${steps} steps of one training run`));
  return out;
};

/** SNIP and GraSP score on a class-balanced batch drawn from the training split (§4, §4.1). */
const scorerBatch: Rule = (c) => {
  const m = c.sparsity.mask;
  if (m.kind !== 'snip' && m.kind !== 'grasp') return [];
  const perClass = trainPerClass(c);
  return perClass !== null && m.samplesPerClass > perClass
    ? [err('sparsity.mask.samplesPerClass', `${m.kind} needs ${m.samplesPerClass} training examples of every class, but the training split has about ${perClass} per class`)]
    : [];
};

const optimizer: Rule = ({ dst, training: t }) => {
  const o = t.optimizer;
  const out: ConfigError[] = [];
  if (o.kind === 'sgd' && o.nesterov && o.momentum === 0) out.push(err('training.optimizer.nesterov', 'Nesterov needs training.optimizer.momentum above 0'));
  if (dst.method === 'snfs') {
    if (o.kind === 'sgd' && o.momentum === 0) out.push(err('training.optimizer.momentum', 'snfs regrows where |momentum| is largest: momentum must be above 0'));
    if (o.kind === 'adam' && o.beta1 === 0) out.push(err('training.optimizer.beta1', 'snfs regrows where |momentum| is largest: beta1 must be above 0'));
  }
  return out;
};

const schedule: Rule = ({ training: t }, steps) => {
  const s = t.schedule;
  const out: ConfigError[] = [];
  if (s.kind === 'cosine' && s.minLr > t.optimizer.lr) out.push(err('training.schedule.minLr', `must not exceed training.optimizer.lr (${t.optimizer.lr})`));
  if (s.kind === 'cosine' && steps !== null && s.warmupSteps >= steps) out.push(err('training.schedule.warmupSteps', `must be below the ${steps} steps of the run`));
  return out;
};

/** Held-out data must leave a training set, and a batch must fit in it (src/data drops partial batches). */
const split: Rule = (c) => {
  const d = c.data;
  if (d.dataset === 'mnist' || d.dataset === 'fashion-mnist') {
    const rest = IMAGE_TOTALS[d.dataset] - d.validationSize - d.testSize;
    if (rest < 1) return [err('data.validationSize', `validationSize + testSize = ${d.validationSize + d.testSize} leave none of the ${IMAGE_TOTALS[d.dataset]} ${d.dataset} images for training`)];
    if (d.trainLimit > rest) return [err('data.trainLimit', `only ${rest} images remain for training after validationSize and testSize`)];
  } else if (d.dataset === 'cifar10' || d.dataset === 'cifar100') {
    if (d.trainLimit > CIFAR_TRAIN - d.validationSize) return [err('data.trainLimit', `only ${CIFAR_TRAIN - d.validationSize} images remain for training after validationSize`)];
  } else if (d.validation + d.test > 0.8) {
    return [err('data.validation', `validation + test = ${+(d.validation + d.test).toFixed(3)} leave under 20 % of the points for training: keep the sum at most 0.8`)];
  }
  const sizes = splitSizes(d);
  return sizes !== null && c.training.batchSize > sizes.train
    ? [err('training.batchSize', `${c.training.batchSize} is larger than the ${sizes.train} training examples`)]
    : [];
};

/**
 * SET/RigL updates happen at beginStep, beginStep + ΔT, … up to T_end (§1.5); at least two are
 * needed. SNFS updates once per epoch on its own schedule (§1.6), so it is not checked here.
 */
const dstWindow: Rule = (c, steps) => {
  const d = c.dst;
  if (steps === null || (d.method !== 'set' && d.method !== 'rigl')) return [];
  const noEnd = c.ensemble.mode === 'edst' && c.ensemble.drop === 'constant-0.5';
  const tEnd = noEnd ? steps : Math.floor(d.tEndFraction * steps);
  if (d.beginStep > tEnd) return [err('dst.beginStep', `no mask update would happen: updates stop at step ${tEnd} of ${steps}`)];
  if (d.deltaT > tEnd - d.beginStep) return [err('dst.deltaT', `${d.deltaT} steps leave room for one mask update only (updates stop at step ${tEnd} of ${steps})`)];
  return [];
};

const tost: Rule = ({ model, tost: t, ensemble: e, training }) => {
  const out: ConfigError[] = [];
  const annealed = t.smoothActivation.kind !== 'off' || t.ghostSkip.enabled;
  if (annealed && e.mode === 'prune-and-tune') out.push(err('tost.smoothActivation.kind', 'Prune-and-Tune children are clones of a trained parent: the annealed ToST ghosts (smooth activations, ghost skips) do not apply; turn them off'));
  if (annealed && e.mode === 'edst') {
    // EDST members are checkpoints of refinement phases: they must be plain sparse networks.
    const end = e.explorationEpochs / training.epochs;
    if (t.smoothActivation.kind !== 'off' && t.smoothActivation.reluFrom > end) out.push(err('tost.smoothActivation.reluFrom', `EDST members come from the refinement phases: the smooth activation must be ReLU again by the end of exploration (reluFrom ≤ ${+end.toFixed(3)})`));
    if (t.ghostSkip.enabled && t.ghostSkip.endFraction > end) out.push(err('tost.ghostSkip.endFraction', `EDST members come from the refinement phases: the ghost skips must be gone by the end of exploration (endFraction ≤ ${+end.toFixed(3)})`));
  }
  if (t.smoothActivation.kind !== 'off' && model.kind === 'mlp' && model.activation !== 'relu') out.push(err('tost.smoothActivation.kind', 'the smooth activation stands in for ReLU and anneals back to it: needs model.activation relu'));
  if (t.layerRescaledInit.kind === 'closed-form' && model.sparseAwareInit) out.push(err('tost.layerRescaledInit.kind', 'closed-form is the same ÷√density rescaling as model.sparseAwareInit: turn one of them off'));
  if (t.ghostSkip.enabled && model.kind === 'mlp' && model.hidden.length === 0) out.push(err('tost.ghostSkip.enabled', 'ghost skips bypass hidden layers, and the MLP has none'));
  return out;
};

/** The widest hidden layer of a network that may train on the masked storage (it keeps every connection). */
export const MASKED_MAX_WIDTH = 1024;

/**
 * Hidden layers wider than MASKED_MAX_WIDTH train on the sparse storage only, so they need a
 * sparse method it serves and a storage setting that lets it (the engine then checks each layer's
 * starting density, src/engine/storage-choice.ts maskedTooLarge).
 */
const wideLayers: Rule = (c) => {
  if (c.model.kind !== 'mlp') return [];
  const widest = Math.max(...c.model.hidden);
  if (widest <= MASKED_MAX_WIDTH) return [];
  const why = `hidden layers wider than ${MASKED_MAX_WIDTH} (here ${widest}) train on the sparse storage only, since the masked storage keeps a weight, a gradient, a mask bit and optimizer state for every connection`;
  if (c.training.storage === 'masked') return [err('training.storage', `${why}: set training.storage to auto or sparse`)];
  if (c.dst.method === 'dense' || c.sparsity.target === 0) return [err('sparsity.target', `${why}, and a dense network keeps every connection: train it sparse (e.g. sparsity.target 0.99 with dst.method rigl or set)`)];
  if (c.dst.method === 'snfs' || c.dst.portCompatible) return [err('dst.method', `${why}, and ${c.dst.method === 'snfs' ? 'SNFS keeps momentum for every connection' : 'the port-compatible style computes the dense weight gradient every step'}: use static, set or rigl`)];
  if (c.sparsity.mask.kind === 'lottery') return [err('sparsity.mask.kind', `${why}, and a lottery ticket trains the dense network first: use random, magnitude, snip, grasp or synflow`)];
  return [];
};

/** The sparse storage holds the active connections only: no method that keeps state for every weight. */
const storage: Rule = (c) => {
  if (c.training.storage !== 'sparse') return [];
  if (c.dst.method === 'snfs') return [err('training.storage', 'SNFS keeps momentum for every weight, which the sparse storage does not hold: set training.storage to masked or auto (auto keeps SNFS masked)')];
  if (c.dst.portCompatible) return [err('training.storage', 'dst.portCompatible computes the dense weight gradient every step, which the sparse storage does not hold: set training.storage to masked or auto')];
  return [];
};

export const RULES: readonly Rule[] = [pythonOnly, imageModels, ensembleSize, denseOrSparse, edst, lottery, scorerBatch, optimizer, schedule, split, dstWindow, tost, storage, wideLayers];

/** Every cross-field error of a config whose single fields are all valid. */
export function crossFieldErrors(config: ExperimentConfig): ConfigError[] {
  const steps = totalSteps(config);
  // 0 steps (a batch larger than the training set) is reported by `split`; the step rules skip it.
  return RULES.flatMap((rule) => rule(config, steps === null || steps < 1 ? null : steps));
}
