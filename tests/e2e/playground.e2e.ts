// A learner's path through the playground (issue 5): train the spiral with RigL and watch masks
// change and accuracy rise, pause while training, move the sparsity slider, share the URL, and
// open a broken link. Screenshots are kept as test artifacts.
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { collectConsoleErrors } from './console';
import { stepOf, trainPast } from './page';
import { activeCounts, allocateDensities } from '../../src/sparsity';

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
}

const trainAccuracy = async (page: Page): Promise<number> => Number(/train acc ([\d.]+)/.exec((await page.getByTestId('accuracy').textContent()) ?? '')?.[1] ?? NaN);

test('spiral with RigL: accuracy rises, the masks show grown and pruned connections, pause acts within a second', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await expect(page.getByTestId('boundary')).toBeVisible();
  await page.screenshot({ path: info.outputPath('ready.png'), fullPage: true });
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText('step 1 /');
  const before = await trainAccuracy(page);
  // Main-thread tasks over 50 ms while training (PerformanceObserver 'longtask'): how many, the longest.
  type LongTasks = { longTasks: { count: number; longest: number } };
  await page.evaluate(() => {
    const w = window as unknown as LongTasks;
    w.longTasks = { count: 0, longest: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks = { count: w.longTasks.count + 1, longest: Math.max(w.longTasks.longest, e.duration) };
    }).observe({ type: 'longtask', buffered: false });
  });
  const trainStart = Date.now();
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 90_000 }).toBeGreaterThan(400);
  const t0 = Date.now();
  await page.getByTestId('play').click(); // pause
  await expect(page.getByTestId('run-status')).toContainText('paused', { timeout: 5_000 });
  const pauseMs = Date.now() - t0;
  const long = await page.evaluate(() => (window as unknown as LongTasks).longTasks);
  const trainedSteps = await stepOf(page);
  console.log(`pause took effect in ${pauseMs} ms; while training ${trainedSteps - 1} steps in ${((t0 - trainStart) / 1000).toFixed(1)} s: ${long.count} main-thread tasks over 50 ms, the longest ${long.longest.toFixed(0)} ms`);
  expect(pauseMs).toBeLessThan(1000);
  const stepped = await stepOf(page);
  await page.waitForTimeout(500);
  expect(await stepOf(page)).toBe(stepped); // really paused
  const after = await trainAccuracy(page);
  expect(after).toBeGreaterThan(before + 10);
  await expect(page.getByTestId('mask-summary')).toContainText(/[1-9]\d* mask updates? · last at step \d+: [1-9]\d* grown, [1-9]\d* pruned/);
  // The network graph shows the last update's grown and pruned edges too.
  await expect(page.getByTestId('network-graph')).toHaveAttribute('aria-label', /the last update grew [1-9]\d* and pruned [1-9]\d*/);
  await page.screenshot({ path: info.outputPath('trained.png'), fullPage: true });
  expect(errors).toEqual([]);
});

type GpuLayer = { name: string; rows: number; cols: number; mask: number[] };
const gpuMasks = (page: Page): Promise<GpuLayer[]> => page.evaluate(() => (window as unknown as { stp: { gpuMasks(): Promise<GpuLayer[]> } }).stp.gpuMasks());
const activeOf = (l: GpuLayer): number => l.mask.filter((v) => v !== 0).length;
/** What each layer must hold at overall density d under ERK (the default rule): exact counts. */
const erkCounts = (layers: GpuLayer[], d: number): number[] => {
  const maskable = layers.map((l) => ({ name: l.name, kind: 'dense' as const, shape: [l.rows, l.cols] }));
  return activeCounts(maskable, allocateDensities(maskable, d, { kind: 'erk', powerScale: 1 }).densities);
};

