// The mask heatmaps' render pass (shaders/mask_render.wgsl, src/viz/mask-heatmaps.ts) against its
// CPU reference: every pixel of every layer equals CELL_COLORS[maskCell(...)] computed from the
// read-back mask, events and ITOP record, for member 0 of a two-member RigL run, at the start and
// right after an update (so grown and pruned cells are present and placed), on each storage: the
// masked one's flat buffers and the sparse one's bitmaps (fs and fs_bits). A sparse layer too large
// for one pixel per connection is drawn in blocks: each pixel the mean colour of its block, as the
// CPU's blockImage gives (to one level of 255, the texture's rounding).
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { mlpLayers, Trainer, viewBlock, type TrainerSetup } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { blockImage, CELL, CELL_COLORS, maskViews } from '../../../src/state';
import { renderMaskImages } from '../../../src/viz';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();

function setup(storage: 'masked' | 'sparse'): TrainerSetup {
  const data = generate2D('moons', { n: 128, noise: 0.1, seed: 3 });
  const split = fractionSplit(data.labels, { train: 0.75 }, 5);
  // 2 → 12 → 10 → classes: rows narrower than the 256-byte copy stride, and a layer of 2 columns;
  // two members, so member 0's offsets matter; an update at step 10.
  return pointsSetup(data, split, { layers: mlpLayers(2, [12, 10], data.classes, 'relu'), members: 2, batch: 16, densityRule: { kind: 'uniform' }, schedule: { deltaT: 10, alpha: 0.5, decay: 'constant', tEnd: 100, beginStep: 0 }, stepsPerSubmit: 8, storage });
}

/** Renders on the GPU and compares with the CPU colouring; returns the cell counts it saw. */
async function expectRenderMatchesCpu(trainer: Trainer): Promise<{ grown: number; pruned: number }> {
  const [mask, weights, fired, events, images] = await Promise.all([trainer.readMask(), trainer.readWeights(), trainer.readFired(), trainer.readEvents(), renderMaskImages(trainer.maskBuffers(), CELL_COLORS)]);
  const views = maskViews(trainer.layout, mask, weights, fired, events, null);
  expect(images.length).toBe(views.length);
  views.forEach((v, li) => {
    const img = images[li]!;
    expect(img.length, v.name).toBe(v.rows * v.cols * 4);
    const wrong: string[] = [];
    for (let i = 0; i < v.cells.length; i++) {
      const want = [...CELL_COLORS[v.cells[i]!]!, 255];
      const got = Array.from(img.subarray(i * 4, i * 4 + 4));
      if (got.join() !== want.join()) wrong.push(`${v.name} row ${Math.floor(i / v.cols)} col ${i % v.cols}: ${got} ≠ ${want}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
  const count = (code: number) => views.reduce((a, v) => a + v.cells.filter((c) => c === code).length, 0);
  return { grown: count(CELL.grown), pruned: count(CELL.pruned) };
}

/** The pictures drawn with at most `maxPixels` pixels against blockImage of the CPU's cells. */
async function expectBlocksMatchCpu(trainer: Trainer, maxPixels: number): Promise<number[]> {
  const [mask, weights, fired, events] = await Promise.all([trainer.readMask(), trainer.readWeights(), trainer.readFired(), trainer.readEvents()]);
  const buffers = trainer.maskBuffers();
  const images = await renderMaskImages(buffers, CELL_COLORS, maxPixels);
  const views = maskViews(trainer.layout, mask, weights, fired, events, null);
  return views.map((v, li) => {
    const block = viewBlock(buffers.layers[li]!, maxPixels);
    const want = blockImage(v.cells, v.rows, v.cols, block, CELL_COLORS);
    expect(images[li]!.length, v.name).toBe(want.length);
    const worst = want.reduce((a, x, i) => Math.max(a, Math.abs(x - images[li]![i]!)), 0);
    expect(worst, `${v.name}, block ${block}: largest channel difference`).toBeLessThanOrEqual(1);
    return block;
  });
}

describe('mask heatmap in blocks (sparse storage)', () => {
  it('draws each block as the mean colour of its cells, partial blocks at the edges included', async () => {
    const trainer = await Trainer.create(PipelineCache.for(device().device), setup('sparse'));
    try {
      await trainer.train(12); // after an update: grown and pruned shares in the blocks
      // 12 × 2, 10 × 12 and 3 × 10 connections in at most 16 pixels: blocks of 2, 3 and 2.
      expect(await expectBlocksMatchCpu(trainer, 16)).toEqual([2, 3, 2]);
      expect(await expectBlocksMatchCpu(trainer, 1024)).toEqual([1, 1, 1]);
    } finally {
      trainer.destroy();
    }
  });
});

describe.each(['masked', 'sparse'] as const)('mask heatmap render pass, %s storage', (storage) => {
  it('draws every cell as the CPU reference colours it, before and after a RigL update', async () => {
    const trainer = await Trainer.create(PipelineCache.for(device().device), setup(storage));
    try {
      expect(trainer.maskBuffers().layers.map((l) => l.kind)).toEqual(new Array(3).fill(storage === 'sparse' ? 'bits' : 'flat'));
      expect(await expectRenderMatchesCpu(trainer)).toEqual({ grown: 0, pruned: 0 });
      await trainer.train(12); // the update at step 10 prunes and regrows
      const after = await expectRenderMatchesCpu(trainer);
      expect(after.grown).toBeGreaterThan(0);
      expect(after.pruned).toBeGreaterThan(0);
    } finally {
      trainer.destroy();
    }
  });
});
