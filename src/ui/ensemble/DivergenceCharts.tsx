// Divergence over time (prediction disagreement, KL and mask distance between members, on the
// probe set) and the spectral gap of each layer's mask over time, from the run's snapshots.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SnapshotSummary } from '../../state';

const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9'];

function Chart({ title, data, keys, testId }: { title: string; data: Record<string, number | null>[]; keys: { key: string; name: string }[]; testId: string }) {
  return (
    <figure className="chart" aria-label={title} data-testid={testId}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={150}>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 10 }} />
          <YAxis tick={{ fontSize: 10 }} width={40} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(3) : String(v))} labelFormatter={(s) => `step ${String(s)}`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {keys.map((k, i) => (
            <Line key={k.key} dataKey={k.key} name={k.name} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} connectNulls strokeWidth={1.5} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function DivergenceCharts({ snapshots, layerNames }: { snapshots: SnapshotSummary[]; layerNames: string[] }) {
  const divergence = snapshots.map((s) => ({ step: s.step, disagreement: s.disagreement, kl: s.kl, mask: s.maskDistance }));
  const spectral = snapshots.filter((s) => s.spectral).map((s) => ({ step: s.step, ...Object.fromEntries(layerNames.map((n, l) => [n, s.spectral![0]?.[l]?.ramanujan ?? null])) }));
  return (
    <>
      <Chart title="Divergence between members over time (probe set)" data={divergence} keys={[{ key: 'disagreement', name: 'disagreement' }, { key: 'kl', name: 'KL' }, { key: 'mask', name: 'mask distance (Jaccard)' }]} testId="divergence-chart" />
      {spectral.length > 0 ? <Chart title="Spectral gap Δr of each layer's mask (first live model)" data={spectral} keys={layerNames.map((n) => ({ key: n, name: n }))} testId="spectral-chart" /> : null}
    </>
  );
}
