// A damaged save loses nothing (reliability issue, item 0): saves in the browser whose network
// state is damaged in each way the issue found (a string for the state, no trainers, weights one
// short, strings, 1e30 or NaN for weights, a mask entry of 7, wrong active counts, steps of −1,000
// and 10⁹, a bad config) and run files with a checkpoint part or an impossible step are each
// refused with a message that names the problem, and the run on screen stays: same step, same
// settings, and it still trains. The good save still opens. A page closed while a save's
// transaction is open (item 4) leaves the earlier save whole and no part of the new one.
import { expect, test, type Page } from '@playwright/test';
import { collectConsoleErrors } from './console';
import { stepOf, trainPast } from './page';

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText(/ready|paused|done/, { timeout: 90_000 });
}

/** Every save in the page's database, without its network state; `ballast`: the length of an extra array, if any. */
async function savesInDb(page: Page): Promise<(Record<string, unknown> & { name: string; ballast: number | null })[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const r = indexedDB.open('sparse-training-playground', 1);
      r.onsuccess = () => resolve(r.result);
    });
    const all = await new Promise<Record<string, unknown>[]>((resolve) => {
      const r = db.transaction('runs', 'readonly').objectStore('runs').getAll();
      r.onsuccess = () => resolve(r.result as Record<string, unknown>[]);
    });
    db.close();
    return all.map(({ checkpoint: _c, ballast, ...rest }) => (void _c, { ...rest, name: rest.name as string, ballast: ballast === undefined ? null : (ballast as Float32Array).length }));
  });
}

/** Damaged copies of the save named `good`, written to the same database, named after their damage. */
async function plantDamagedSaves(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('sparse-training-playground', 1);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = await new Promise<Record<string, unknown>[]>((resolve) => {
      const r = db.transaction('runs', 'readonly').objectStore('runs').getAll();
      r.onsuccess = () => resolve(r.result as Record<string, unknown>[]);
    });
    const good = all.find((r) => r.name === 'good')!;
    type T = { step: number; weights: Float32Array; mask: Float32Array; activeCounts: number[] };
    const state = good.checkpoint as { mode: string; trainers: T[] };
    const t = state.trainers[0]!;
    const active = t.mask.findIndex((v) => v === 1);
    const withTrainer = (over: Record<string, unknown>) => ({ ...state, trainers: [{ ...t, ...over }] });
    const families: [string, Record<string, unknown>][] = [
      ['a string for the state', { checkpoint: 'AAAA' }],
      ['no trainers', { checkpoint: { mode: state.mode } }],
      ['weights one short', { checkpoint: withTrainer({ weights: t.weights.slice(1) }) }],
      ['weights as strings', { checkpoint: withTrainer({ weights: Array.from(t.weights, String) }) }],
      ['a weight of 1e30', { checkpoint: withTrainer({ weights: Object.assign(t.weights.slice(), { [active]: 1e30 }) }) }],
      ['NaN weights', { checkpoint: withTrainer({ weights: t.weights.map(() => NaN) }) }],
      ['a mask entry of 7', { checkpoint: withTrainer({ mask: Object.assign(t.mask.slice(), { [active]: 7 }) }) }],
      ['wrong active counts', { checkpoint: withTrainer({ activeCounts: t.activeCounts.map((n, i) => (i === 1 ? n - 1 : n)) }) }],
      ['a step of -1000', { checkpoint: withTrainer({ step: -1000 }) }],
      ['a step of 1e9', { step: 1e9, checkpoint: withTrainer({ step: 1e9 }) }],
      ['a bad config', { config: { ...(good.config as object), sparsity: { target: 7 } } }],
    ];
    for (const [name, over] of families) {
      const { id: _id, ...rest } = good;
      void _id;
      await new Promise<void>((resolve, reject) => {
        const r = db.transaction('runs', 'readwrite').objectStore('runs').add({ ...rest, ...over, name: `damaged: ${name}` });
        r.onsuccess = () => resolve();
        r.onerror = () => reject(r.error);
      });
    }
    db.close();
    return families.map(([n]) => n);
  });
}

