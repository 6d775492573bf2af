// Building the views' data from what the engine reads back: mask cells with their last-update
// state, |w| histograms with the next prune threshold, the decision-boundary grid, and image
// predictions with a confusion matrix. Plain arrays in, plain arrays out.
import { VIEW_MAX_PIXELS, type ParamLayout, type Trainer } from '../engine';
import { CELL, CELL_COLORS, maskCell, type BoundaryView, type MaskLayerView, type Views } from './store';


/**
 * Connections per layer up to which a view keeps one cell per connection: the bound under which
 * the GPU also draws one pixel per connection (engine viewBlock), a 1,024 × 1,024 layer.
 */
export const VIEW_MAX_CELLS = VIEW_MAX_PIXELS;
/** Rows a layer too large to keep per connection still keeps (the receptive fields of its first units). */
const HEAD_ROWS = 100;
/** Pixels of the CPU's picture of such a layer (in every timeline entry: kept small). */
const PREVIEW_PIXELS = 256 * 256;

/**
 * Member 0's layers as (rows = outputs, cols = inputs·taps) cells, with counts, |w| of active
 * weights, and the |w| below which the next update would prune `pruneFraction` of them.
 * `blocks`: each layer's live heatmap block (engine viewBlock; 1 when absent). A layer of more
 * than VIEW_MAX_CELLS connections keeps its first rows of cells and a small picture instead.
 */
export function maskViews(layout: ParamLayout, mask: Float32Array, weights: Float32Array, fired: Float32Array, events: readonly Uint32Array[], pruneFraction: number | null, blocks: readonly number[] = []): MaskLayerView[] {
  return layout.layers.map((l, li) => {
    const n = l.numel;
    const rows = l.outChannels;
    const cols = n / rows;
    const cells = new Uint8Array(n);
    const counts = { never: 0, dropped: 0, active: 0, grown: 0, pruned: 0 };
    const keys = Object.keys(CELL) as (keyof typeof CELL)[];
    const mags: number[] = [];
    for (let i = 0; i < n; i++) {
      const j = l.weight.offset + i;
      const active = mask[j] !== 0;
      const c = maskCell(active, events[li]![i]!, fired[j] !== 0);
      cells[i] = c;
      counts[keys[c]!]++;
      if (active) mags.push(Math.abs(weights[j]!));
    }
    const magnitudes = Float32Array.from(mags);
    let threshold: number | null = null;
    // A fully dense layer has nowhere to regrow: updates leave it alone, so no threshold.
    if (pruneFraction !== null && magnitudes.length > 0 && magnitudes.length < n) {
      const sorted = Float32Array.from(magnitudes).sort();
      const k = Math.floor(pruneFraction * sorted.length);
      threshold = k > 0 ? sorted[k - 1]! : null;
    }
    const block = blocks[li] ?? 1;
    if (n <= VIEW_MAX_CELLS) return { name: l.name, rows, cols, cells, cellRows: rows, block, preview: null, counts, magnitudes, threshold, weights: weights.slice(l.weight.offset, l.weight.offset + n) };
    const head = Math.min(rows, HEAD_ROWS);
    const pb = Math.ceil(Math.sqrt(n / PREVIEW_PIXELS));
    const preview = { block: pb, pixels: blockImage(cells, rows, cols, pb, CELL_COLORS) };
    return { name: l.name, rows, cols, cells: cells.slice(0, head * cols), cellRows: head, block, preview, counts, magnitudes, threshold, weights: new Float32Array(0) };
  });
}

/**
 * A layer's heatmap drawn in blocks: pixel (y, x) is the mean of the palette colours of the cells
 * in rows y·block.. and columns x·block.. (clipped at the edges), so its shade is the block's
 * density with its grown and pruned shares; (⌈rows/block⌉, ⌈cols/block⌉) RGBA. Block 1 is one
 * pixel per cell. The CPU twin of mask_render.wgsl fs_bits (GPU test: mask-render.gpu.test.ts).
 */
