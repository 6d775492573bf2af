// Bad input through the real page and the real runner (reliability issue, item 2): the worst
// families — models too big for the GPU, unknown versions, damaged base64, non-UTF-8 bytes, deep
// nesting, 500 unknown keys, a run file whose checkpoint part has the wrong length — plus configs
// and run files mutated by the property tests' generators (fixed seed), pasted as a link into an
// open playground and opened as files. After every refusal the run on screen is the one before:
// the same step, the same seed, the same link; no page or console error appears. The runner
// refuses the same families with exit 1, a sentence, and no results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test, type Page } from '@playwright/test';
import { decodeConfig, parseConfig } from '../../src/config';
import { SEED, mutate, mutations, repaired } from '../unit/reliability/arbitraries';
import { collectConsoleErrors } from './console';
import { stepOf, trainPast } from './page';

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const link = (patch: object) => `v1.${b64(JSON.stringify(patch))}`;
const HUGE = { data: { dataset: 'mnist' }, model: { kind: 'mlp', hidden: [1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024] }, sparsity: { target: 0 }, dst: { method: 'dense' }, ensemble: { mode: 'dense', members: 8 }, training: { batchSize: 4096 } };
let deep = '{}';
for (let i = 0; i < 5000; i++) deep = `{"x":${deep}}`;

/** Mutated configs the schema refuses, drawn with the property tests' seed. */
function refusedMutations(n: number): unknown[] {
  const drawn = fc.sample(fc.tuple(repaired(parseConfig), mutations), { numRuns: 20 * n, seed: SEED }).map(([c, m]) => mutate(c, m));
  return drawn.filter((c) => !parseConfig(c).ok).slice(0, n);
}

async function onScreen(page: Page) {
  return { step: await stepOf(page), seed: await page.getByLabel('Seed', { exact: true }).inputValue(), url: page.url(), status: await page.locator('.transport__state').textContent() };
}

test('bad links and files in an open playground are refused, and the run on screen stays as it was', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await page.getByLabel('Seed', { exact: true }).fill('7');
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await trainPast(page, 10);
  const before = await onScreen(page);
  expect(before.status).toBe('paused');
  // What the run costs is said before it starts (and kept with it).
  await expect(page.getByTestId('run-memory')).toContainText(/≈ [\d.]+ (KiB|MiB) of GPU memory/);
  const cost = await page.getByTestId('run-memory').textContent();

  const hashes: [string, string][] = [
    ['a model too big for the GPU', link(HUGE)],
    ['version 2', `v2.${b64('{}')}`],
    ['version 999999999', 'v999999999'],
    ['damaged base64', 'v1.eyJzcGFyc2l0eSI6eyJ0YXJnZXQiOjAuO!!'],
    ['not JSON', `v1.${b64('{"sparsity": ')}`],
    ['non-UTF-8 bytes', `v1.${b64(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]))}`],
    ['a payload over 8 KB', `v1.${'A'.repeat(9000)}`],
    ['500 unknown keys', link(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])))],
    ['an unknown lesson', `lesson/${'z'.repeat(300)}`],
    ...refusedMutations(8).map((c, i): [string, string] => [`mutated config ${i + 1}`, `v1.${b64(JSON.stringify(c))}`]),
  ];
  for (const [what, hash] of hashes) {
    // Every link but two is refused by parseConfig itself; the huge model is valid settings that the pre-flight refuses.
    if (!hash.startsWith('lesson/')) expect(decodeConfig(hash).ok, what).toBe(what === 'a model too big for the GPU');
    await page.evaluate(() => (document.querySelector('[data-testid=notice] button') as HTMLButtonElement | null)?.click());
    await page.evaluate((h) => (window.location.hash = h), hash);
    if (what === 'a model too big for the GPU') await expect(page.getByTestId('run-message'), what).toContainText('These settings were not applied: This run needs about');
    else await expect(page.getByTestId('notice'), what).toContainText('so the run on screen is unchanged');
    await expect(page.getByTestId('run-status'), what).toContainText('paused');
    expect(await onScreen(page), what).toEqual(before);
  }

  const files: [string, Buffer][] = [
    ['too-big.json', Buffer.from(JSON.stringify({ version: 1, ...HUGE }))],
    ['checkpoint-length.json', Buffer.from(JSON.stringify({ format: 'sparse-training-playground/run', version: 1, name: 'x', savedAt: '2026-12-02T00:00:00Z', config: { version: 1 }, step: 3, history: [], checkpoint: { mode: 'none', trainers: [{ version: 1, weights: [1, 2, 3] }] } }))],
    ['version-2.json', Buffer.from(JSON.stringify({ version: 2 }))],
    ['latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d, 0xff])],
    ['deep.json', Buffer.from(`{"version":1,"model":${deep}}`)],
    ['unknown-keys.json', Buffer.from(JSON.stringify({ version: 1, ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])) }))],
    ...refusedMutations(6).map((c, i): [string, Buffer] => [`mutated-${i + 1}.json`, Buffer.from(JSON.stringify(c))]),
  ];
  for (const [name, buffer] of files) {
    await page.getByTestId('import-run').setInputFiles({ name, mimeType: 'application/json', buffer });
    if (name === 'too-big.json') await expect(page.getByTestId('run-message'), name).toContainText('These settings were not applied');
    else await expect(page.getByTestId('run-problem'), name).toContainText(/was not opened|is not JSON/);
    await expect(page.getByTestId('run-status'), name).toContainText('paused');
    expect(await onScreen(page), name).toEqual(before);
    // A problem list is a few lines, whatever the file held.
    if (name !== 'too-big.json') expect((await page.getByTestId('run-problem').textContent())!.length, name).toBeLessThan(2000);
  }
  await expect(page.getByTestId('run-memory')).toHaveText(cost!);
  // Still the same run: it trains on from its step.
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText(`step ${before.step + 1} /`);
  expect(errors).toEqual([]);
});

test('the runner refuses the same families with exit 1, a sentence, and no results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stp-robust-'));
  const cases: [string, string | Buffer, RegExp][] = [
    ['version-2.json', JSON.stringify({ version: 2 }), /version: made by a newer playground/],
    ['latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d, 0xff]), /cannot read .*latin1\.json/],
    ['unknown-keys.json', JSON.stringify({ version: 1, k1: 1, k2: 2 }), /k1: unknown field/],
    ['mutated.json', JSON.stringify(refusedMutations(1)[0]), /the config was refused, nothing ran/],
  ];
  for (const [name, content, message] of cases) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const out = join(dir, `out-${name}`);
    const r = spawnSync('node', ['scripts/experiment.mjs', file, '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${name}: ${r.stderr}`).toBe(1);
    expect(r.stderr, name).toMatch(message);
    expect(r.stderr, name).not.toMatch(/at .*\.(m?js|ts):\d+/); // a sentence, not a stack trace
    expect(existsSync(join(out, 'results.json')), name).toBe(false);
  }
});
