// Quantities that follow from a config but are not stored in it: split sizes, steps per epoch,
// the lottery prune fraction and the EDST refinement length when they are left out.
//
// Why here: the cross-field rules (rules.ts) need them to say "batch 512 is larger than the 432
// training points", and the data layer, the trainer and the UI should count the same way, so
// they can import these instead of re-deriving. Integer arithmetic only, rounded once.
import type { DataConfig, ExperimentConfig } from './schema';
import { CIFAR_TEST, CIFAR_TRAIN, IMAGE_TOTALS, classCount } from './schema';

export interface SplitSizes {
  train: number;
  validation: number;
  test: number;
}

/**
 * How many examples land in each split, counted as src/data does (docs/DATA.md §3).
 * Generated 2-D sets (`fractionSplit`): train = round(n·(1 − validation − test)),
 * validation = round(n·validation), test = the rest. Images (`stratifiedSplit`): validationSize
 * and testSize are held out of the dataset's images, training gets the rest, cut to trainLimit
 * when that is set. Drawn points (`user`) are not known from the config alone: null.
 */
export function splitSizes(data: DataConfig): SplitSizes | null {
  switch (data.dataset) {
    case 'user':
      return null;
    case 'mnist':
    case 'fashion-mnist': {
      const rest = IMAGE_TOTALS[data.dataset] - data.validationSize - data.testSize;
      const train = data.trainLimit === 0 ? rest : Math.min(rest, data.trainLimit);
      return { train, validation: data.validationSize, test: data.testSize };
    }
    case 'cifar10':
    case 'cifar100': {
      const rest = CIFAR_TRAIN - data.validationSize;
      return { train: data.trainLimit === 0 ? rest : Math.min(rest, data.trainLimit), validation: data.validationSize, test: CIFAR_TEST };
    }
    default: {
      const n = data.points;
      const train = Math.round(n * (1 - data.validation - data.test));
      const validation = Math.min(Math.round(n * data.validation), n - train);
      return { train, validation, test: n - train - validation };
    }
  }
}

/** Minibatches per epoch: full batches only (src/data drops the last partial one), or null. */
export function stepsPerEpoch(config: ExperimentConfig): number | null {
  const sizes = splitSizes(config.data);
  return sizes === null ? null : Math.floor(sizes.train / config.training.batchSize);
}

/** Optimiser steps of one training run of `training.epochs` epochs, or null when unknown. */
export function totalSteps(config: ExperimentConfig): number | null {
  const perEpoch = stepsPerEpoch(config);
  return perEpoch === null ? null : perEpoch * config.training.epochs;
}

/** Average training examples per class (the datasets are class-balanced), or null. */
export function trainPerClass(config: ExperimentConfig): number | null {
  const sizes = splitSizes(config.data);
  return sizes === null ? null : Math.floor(sizes.train / classCount(config.data));
}

/** Lottery ticket: the fraction pruned per round so that `rounds` rounds land on `target`. */
export function lotteryPruneFraction(target: number, rounds: number): number {
  return 1 - Math.pow(1 - target, 1 / rounds);
}

/** Sparsity after `rounds` rounds that each prune `fraction` of the remaining weights (§4.3). */
export function lotterySparsity(fraction: number, rounds: number): number {
  return 1 - Math.pow(1 - fraction, rounds);
}

/**
 * EDST phase lengths in epochs (§2.2): exploration, then one refinement phase per member.
 * Without `refineEpochs` the refinement length is (epochs − exploration) / members, as FreeTickets'
 * `minestone_calculation` does; it may come out fractional, which the rules reject.
 */
export function edstRefineEpochs(config: ExperimentConfig): number | null {
  const e = config.ensemble;
  if (e.mode !== 'edst') return null;
  return e.refineEpochs ?? (config.training.epochs - e.explorationEpochs) / e.members;
}

/**
 * Whether the running network can follow the sparsity slider: a dynamic method (SET, RigL, SNFS)
 * moves each layer to the new target at its next mask update. Otherwise (static and dense masks,
 * lottery tickets, EDST and Prune-and-Tune, whose masks and phases are planned from the target
 * before training) a new sparsity needs a new run: null, or the reason shown by the slider.
 */
export function liveSparsityRefusal(config: ExperimentConfig): string | null {
  const e = config.ensemble.mode;
  if (e === 'edst') return 'EDST plans its exploration and refinement phases from the sparsity, so a new sparsity restarts the run.';
  if (e === 'prune-and-tune') return 'Prune-and-Tune prunes its children to this sparsity after the dense parent, so a new sparsity restarts the run.';
  if (config.sparsity.mask.kind === 'lottery') return 'A lottery ticket is pruned round by round to this sparsity, so a new sparsity restarts the run.';
  const m = config.dst.method;
  if (m === 'static') return 'A static mask never changes while training, so a new sparsity draws a new mask and restarts the run.';
  if (m === 'dense') return 'A dense network has no mask.';
  return null;
}
