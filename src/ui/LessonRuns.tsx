// A lesson's table of runs: each run it compares (the preset, then each variant) with the figures
// its claims are about, once trained to the end in this tab at the learner's seed; their curves on
// one chart with the run training now; and the lesson's claims checked against these very runs.
// The figures come from the same function as the lesson tier's (src/ensemble/run-figures.ts).
import { useAppState } from './use-app-state';
import { OverlayChart } from './OverlayChart';
import { useThrottled } from './use-throttled';
import { checkLesson, compareChart, figureOf, lessonFigures, lessonRunResults, type Lesson, type LessonFigure } from '../state';

const NAMES: Record<LessonFigure, string> = {
  testAccuracy: 'test accuracy',
  itop: 'ever active (ITOP)',
  loss: 'mean training loss',
  firstLayerActive: 'first layer: active weights',
  activeTotal: 'active weights',
  ensembleAccuracy: 'ensemble accuracy',
  ensembleGain: 'gain over mean member',
  disagreement: 'disagreement',
  kl: 'KL between members',
  maskDistance: 'mask distance',
  trainFlopsRatio: 'training FLOPs vs one dense',
};

const PERCENT: readonly LessonFigure[] = ['testAccuracy', 'itop', 'ensembleAccuracy', 'disagreement'];

export function formatFigure(figure: LessonFigure, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (PERCENT.includes(figure)) return `${(v * 100).toFixed(1)} %`;
  if (figure === 'ensembleGain') return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} points`;
  if (figure === 'trainFlopsRatio') return `${v.toFixed(2)}×`;
  if (figure === 'firstLayerActive' || figure === 'activeTotal') return String(v);
  return v.toFixed(3);
}

function heading(f: { figure: LessonFigure; window?: [number, number] }): string {
  const w = f.window;
  if (!w) return NAMES[f.figure];
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  return `${NAMES[f.figure]}, ${w[0] === 0 ? `first ${pct(w[1])}` : `${pct(w[0])}–${pct(w[1])}`} of training`;
}

export function LessonRuns({ lesson }: { lesson: Lesson }) {
  const seed = useAppState((s) => s.config.seed);
  const finished = useAppState((s) => s.finished);
  const status = useAppState((s) => s.run.status);
  const current = useThrottled(
    useAppState((s) => s.run.history.rows),
    500,
    status === 'running',
  );
  const runs = lessonRunResults(lesson, seed, finished);
  const figures = lessonFigures(lesson);
  const byId = Object.fromEntries(runs.flatMap((r) => (r.run ? [[r.id, r.run.figures]] : [])));
  const claims = checkLesson(lesson, byId).filter((c) => c.value !== null && (c.other !== null || !('above' in c.claim.expect || 'below' in c.claim.expect || 'notBelow' in c.claim.expect)));
  const metric = figures.some((f) => f.figure === 'loss') ? 'loss' : 'testAccuracy';
  const series = [...runs.flatMap((r) => (r.run ? [{ name: r.label, rows: r.run.rows }] : [])), ...(status === 'running' || status === 'paused' ? [{ name: 'training now', rows: current }] : [])];
  const chart = compareChart(series, metric);
  return (
    <div className="lesson__runs" data-testid="lesson-runs">
      <table>
        <caption>Your runs in this lesson (seed {seed})</caption>
        <thead>
          <tr>
            <th scope="col">run</th>
            {figures.map((f) => (
              <th scope="col" key={`${f.figure}${f.window?.join() ?? ''}`}>
                {heading(f)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid={`lesson-run-${r.id}`} data-done={r.run ? 'yes' : 'no'}>
              <th scope="row">{r.label}</th>
              {r.run
                ? figures.map((f) => {
                    const v = figureOf(r.run!.figures, f.figure, f.window);
                    return (
                      <td key={`${f.figure}${f.window?.join() ?? ''}`} data-figure={f.figure} data-value={v ?? ''}>
                        {formatFigure(f.figure, v)}
                      </td>
                    );
                  })
                : [
                    <td key="none" colSpan={figures.length} className="panel__note">
                      not trained to the end yet
                    </td>,
                  ]}
            </tr>
          ))}
        </tbody>
      </table>
      {series.length > 0 ? <OverlayChart chart={chart} label={`${metric === 'loss' ? 'training loss' : 'test accuracy'} of ${chart.lines.map((l) => l.name).join(', ')}`} testId="lesson-runs-chart" height={160} /> : null}
      {claims.length > 0 ? (
        <details data-testid="lesson-claims">
          <summary>
            What the lesson says, checked on your runs: {claims.filter((c) => c.holds).length} of {claims.length} hold
          </summary>
          <ul>
            {claims.map((c) => (
              <li key={c.claim.id} data-holds={c.holds ? 'yes' : 'no'}>
                {c.holds ? '✓' : '✗'} “{c.claim.says}”: {formatFigure(c.claim.figure, c.value)}
                {c.other !== null ? ` against ${formatFigure(c.claim.figure, c.other)}` : ''}
              </li>
            ))}
          </ul>
          <p className="panel__note">The project tests every claim on three seeds. On a seed of your own one may fail: that is what a seed can change.</p>
        </details>
      ) : null}
    </div>
  );
}
