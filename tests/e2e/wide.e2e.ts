// Wide and sparse in the page (issue 15): an MNIST MLP with a 2,048-wide hidden layer at 99 %
// sparsity trains on the sparse storage, its first layer's heatmap is drawn by the GPU one pixel
// per 2 × 2 connections (and says so), the receptive fields still show the first units; a
// network whose host arrays would not fit a tab is refused, naming why, and the run on screen
// stays.
import { expect, test } from '@playwright/test';
import { collectConsoleErrors } from './console';
import { link, ready, stepOf, stepTimes } from './page';

test('a 784-2048-10 MLP at 99 % trains on the sparse storage with a block heatmap; a too-wide one is refused and the run stays', async ({ page }, info) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  await page.goto(link({ data: { dataset: 'mnist' }, model: { kind: 'mlp', hidden: [2048] }, sparsity: { target: 0.99 }, dst: { method: 'rigl', deltaT: 3 }, training: { epochs: 1, batchSize: 64 } }));
  await ready(page);
  await expect(page.getByTestId('storage')).toContainText('sparse storage');
  await stepTimes(page, 4); // through mask updates
  await expect(page.getByTestId('mask-summary')).toContainText(/[1-9] mask updates?/);
  // dense1: 2048 × 784 connections, 1,605,632, drawn as 1024 × 392 pixels.
  await expect(page.getByTestId('mask-block-dense1')).toHaveText(' · one pixel per 2×2 connections');
  const canvas = page.getByTestId('mask-canvas-dense1');
  await expect(canvas).toHaveAttribute('data-drawn', 'gpu');
  expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([392, 1024]);
  await expect(page.getByTestId('mask-counts-dense1')).toContainText(/active \d+ · grown \d+ · pruned \d+/);
  await expect(page.getByTestId('receptive-fields')).toBeVisible();
  await page.screenshot({ path: info.outputPath('wide-block-heatmap.png'), fullPage: true });

  // 784-16384-16384-10: the GPU would hold it sparse, the host's position-space arrays would not.
  const hidden = page.getByLabel('Hidden layers');
  await hidden.fill('16384, 16384');
  await hidden.blur();
  await expect(page.getByTestId('run-message')).toContainText('These settings were not applied: This network has');
  await expect(page.getByTestId('run-message')).toContainText('the host side does not yet');
  expect(await stepOf(page)).toBe(4);
  await expect(page.getByTestId('mask-block-dense1')).toBeVisible();
  expect(errors).toEqual([]);
});
