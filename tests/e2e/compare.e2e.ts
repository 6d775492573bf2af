// Comparing runs (issue 6): two saved runs (SET, then RigL, same seed) overlaid with the run on
// screen; a sparsity sweep of static and RigL at two sparsities plots one line per method.
import { expect, test, type Page } from '@playwright/test';
import { collectConsoleErrors } from './console';
import { link, stepOf } from './page';

async function trainAndSave(page: Page, name: string): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('done', { timeout: 90_000 });
  await page.getByTestId('run-name').fill(name);
  await page.getByTestId('save-run').click();
  await expect(page.getByRole('button', { name: `Open ${name}` })).toBeVisible();
}

test('two saved runs and the current one share one chart', async ({ page }, info) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  await page.goto(link({ data: { dataset: 'moons' }, dst: { method: 'set', deltaT: 10 }, training: { epochs: 4 } }));
  await trainAndSave(page, 'set-run');
  await page.getByLabel('Method').selectOption('rigl');
  await trainAndSave(page, 'rigl-run');
  await page.getByTestId('compare-runs').locator('summary').click();
  await page.getByTestId('compare-set-run').check();
  await page.getByTestId('compare-rigl-run').check();
  const chart = page.getByTestId('compare-chart');
  await expect(chart).toHaveAttribute('data-lines', '3');
  await expect(chart).toHaveAttribute('aria-label', 'test accuracy of this run, set-run, rigl-run');
  await expect(chart.locator('.recharts-line')).toHaveCount(3);
  await chart.screenshot({ path: info.outputPath('compare.png') });
  expect(errors).toEqual([]);
});

test('a sparsity sweep trains each method at each sparsity and plots accuracy against sparsity', async ({ page }, info) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  await page.goto(link({ data: { dataset: 'moons' }, dst: { method: 'rigl', deltaT: 10 }, training: { epochs: 3 } }));
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await page.getByTestId('sweep').locator('summary').click();
  await page.getByTestId('sweep-sparsities').fill('0.5, 0.9');
  await page.getByTestId('sweep-run').click();
  await expect(page.getByTestId('sweep-status')).toContainText('Sweep done: 4 runs', { timeout: 150_000 });
  const label = await page.getByTestId('sweep-chart').getAttribute('aria-label');
  for (const p of ['static 50 %', 'static 90 %', 'rigl 50 %', 'rigl 90 %']) expect(label).toContain(p);
  await expect(page.getByTestId('sweep-chart').locator('.recharts-line')).toHaveCount(2);
  expect(await stepOf(page)).toBe(0); // the playground's own run was left alone
  await page.getByTestId('sweep').screenshot({ path: info.outputPath('sweep.png') });
  expect(errors).toEqual([]);
});