export function blockImage(cells: Uint8Array, rows: number, cols: number, block: number, palette: readonly (readonly [number, number, number])[]): Uint8ClampedArray {
  const h = Math.ceil(rows / block);
  const w = Math.ceil(cols / block);
  const out = new Uint8ClampedArray(h * w * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sum = [0, 0, 0];
      let n = 0;
      for (let r = y * block; r < Math.min(rows, (y + 1) * block); r++) {
        for (let c = x * block; c < Math.min(cols, (x + 1) * block); c++, n++) palette[cells[r * cols + c]!]!.forEach((v, i) => (sum[i]! += v));
      }
      out.set([...sum.map((v) => Math.round(v / n)), 255], (y * w + x) * 4);
    }
  }
  return out;
}

/** Predicted class and its probability per grid cell, from the grid's logits (G·G, classes). */
export function boundaryCells(logits: Float32Array, classes: number): { predicted: Uint8Array; confidence: Float32Array } {
  const n = logits.length / classes;
  const predicted = new Uint8Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (logits[i * classes + c]! > max) [max, best] = [logits[i * classes + c]!, c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c]! - max);
    predicted[i] = best;
    confidence[i] = 1 / sum;
  }
  return { predicted, confidence };
}

export function boundaryView(grid: BoundaryView['grid'], classes: number, logits: Float32Array, points: Float32Array, labels: ArrayLike<number>, test: ReadonlySet<number>, shown: ArrayLike<number>, step: number): BoundaryView {
  const idx = Array.from(shown);
  return {
    grid,
    classes,
    ...boundaryCells(logits, classes),
    points: {
      x: Float32Array.from(idx, (i) => points[i * 2]!),
      y: Float32Array.from(idx, (i) => points[i * 2 + 1]!),
      label: Uint8Array.from(idx, (i) => labels[i]!),
      test: Uint8Array.from(idx, (i) => (test.has(i) ? 1 : 0)),
    },
    step,
  };
}

/** confusion[true][predicted] counts. */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predicted.length; i++) m[labels[i]!]![predicted[i]!]!++;
  return m;
}

/** One weight layer of the first model as the GPU holds it: mask, last-update events, ITOP record. */
export type GpuMasks = { name: string; rows: number; cols: number; mask: number[]; events: number[]; fired: number[] }[];

/**
 * The first model's masks, last-update events and ITOP record, read from the GPU now: lets the
 * end-to-end tests check the mask view's pixels against the GPU's own buffers.
 */
export async function gpuMasksOf(t: Trainer): Promise<GpuMasks> {
  const [mask, fired, events] = await Promise.all([t.readMask(), t.readFired(), t.readEvents()]);
  return t.layout.layers.map((l, i) => {
    const seg = (a: ArrayLike<number>, from: number) => Array.from({ length: l.numel }, (_, k) => a[from + k]!);
    return { name: l.name, rows: l.outChannels, cols: l.numel / l.outChannels, mask: seg(mask, l.weight.offset), events: seg(events[i]!, 0), fired: seg(fired, l.weight.offset) };
  });
}

/**
 * The image predictions view: 48 test images spread over the split (it is ordered by class, so not
 * its first ones), always the same, with their labels and predictions, and the confusion matrix of
 * the whole split. `logits` (count, classes) are the first model's on the test split `evalIdx`.
 */
export function predictionsView(classes: number, logits: Float32Array, evalIdx: Uint32Array, data: { images: Uint8Array; labels: ArrayLike<number>; width: number; height: number }, step: number): NonNullable<Views['predictions']> {
  const { predicted } = boundaryCells(logits, classes); // argmax per test image
  const labels = Uint8Array.from(evalIdx, (i) => data.labels[i]!);
  const shown = Math.min(48, evalIdx.length);
  const pick = Array.from({ length: shown }, (_, k) => Math.floor((k * evalIdx.length) / shown));
  const px = data.width * data.height;
  const images = new Uint8Array(shown * px);
  pick.forEach((j, k) => images.set(data.images.subarray(evalIdx[j]! * px, (evalIdx[j]! + 1) * px), k * px));
  return { images, width: data.width, height: data.height, labels: Uint8Array.from(pick, (j) => labels[j]!), predicted: Uint8Array.from(pick, (j) => predicted[j]!), classNames: Array.from({ length: classes }, (_, c) => String(c)), confusion: confusionMatrix(predicted, labels, classes), step };
}
