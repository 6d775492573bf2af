// The chart history (halving to stay short, CSV export) and the view builders (mask cell codes,
// prune threshold, decision-boundary cells, confusion matrix).
import { describe, expect, it } from 'vitest';
import { layoutParams, mlpLayers } from '../../../src/engine';
import { blockImage, CELL, CELL_COLORS, HISTORY_CAPACITY, VIEW_MAX_CELLS, appendHistory, boundaryCells, confusionMatrix, emptyHistory, historyCsv, maskCell, maskViews, type HistoryRow } from '../../../src/state';

const row = (step: number): HistoryRow => ({ step, epoch: 0, loss: 1, trainAccuracy: 0.5, testAccuracy: null, testLoss: null, lr: 0.1, density: 0.5, flopsRatio: 0.6, trainingFlops: 10 * step, itop: null });

describe('history', () => {
  it('keeps every step until full, then halves: evenly spaced rows, never more than the capacity', () => {
    let h = emptyHistory();
    h = appendHistory(h, Array.from({ length: 7 }, (_, i) => row(i)), 8);
    expect(h.rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    h = appendHistory(h, [row(7), row(8), row(9)], 8);
    expect(h.stride).toBe(2);
    expect(h.rows.map((r) => r.step)).toEqual([0, 2, 4, 6, 8]);
    h = appendHistory(h, Array.from({ length: 1000 }, (_, i) => row(10 + i)));
    expect(h.rows.length).toBeLessThanOrEqual(HISTORY_CAPACITY);
  });
  it('CSV: a header, one line per logged step, empty cells for missing values', () => {
    const csv = historyCsv([row(0), { ...row(5), testAccuracy: 0.75 }]).trim().split('\n');
    expect(csv[0]).toBe('step,epoch,loss,trainAccuracy,testLoss,testAccuracy,lr,density,itop,flopsRatio,trainingFlops');
    expect(csv).toHaveLength(3);
    expect(csv[2]).toBe('5,0,1,0.5,,0.75,0.1,0.5,,0.6,50');
  });
});

describe('views', () => {
  it('mask codes: grown and pruned by the last update; pruned-and-regrown looks unchanged', () => {
    expect(maskCell(true, 1, true)).toBe(CELL.grown);
    expect(maskCell(false, 2, true)).toBe(CELL.pruned);
    expect(maskCell(true, 3, true)).toBe(CELL.active);
    expect(maskCell(true, 0, true)).toBe(CELL.active);
    expect(maskCell(false, 0, true)).toBe(CELL.dropped);
    expect(maskCell(false, 0, false)).toBe(CELL.never);
  });
  it('mask views of the first member: rows = outputs, counts, and the |w| prune threshold', () => {
    const layout = layoutParams(mlpLayers(2, [2], 2, 'relu'), 1); // 2x2 and 2x2
    const n = layout.totalFloats;
    const mask = new Float32Array(n);
    const w = new Float32Array(n);
    const fired = new Float32Array(n);
    const [a] = layout.layers;
    mask.set([1, 1, 1, 0], a!.weight.offset);
    w.set([0.5, -0.1, 0.3, 0], a!.weight.offset);
    fired.set([1, 1, 1, 1], a!.weight.offset);
    const b = layout.layers[1]!;
    mask.set([1, 1, 1, 1], b.weight.offset); // fully dense: updates leave it alone
    w.set([0.2, 0.4, -0.6, 0.8], b.weight.offset);
    const events = [Uint32Array.of(0, 1, 0, 2), new Uint32Array(4)];
    const [v, full] = maskViews(layout, mask, w, fired, events, 0.5);
    expect(full!.threshold).toBeNull();
    expect(v!.rows).toBe(2);
    expect(v!.cols).toBe(2);
    expect(Array.from(v!.cells)).toEqual([CELL.active, CELL.grown, CELL.active, CELL.pruned]);
    expect(v!.counts).toEqual({ never: 0, dropped: 0, active: 2, grown: 1, pruned: 1 });
    // Active |w| sorted 0.1, 0.3, 0.5: pruning half (floor 1.5 = 1) removes those ≤ 0.1.
    expect(v!.threshold).toBeCloseTo(0.1, 6);
  });
  it('a layer of more than VIEW_MAX_CELLS connections keeps its first 100 rows, a small picture and its counts, not a cell or weight per connection', () => {
    const layout = layoutParams(mlpLayers(1200, [1000], 3, 'relu'), 1);
    const [big, small] = layout.layers;
    expect(big!.numel).toBeGreaterThan(VIEW_MAX_CELLS);
    const n = layout.totalFloats;
    const mask = new Float32Array(n);
    const w = new Float32Array(n);
    for (let i = 0; i < big!.numel; i += 7) {
      mask[big!.weight.offset + i] = 1;
      w[big!.weight.offset + i] = 0.5;
    }
    const events = [new Uint32Array(big!.numel), new Uint32Array(small!.numel)];
    const [v, s] = maskViews(layout, mask, w, new Float32Array(mask), events, null, [2, 1]);
    expect([v!.block, v!.cellRows, v!.cells.length, v!.weights.length]).toEqual([2, 100, 100 * 1200, 0]);
    expect(v!.counts.active).toBe(Math.ceil(big!.numel / 7));
    expect(v!.counts.active + v!.counts.never).toBe(big!.numel);
    expect(v!.magnitudes.length).toBe(v!.counts.active);
    // The picture: blocks of ⌈√(1,200,000 / 256²)⌉ = 5 connections a side, the mean colour of their cells.
    const cells = Uint8Array.from({ length: big!.numel }, (_, i) => (i % 7 === 0 ? CELL.active : CELL.never));
    expect(v!.preview!.block).toBe(5);
    expect(Array.from(v!.preview!.pixels)).toEqual(Array.from(blockImage(cells, 1000, 1200, 5, CELL_COLORS)));
    expect([s!.block, s!.cellRows, s!.preview]).toEqual([1, 3, null]);
  });
  it('decision-boundary cells and the confusion matrix', () => {
    const { predicted, confidence } = boundaryCells(Float32Array.of(0, Math.log(3), 2, 2), 2);
    expect(Array.from(predicted)).toEqual([1, 0]);
    expect(confidence[0]).toBeCloseTo(0.75, 6);
    expect(confidence[1]).toBeCloseTo(0.5, 6);
    expect(confusionMatrix([0, 1, 1, 0], [0, 1, 0, 0], 2)).toEqual([[2, 1], [0, 1]]);
  });
});
