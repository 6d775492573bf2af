// Drawing a decision boundary on a 2-D canvas: each grid cell in its predicted class's colour,
// lighter where the model is unsure, then the training points (filled) and test points (ringed).
// Shared by the main prediction view and the ensemble's per-member boundaries.
import type { BoundaryView } from '../state';

// Okabe-Ito colours: distinguishable with colour-blindness.
export const CLASS_COLORS: readonly [number, number, number][] = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [204, 121, 167],
  [240, 228, 66],
  [0, 114, 178],
  [213, 94, 0],
  [120, 120, 120],
];

export const classRgb = (c: number): string => CLASS_COLORS[c % CLASS_COLORS.length]!.join(',');

/** Draws `b` over a size × size canvas area; returns data → pixel maps for anything drawn on top. */
export function drawBoundary(ctx: CanvasRenderingContext2D, b: BoundaryView, size: number, pointRadius = 3): { px: (x: number) => number; py: (y: number) => number } {
  const { grid } = b;
  const px = (x: number) => ((x - grid.x0) / (grid.x1 - grid.x0)) * size;
  const py = (y: number) => ((grid.y1 - y) / (grid.y1 - grid.y0)) * size;
  const G = grid.size;
  const cell = size / G;
  for (let i = 0; i < G * G; i++) {
    const a = 0.15 + 0.55 * Math.max(0, (b.confidence[i]! - 1 / b.classes) / (1 - 1 / b.classes));
    ctx.fillStyle = `rgba(${classRgb(b.predicted[i]!)},${a})`;
    ctx.fillRect((i % G) * cell, Math.floor(i / G) * cell, cell + 0.5, cell + 0.5);
  }
  for (let i = 0; i < b.points.x.length; i++) {
    ctx.beginPath();
    ctx.arc(px(b.points.x[i]!), py(b.points.y[i]!), pointRadius, 0, 2 * Math.PI);
    if (b.points.test[i]) {
      ctx.strokeStyle = `rgb(${classRgb(b.points.label[i]!)})`;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    } else {
      ctx.fillStyle = `rgb(${classRgb(b.points.label[i]!)})`;
      ctx.fill();
      ctx.strokeStyle = 'rgba(0,0,0,0.5)';
      ctx.lineWidth = 0.5;
      ctx.stroke();
    }
  }
  return { px, py };
}
