// Training curves (recharts): loss, train and test accuracy, learning rate, density and ITOP,
// and cumulative training FLOPs against dense training. Rows come downsampled from the store
// (state/history.ts); while training they are redrawn once a second (use-throttled.ts), one
// chart per task (staggered: five in one task took about 100 ms); hover shows the values at a step.
import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useAppState } from './use-app-state';
import { useDelayed, useThrottled } from './use-throttled';
import type { HistoryRow } from '../state';

interface Series {
  key: keyof HistoryRow;
  name: string;
  color: string;
}

// Okabe-Ito colours: distinguishable with colour-blindness.
const BLUE = '#0072B2';
const ORANGE = '#E69F00';
const GREEN = '#009E73';
const PURPLE = '#CC79A7';

function Chart({ title, rows, series, domain }: { title: string; rows: HistoryRow[]; series: Series[]; domain?: [number, number | 'auto'] }) {
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={150}>
        <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 10 }} />
          <YAxis domain={domain ?? ['auto', 'auto']} tick={{ fontSize: 10 }} width={40} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} labelFormatter={(s) => `step ${String(s)}`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {series.map((s) => (
            <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} dot={false} isAnimationActive={false} connectNulls strokeWidth={1.5} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** While training, the curves are redrawn at most this often. */
const REDRAW_MS = 1000;
/** While training, chart i redraws i × this later than the first: one chart per task (5 × 80 < 1000 ms). */
const STAGGER_MS = 80;

type ChartSpec = { title: string; series: Series[]; domain?: [number, number | 'auto'] };
const CHARTS: ChartSpec[] = [
  { title: 'Loss', series: [{ key: 'loss', name: 'train', color: BLUE }, { key: 'testLoss', name: 'test', color: ORANGE }] },
  { title: 'Accuracy', domain: [0, 1], series: [{ key: 'trainAccuracy', name: 'train', color: BLUE }, { key: 'testAccuracy', name: 'test', color: ORANGE }] },
  { title: 'Learning rate', domain: [0, 'auto'], series: [{ key: 'lr', name: 'lr', color: GREEN }] },
  { title: 'Density and ITOP', domain: [0, 1], series: [{ key: 'density', name: 'density', color: PURPLE }, { key: 'itop', name: 'ever active (ITOP)', color: GREEN }] },
  { title: 'Training FLOPs ÷ dense', series: [{ key: 'flopsRatio', name: 'ratio', color: ORANGE }] },
];

/** One chart, redrawn only when its own (delayed) rows change. */
const MemoChart = memo(Chart);

function StaggeredChart({ spec, rows, delayMs, running }: { spec: ChartSpec; rows: HistoryRow[]; delayMs: number; running: boolean }) {
  const shown = useDelayed(rows, delayMs, running);
  return <MemoChart title={spec.title} rows={shown} series={spec.series} domain={spec.domain} />;
}

export function Charts() {
  const running = useAppState((s) => s.run.status === 'running');
  const rows = useThrottled(
    useAppState((s) => s.run.history.rows),
    REDRAW_MS,
    running,
  );
  return (
    <div className="charts" data-testid="charts">
      {CHARTS.map((spec, i) => (
        <StaggeredChart key={spec.title} spec={spec} rows={rows} delayMs={i * STAGGER_MS} running={running} />
      ))}
    </div>
  );
}
