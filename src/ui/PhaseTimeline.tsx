// The run on one step axis: its phases as bands (EDST's exploration and refinement phases,
// Prune-and-Tune's parent and tuning), EDST's global explorations, the schedules that change
// (learning rate, ghost-skip α(t), smooth activations) as lines over them, and where training is.
import { useAppState } from './use-app-state';

const W = 1000;
const H = 96;
const TOP = 18;
const BAND = 64;
// Okabe-Ito, light enough to draw lines over.
const PHASE_FILL: Record<string, string> = { train: '#56B4E933', explore: '#E69F0033', refine: '#009E7333', parent: '#0072B233', tune: '#CC79A733' };
const CURVE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'];

export function PhaseTimeline() {
  const tl = useAppState((s) => s.views.timeline);
  const step = useAppState((s) => s.run.step);
  if (!tl || tl.totalSteps === 0) return null;
  const x = (s: number) => (s / tl.totalSteps) * W;
  const y = (v: number) => TOP + BAND - v * BAND;
  const interesting = tl.phases.length > 1 || tl.curves.length > 1 || tl.explorations.length > 0;
  if (!interesting) return null;
  return (
    <figure className="timeline" data-testid="phase-timeline">
      <figcaption>Phases and schedules (step 0 to {tl.totalSteps})</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`Timeline: ${tl.phases.map((p) => `${p.name} from step ${p.start} to ${p.end}`).join('; ')}${tl.explorations.length ? `; global explorations at steps ${tl.explorations.join(', ')}` : ''}; now at step ${step}.`}>
        {tl.phases.map((p) => (
          <g key={`${p.name}-${p.start}`}>
            <rect x={x(p.start)} y={TOP} width={Math.max(1, x(p.end) - x(p.start))} height={BAND} fill={PHASE_FILL[p.kind] ?? '#8883'} stroke="currentColor" strokeOpacity={0.25} />
            <text x={x(p.start) + 4} y={12} fontSize={11} fill="currentColor">
              {p.name}
            </text>
          </g>
        ))}
        {tl.curves.map((c, i) => (
          <polyline key={c.name} points={c.points.map(([s, v]) => `${x(s)},${y(v)}`).join(' ')} fill="none" stroke={CURVE_COLORS[i % CURVE_COLORS.length]} strokeWidth={2} vectorEffect="non-scaling-stroke" />
        ))}
        {tl.explorations.map((s) => (
          <line key={`e${s}`} x1={x(s)} x2={x(s)} y1={TOP} y2={TOP + BAND} stroke="#D55E00" strokeWidth={2} strokeDasharray="4 3" vectorEffect="non-scaling-stroke" />
        ))}
        {tl.marks.map((m) => (
          <line key={`m${m.label}`} x1={x(m.step)} x2={x(m.step)} y1={TOP} y2={TOP + BAND} stroke="currentColor" strokeOpacity={0.6} strokeDasharray="2 2" vectorEffect="non-scaling-stroke" />
        ))}
        <line x1={x(step)} x2={x(step)} y1={TOP - 4} y2={H} stroke="currentColor" strokeWidth={2} vectorEffect="non-scaling-stroke" data-testid="timeline-now" />
      </svg>
      <ul className="timeline__legend">
        {tl.curves.map((c, i) => (
          <li key={c.name}>
            <span className="timeline__swatch" style={{ background: CURVE_COLORS[i % CURVE_COLORS.length] }} aria-hidden="true" />
            {c.name}
          </li>
        ))}
        {tl.explorations.length > 0 ? (
          <li>
            <span className="timeline__swatch timeline__swatch--dashed" aria-hidden="true" />
            global exploration (prune q, regrow)
          </li>
        ) : null}
        {tl.marks.map((m) => (
          <li key={m.label}>
            ┆ {m.label} (step {m.step})
          </li>
        ))}
      </ul>
    </figure>
  );
}
