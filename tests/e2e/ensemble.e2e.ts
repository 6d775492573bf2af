// The ensemble views (issue 6): EDST with M = 3 on the spiral shows three members whose decision
// boundaries differ, a non-zero disagreement heatmap and the phase timeline; a DST ensemble on
// MNIST fills the member table and draws the reliability diagram. Each view passes the
// accessibility audit. Screenshots are kept as test artifacts.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { encodeConfig, parseConfig } from '../../src/config';
import { collectConsoleErrors } from './console';

function hashOf(input: unknown): string {
  const r = parseConfig({ version: 1, ...(input as object) });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return `/#${encodeConfig(r.config)}`;
}

async function trainToEnd(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('done', { timeout: 110_000 });
}

/** The ensemble views pass the audit in both themes (the theme button cycles system → light → dark). */
async function axe(page: Page): Promise<void> {
  for (const theme of ['light', 'dark']) {
    await page.getByTestId('theme').click();
    await expect(page.getByTestId('theme')).toContainText(theme);
    const r = await new AxeBuilder({ page }).include('[data-testid=ensemble-panel]').include('[data-testid=phase-timeline]').analyze();
    const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${theme}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
}

test('EDST with M = 3 on the spiral: three members with different boundaries, a non-zero disagreement heatmap, the phase timeline', async ({ page }, info) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  const config = { data: { dataset: 'spiral' }, dst: { method: 'rigl', deltaT: 13 }, training: { epochs: 10, schedule: { kind: 'constant' } }, ensemble: { mode: 'edst', members: 3, explorationEpochs: 4, exploreRate: 0.8 } };
  await page.goto(hashOf(config));
  await expect(page.getByTestId('phase-timeline')).toContainText('refinement 3');
  await expect(page.getByTestId('phase-timeline').locator('svg')).toHaveAttribute('aria-label', /global explorations at steps \d+, \d+/);
  await trainToEnd(page);
  await expect(page.getByTestId('ensemble-status')).toContainText('3 members');
  const off = await page.getByTestId('heatmap-disagreement').locator('rect[data-value]').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
  expect(off).toHaveLength(9);
  expect(Math.max(...off)).toBeGreaterThan(0);
  const boundaries = page.getByTestId('member-boundary');
  await expect(boundaries).toHaveCount(4); // 3 members and the ensemble
  const images = await boundaries.evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).toDataURL()));
  expect(new Set(images.slice(0, 3)).size).toBe(3);
  await expect(page.getByTestId('member-table').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('trajectories')).toBeVisible();
  await expect(page.getByTestId('exploration-mark')).toHaveCount(2); // before members 2 and 3
  await expect(page.getByTestId('divergence-chart')).toBeVisible();
  await expect(page.getByTestId('member-masks').locator('canvas')).toHaveCount(4); // 3 masks and the overlap
  await page.getByTestId('ensemble-panel').screenshot({ path: info.outputPath('edst-ensemble.png') });
  await page.screenshot({ path: info.outputPath('edst-page.png'), fullPage: true });
  await axe(page);
  expect(errors).toEqual([]);
});

test('DST ensemble on MNIST, short budget: the member table fills in and the reliability diagram draws', async ({ page }, info) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  const config = { data: { dataset: 'mnist', trainLimit: 512 }, model: { kind: 'lenet-300-100' }, sparsity: { target: 0.9 }, dst: { method: 'rigl', deltaT: 4 }, training: { epochs: 1, batchSize: 64 }, ensemble: { mode: 'dst', members: 2 } };
  await page.goto(hashOf(config));
  await trainToEnd(page);
  const rows = page.getByTestId('member-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(2)).toContainText('ensemble');
  await expect(rows.nth(0)).toContainText('%');
  expect(await page.getByTestId('reliability').locator('.reliability__bar').count()).toBeGreaterThan(0);
  await page.getByTestId('ensemble-panel').screenshot({ path: info.outputPath('mnist-dst-ensemble.png') });
  await axe(page);
  expect(errors).toEqual([]);
});

test('an EDST run saved in the browser mid-way reopens after a reload with its chosen member, and trains on to the end', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = collectConsoleErrors(page);
  const config = { data: { dataset: 'spiral' }, dst: { method: 'rigl', deltaT: 13 }, training: { epochs: 10, schedule: { kind: 'constant' } }, ensemble: { mode: 'edst', members: 3, explorationEpochs: 4, exploreRate: 0.8 } };
  await page.goto(hashOf(config));
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  // One step per frame: at full speed a loaded machine trained past the third member (step 117)
  // before the Pause below landed, and there was no mid-way left to save.
  await page.getByTestId('speed').fill('1');
  await page.getByTestId('play').click();
  // Member 1 is chosen after the first refinement epoch (step 65 of 130).
  await expect(page.getByTestId('ensemble-status')).toContainText(/[12] members? at step/, { timeout: 90_000 });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
  await expect(page.getByTestId('ensemble-status')).toContainText(/[12] members? at step/);
  const status = (await page.getByTestId('step-counter').textContent())!;
  await page.getByTestId('run-name').fill('edst-midway');
  await page.getByTestId('save-run').click();
  await expect(page.getByRole('button', { name: 'Open edst-midway' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await page.getByRole('button', { name: 'Open edst-midway' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText(status);
  await expect(page.getByTestId('ensemble-status')).toContainText(/[12] members? at step/);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('done', { timeout: 110_000 });
  await expect(page.getByTestId('ensemble-status')).toContainText('3 members');
  expect(errors).toEqual([]);
});
