// Export › PyTorch (docs/SCALE-OUT.md): the config as a file, the commands that train it with the
// Python package on one process or with torchrun on N, and, once the run has trained, its state
// as a checkpoint the package continues. A config the package cannot train yet is named field by
// field before anything is offered, so nothing is downloaded that would only be refused there.
import { useState } from 'react';
import { downloadBlob, downloadText } from './download';
import { useAppState } from './use-app-state';
import type { DriverState } from '../ensemble';
import { appStore, pythonExport, runnerCheckpointFiles } from '../state';

const CONFIG_FILE = 'experiment.json';
const CHECKPOINT_FILE = 'experiment-checkpoint.json';

function Command({ label, text }: { label: string; text: string }) {
  return (
    <div className="python-export__command">
      <span>{label}</span>
      <code>{text}</code>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(text)} aria-label={`copy: ${label}`}>
        copy
      </button>
    </div>
  );
}

export function PythonExport({ onClose }: { onClose: () => void }) {
  const config = useAppState((s) => s.config);
  const step = useAppState((s) => s.run.step);
  const session = useAppState((s) => s.session);
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const e = pythonExport(config, CONFIG_FILE, step > 0 ? CHECKPOINT_FILE : null);
  const saveCheckpoint = async () => {
    setProblem(null);
    try {
      const snap = await session!.snapshotRun('pytorch export');
      if (!snap.checkpoint || !('mode' in snap.checkpoint)) throw new Error('this run has no state to export yet');
      const files = runnerCheckpointFiles(appStore.getState().config, snap.step, snap.checkpoint as DriverState);
      downloadText(CHECKPOINT_FILE, files.json, 'application/json');
      downloadBlob(CHECKPOINT_FILE.replace(/\.json$/, '.bin'), new Blob([files.bin], { type: 'application/octet-stream' }));
      setSaved(`checkpoint at step ${snap.step}: ${CHECKPOINT_FILE} and ${CHECKPOINT_FILE.replace(/\.json$/, '.bin')} (keep them side by side)`);
    } catch (err) {
      setProblem(`The checkpoint was not exported: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return (
    <div className="help python-export" role="dialog" aria-modal="false" aria-labelledby="python-export-title" data-testid="python-export">
      <h2 id="python-export-title">Train this experiment in PyTorch</h2>
      {e.refusals.length > 0 ? (
        <div className="controls__errors" role="alert" data-testid="python-refusals">
          The Python package cannot train this config yet; it would refuse:
          <ul>
            {e.refusals.map((r) => (
              <li key={r.path}>
                <code>{r.path}</code>: {r.message}
              </li>
            ))}
          </ul>
          Change those settings (an MNIST or Fashion-MNIST run with SET, RigL, static or dense training is supported) to export it.
        </div>
      ) : (
        <>
          <p>
            The same config trains on PyTorch with the playground&apos;s own initial network and batch order (DistributedDataParallel for several GPUs or processes). What the package
            trains and how closely it matches the browser: docs/SCALE-OUT.md.
          </p>
          <div className="python-export__actions">
            <button type="button" data-testid="python-export-config" onClick={() => downloadText(CONFIG_FILE, `${JSON.stringify(config, null, 2)}\n`, 'application/json')}>
              Download {CONFIG_FILE}
            </button>
            <button type="button" data-testid="python-export-checkpoint" disabled={step === 0 || !session || e.checkpointRefusal !== null} title={e.checkpointRefusal ?? (step === 0 ? 'train a step first: there is no state to continue yet' : undefined)} onClick={() => void saveCheckpoint()}>
              Download the checkpoint (step {step})
            </button>
          </div>
          {e.checkpointRefusal ? <p className="field__help">No checkpoint: {e.checkpointRefusal}.</p> : null}
          {saved ? <p data-testid="python-export-saved">Saved the {saved}.</p> : null}
          {problem ? <p role="alert">{problem}</p> : null}
          <h3>Install (once)</h3>
          {e.commands.install.map((c) => (
            <Command key={c.text} label={c.label} text={c.text} />
          ))}
          <h3>Run</h3>
          <p className="field__help">Use the paths where your browser saved the files; the checkpoint&apos;s .json and .bin must sit side by side.</p>
          <Command label="one process / GPU" text={e.commands.one} />
          <Command label="N processes / GPUs" text={e.commands.many} />
          {e.commands.resume ? <Command label="continue from the checkpoint" text={e.commands.resume} /> : null}
        </>
      )}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
