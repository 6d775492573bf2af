// One layer's mask for every member side by side, and their overlap: how many members keep each
// connection (white: none, darker: more). Free tickets share few connections; snapshots of one run
// (EDST with q = 0) share most.
import { useEffect, useRef, useState } from 'react';
import type { MemberMasksView } from '../../state';

const MAX_PX = 180;

function Grid({ cells, rows, cols, levels, label }: { cells: Uint8Array; rows: number; cols: number; levels: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const scale = Math.max(1, Math.floor(MAX_PX / Math.max(rows, cols)));
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = cols;
    c.height = rows;
    const img = ctx.createImageData(cols, rows);
    for (let i = 0; i < cells.length; i++) {
      const v = 255 - Math.round((cells[i]! / levels) * 235);
      img.data.set([v, v + Math.round((255 - v) * 0.1), 255, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }, [cells, rows, cols, levels]);
  return (
    <figure className="member-mask">
      <canvas ref={ref} style={{ width: Math.min(cols * scale, MAX_PX * 1.5), height: Math.min(rows * scale, MAX_PX * 1.5), imageRendering: 'pixelated' }} role="img" aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

export function MemberMasks({ view }: { view: MemberMasksView }) {
  // Start on the largest layer: the first one is often kept dense by ERK.
  const [layer, setLayer] = useState(() => view.layers.reduce((best, l, i) => (l.rows * l.cols > view.layers[best]!.rows * view.layers[best]!.cols ? i : best), 0));
  const l = view.layers[Math.min(layer, view.layers.length - 1)];
  if (!l) return null;
  const M = view.labels.length;
  return (
    <div className="member-masks" data-testid="member-masks">
      <label>
        Layer{' '}
        <select value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
          {view.layers.map((x, i) => (
            <option key={x.name} value={i}>
              {x.name} ({x.rows}×{x.cols})
            </option>
          ))}
        </select>
      </label>
      <div className="member-masks__row">
        {l.masks.map((m, i) => (
          <Grid key={view.labels[i]} cells={m} rows={l.rows} cols={l.cols} levels={1} label={view.labels[i]!.replace(/ \(.*\)$/, '')} />
        ))}
        {M > 1 ? <Grid cells={l.overlap} rows={l.rows} cols={l.cols} levels={M} label={`overlap: ${(l.shared * 100).toFixed(0)} % of used connections are in all ${M}`} /> : null}
      </div>
    </div>
  );
}
