// Export › PyTorch: what a user takes to the Python package (docs/SCALE-OUT.md). The config file
// (the runner's format: the complete config), the commands that train it on one process and with
// torchrun on N, and, when the run has trained, its state as a runner checkpoint (NAME.json with
// NAME.bin beside it) that `python -m sparse_playground --continue NAME.json` continues.
//
// The checkpoint is what `npm run experiment` writes (scripts/experiment.mjs): {format, version,
// config, binBytes, state: {step, seconds, history, pendingLoss, pendingAccuracy, stateJson}}, where
// stateJson is the ensemble driver's state with its Float32Arrays in the blob (util/binary-json.ts).
import { pythonRefusals, type ExperimentConfig } from '../config';
import type { DriverState } from '../ensemble';
import { packBinaryJson } from '../util/binary-json';

export const RUNNER_CHECKPOINT_FORMAT = 'sparse-training-playground/experiment-checkpoint';

export interface PythonExport {
  /** Fields the Python package refuses today (then nothing else is offered). */
  refusals: { path: string; message: string }[];
  /** Why the run's checkpoint cannot be continued there, or null when it can. */
  checkpointRefusal: string | null;
  /** Shell lines: install, one process, N processes, and continuing the checkpoint. */
  commands: { install: { label: string; text: string }[]; one: string; many: string; resume: string | null };
}

export function pythonExport(config: ExperimentConfig, configFile: string, checkpointFile: string | null): PythonExport {
  const checkpointRefusal = config.ensemble.mode === 'none' ? null : `the package continues single runs only, not a ${config.ensemble.mode} ensemble's state: it trains the ensemble from the start`;
  return {
    refusals: pythonRefusals(config),
    checkpointRefusal,
    commands: {
      install: [
        { label: 'PyTorch and numpy', text: 'pip install torch numpy' },
        { label: 'in a checkout of the playground repository: the datasets', text: 'npm install && npm run data' },
        { label: 'the package’s folder', text: 'cd python' },
      ],
      one: `python -m sparse_playground ${configFile} --out results`,
      many: `torchrun --nproc_per_node=N -m sparse_playground ${configFile} --out results`,
      resume: checkpointFile === null || checkpointRefusal !== null ? null : `python -m sparse_playground --continue ${checkpointFile} --out results`,
    },
  };
}

/** A run's driver state as the runner's two checkpoint files. */
export function runnerCheckpointFiles(config: ExperimentConfig, step: number, state: DriverState): { json: string; bin: Uint8Array<ArrayBuffer> } {
  const { json, bin } = packBinaryJson(state);
  const head = { format: RUNNER_CHECKPOINT_FORMAT, version: 1, savedAt: new Date().toISOString(), config, binBytes: bin.byteLength, state: { step, seconds: 0, history: [], pendingLoss: [], pendingAccuracy: [], stateJson: json } };
  return { json: JSON.stringify(head), bin };
}
