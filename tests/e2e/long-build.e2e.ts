// Long work never freezes the page (reliability issue, item 8): SynFlow with 1,000 rounds on a
// 3 × 1024 MLP scores on the CPU for many seconds. The page says which round it is at, stays
// responsive (a click is handled within a second), and Cancel stops it and goes back to the last
// run's settings, built again; nothing is left over (the GPU buffers alive are those of before).
import { expect, test, type Page } from '@playwright/test';
import { encodeConfig, parseConfig } from '../../src/config';
import { collectConsoleErrors } from './console';

const liveBuffers = (page: Page) => page.evaluate(() => (window as unknown as { stp: { bufferCounts(): { live: number } } }).stp.bufferCounts().live);

test('a 1,000-round SynFlow build shows its round, keeps the page responsive, and Cancel goes back to the last run', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  const buffers = await liveBuffers(page);
  const r = parseConfig({ version: 1, model: { hidden: [1024, 1024, 1024] }, sparsity: { target: 0.9, mask: { kind: 'synflow', rounds: 1000 } } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  await page.evaluate((h) => (window.location.hash = h), encodeConfig(r.config));
  await expect(page.getByTestId('run-message')).toContainText(/SynFlow round \d+ of 1000/, { timeout: 60_000 });
  // Responsive meanwhile: opening the methods help answers at once.
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Methods' }).click();
  await expect(page.getByTestId('methods-help')).toBeVisible();
  expect(Date.now() - t0).toBeLessThan(1500);
  await page.getByRole('button', { name: 'Methods' }).click();
  // The round moves on: it is working, not stuck.
  const round = async () => Number(/SynFlow round (\d+)/.exec((await page.getByTestId('run-message').textContent()) ?? '')?.[1] ?? NaN);
  const first = await round();
  await expect.poll(round, { timeout: 30_000 }).toBeGreaterThan(first);
  await page.getByTestId('cancel-build').click();
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('run-message')).toContainText('Building was cancelled: these are the settings of the last run.');
  await expect(page.getByLabel('Mask at initialisation')).toHaveValue('random');
  expect(await liveBuffers(page)).toBe(buffers);
  // And it trains.
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText('step 1 /');
  expect(errors).toEqual([]);
});
