// Play, pause, step and reset, the speed, and where the run stands: step, epoch, steps per
// second and time left. The buttons drive the session outside React; nothing here trains.
import { SPEED_MAX } from '../state';
import { useAppState } from './use-app-state';
import { formatBytes } from './format-bytes';

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

export function Transport() {
  const run = useAppState((s) => s.run);
  const speed = useAppState((s) => s.speed);
  const session = useAppState((s) => s.session);
  const setSpeed = useAppState((s) => s.setSpeed);
  const running = run.status === 'running';
  const canTrain = session !== null && ['ready', 'paused', 'running'].includes(run.status);
  const left = run.stepsPerSecond ? (run.totalSteps - run.step) / run.stepsPerSecond : NaN;
  const last = run.history.rows.at(-1);
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)} %`);
  return (
    <div className="transport" role="group" aria-label="Training controls">
      <button type="button" className="transport__play" disabled={!canTrain} onClick={() => (running ? session?.pause() : session?.play())} aria-keyshortcuts="Space" data-testid="play">
        {running ? 'Pause' : 'Play'}
      </button>
      <button type="button" disabled={!canTrain || running} onClick={() => void session?.step()} aria-keyshortcuts="ArrowRight" data-testid="step">
        Step
      </button>
      {run.status === 'building' ? (
        <button type="button" disabled={session === null} onClick={() => session?.cancelBuild()} data-testid="cancel-build" title="Stop building (SynFlow's rounds or a lottery ticket's search can take minutes) and go back to the last run's settings.">
          Cancel
        </button>
      ) : (
        <button type="button" disabled={session === null} onClick={() => void session?.rebuild()} aria-keyshortcuts="R" data-testid="reset">
          Reset
        </button>
      )}
      <label className="transport__speed" title="Slower: at most this many steps between two screen updates, to watch the masks change one update at a time. At max, as many steps as fit a tenth of a second.">
        Steps per frame
        <input type="range" min={1} max={SPEED_MAX} value={speed} onChange={(e) => setSpeed(Number(e.target.value))} data-testid="speed" />
        <output>{speed >= SPEED_MAX ? 'max' : speed}</output>
      </label>
      <div className="transport__status" role="status" aria-live="polite" data-testid="run-status">
        <span data-testid="step-counter">
          step {run.step} / {run.totalSteps} · epoch {Math.floor(run.step / Math.max(1, run.stepsPerEpoch))}
        </span>
        <span data-testid="accuracy">
          train acc {pct(last?.trainAccuracy)} · test acc {pct(run.test?.accuracy)}
          {run.test && run.test.step !== run.step ? ` (step ${run.test.step})` : ''}
        </span>
        <span>{run.stepsPerSecond ? `${run.stepsPerSecond.toFixed(0)} steps/s · ${formatSeconds(left)} left` : ''}</span>
        <StorageNote names={run.layerNames} storages={run.storages} />
        {run.layerNames.length > 0 ? <PathNote fused={run.fused} why={run.fusedRefusal} /> : null}
        {run.memory ? (
          <span data-testid="run-memory" title={`Estimated before anything is allocated: parameters, gradients, optimizer state, activations, data and scratch buffers. A run estimated above ${formatBytes(run.memory.budget)} is refused, saying what to change.`}>
            ≈ {formatBytes(run.memory.bytes)} of GPU memory
          </span>
        ) : null}
        <span className={`transport__state transport__state--${run.status}`}>{run.status}</span>
      </div>
      {run.message ? (
        <p className={`transport__message ${['diverged', 'lost', 'error'].includes(run.status) ? 'transport__message--bad' : ''}`} role={['diverged', 'lost', 'error'].includes(run.status) ? 'alert' : undefined} data-testid="run-message">
          {run.message}
        </p>
      ) : null}
    </div>
  );
}

/** Which layers compute on the sparse storage (only the active connections); the rest are masked. */
function StorageNote({ names, storages }: { names: readonly string[]; storages: readonly ('masked' | 'sparse')[] }) {
  const sparse = names.filter((_, i) => storages[i] === 'sparse');
  if (storages.length === 0) return null;
  const text = sparse.length === 0 ? 'masked storage' : sparse.length === names.length ? 'sparse storage' : `sparse storage: ${sparse.join(', ')}`;
  return (
    <span data-testid="storage" title="Sparse storage: a layer computes over its active connections only, so its time follows its density. Masked: a dense matrix times a 0/1 mask. Both give the same numbers (Training › Weight storage).">
      {text}
    </span>
  );
}

/** Whether ordinary steps run in one dispatch per run of steps (the fused path), and if not, why. */
function PathNote({ fused, why }: { fused: boolean; why: string | null }) {
  const help = 'Fused: a small network trains a run of ordinary steps in one GPU dispatch; mask updates and evaluations still go kernel by kernel. Both give exactly the same numbers (Training › Fused steps).';
  return (
    <span data-testid="training-path" title={help}>
      {fused ? 'fused steps' : `kernel by kernel${why ? ` (not fused: ${why})` : ''}`}
    </span>
  );
}
