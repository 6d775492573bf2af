// Lessons: every lesson through its URL with every run it compares trained to the end, checked as a
// student would see it: under half a minute a run, the accuracy shown, the decision boundary's pixels
// against the test points, both runs side by side in the lesson's table and chart, and the claims of
// its answer holding on these very runs; a screenshot and an accessibility audit per lesson. A
// lesson left midway resumes where it was; classroom mode hides the advanced controls.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { LESSONS } from '../../src/state/lessons';
import { CLASS_COLORS } from '../../src/ui/draw-boundary';
import { collectConsoleErrors } from './console';

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText(/ready|paused|done/, { timeout: 90_000 });
}

async function audit(page: Page): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/**
 * A lesson run takes "under half a minute" without a GPU, as each lesson's first page says: under
 * 30 s here (SwiftShader on 2 cores). Measured on 2026-12-03 with the fused small-MLP path:
 * 1.9-14.9 s a run, so the bound leaves twice the slowest for a machine's bad minute (its speed
 * has varied by half between runs of the same minute). The times are printed and attached.
 */
const RUN_SECONDS = 30;

/** Plays the run to its end; returns the seconds it took and the test accuracy the transport shows. */
async function playToEnd(page: Page): Promise<{ seconds: number; shown: number }> {
  await ready(page);
  const t0 = Date.now();
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('done', { timeout: 2 * RUN_SECONDS * 1000 });
  const seconds = (Date.now() - t0) / 1000;
  const text = (await page.getByTestId('accuracy').textContent()) ?? '';
  return { seconds, shown: Number(/test acc ([\d.]+) %/.exec(text)?.[1] ?? NaN) / 100 };
}

/**
 * The decision boundary as a student sees it: the share of test points whose pixel (the centre of
 * their ring) has the colour of their own class. Only test points with no other point drawn within
 * 4 pixels count (discs and rings have radius 3): a neighbour would cover the region's colour.
 */
async function boundaryShare(page: Page): Promise<{ share: number; points: number } | null> {
  return page.evaluate((colours) => {
    type Points = { grid: { x0: number; x1: number; y0: number; y1: number }; points: { x: number; y: number; label: number; test: boolean }[] } | null;
    const b = (window as unknown as { stp: { boundaryPoints(): Points } }).stp.boundaryPoints();
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="boundary"]');
    if (!b || !c) return null;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const at = (p: { x: number; y: number }) => [((p.x - b.grid.x0) / (b.grid.x1 - b.grid.x0)) * c.width, ((b.grid.y1 - p.y) / (b.grid.y1 - b.grid.y0)) * c.height] as const;
    const pixels = b.points.map(at);
    let right = 0;
    let counted = 0;
    b.points.forEach((p, i) => {
      if (!p.test) return;
      const [x, y] = pixels[i]!;
      if (pixels.some(([u, v], j) => j !== i && (u - x) ** 2 + (v - y) ** 2 < 16)) return;
      const o = (Math.floor(y) * c.width + Math.floor(x)) * 4;
      const rgb = [d[o]!, d[o + 1]!, d[o + 2]!];
      const dist = colours.map((k) => k.reduce((a, v, j) => a + (v - rgb[j]!) ** 2, 0));
      counted += 1;
      if (dist.indexOf(Math.min(...dist)) === p.label) right += 1;
    });
    return counted === 0 ? null : { share: right / counted, points: counted };
  }, CLASS_COLORS.slice(0, 5).map((k) => [...k]));
}

/** The figures of one run in the lesson's table, by figure name (data-value of each cell). */
async function tableRow(page: Page, run: string): Promise<Record<string, number>> {
  const row = page.getByTestId(`lesson-run-${run}`);
  await expect(row).toHaveAttribute('data-done', 'yes', { timeout: 30_000 });
  const cells = await row.locator('td[data-figure]').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-figure')!, Number(td.getAttribute('data-value'))] as const));
  return Object.fromEntries(cells);
}

