// Function-space trajectories: every model's probabilities on the probe set, projected with one
// PCA over all snapshots, so each model draws a line; members that drift apart draw lines that
// part. EDST's one network is coloured by the member its phase produces; its global explorations
// show as jumps.
import type { TrajectoryView } from '../../state';

const COLORS = ['#999999', '#E69F00', '#56B4E9', '#009E73', '#CC79A7', '#0072B2', '#D55E00', '#F0E442', '#000000'];

export function Trajectories({ view, edst }: { view: TrajectoryView; edst: boolean }) {
  const S = 240;
  const pts = view.points;
  if (pts.length === 0) return null;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => 10 + ((x - x0) / (x1 - x0 || 1)) * (S - 20);
  const sy = (y: number) => S - 10 - ((y - y0) / (y1 - y0 || 1)) * (S - 20);
  const color = (line: number) => COLORS[(edst ? line : line + 1) % COLORS.length]!;
  // EDST is one network: one polyline through all points, coloured per segment by phase.
  const groups = edst ? [pts] : view.lines.map((_, l) => pts.filter((p) => p.line === l));
  return (
    <figure className="trajectories" data-testid="trajectories">
      <figcaption>
        Function space (PCA of probe-set predictions; axes explain {(view.explained[0] * 100).toFixed(0)} % and {(view.explained[1] * 100).toFixed(0)} %)
      </figcaption>
      <svg width={S} height={S} role="img" aria-label={`Trajectories of ${view.lines.join(', ')} in function space over ${new Set(pts.map((p) => p.step)).size} snapshots`}>
        <rect x={0} y={0} width={S} height={S} fill="none" stroke="currentColor" strokeOpacity={0.2} />
        {groups.map((g, gi) =>
          g.slice(1).map((p, i) => <line key={`${gi}-${i}`} x1={sx(g[i]!.x)} y1={sy(g[i]!.y)} x2={sx(p.x)} y2={sy(p.y)} stroke={color(p.line)} strokeWidth={1.6} />),
        )}
        {edst
          ? pts.map((p, i) =>
              // The first snapshot of refinement phases 2…M: right after a global exploration.
              i > 0 && p.line >= 2 && pts[i - 1]!.line !== p.line ? <circle key={`x${i}`} cx={sx(p.x)} cy={sy(p.y)} r={6} fill="none" stroke="#D55E00" strokeWidth={2} data-testid="exploration-mark" /> : null,
            )
          : null}
        {groups.map((g, gi) => {
          const last = g.at(-1);
          return last ? <circle key={`end${gi}`} cx={sx(last.x)} cy={sy(last.y)} r={4} fill={color(last.line)} stroke="currentColor" strokeWidth={0.5} /> : null;
        })}
      </svg>
      <ul className="trajectories__legend">
        {view.lines.map((l, i) => (
          <li key={l}>
            <span className="timeline__swatch" style={{ background: color(i) }} aria-hidden="true" />
            {l}
          </li>
        ))}
        {edst ? (
          <li>
            <span className="timeline__swatch" style={{ background: '#D55E00', height: '0.6rem', width: '0.6rem', borderRadius: '50%' }} aria-hidden="true" />
            after a global exploration
          </li>
        ) : null}
      </ul>
    </figure>
  );
}
