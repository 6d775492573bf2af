// A small MLP as a graph (2-D data): a node per unit, an edge per active connection, its width
// |w| and its colour the sign (orange positive, blue negative, as TF Playground). What the last
// mask update changed is drawn by line style, not only hue: just grown edges are solid green with
// a dot, just pruned ones dashed vermillion, so prune and regrow are visible as they happen.
import type { ReactElement } from 'react';
import { useAppState } from './use-app-state';
import { CELL, type MaskLayerView } from '../state';

const MAX_UNITS = 64;
const W = 420;
const H = 260;

export function canDrawGraph(masks: readonly MaskLayerView[]): boolean {
  return masks.every((m) => m.rows <= MAX_UNITS && m.cols <= MAX_UNITS);
}

export function NetworkGraph() {
  const masks = useAppState((s) => s.views.masks);
  if (!masks || !canDrawGraph(masks)) return null;
  const widths = [masks[0]!.cols, ...masks.map((m) => m.rows)];
  const x = (layer: number) => 16 + (layer * (W - 32)) / (widths.length - 1);
  const y = (layer: number, unit: number) => {
    const n = widths[layer]!;
    const gap = Math.min(14, (H - 20) / n);
    return H / 2 + (unit - (n - 1) / 2) * gap;
  };
  const maxW = Math.max(1e-6, ...masks.flatMap((m) => Array.from(m.weights, Math.abs)));
  const edges: ReactElement[] = [];
  masks.forEach((m, l) => {
    for (let o = 0; o < m.rows; o++) {
      for (let i = 0; i < m.cols; i++) {
        const k = o * m.cols + i;
        const c = m.cells[k]!;
        if (c !== CELL.active && c !== CELL.grown && c !== CELL.pruned) continue;
        const w = m.weights[k]!;
        const common = { x1: x(l), y1: y(l, i), x2: x(l + 1), y2: y(l + 1, o) };
        if (c === CELL.pruned) edges.push(<line key={`${l}-${k}`} {...common} stroke="#D55E00" strokeWidth={1} strokeDasharray="3 3" opacity={0.8} />);
        else if (c === CELL.grown) edges.push(<line key={`${l}-${k}`} {...common} stroke="#009E73" strokeWidth={1.5} opacity={0.9} />);
        else edges.push(<line key={`${l}-${k}`} {...common} stroke={w >= 0 ? '#E69F00' : '#0072B2'} strokeWidth={0.3 + (3 * Math.abs(w)) / maxW} opacity={0.55} />);
      }
    }
  });
  const counts = masks.reduce((a, m) => ({ active: a.active + m.counts.active + m.counts.grown, grown: a.grown + m.counts.grown, pruned: a.pruned + m.counts.pruned }), { active: 0, grown: 0, pruned: 0 });
  return (
    <figure className="graph">
      <figcaption>Network: {counts.active} active connections (last update: {counts.grown} grown, solid green; {counts.pruned} pruned, dashed)</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Network graph with ${counts.active} active connections; the last update grew ${counts.grown} and pruned ${counts.pruned}`} data-testid="network-graph">
        {edges}
        {widths.map((n, l) => Array.from({ length: n }, (_, u) => <circle key={`${l}-${u}`} cx={x(l)} cy={y(l, u)} r={3} fill="var(--panel)" stroke="var(--text)" strokeWidth={1} />))}
      </svg>
    </figure>
  );
}
