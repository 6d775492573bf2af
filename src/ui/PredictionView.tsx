// What the network predicts. 2-D data: the decision boundary over the plane (the predicted
// class's colour, lighter where it is unsure), with the training points (filled) and test points
// (ringed). Images: a grid of test images with their predicted labels, mistakes marked, and the
// confusion matrix.
import { useEffect, useRef } from 'react';
import { useAppState } from './use-app-state';

const CLASS_COLORS: readonly [number, number, number][] = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [204, 121, 167],
  [240, 228, 66],
  [0, 114, 178],
  [213, 94, 0],
  [120, 120, 120],
];

function Boundary() {
  const b = useAppState((s) => s.views.boundary);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !b) return;
    const S = 360;
    canvas.width = canvas.height = S;
    const G = b.grid.size;
    const cell = S / G;
    for (let i = 0; i < G * G; i++) {
      const [r, g, bl] = CLASS_COLORS[b.predicted[i]! % CLASS_COLORS.length]!;
      const a = 0.15 + 0.55 * Math.max(0, (b.confidence[i]! - 1 / b.classes) / (1 - 1 / b.classes));
      ctx.fillStyle = `rgba(${r},${g},${bl},${a})`;
      ctx.fillRect((i % G) * cell, Math.floor(i / G) * cell, cell + 0.5, cell + 0.5);
    }
    const px = (x: number) => ((x - b.grid.x0) / (b.grid.x1 - b.grid.x0)) * S;
    const py = (y: number) => ((b.grid.y1 - y) / (b.grid.y1 - b.grid.y0)) * S;
    for (let i = 0; i < b.points.x.length; i++) {
      const [r, g, bl] = CLASS_COLORS[b.points.label[i]! % CLASS_COLORS.length]!;
      ctx.beginPath();
      ctx.arc(px(b.points.x[i]!), py(b.points.y[i]!), 3, 0, 2 * Math.PI);
      if (b.points.test[i]) {
        ctx.strokeStyle = `rgb(${r},${g},${bl})`;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      } else {
        ctx.fillStyle = `rgb(${r},${g},${bl})`;
        ctx.fill();
        ctx.strokeStyle = 'rgba(0,0,0,0.5)';
        ctx.lineWidth = 0.5;
        ctx.stroke();
      }
    }
  }, [b]);
  if (!b) return <p className="panel__placeholder">The decision boundary appears once the network is built.</p>;
  return <canvas ref={ref} className="boundary" role="img" aria-label="Decision boundary: each region's colour is the predicted class; filled dots are training points, rings are test points" data-testid="boundary" />;
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
  }, [p]);
  if (!p) return <p className="panel__placeholder">Predictions on test images appear once the network is built.</p>;
  const wrong = p.labels.reduce((a, l, i) => a + (p.predicted[i] !== l ? 1 : 0), 0);
  return (
    <div className="image-preds">
      <canvas ref={ref} className="image-preds__grid" role="img" aria-label={`${p.labels.length} test images; ${wrong} predicted wrongly (tinted red)`} />
      <p>Predicted: {Array.from(p.predicted).map((c, i) => (c === p.labels[i] ? String(c) : `✗${c}`)).join(' ')}</p>
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
  );
}

export function PredictionView() {
  const images = useAppState((s) => s.config.data.dataset === 'mnist' || s.config.data.dataset === 'fashion-mnist');
  return images ? <ImagePredictions /> : <Boundary />;
}
