// Comparing runs. Overlay: the curves of saved runs (and of the run on screen) on one chart, for
// example SET against RigL. Sparsity sweep: the current setup trained at several sparsities with
// each chosen method, final test accuracy against sparsity, one line per method.
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { OverlayChart, RUN_COLORS } from './OverlayChart';
import { useAppState } from './use-app-state';
import { compareChart, listSavedRuns, loadRunFromDb, sweepPlan, sweepRows, type CompareMetric, type HistoryRow, type SavedRunSummary, type SweepMethod } from '../state';

const METRICS: [CompareMetric, string][] = [
  ['testAccuracy', 'test accuracy'],
  ['trainAccuracy', 'train accuracy'],
  ['loss', 'training loss'],
  ['itop', 'ever active (ITOP)'],
  ['density', 'density'],
];
const METHODS: [SweepMethod, string][] = [
  ['static', 'static'],
  ['set', 'SET'],
  ['rigl', 'RigL'],
  ['snfs', 'SNFS'],
];

function Overlay() {
  const current = useAppState((s) => s.run.history.rows);
  const [runs, setRuns] = useState<SavedRunSummary[] | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [histories, setHistories] = useState<Map<number, { name: string; rows: HistoryRow[] }>>(new Map());
  const [withCurrent, setWithCurrent] = useState(true);
  const [metric, setMetric] = useState<CompareMetric>('testAccuracy');
  const [problem, setProblem] = useState<string | null>(null);
  const load = () => void listSavedRuns().then(setRuns, (e: unknown) => setProblem(`Saved runs are unavailable: ${String(e)}`));
  // The tick shows at once; the run's history is read from the database once and kept.
  const toggle = (r: SavedRunSummary, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(r.id);
    else next.delete(r.id);
    setSelected(next);
    if (on && !histories.has(r.id)) {
      loadRunFromDb(r.id).then(
        (run) => setHistories((h) => new Map(h).set(r.id, { name: r.name, rows: run.history })),
        (e: unknown) => setProblem(e instanceof Error ? e.message : String(e)),
      );
    }
  };
  const series = [...(withCurrent ? [{ name: 'this run', rows: current }] : []), ...[...selected].flatMap((id) => histories.get(id) ?? [])];
  const chart = compareChart(series, metric);
  return (
    <details className="compare" onToggle={(e) => (e.currentTarget.open ? load() : undefined)} data-testid="compare-runs">
      <summary>Compare runs</summary>
      <p className="panel__note">Save runs above (for example the same seed with SET, then with RigL), tick them here, and their curves share one chart.</p>
      {problem ? <p role="alert">{problem}</p> : null}
      <fieldset className="compare__runs">
        <legend>Runs</legend>
        <label>
          <input type="checkbox" checked={withCurrent} onChange={(e) => setWithCurrent(e.target.checked)} /> this run
        </label>
        {(runs ?? []).map((r) => (
          <label key={r.id}>
            <input type="checkbox" checked={selected.has(r.id)} onChange={(e) => toggle(r, e.target.checked)} data-testid={`compare-${r.name}`} /> {r.name} (step {r.step})
          </label>
        ))}
        {runs !== null && runs.length === 0 ? <span className="panel__note">No saved runs yet.</span> : null}
      </fieldset>
      <label>
        Curve{' '}
        <select value={metric} onChange={(e) => setMetric(e.target.value as CompareMetric)}>
          {METRICS.map(([m, name]) => (
            <option key={m} value={m}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <OverlayChart chart={chart} label={`${METRICS.find(([m]) => m === metric)![1]} of ${chart.lines.map((l) => l.name).join(', ')}`} testId="compare-chart" />
    </details>
  );
}

function Sweep() {
  const config = useAppState((s) => s.config);
  const session = useAppState((s) => s.session);
  const sweep = useAppState((s) => s.views.sweep);
  const [methods, setMethods] = useState<Set<SweepMethod>>(new Set(['static', 'rigl']));
  const [text, setText] = useState('0.5, 0.8, 0.9, 0.95');
  const [problem, setProblem] = useState<string | null>(null);
  const start = () => {
    const sparsities = text.split(',').map((v) => Number(v.trim()));
    if (sparsities.some((v) => !(v > 0 && v < 1))) return setProblem('Sparsities are fractions between 0 and 1, comma-separated (e.g. 0.5, 0.9).');
    if (methods.size === 0) return setProblem('Choose at least one method.');
    try {
      const plan = sweepPlan(config, METHODS.map(([m]) => m).filter((m) => methods.has(m)), sparsities);
      setProblem(null);
      void session?.sweep(plan);
    } catch (e) {
      setProblem(`The sweep cannot run with these settings: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const rows = sweepRows(sweep?.results ?? []);
  const shown = METHODS.filter(([m]) => sweep?.results.some((r) => r.method === m));
  return (
    <details className="compare" data-testid="sweep">
      <summary>Sparsity sweep</summary>
      <p className="panel__note">Trains this setup to the end at each sparsity with each method (one model each; your run waits, paused) and plots the final test accuracy. Keep runs short: {config.training.epochs} epochs each.</p>
      <div className="compare__runs">
        {METHODS.map(([m, name]) => (
          <label key={m}>
            <input
              type="checkbox"
              checked={methods.has(m)}
              onChange={(e) => {
                const next = new Set(methods);
                if (e.target.checked) next.add(m);
                else next.delete(m);
                setMethods(next);
              }}
            />{' '}
            {name}
          </label>
        ))}
        <label>
          Sparsities <input value={text} onChange={(e) => setText(e.target.value)} data-testid="sweep-sparsities" />
        </label>
        {sweep?.running ? (
          <button type="button" onClick={() => session?.cancelSweep()}>
            Cancel
          </button>
        ) : (
          <button type="button" disabled={!session} onClick={start} data-testid="sweep-run">
            Run sweep
          </button>
        )}
      </div>
      {problem ? <p role="alert">{problem}</p> : null}
      {sweep?.message ? (
        <p className="panel__note" role="status" data-testid="sweep-status">
          {sweep.message}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <figure className="chart" aria-label={`Final test accuracy against sparsity: ${sweep!.results.map((r) => `${r.method} ${(r.sparsity * 100).toFixed(0)} % → ${(r.accuracy * 100).toFixed(1)} %`).join(', ')}`} data-testid="sweep-chart">
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="sparsity" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 10 }} />
              <YAxis domain={[0, 1]} tick={{ fontSize: 10 }} width={40} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : String(v))} labelFormatter={(s) => `sparsity ${String(s)}`} />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              {shown.map(([m, name], i) => (
                <Line key={m} dataKey={m} name={name} stroke={RUN_COLORS[i % RUN_COLORS.length]} isAnimationActive={false} connectNulls strokeWidth={1.5} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </figure>
      ) : null}
    </details>
  );
}

export function ComparePanel() {
  return (
    <section className="compare-panel" aria-label="Compare runs">
      <Overlay />
      <Sweep />
    </section>
  );
}
