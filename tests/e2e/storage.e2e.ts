// The sparse weight storage in the page (issue 14): LeNet-300-100 on MNIST at 95 % sparsity
// trains on it by default (training.storage auto), the status says so, and switching Weight
// storage to masked (a rebuild from the same seed) shows the same accuracy and the same masks.
import { expect, test, type Page } from '@playwright/test';
import { encodeConfig, parseConfig } from '../../src/config';
import { collectConsoleErrors } from './console';
import { stepOf } from './page';

function link(input: Record<string, unknown>): string {
  const r = parseConfig({ version: 1, ...input });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return `/#${encodeConfig(r.config)}`;
}

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
}

/** Steps one at a time (each Step waits for the counter): crosses the mask updates at 0, 4 and 8. */
async function stepTimes(page: Page, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await page.getByTestId('step').click();
    await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBe(i);
  }
}

type Masks = { name: string; mask: number[]; events: number[] }[];
const gpuMasks = (page: Page): Promise<Masks> => page.evaluate(() => (window as unknown as { stp: { gpuMasks(): Promise<Masks> } }).stp.gpuMasks());

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
