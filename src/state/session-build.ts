// The two halves of building a run for the session (session.ts): the settings checked before the
// run on screen is touched (data, setup, the adapter's limits and the memory budget), then the
// ensemble created and prepared (masks at initialisation, SynFlow's rounds, a lottery ticket's
// search), its buffers destroyed when that fails or newer settings supersede it; and the run as
// the session's loop trains it.
import type { ExperimentConfig } from '../config';
import type { DatasetInput, StepMetrics, Trainable } from '../engine';
import { EnsembleRun, ensembleSetupFromConfig, preflight, prepareEnsembleRun } from '../ensemble';
import type { SessionData } from './session-data';
import type { GpuStatus } from './gpu-status';

/** The pipeline cache a run's kernels come from. */
export type RunCache = Parameters<typeof EnsembleRun.create>[0];

export type PreparedSettings = { data: DatasetInput } & ReturnType<typeof ensembleSetupFromConfig>;

/** The config's data and setup, or a thrown Error saying why these settings cannot be built here. */
export async function prepareSettings(config: ExperimentConfig, data: SessionData, gpu: GpuStatus): Promise<PreparedSettings> {
  const input = await data.load(config);
  const prepared = { data: input, ...ensembleSetupFromConfig(config, input) };
  const limits = 'limits' in gpu ? gpu.limits : null;
  const tooBig = limits ? preflight(prepared.setup, { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? Infinity, maxBufferSize: limits.maxBufferSize ?? Infinity, maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension ?? Infinity }) : null;
  if (tooBig) throw new Error(tooBig);
  return prepared;
}

/**
 * The ensemble of `prepared`, ready to train, or null once `current()` says newer settings came
 * (its buffers are gone then; the session's and the sweep's runs are built here). Long preparation reports through `say`; newer settings stop it at
 * its next report, `signal` at once (SynFlow's worker).
 */
export async function buildEnsemble(cache: RunCache, prepared: PreparedSettings, current: () => boolean = () => true, say: (message: string) => void = () => {}, signal?: AbortSignal): Promise<EnsembleRun | null> {
  const ensemble = await EnsembleRun.create(cache, prepared.setup);
  if (!current()) return ensemble.destroy(), null;
  try {
    const report = (message: string) => {
      if (!current()) throw new Error('superseded by newer settings');
      say(message);
    };
    await prepareEnsembleRun(ensemble, prepared.run, report, signal);
  } catch (e) {
    ensemble.destroy();
    throw e;
  }
  if (!current()) return ensemble.destroy(), null;
  return ensemble;
}

/** The run as the session's loop trains it: each chunk tracked as in flight, and timed for the pacer. */
export function trackedRun(run: EnsembleRun, track: <T>(p: Promise<T>) => Promise<T>, record: (steps: number, ms: number) => void): Trainable {
  return {
    get currentStep() {
      return run.step;
    },
    get totalSteps() {
      return run.totalSteps;
    },
    train: async (count): Promise<StepMetrics[]> => {
      const t0 = performance.now();
      const rows = await track(run.train(count));
      record(rows.length, performance.now() - t0);
      return rows;
    },
  };
}
