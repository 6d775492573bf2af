// What the network predicts. 2-D data: the decision boundary over the plane (the predicted
// class's colour, lighter where it is unsure), with the training points (filled) and test points
// (ringed). Images: a grid of test images with their predicted labels, mistakes marked, and the
// confusion matrix.
import { useEffect, useRef } from 'react';
import { CLASS_COLORS, classRgb, drawBoundary } from './draw-boundary';
import { NetworkGraph } from './NetworkGraph';
import { ViewStep } from './ViewStep';
import { useAppState } from './use-app-state';
import { appStore } from '../state';

/** A class's colour with black or white text, whichever reads better on it. */
function swatchStyle(c: number): { background: string; color: string } {
  const [r, g, b] = CLASS_COLORS[c % CLASS_COLORS.length]!;
  const lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return { background: `rgb(${r},${g},${b})`, color: lum > 0.45 ? '#000' : '#fff' };
}

const DEFAULT_GRID = { size: 1, x0: -1.2, x1: 1.2, y0: -1.2, y1: 1.2 };
const S = 360;
let rebuildTimer: ReturnType<typeof setTimeout> | undefined;

/** Rebuild shortly after the last click, so a burst of drawn points costs one rebuild. */
function rebuildSoon(): void {
  clearTimeout(rebuildTimer);
  rebuildTimer = setTimeout(() => void appStore.getState().session?.rebuild(), 400);
}

function Boundary() {
  const b = useAppState((s) => s.views.boundary);
  const drawn = useAppState((s) => s.drawn);
  const drawClass = useAppState((s) => s.drawClass);
  const classes = useAppState((s) => (s.config.data.dataset === 'user' ? s.config.data.classes : s.views.boundary?.classes ?? 2));
  const ref = useRef<HTMLCanvasElement>(null);
  const grid = b?.grid ?? DEFAULT_GRID;
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    canvas.width = canvas.height = S;
    ctx.clearRect(0, 0, S, S);
    const px = (x: number) => ((x - grid.x0) / (grid.x1 - grid.x0)) * S;
    const py = (y: number) => ((grid.y1 - y) / (grid.y1 - grid.y0)) * S;
    if (b) drawBoundary(ctx, b, S);
    // Drawn points: squares with a dark outline, on top.
    for (const p of drawn) {
      ctx.fillStyle = `rgb(${classRgb(p.label)})`;
      ctx.fillRect(px(p.x) - 3.5, py(p.y) - 3.5, 7, 7);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1;
      ctx.strokeRect(px(p.x) - 3.5, py(p.y) - 3.5, 7, 7);
    }
  }, [b, drawn, grid]);
  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = grid.x0 + ((e.clientX - r.left) / r.width) * (grid.x1 - grid.x0);
    const y = grid.y1 - ((e.clientY - r.top) / r.height) * (grid.y1 - grid.y0);
    const s = appStore.getState();
    s.addPoint({ x, y, label: s.drawClass });
    rebuildSoon();
  };
  const train = b ? b.points.test.reduce((a, t) => a + (t ? 0 : 1), 0) : 0;
  return (
    <div className="boundary-view">
      <canvas
        ref={ref}
        className="boundary"
        role="img"
        aria-label="Decision boundary: each region's colour is the predicted class; filled dots are training points, rings are test points, squares are points you drew. Click to add a point of the chosen class."
        data-testid="boundary"
        onClick={onClick}
      />
      <div className="boundary-view__draw" role="radiogroup" aria-label="Class of the points you draw">
        <span>Click the plane to add:</span>
        {Array.from({ length: classes }, (_, c) => (
          <button key={c} type="button" role="radio" aria-checked={drawClass === c} className={`swatch ${drawClass === c ? 'swatch--on' : ''}`} style={swatchStyle(c)} onClick={() => appStore.getState().setDrawClass(c)}>
            class {c + 1}
          </button>
        ))}
        <button type="button" disabled={drawn.length === 0} onClick={() => (appStore.getState().clearDrawn(), rebuildSoon())}>
          Clear drawn
        </button>
      </div>
      <p className="boundary-view__count" data-testid="train-count">
        {train} training points ({drawn.length} drawn){b ? ` · boundary at step ${b.step}` : ''}
      </p>
    </div>
  );
}

function ImagePredictions() {
  const p = useAppState((s) => s.views.predictions);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !p) return;
    const cols = 8;
    const n = p.labels.length;
    canvas.width = cols * p.width;
    canvas.height = Math.ceil(n / cols) * p.height;
    const img = ctx.createImageData(canvas.width, canvas.height);
    for (let k = 0; k < n; k++) {
      const wrong = p.predicted[k] !== p.labels[k];
      for (let y = 0; y < p.height; y++) {
        for (let x = 0; x < p.width; x++) {
          const v = 255 - p.images[k * p.width * p.height + y * p.width + x]!;
          const o = (((Math.floor(k / cols) * p.height + y) * canvas.width) + (k % cols) * p.width + x) * 4;
          img.data.set(wrong ? [255, v * 0.6, v * 0.4, 255] : [v, v, v, 255], o);
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    // The predicted label in each tile's corner (vermillion when wrong).
    ctx.font = 'bold 8px sans-serif';
    for (let k = 0; k < n; k++) {
      ctx.fillStyle = p.predicted[k] !== p.labels[k] ? '#D55E00' : '#0072B2';
      ctx.fillText(p.classNames[p.predicted[k]!] ?? '?', (k % cols) * p.width + 1, Math.floor(k / cols) * p.height + 8);
    }
  }, [p]);
  if (!p) return <p className="panel__placeholder">Predictions on test images appear once the network is built.</p>;
  const wrong = p.labels.reduce((a, l, i) => a + (p.predicted[i] !== l ? 1 : 0), 0);
  return (
    <ViewStep step={p.step} what="Test-set predictions and confusion matrix" testId="predictions-step">
    <div className="image-preds">
      <canvas ref={ref} className="image-preds__grid" role="img" aria-label={`${p.labels.length} test images; ${wrong} predicted wrongly (tinted red)`} />
      <p>
        Predicted label in each corner; {wrong} of {p.labels.length} wrong (tinted). Confusion matrix of the whole test set (rows: true class):
      </p>
      <table className="confusion" aria-label="Confusion matrix: rows are true classes, columns predicted">
        <tbody>
          {p.confusion.map((row, t) => (
            <tr key={t}>
              <th scope="row">{p.classNames[t]}</th>
              {row.map((c, j) => (
                <td key={j} className={t === j ? 'confusion__diag' : c > 0 ? 'confusion__off' : ''}>
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    </ViewStep>
  );
}

export function PredictionView() {
  const images = useAppState((s) => s.config.data.dataset === 'mnist' || s.config.data.dataset === 'fashion-mnist');
  return images ? (
    <ImagePredictions />
  ) : (
    <>
      <Boundary />
      <NetworkGraph />
    </>
  );
}
