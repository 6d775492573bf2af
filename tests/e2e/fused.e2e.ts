// The fused small-MLP path in the page (issue 18, item 2): the default 2-D run trains its ordinary
// steps fused (training.fused auto) and the status says so; Fused steps off (a rebuild from the
// same seed) says why the run goes kernel by kernel and shows the same accuracy and masks.
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

/** Steps one at a time (each Step waits for the counter), crossing mask updates (ΔT = 3). */
async function stepTimes(page: Page, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await page.getByTestId('step').click();
    await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBe(i);
  }
}

type Masks = { name: string; mask: number[] }[];
const gpuMasks = (page: Page): Promise<Masks> => page.evaluate(() => (window as unknown as { stp: { gpuMasks(): Promise<Masks> } }).stp.gpuMasks());

test('the default spiral run trains fused; Fused steps off goes kernel by kernel, says why, and shows the same numbers', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.goto(link({ dst: { method: 'rigl', deltaT: 3 } }));
  await ready(page);
  await expect(page.getByTestId('training-path')).toHaveText('fused steps');
  await stepTimes(page, 8);
  const fused = { accuracy: await page.getByTestId('accuracy').textContent(), masks: await gpuMasks(page) };
  await page.screenshot({ path: info.outputPath('spiral-fused.png'), fullPage: true });

  await page.getByLabel('Fused steps').selectOption('off');
  await ready(page);
  await expect(page.getByTestId('training-path')).toHaveText('kernel by kernel (not fused: turned off (training.fused))');
  await stepTimes(page, 8);
  expect(await page.getByTestId('accuracy').textContent()).toBe(fused.accuracy);
  const layer = await gpuMasks(page);
  layer.forEach((l, i) => expect(l.mask.join(''), `${l.name} mask`).toBe(fused.masks[i]!.mask.join('')));
  expect(errors).toEqual([]);
});