test('the sparsity slider changes the density target, and the next update reaches it exactly', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  const slider = page.getByTestId('sparsity-slider');
  await expect(slider).toHaveAttribute('data-live', 'live');
  await expect(page.locator('label', { hasText: 'Sparsity: 50 %' })).toBeVisible();
  const start = await gpuMasks(page);
  expect(start.map(activeOf)).toEqual(erkCounts(start, 0.5));
  await slider.fill('0.8');
  await expect(page.locator('label', { hasText: 'Sparsity: 80 %' })).toBeVisible();
  await expect(page.locator('label', { hasText: 'density now 50' })).toBeVisible(); // not before an update
  await page.getByTestId('play').click();
  await expect(page.locator('label', { hasText: /density now 2\d\.\d %/ })).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
  // The GPU's own masks (read back) hold exactly the ERK counts at 20 % density, layer by layer.
  const after = await gpuMasks(page);
  expect(after.map(activeOf)).toEqual(erkCounts(after, 0.2));
  // One layer set by hand: exactly activeCount(numel, 0.2) at the next update, the others kept.
  await page.getByTestId('layer-target-dense2').fill('20');
  await page.getByTestId('layer-target-dense2').press('Tab');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('mask-dense2')).toContainText('density 20.0 %', { timeout: 60_000 });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
  const edited = await gpuMasks(page);
  const n2 = edited[1]!.mask.length;
  expect(edited.map(activeOf)).toEqual([erkCounts(after, 0.2)[0], n2 - Math.floor(0.8 * n2 + 1e-9), erkCounts(after, 0.2)[2]]);
  expect(errors).toEqual([]);
});

test('on a static run the slider says a new sparsity restarts the run, and a released value does so at the new density', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByLabel('Method').selectOption('static');
  await ready(page);
  const slider = page.getByTestId('sparsity-slider');
  await expect(slider).toHaveAttribute('data-live', 'restarts');
  await expect(page.getByText('A static mask never changes while training')).toBeVisible();
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText('step 1 /');
  await slider.fill('0.9');
  await expect(page.locator('label', { hasText: 'Sparsity: 90 % (a new value restarts the run)' })).toBeVisible();
  await ready(page);
  await expect(page.getByTestId('step-counter')).toContainText('step 0 /');
  await expect(page).toHaveURL(/#v1\./);
  const masks = await gpuMasks(page);
  expect(masks.map(activeOf)).toEqual(erkCounts(masks, 0.1));
  expect(errors).toEqual([]);
});

test('the URL holds the config: a copied link opens the same settings; a broken link says why, keeping the run on screen (or the defaults in a new tab)', async ({ page, context }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByLabel('Seed', { exact: true }).fill('77');
  await page.getByLabel('Method').selectOption('set');
  await expect(page).toHaveURL(/#v1\./);
  const url = page.url();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByLabel('Seed', { exact: true })).toHaveValue('77');
  await expect(other.getByLabel('Method')).toHaveValue('set');
  await other.close();
  // Pasted into the open playground: refused, and the run on screen and its link are kept.
  const before = page.url();
  await page.goto('/#v1.garbage!!');
  await expect(page.getByTestId('notice')).toContainText('could not be read');
  await expect(page.getByTestId('notice')).toContainText('so the run on screen is unchanged');
  await expect(page.getByLabel('Method')).toHaveValue('set');
  await expect(page).toHaveURL(before);
  // Opened as a new page: there is no run yet, so the defaults are shown.
  const fresh = await context.newPage();
  await fresh.goto('/#v1.garbage!!');
  await expect(fresh.getByTestId('notice')).toContainText('so the defaults are shown');
  await expect(fresh.getByLabel('Method')).toHaveValue('rigl');
  await fresh.close();
  // A link with 500 unknown keys, and a 9,000-character lesson id: a sentence, not a wall.
  const keys = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`key${i}`, 1]));
  await page.goto(`/#v1.${Buffer.from(JSON.stringify(keys)).toString('base64url')}`);
  await expect(page.getByTestId('notice')).toContainText('key4: unknown field; and 495 more');
  expect((await page.getByTestId('notice').textContent())!.length).toBeLessThan(400);
  await page.goto(`/#lesson/${'a'.repeat(9000)}`);
  await expect(page.getByTestId('notice')).toContainText('There is no lesson "aaa');
  expect((await page.getByTestId('notice').textContent())!.length).toBeLessThan(400);
  expect(errors).toEqual([]);
});