test('damaged saves and files are refused with a reason, and the run on screen is kept and still trains', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await ready(page);
  await page.getByLabel('Seed', { exact: true }).fill('5');
  await ready(page);
  await trainPast(page, 30);
  await page.getByTestId('run-name').fill('good');
  await page.getByTestId('save-run').click();
  await expect(page.getByRole('button', { name: 'Open good' })).toBeVisible();
  const families = await plantDamagedSaves(page);
  await page.reload();
  await ready(page);
  await page.getByRole('button', { name: 'Open good' }).click();
  await expect(page.getByTestId('run-message')).toContainText('Opened "good"');
  const step = await stepOf(page);
  const expectKept = async (what: string) => {
    expect(await stepOf(page), `${what}: the step`).toBe(step);
    await expect(page.getByLabel('Seed', { exact: true }), `${what}: the settings`).toHaveValue('5');
    await expect(page.getByTestId('run-status')).toContainText(/paused|ready/);
  };
  const reasons: Record<string, RegExp> = {
    'a string for the state': /is a string, not a saved network/,
    'no trainers': /holds no list of trainers/,
    'weights one short': /weights has [\d,]+ values, this model needs/,
    'weights as strings': /weights is not a list of 32-bit floats/,
    'a weight of 1e30': /beyond anything training produces/,
    'NaN weights': /is NaN: the saved network had diverged/,
    'a mask entry of 7': /is 7; a mask holds 0 or 1/,
    'wrong active counts': /active weights, the checkpoint says/,
    'a step of -1000': /step -1000 is outside this run/,
    'a step of 1e9': /at step 1000000000, but its settings train \d+ steps/,
    'a bad config': /damaged: .*sparsity\.target/,
  };
  for (const f of families) {
    await page.getByRole('button', { name: `Open damaged: ${f}` }).click();
    const problem = page.getByTestId('run-problem');
    await expect(problem, f).toContainText(reasons[f]!);
    if (f !== 'a bad config') await expect(problem, f).toContainText('was not opened; your run is unchanged');
    await expectKept(f);
  }
  // Run files: a checkpoint part (files carry no network state), or a step the settings never reach.
  const { id: _id, checkpoint: _c, ballast: _b, ...good } = (await savesInDb(page)).find((r) => r.name === 'good')!;
  void [_id, _c, _b];
  const files: [string, Record<string, unknown>, RegExp][] = [
    ['checkpoint.json', { ...good, checkpoint: { mode: 'none', trainers: [{ version: 1, weights: [1, 2, 3] }] } }, /run files carry no network state/],
    ['string.json', { ...good, checkpoint: 'AAAA' }, /is a string, not a saved network/],
    ['far.json', { ...good, step: 1e9 }, /at step 1000000000, but its settings train/],
  ];
  for (const [name, content, reason] of files) {
    await page.getByTestId('import-run').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(content)) });
    await expect(page.getByTestId('run-problem'), name).toContainText(reason);
    await expectKept(name);
  }
  // The run on screen still trains from where it was.
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText(`step ${step + 1} /`);
  expect(errors).toEqual([]);
});

test('a page closed in the middle of a save keeps the earlier save whole and leaves no part of the new one', async ({ page, context }) => {
  test.setTimeout(150_000);
  await page.goto('/');
  await ready(page);
  await trainPast(page, 20);
  const step = await stepOf(page);
  await page.getByTestId('run-name').fill('before');
  await page.getByTestId('save-run').click();
  await expect(page.getByRole('button', { name: 'Open before' })).toBeVisible();
  // A save is one IndexedDB transaction (src/state/run-db.ts). Write a copy of the save in a
  // transaction that is kept from committing (a chain of reads after the write) and close the
  // page while it is open: the page going away mid-save, at a moment we can name.
  await page.evaluate(() => {
    const r = indexedDB.open('sparse-training-playground', 1);
    r.onsuccess = () => {
      const db = r.result;
      const get = db.transaction('runs', 'readonly').objectStore('runs').getAll();
      get.onsuccess = () => {
        const { id: _id, ...good } = (get.result as Record<string, unknown>[]).find((x) => x.name === 'before')!;
        void _id;
        const store = db.transaction('runs', 'readwrite').objectStore('runs');
        const add = store.add({ ...good, name: 'interrupted', ballast: new Float32Array(16 * 2 ** 20).fill(1) });
        const keepOpen = () => (store.count().onsuccess = keepOpen);
        add.onsuccess = () => {
          (window as unknown as { __addIssued: boolean }).__addIssued = true;
          keepOpen();
        };
      };
    };
  });
  await page.waitForFunction(() => (window as unknown as { __addIssued?: boolean }).__addIssued === true);
  await page.close({ runBeforeUnload: false });

  const again = await context.newPage();
  const errors = collectConsoleErrors(again);
  await again.goto('/');
  await ready(again);
  const saved = (await savesInDb(again)).map((x) => ({ name: x.name, ballast: x.ballast }));
  // The open transaction was aborted with the page: no part of the new save, the old one whole.
  expect(saved).toEqual([{ name: 'before', ballast: null }]);
  await again.getByRole('button', { name: 'Open before' }).click();
  await expect(again.getByTestId('step-counter')).toContainText(`step ${step} /`);
  await again.getByTestId('step').click();
  await expect(again.getByTestId('step-counter')).toContainText(`step ${step + 1} /`);
  expect(errors).toEqual([]);
});
