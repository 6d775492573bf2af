// Saving and reopening runs: saved in this browser (IndexedDB, with the network so training
// continues), or as a run file (settings and metrics) to share. An imported file is checked
// against the run schema first; a bad one is refused with the reasons and changes nothing.
import { useCallback, useEffect, useState } from 'react';
import { downloadText } from './download';
import { useAppState } from './use-app-state';
import { RunRefusedError, appStore, clip, refusalLines, deleteSavedRun, listSavedRuns, loadRunFromDb, parseConfig, parseSavedRun, runFileText, saveRunToDb, type SavedRunSummary } from '../state';

export function RunsPanel() {
  const session = useAppState((s) => s.session);
  const [name, setName] = useState('my run');
  const [runs, setRuns] = useState<SavedRunSummary[]>([]);
  const [problem, setProblem] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(() => void listSavedRuns().then(setRuns, (e: unknown) => setProblem([`Saved runs are unavailable: ${String(e)}`])), []);
  useEffect(refresh, [refresh]);
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setProblem([]);
    try {
      await fn();
    } catch (e) {
      if (e instanceof RunRefusedError) setProblem(e.lines());
      else setProblem([e instanceof Error ? e.message : String(e)]);
    } finally {
      setBusy(false);
      refresh();
    }
  };
  const importFile = (file: File) =>
    act(async () => {
      let json: unknown;
      try {
        json = JSON.parse(await file.text());
      } catch {
        setProblem([`${clip(file.name, 60)} is not JSON: it cannot be a run file.`]);
        return;
      }
      // A bare experiment config (the runner's format, or "config JSON" from Export) opens too.
      if (json !== null && typeof json === 'object' && !('format' in json)) {
        const c = parseConfig(json);
        if (!c.ok) {
          setProblem(refusalLines(`${clip(file.name, 60)} was not opened:`, c.errors.map((e) => `${e.path || '(config)'}: ${e.message}`)));
          return;
        }
        appStore.getState().setConfig(c.config);
        await session?.rebuild();
        return;
      }
      const r = parseSavedRun(json);
      if (!r.ok) {
        setProblem(refusalLines(`${clip(file.name, 60)} was not opened:`, r.errors));
        return;
      }
      await session?.openRun(r.run);
    });
  return (
    <section className="runs" aria-label="Saved runs">
      <h3>Runs</h3>
      <div className="runs__save">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} data-testid="run-name" />
        </label>
        <button type="button" disabled={!session || busy || name.trim() === ''} data-testid="save-run" onClick={() => void act(async () => void (await saveRunToDb(await session!.snapshotRun(name.trim()))))}>
          Save in this browser
        </button>
        <button type="button" disabled={!session || busy} onClick={() => void act(async () => downloadText(`${name.trim() || 'run'}.json`, runFileText(await session!.snapshotRun(name.trim() || 'run')), 'application/json'))}>
          Download run file
        </button>
        <label className="runs__import">
          Open run or config file
          <input type="file" accept=".json,application/json" data-testid="import-run" onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])} />
        </label>
      </div>
      {problem.length > 0 ? (
        <div className="runs__problem" role="alert" data-testid="run-problem">
          {problem.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      {runs.length > 0 ? (
        <ul className="runs__list">
          {runs.map((r) => (
            <li key={r.id}>
              <span>
                {r.name} · step {r.step} · {new Date(r.savedAt).toLocaleString()} {r.resumable ? '' : '(metrics only)'}
              </span>
              <button type="button" disabled={busy} onClick={() => void act(async () => session?.openRun(await loadRunFromDb(r.id)))} aria-label={`Open ${r.name}`}>
                Open
              </button>
              <button type="button" disabled={busy} onClick={() => void act(() => deleteSavedRun(r.id))} aria-label={`Delete ${r.name}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
