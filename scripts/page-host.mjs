// One page of this repository served by Vite and opened in headless Chromium (WebGPU on
// SwiftShader, or the real GPU with STP_WEBGPU_ADAPTER=default): the harness shared by the
// experiment runner and the benchmarks. Dependencies are pre-bundled up front so the page never
// reloads mid-run; configFile: false keeps these scripts independent of the app's Vite config.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Serves the repository, opens a blank page (not yet navigated: add routes, exposed functions and
 * init scripts first) and returns it with `url(path)`, the first uncaught page error, and close().
 */
export async function hostPage({ entry, include = [], cacheName, onConsole }) {
  let server = null;
  let browser = null;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  };
  try {
    server = await createServer({
      configFile: false,
      root: ROOT,
      logLevel: 'warn',
      clearScreen: false,
      cacheDir: resolve(ROOT, 'node_modules', cacheName),
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      optimizeDeps: { entries: [entry], include },
    });
    await server.listen();
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('Vite did not report a local URL');
    const executablePath = chromiumPath();
    // handleSIGINT: false: Ctrl-C is the script's to handle (the runner checkpoints first);
    // Playwright starts the browser in its own process group, so the terminal's SIGINT misses it.
    browser = await chromium.launch({ executablePath, args: chromiumArgs(), headless: true, handleSIGINT: false });
    const page = await browser.newPage();
    let pageError = null;
    page.on('pageerror', (e) => (pageError ??= e.message));
    page.on('crash', () => (pageError ??= 'the page crashed'));
    page.on('console', (m) => {
      if (!m.text().startsWith('[vite]')) onConsole?.(m);
    });
    return { page, browser, executablePath, url: (path) => new URL(path, base).href, pageError: () => pageError, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Waits (no time limit unless given) until one of the page's window fields is set; returns them all. */
export async function waitForWindow(page, fields, timeout = 0) {
  await page.waitForFunction((names) => names.some((n) => window[n] !== undefined), fields, { timeout, polling: 500 });
  return page.evaluate((names) => Object.fromEntries(names.map((n) => [n, window[n]])), fields);
}

/** The page's JS heap in bytes after a forced garbage collection (CDP), for the soak figures. */
export async function heapAfterGc(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/** Opens `url`, retrying for about ten seconds while a just-started server (vite preview) comes up. */
export async function gotoWhenServed(page, url) {
  for (let i = 0; ; i++) {
    try {
      await page.goto(url);
      return;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