test('export: the metrics CSV has one row per logged step', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(60);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
  const steps = await stepOf(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csv = (await (await download.createReadStream()).toArray()).join('').trim().split('\n');
  expect(csv[0]).toMatch(/^step,epoch,loss,trainAccuracy,testLoss,testAccuracy/);
  // Under the history's capacity every step is logged: steps 0 .. n-1, in order.
  expect(csv.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(Array.from({ length: steps }, (_, i) => i));
  expect(errors).toEqual([]);
});

test('clicking the 2-D plane adds a point to the training set', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  const count = async () => Number(/(\d+) training points/.exec((await page.getByTestId('train-count').textContent()) ?? '')?.[1] ?? NaN);
  const before = await count();
  expect(before).toBeGreaterThan(100);
  await page.getByRole('radio', { name: 'class 2' }).click();
  await page.getByTestId('boundary').click({ position: { x: 40, y: 40 } });
  await expect(page.getByTestId('train-count')).toContainText(`${before + 1} training points (1 drawn)`, { timeout: 60_000 });
  await ready(page);
  expect(errors).toEqual([]);
});

/** The mask view's colour per cell, as the canvas shows it (one pixel per connection). */
async function canvasCells(page: Page, layer: string): Promise<number[][]> {
  return page.getByTestId(`mask-canvas-${layer}`).evaluate((c: HTMLCanvasElement) => {
    // Copy what the canvas shows onto a fresh 2-D canvas and read its pixels.
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const out: number[][] = [];
    for (let i = 0; i < d.length; i += 4) out.push([d[i]!, d[i + 1]!, d[i + 2]!]);
    return out;
  });
}

// Same colours as src/state/store.ts CELL_COLORS, by meaning.
const COLOURS = { never: [236, 236, 232], dropped: [178, 178, 172], active: [0, 114, 178], grown: [0, 158, 115], pruned: [213, 94, 0] };

async function expectCanvasMatchesGpu(page: Page, layer: string): Promise<{ grown: number; pruned: number }> {
  const gpu = (await page.evaluate(() => (window as unknown as { stp: { gpuMasks(): Promise<{ name: string; mask: number[]; events: number[]; fired: number[] }[]> } }).stp.gpuMasks())).find((l) => l.name === layer)!;
  const want = gpu.mask.map((m, i) => {
    const e = gpu.events[i]!;
    if (e === 1) return COLOURS.grown;
    if (e === 2) return COLOURS.pruned;
    if (m !== 0) return COLOURS.active;
    return gpu.fired[i] ? COLOURS.dropped : COLOURS.never;
  });
  // The live heatmap is the render pass's picture (src/viz/mask-heatmaps.ts), not a CPU colouring.
  await expect(page.getByTestId(`mask-canvas-${layer}`)).toHaveAttribute('data-drawn', 'gpu');
  await expect.poll(async () => JSON.stringify(await canvasCells(page, layer)), { timeout: 10_000 }).toBe(JSON.stringify(want));
  return { grown: gpu.events.filter((e) => e === 1).length, pruned: gpu.events.filter((e) => e === 2).length };
}

