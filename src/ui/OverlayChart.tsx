// Several runs' curves on one step axis (compareChart's rows): the compare-runs overlay and a
// lesson's table of runs draw their comparisons with it.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CompareChart } from '../state';

/** Okabe-Ito-like colours, one per run, in order. */
export const RUN_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000'];

export function OverlayChart({ chart, label, testId, height = 200 }: { chart: CompareChart; label: string; testId: string; height?: number }) {
  return (
    <figure className="chart" aria-label={label} data-testid={testId} data-lines={chart.lines.length}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={chart.rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 10 }} />
          <YAxis tick={{ fontSize: 10 }} width={40} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} labelFormatter={(s) => `step ${String(s)}`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {chart.lines.map((l, i) => (
            <Line key={l.key} dataKey={l.key} name={l.name} stroke={RUN_COLORS[i % RUN_COLORS.length]} dot={false} isAnimationActive={false} connectNulls strokeWidth={1.5} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
