// A page that cannot be made to leak (reliability issue, item 6): the built page is served with a
// Content-Security-Policy (header from `vite preview`, and a <meta> in dist/index.html for any
// static host) that allows no script, style or connection from another origin, no eval and no
// inline script. Training, every export and an import make no request that leaves the origin and
// trip no policy; and the policy is really enforced: an inline script, a string timer and a fetch
// to another origin are each blocked and reported.
import { expect, test, type Page } from '@playwright/test';
import { collectConsoleErrors } from './console';
import { trainPast } from './page';

type Violations = { directive: string; blocked: string; where: string }[];
const violations = (page: Page): Promise<Violations> => page.evaluate(() => (window as unknown as { __violations: Violations }).__violations);

test('the built page carries a strict CSP, and training, exporting and importing stay on its origin', async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  const errors = collectConsoleErrors(page);
  const origin = new URL(baseURL!).origin;
  const away: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:')) away.push(u);
  });
  await page.addInitScript(() => {
    const seen: { directive: string; blocked: string; where: string }[] = [];
    (window as unknown as { __violations: typeof seen }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, where: `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` }));
  });
  const response = await page.goto('/');
  const header = response!.headers()['content-security-policy'] ?? '';
  const meta = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
  for (const policy of [header, meta]) {
    for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'"]) expect(policy).toContain(directive);
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(policy).not.toMatch(/https?:|\*/); // no other origin, no wildcard
  }
  expect(header).toContain("frame-ancestors 'none'");

  // Train, export everything the Export menu offers, save a run file and open it again.
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await trainPast(page, 30);
  for (const name of ['metrics CSV', 'config JSON', 'masks JSON', 'masks PNG', 'charts PNG']) {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: true }).click()]);
    expect(await d.failure(), name).toBeNull();
  }
  const [runFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download run file' }).click()]);
  await page.getByTestId('import-run').setInputFiles(await runFile.path());
  await expect(page.getByTestId('run-message')).toContainText('Opened');
  await page.getByTestId('export-pytorch').click();
  expect(await violations(page)).toEqual([]);
  expect(away).toEqual([]);

  // The policy is enforced, not just written: each of these is blocked and reported.
  const blocked = await page.evaluate(async () => {
    const w = window as unknown as { __inline?: number; __timer?: number };
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.head.append(s);
    (setTimeout as unknown as (code: string, ms: number) => void)('window.__timer = 1', 0);
    let fetched = true;
    try {
      await fetch('https://example.com/leak');
    } catch {
      fetched = false;
    }
    await new Promise((r) => setTimeout(r, 100));
    return { inline: w.__inline ?? null, timer: w.__timer ?? null, fetched };
  });
  expect(blocked).toEqual({ inline: null, timer: null, fetched: false });
  const reported = (await violations(page)).map((v) => v.directive);
  expect(reported).toEqual(expect.arrayContaining(['script-src-elem', 'script-src', 'connect-src']));
  // Only the three probes above reported anything (each is also logged as a console error).
  expect(errors.every((e) => /Content Security Policy|violates|Refused/.test(e))).toBe(true);
});
