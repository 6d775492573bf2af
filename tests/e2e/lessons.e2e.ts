// Lessons (issue 6): every lesson from start to finish through its URL, trained briefly on each
// page, with a screenshot and an accessibility audit per lesson; a lesson left midway resumes
// where it was; classroom mode hides the advanced controls, from its toggle or a teacher's link.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { LESSONS } from '../../src/state/lessons';
import { collectConsoleErrors } from './console';

const stepOf = async (page: Page): Promise<number> => Number(/step (\d+)/.exec((await page.getByTestId('step-counter').textContent()) ?? '')?.[1] ?? NaN);

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText(/ready|paused|done/, { timeout: 90_000 });
}

/** Trains a few steps and pauses: a short budget, enough for the views to move. */
async function trainBriefly(page: Page): Promise<void> {
  await ready(page);
  const from = await stepOf(page);
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(from + 20);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText(/paused|done/, { timeout: 10_000 });
}

async function audit(page: Page): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

for (const lesson of LESSONS) {
  test(`lesson "${lesson.title}" from start to finish through its URL`, async ({ page }, info) => {
    test.setTimeout(180_000);
    const errors = collectConsoleErrors(page);
    await page.goto(`/#lesson/${lesson.id}`);
    await expect(page.getByTestId('lesson')).toContainText(lesson.title);
    await trainBriefly(page);
    for (const [i, p] of lesson.pages.entries()) {
      await expect(page.getByTestId('lesson-title')).toHaveText(p.title);
      if (p.apply) {
        await page.getByTestId('lesson-apply').click();
        await trainBriefly(page);
      }
      if (p.question) {
        await page.getByTestId('lesson-answer').locator('summary').click();
        await expect(page.getByTestId('lesson-answer')).toContainText(p.question.answer.slice(0, 30));
      }
      if (i === lesson.pages.length - 1) {
        await page.screenshot({ path: info.outputPath(`${lesson.id}.png`), fullPage: true });
        await audit(page);
        await page.getByTestId('lesson-finish').click();
      } else await page.getByTestId('lesson-next').click();
    }
    await expect(page.getByTestId('lesson')).toHaveCount(0);
    await expect(page).toHaveURL(/#v1/); // back to a plain config link
    expect(errors).toEqual([]);
  });
}

test('a lesson left midway resumes at its page with its settings', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  const lesson = LESSONS.find((l) => l.id === 'static-vs-dynamic')!;
  await page.goto(`/#lesson/${lesson.id}`);
  await ready(page);
  await page.getByTestId('lesson-next').click();
  await page.getByTestId('lesson-apply').click(); // SET
  await expect(page.getByLabel('Method')).toHaveValue('set');
  await page.getByRole('button', { name: 'Leave (resume later)' }).click();
  await expect(page.getByTestId('lesson')).toHaveCount(0);
  await page.goto('/');
  await page.goto(`/#lesson/${lesson.id}`);
  await page.reload();
  await expect(page.getByTestId('lesson-title')).toHaveText(lesson.pages[1]!.title);
  await expect(page.getByLabel('Method')).toHaveValue('set');
  await expect(page.getByTestId('notice')).toContainText('resumes at page 2');
  await page.getByTestId('lessons-button').click();
  await expect(page.getByTestId('lessons-menu')).toContainText('left at page 2');
  expect(errors).toEqual([]);
});

test('classroom mode hides the advanced controls; a teacher\'s ?classroom=1 link turns it on', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await expect(page.getByLabel('Optimizer')).toBeVisible();
  await expect(page.getByLabel('Smooth activations')).toBeVisible();
  await page.getByTestId('classroom-toggle').check();
  const controls = page.locator('form.controls');
  for (const label of ['Optimizer', 'Smooth activations', 'Batch size', 'Layer densities', 'Update every ΔT steps']) await expect(controls.getByLabel(label, { exact: true })).toHaveCount(0);
  for (const label of ['Dataset', 'Method', 'Learning rate', 'Epochs', 'Ensemble']) await expect(controls.getByLabel(label, { exact: true })).toBeVisible();
  await page.getByTestId('classroom-toggle').uncheck();
  await expect(page.getByLabel('Optimizer')).toBeVisible();
  const fresh = await page.context().newPage();
  await fresh.goto('/?classroom=1');
  await expect(fresh.getByTestId('classroom-toggle')).toBeChecked();
  await expect(fresh.getByLabel('Optimizer', { exact: true })).toHaveCount(0);
  await fresh.getByTestId('methods-button').click();
  await expect(fresh.getByTestId('methods-help')).toContainText('Rigging the Lottery');
  await fresh.close();
  expect(errors).toEqual([]);
});
