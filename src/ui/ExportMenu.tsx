// Exports: the metrics history as CSV and JSON, the config as JSON (the headless runner's
// format), the masks as JSON (0/1 per layer, first model) and PNG, the charts as PNG, and the
// PyTorch export (PythonExport.tsx: config, commands, checkpoint).
import { useState } from 'react';
import { canvasesToPng, downloadBlob, downloadText, svgToPng } from './download';
import { PythonExport } from './PythonExport';
import { useAppState } from './use-app-state';
import { CELL, appStore, historyCsv } from '../state';

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

async function chartsPng(): Promise<void> {
  const figures = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="charts"] figure'));
  const items: { title: string; canvas: HTMLCanvasElement }[] = [];
  for (const f of figures) {
    const svg = f.querySelector('svg.recharts-surface');
    if (!svg) continue;
    const blob = await svgToPng(svg as SVGSVGElement, 1);
    const img = await createImageBitmap(blob);
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    c.getContext('2d')!.drawImage(img, 0, 0);
    items.push({ title: f.querySelector('figcaption')?.textContent ?? '', canvas: c });
  }
  downloadBlob(`charts-${stamp()}.png`, await canvasesToPng(items, 1));
}

export function ExportMenu() {
  const hasRows = useAppState((s) => s.run.history.rows.length > 0);
  const hasMasks = useAppState((s) => s.views.masks !== null);
  const [python, setPython] = useState(false);
  const s = () => appStore.getState();
  return (
    <div className="export" role="group" aria-label="Export">
      <span>Export:</span>
      <button type="button" disabled={!hasRows} data-testid="export-csv" onClick={() => downloadText(`metrics-${stamp()}.csv`, historyCsv(s().run.history.rows), 'text/csv')}>
        metrics CSV
      </button>
      <button type="button" disabled={!hasRows} onClick={() => downloadText(`metrics-${stamp()}.json`, JSON.stringify({ config: s().config, history: s().run.history.rows }, null, 1), 'application/json')}>
        metrics JSON
      </button>
      <button type="button" data-testid="export-config" onClick={() => downloadText(`config-${stamp()}.json`, JSON.stringify(s().config, null, 2), 'application/json')}>
        config JSON
      </button>
      <button
        type="button"
        disabled={!hasMasks}
        onClick={() => {
          const masks = s().views.masks ?? [];
          // A layer too large to keep per connection (a wide sparse one) is named with its size, without its mask.
          const layers = masks.map((m) => ({ name: m.name, rows: m.rows, cols: m.cols, mask: m.cellRows === m.rows ? Array.from(m.cells, (c) => (c === CELL.active || c === CELL.grown ? 1 : 0)) : null, ...(m.cellRows === m.rows ? {} : { omitted: `${m.rows * m.cols} connections: too many for a JSON mask (a checkpoint holds them)` }) }));
          downloadText(`masks-step${s().run.step}-${stamp()}.json`, JSON.stringify({ step: s().run.step, layers }), 'application/json');
        }}
      >
        masks JSON
      </button>
      <button
        type="button"
        disabled={!hasMasks}
        onClick={() => {
          const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas.mask-layer__canvas'));
          void canvasesToPng(canvases.map((c) => ({ title: c.getAttribute('aria-label') ?? '', canvas: c })), 4).then((b) => downloadBlob(`masks-step${s().run.step}-${stamp()}.png`, b));
        }}
      >
        masks PNG
      </button>
      <button type="button" disabled={!hasRows} onClick={() => void chartsPng()}>
        charts PNG
      </button>
      <button type="button" data-testid="export-pytorch" aria-expanded={python} onClick={() => setPython(!python)}>
        PyTorch…
      </button>
      {python ? <PythonExport onClose={() => setPython(false)} /> : null}
    </div>
  );
}