test('the mask canvas shows exactly the GPU mask: active, grown and pruned cells in place, before and after an update', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  const before = await expectCanvasMatchesGpu(page, 'dense2');
  expect(before).toEqual({ grown: 0, pruned: 0 });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('mask-summary')).toContainText(/[1-9]\d* mask update/, { timeout: 60_000 });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
  const after = await expectCanvasMatchesGpu(page, 'dense2');
  expect(after.grown).toBeGreaterThan(0);
  expect(after.pruned).toBeGreaterThan(0);
  // The timeline scrubs back to the masks at the start, and forward to live again.
  await page.getByTestId('mask-timeline').fill('0');
  await expect(page.locator('.masks__timeline')).toContainText('(start)');
  await expect(page.getByTestId('mask-counts-dense2')).toContainText('grown 0 · pruned 0');
  const max = await page.getByTestId('mask-timeline').getAttribute('max');
  await page.getByTestId('mask-timeline').fill(max!);
  await expect(page.locator('.masks__timeline')).toContainText('live');
  await expect(page.getByTestId('mask-counts-dense2')).toContainText(`grown ${after.grown} · pruned ${after.pruned}`);
  expect(errors).toEqual([]);
});

test('accessibility: an axe-core audit of the playground finds no serious or critical violations', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  // Both themes: light, then dark (the theme button cycles system -> light -> dark).
  for (const theme of ['light', 'dark']) {
    await page.getByTestId('theme').click();
    await expect(page.getByTestId('theme')).toContainText(theme);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    await info.attach(`axe-violations-${theme}.json`, { body: JSON.stringify(results.violations, null, 1), contentType: 'application/json' });
    console.log(`axe (${theme}): ${results.violations.length} violations (${serious.length} serious or critical), ${results.passes.length} rules passed`);
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(' ')})`)).toEqual([]);
    await page.screenshot({ path: info.outputPath(`${theme}.png`), fullPage: true });
  }
  expect(errors).toEqual([]);
});

test('a run saved in the browser reopens after a reload with the same metrics; a bad run file is refused and changes nothing', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByLabel('Seed', { exact: true }).fill('5');
  await ready(page);
  await trainPast(page, 40);
  const csv = async (): Promise<string> => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    return (await (await d.createReadStream()).toArray()).join('');
  };
  const before = await csv();
  const steps = await stepOf(page);
  await page.getByTestId('run-name').fill('seed five');
  await page.getByTestId('save-run').click();
  await expect(page.getByRole('button', { name: 'Open seed five' })).toBeVisible();
  await page.goto('/');
  await ready(page);
  await page.getByRole('button', { name: 'Open seed five' }).first().click();
  await expect(page.getByTestId('run-message')).toContainText('Opened "seed five"');
  expect(await stepOf(page)).toBe(steps);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('5');
  expect(await csv()).toBe(before);
  // It continues from there.
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText(`step ${steps + 1} /`);
  // A damaged file: refused, with reasons; the settings stay.
  await page.getByTestId('import-run').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'nope', step: -1 })) });
  await expect(page.getByTestId('run-problem')).toContainText('bad.json was not opened');
  await expect(page.getByTestId('run-problem')).toContainText('format');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('5');
  // A bare config file (the headless runner's format) opens too.
  await page.getByTestId('import-run').setInputFiles({ name: 'config.json', mimeType: 'application/json', buffer: readFileSync('experiments/spiral-set.json') });
  await expect(page.getByLabel('Method')).toHaveValue('set');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('1');
  await ready(page);
  expect(errors).toEqual([]);
});

test('MNIST: LeNet-300-100 trains a few steps; test images with predicted labels and the confusion matrix appear, greyed with their step while the run moves on', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByLabel('Dataset').selectOption('mnist');
  await expect(page.getByLabel('Network')).toHaveValue('lenet-300-100');
  await ready(page);
  await expect(page.getByRole('table', { name: /Confusion matrix/ })).toBeVisible();
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText('step 1 /');
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 90_000 }).toBeGreaterThan(30);
  // While it trains, the whole-test-set views say they are from an earlier step, greyed.
  const stamp = page.getByTestId('predictions-step');
  await expect(stamp).toHaveAttribute('data-stale', 'true');
  await expect(stamp).toContainText(/Test-set predictions and confusion matrix from step \d+; the run is at step \d+\. Measured again when you pause\./);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
  // On pause they are measured again, at the step the counter shows.
  await expect(stamp).toHaveAttribute('data-stale', 'false');
  await expect(stamp).toHaveAttribute('data-step', String(await stepOf(page)));
  expect(await trainAccuracy(page)).toBeGreaterThan(30);
  await expect(page.getByTestId('mask-dense1')).toContainText('300×784');
  await expect(page.getByTestId('receptive-fields')).toBeVisible();
  // The test accuracy shown becomes this step's (evaluated right after the pause), not a stale one.
  await expect.poll(async () => Number(/test acc ([\d.]+)/.exec((await page.getByTestId('accuracy').textContent()) ?? '')?.[1]), { timeout: 30_000 }).toBeGreaterThan(30);
  await page.screenshot({ path: info.outputPath('mnist.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('a lost device stops training with a message, and Restart brings the same settings back', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByLabel('Seed', { exact: true }).fill('31');
  await ready(page);
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(20);
  await page.evaluate(() => (window as unknown as { stp: { simulateDeviceLoss(): void } }).stp.simulateDeviceLoss());
  // The page's GPU alert (the run's message says it too, in its own alert).
  const alert = page.getByRole('alert').filter({ hasText: 'The GPU device was lost' }).filter({ has: page.getByRole('button', { name: 'Restart (keeps your settings)' }) });
  await expect(alert).toBeVisible({ timeout: 30_000 });
  // Said at once (the session hears the loss; GPU work in flight at the loss need not ever settle).
  await expect(page.getByTestId('run-status')).toContainText('lost', { timeout: 10_000 });
  const step = await stepOf(page);
  // At the step on screen: the last whose results were read back.
  await expect(page.getByTestId('run-message')).toContainText(`The GPU stopped after step ${step} `);
  await page.waitForTimeout(500);
  expect(await stepOf(page)).toBe(step);
  await page.getByRole('button', { name: 'Restart (keeps your settings)' }).click();
  await ready(page);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('31');
  // The loss is reported on the page; nothing reaches the console as an uncaught error.
  expect(errors).toEqual([]);
});

test('a loss that blows up stops the run through the one run loop, naming the step, and the metrics stay on screen', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  const lr = page.getByRole('spinbutton', { name: 'Learning rate' });
  await lr.fill('10');
  await lr.press('Tab');
  await ready(page);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('diverged', { timeout: 60_000 });
  const message = (await page.getByTestId('run-message').textContent()) ?? '';
  const m = /The loss became (NaN|Infinity|-Infinity) at step (\d+): the weights blew up\. Lower the learning rate, then reset\./.exec(message);
  expect(m, message).not.toBeNull();
  // The loop stopped after the chunk that held that step: the counter is at or just past it.
  const step = await stepOf(page);
  expect(step).toBeGreaterThanOrEqual(Number(m![2]));
  await page.waitForTimeout(1000);
  expect(await stepOf(page)).toBe(step);
  await expect(page.getByTestId('play')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a command the GPU rejects stops the run at once, says so, and the step counter stops', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(20);
  await page.evaluate(() => (window as unknown as { stp: { simulateGpuError(): void } }).stp.simulateGpuError());
  await expect(page.getByTestId('run-status')).toContainText('error', { timeout: 30_000 });
  await expect(page.getByTestId('run-message')).toContainText("The GPU rejected this run's work at step");
  const stopped = await stepOf(page);
  await page.waitForTimeout(1500);
  expect(await stepOf(page)).toBe(stopped);
  await expect(page.getByTestId('play')).toBeDisabled();
  await expect(page.getByRole('alert').filter({ hasText: 'rejected' }).first()).toBeVisible();
  // Reset builds the run again and it trains.
  await page.getByTestId('reset').click();
  await ready(page);
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText('step 1 /');
  expect(errors.filter((e) => !/simulated rejected command|usage/i.test(e))).toEqual([]);
});