/** The lowest accuracy a claim of the lesson promises for this run, if any ("it learns"). */
function promisedAccuracy(lesson: (typeof LESSONS)[number], run: string): number | null {
  const floors = lesson.claims.flatMap((c) => (c.variant === run && (c.figure === 'testAccuracy' || c.figure === 'ensembleAccuracy') && 'atLeast' in c.expect ? [c.expect.atLeast] : []));
  return floors.length > 0 ? Math.max(...floors) : null;
}

for (const lesson of LESSONS) {
  test(`lesson "${lesson.title}": every run to its end, as a student sees it`, async ({ page }, info) => {
    test.setTimeout(400_000);
    const errors = collectConsoleErrors(page);
    await page.goto(`/#lesson/${lesson.id}`);
    await expect(page.getByTestId('lesson')).toContainText(lesson.title);
    await expect(page.getByTestId('lesson-length')).toContainText(/trains \d+ runs of [\d,]+ training steps/);
    const timings: Record<string, number> = {};
    const check = async (run: string) => {
      const { seconds, shown } = await playToEnd(page);
      timings[run] = seconds;
      expect(seconds, `${run} takes under half a minute (${RUN_SECONDS} s)`).toBeLessThan(RUN_SECONDS);
      const figures = await tableRow(page, run);
      // The accuracy the transport shows is the table's (ensembles: the live model's).
      if ('testAccuracy' in figures) expect(Math.abs(figures.testAccuracy! - shown), `${run}: transport ${shown}, table ${figures.testAccuracy}`).toBeLessThan(0.0006);
      // The decision boundary shows what the accuracy says, and a run that is meant to learn has learned.
      const b = await boundaryShare(page);
      expect(b, `${run}: the boundary shows test points`).not.toBeNull();
      expect(b!.points, `${run}: test points clear of others`).toBeGreaterThan(30);
      expect(Math.abs(b!.share - shown), `${run}: boundary share ${b!.share} (${b!.points} points) against accuracy ${shown}`).toBeLessThan(0.12);
      const floor = promisedAccuracy(lesson, run);
      if (floor !== null) expect(b!.share, `${run}: boundary share`).toBeGreaterThanOrEqual(floor - 0.1);
    };
    await check('preset');
    for (const [i, p] of lesson.pages.entries()) {
      await expect(page.getByTestId('lesson-title')).toHaveText(p.title);
      if (p.apply) {
        await page.getByTestId('lesson-apply').click();
        await expect(page.getByTestId(`lesson-run-${p.apply.variant}`)).toHaveAttribute('data-done', 'no');
        await check(p.apply.variant);
        // Both runs side by side, with the earlier one still in the table and on the chart.
        await expect(page.getByTestId('lesson-run-preset')).toHaveAttribute('data-done', 'yes');
        await expect(page.getByTestId('lesson-runs-chart')).toHaveAttribute('data-lines', String(lesson.pages.slice(0, i + 1).filter((q) => q.apply).length + 1));
      }
      if (p.question) {
        await page.getByTestId('lesson-answer').locator('summary').click();
        await expect(page.getByTestId('lesson-answer')).toContainText(p.question.answer.slice(0, 30));
        // What the answer says is what the student's own runs show.
        await expect(page.getByTestId('lesson-claims').locator('summary')).toContainText(`${lesson.claims.length} of ${lesson.claims.length} hold`);
      }
      if (i === lesson.pages.length - 1) {
        await page.screenshot({ path: info.outputPath(`${lesson.id}.png`), fullPage: true });
        await audit(page);
        await page.getByTestId('lesson-finish').click();
      } else await page.getByTestId('lesson-next').click();
    }
    await info.attach('timings', { body: JSON.stringify(timings), contentType: 'application/json' });
    console.log(`lesson ${lesson.id}: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
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
  // Come back later through the lesson's link, in a fresh page load. (A same-page hash change
  // then a reload failed once in 7 CI runs: the lesson did not open after the reload; the likely
  // cause, not confirmed, is the app writing the config back to the hash before the reload.)
  await page.goto('about:blank');
  await page.goto(`/#lesson/${lesson.id}`);
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
