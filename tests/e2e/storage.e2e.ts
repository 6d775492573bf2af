// The sparse weight storage in the page (issue 14): LeNet-300-100 on MNIST at 95 % sparsity
// trains on it by default (training.storage auto), the status says so, and switching Weight
// storage to masked (a rebuild from the same seed) shows the same accuracy and the same masks.
import { expect, test } from '@playwright/test';
import { collectConsoleErrors } from './console';
import { link, ready, stepTimes, gpuMasks } from './page';

test('MNIST at 95 %: auto trains on the sparse storage; the masked storage shows the same numbers and masks', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.goto(link({ data: { dataset: 'mnist' }, model: { kind: 'lenet-300-100' }, sparsity: { target: 0.95 }, dst: { method: 'rigl', deltaT: 4 }, training: { epochs: 1, batchSize: 64 } }));
  await ready(page);
  await expect(page.getByLabel('Weight storage')).toHaveValue('auto');
  await expect(page.getByTestId('storage')).toContainText('sparse storage');
  await stepTimes(page, 10);
  const sparse = { accuracy: await page.getByTestId('accuracy').textContent(), masks: await gpuMasks(page) };
  await page.screenshot({ path: info.outputPath('mnist-sparse-storage.png'), fullPage: true });

  await page.getByLabel('Weight storage').selectOption('masked');
  await ready(page);
  await expect(page.getByTestId('storage')).toHaveText('masked storage');
  await stepTimes(page, 10);
  expect(await page.getByTestId('accuracy').textContent()).toBe(sparse.accuracy);
  const masked = await gpuMasks(page);
  expect(masked.map((l) => l.name)).toEqual(sparse.masks.map((l) => l.name));
  masked.forEach((l, i) => {
    expect(l.mask.join(''), `${l.name} mask`).toBe(sparse.masks[i]!.mask.join(''));
    expect(l.events.join(''), `${l.name}: what the last update did`).toBe(sparse.masks[i]!.events.join(''));
  });
  expect(errors).toEqual([]);
});
