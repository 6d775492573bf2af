// From the one experiment config to an ensemble run: the single-run trainer setup (engine
// from-config.ts) plus the ensemble mode's options, and the steps between creating the run and
// training it (a mask at initialisation, a lottery ticket, GradInit-style rescaling), applied to
// the trainer that trains first.
import type { ExperimentConfig } from '../config';
import { stepsPerEpoch } from '../data';
import { densityOfSparsity } from '../sparsity';
import { applyGradInit, applyMaskAtInit, lotteryTicket, randomReinitialisation, trainerSetupFromConfig, type ConfigRun, type DatasetInput } from '../engine';
import type { EnsembleRun, EnsembleSetup } from './ensemble-run';

export function ensembleSetupFromConfig(config: ExperimentConfig, data: DatasetInput): { setup: EnsembleSetup; run: ConfigRun } {
  const run = trainerSetupFromConfig(config, data);
  const e = config.ensemble;
  const spe = stepsPerEpoch(run.setup.trainIdx.length, run.setup.batch);
  const setup: EnsembleSetup = { mode: e.mode, base: run.setup, epochs: config.training.epochs, stepsPerEpoch: spe, members: e.members };
  if (e.mode === 'edst') {
    setup.edst = { explorationEpochs: e.explorationEpochs, ...(e.refineEpochs === undefined ? {} : { refineEpochs: e.refineEpochs }), exploreRate: e.exploreRate, drop: e.drop };
  } else if (e.mode === 'prune-and-tune') {
    setup.pruneAndTune = { maskKind: e.maskKind, tuneEpochs: e.tuneEpochs, includeParent: e.includeParent, childDensity: densityOfSparsity(config.sparsity.target) };
    // The parent is dense: its trainer setup is the dense run, the children get the target.
    setup.base = { ...run.setup, method: 'dense', density: 1 };
  }
  return { setup, run };
}

/**
 * What happens after EnsembleRun.create and before training: the mask at initialisation (or a
 * lottery ticket search, which trains and rewinds), then GradInit-style layer scales.
 */
export async function prepareEnsembleRun(ensemble: EnsembleRun, run: ConfigRun, onProgress?: (message: string) => void, signal?: AbortSignal): Promise<void> {
  const trainer = ensemble.driver.live();
  if (run.mask.kind === 'init') {
    if (run.mask.method.kind !== 'random') {
      onProgress?.(`choosing masks by ${run.mask.method.kind}`);
      await applyMaskAtInit(trainer, run.mask.method, onProgress, undefined, signal);
    }
  } else {
    await lotteryTicket(trainer, run.mask.options, (r) => onProgress?.(`lottery round ${r.round}: density ${(r.density * 100).toFixed(1)}%`));
    if (run.mask.reinitControl) await randomReinitialisation(trainer, run.setup.seed);
  }
  if (run.rescale) {
    await applyGradInit(trainer, run.rescale, (i, j) => onProgress?.(`GradInit iteration ${i + 1}/${run.rescale!.iters}: objective ${j.toFixed(4)}`));
  }
}
