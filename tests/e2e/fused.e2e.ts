// The fused small-MLP path in the page (issue 18, item 2): the default 2-D run trains its ordinary
// steps fused (training.fused auto) and the status says so; Fused steps off (a rebuild from the
// same seed) says why the run goes kernel by kernel and shows the same accuracy and masks.
import { expect, test } from '@playwright/test';
import { collectConsoleErrors } from './console';
import { link, ready, stepTimes, gpuMasks } from './page';

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
