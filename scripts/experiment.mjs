#!/usr/bin/env node
// npm run experiment -- <config.json> [--out DIR] [--set path.to.field=value]...
// Runs one experiment config (docs/CONFIG.md) with the playground's engine in headless Chromium
// (the machine's GPU with STP_WEBGPU_ADAPTER=default, SwiftShader otherwise), shows a progress
// bar with ETA, and writes DIR/results.json (docs/EXPERIMENTS.md) and DIR/history.csv.
// A config with wrong fields is refused, each field named, before any training. Ctrl-C stops and
// writes what was done so far (results.json with "interrupted": true).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { createServer } from 'vite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run experiment -- <config.json> [--out DIR] [--set path.to.field=value]...
  --out DIR   where results.json and history.csv go (default results/<config name>)
  --set P=V   override one config field (V is JSON if it parses, else a string), repeatable
env: CHROME_PATH (browser binary), STP_WEBGPU_ADAPTER=default (the real GPU instead of SwiftShader)`;

function parseArgs(argv) {
  const o = { config: null, out: null, sets: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = resolve(process.cwd(), argv[++i] ?? '');
    else if (a === '--set') o.sets.push(argv[++i] ?? '');
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option "${a}"\n${USAGE}`);
    else if (o.config === null) o.config = resolve(process.cwd(), a);
    else throw new Error(`one config at a time (got "${a}" too)\n${USAGE}`);
  }
  if (o.config === null) throw new Error(USAGE);
  o.out ??= resolve(process.cwd(), 'results', basename(o.config).replace(/\.json$/, ''));
  return o;
}

/** Sets `path` (dots) in a JSON object; objects along the way are created. */
export function applySet(config, assignment) {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set needs path=value, got "${assignment}"`);
  const path = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  let node = config;
  for (const k of path.slice(0, -1)) {
    if (node[k] === undefined) node[k] = {};
    if (node[k] === null || typeof node[k] !== 'object') throw new Error(`--set ${assignment}: ${k} is not an object`);
    node = node[k];
  }
  node[path.at(-1)] = value;
  return config;
}


const CSV_COLUMNS = ['step', 'epoch', 'loss', 'trainAccuracy', 'testAccuracy'];
function historyCsv(history) {
  const members = history[0]?.members.length ?? 0;
  const head = [...CSV_COLUMNS, ...Array.from({ length: members }, (_, m) => ['loss', 'trainAccuracy', 'testAccuracy', 'itop'].map((k) => `member${m + 1}_${k}`)).flat()];
  const lines = history.map((h) => [...CSV_COLUMNS.map((k) => h[k]), ...h.members.flatMap((m) => [m.loss, m.trainAccuracy, m.testAccuracy, m.itop])].join(','));
  return `${[head.join(','), ...lines].join('\n')}\n`;
}

function bar(step, total, seconds, extra) {
  const width = 30;
  const done = total > 0 ? step / total : 0;
  const filled = Math.round(done * width);
  const eta = done > 0 ? (seconds / done) * (1 - done) : NaN;
  const fmt = (s) => (!Number.isFinite(s) ? '?' : s < 60 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total} ${(done * 100).toFixed(0)}% · ${fmt(seconds)} elapsed · ETA ${fmt(eta)}${extra ? ` · ${extra}` : ''}`;
}

function writeResults(out, result) {
  mkdirSync(out, { recursive: true });
  writeFileSync(resolve(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(resolve(out, 'history.csv'), historyCsv(result.history));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let input;
  try {
    input = JSON.parse(readFileSync(opts.config, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${opts.config}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  for (const s of opts.sets) applySet(input, s);
  const t0 = performance.now();
  const history = [];
  let server = null;
  let browser = null;
  let interrupted = false;
  let lastLine = '';
  const stop = async () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write('\n[experiment] interrupted: writing what was done so far\n');
    writeResults(opts.out, { config: input, interrupted: true, seconds: (performance.now() - t0) / 1000, history, final: null });
    console.log(`wrote ${relative(process.cwd(), opts.out) || opts.out} (partial)`);
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    process.exit(130);
  };
  process.on('SIGINT', () => void stop());
  try {
    server = await createServer({
      configFile: false,
      root: ROOT,
      logLevel: 'warn',
      clearScreen: false,
      cacheDir: resolve(ROOT, 'node_modules/.vite-runner'),
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      optimizeDeps: { entries: ['runner/experiment.html'], include: ['zod'] },
    });
    await server.listen();
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('Vite did not report a local URL');
    browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs(), headless: true });
    const page = await browser.newPage();
    let pageError = null;
    page.on('pageerror', (e) => (pageError ??= e.message));
    page.on('crash', () => (pageError ??= 'the page crashed'));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('[vite]')) console.error(`[page] ${m.text()}`);
    });
    await page.exposeFunction('__progress', (p) => {
      if (p.point) history.push(p.point);
      const extra = p.message ?? (p.point ? `${p.phase} · loss ${p.point.loss.toFixed(3)} · test acc ${(p.point.testAccuracy * 100).toFixed(1)}%` : p.phase);
      lastLine = bar(p.step, p.total, (performance.now() - t0) / 1000, extra);
      process.stderr.write(process.stderr.isTTY ? `\r${lastLine}\x1b[K` : `${lastLine}\n`);
    });
    await page.addInitScript((config) => {
      window.__experimentInput = config;
    }, input);
    await page.goto(new URL('runner/experiment.html', base).href);
    await page.waitForFunction(() => window.__experimentResult !== undefined || window.__experimentError !== undefined, null, { timeout: 0, polling: 500 });
    const { result, error } = await page.evaluate(() => ({ result: window.__experimentResult, error: window.__experimentError }));
    if (process.stderr.isTTY && lastLine) process.stderr.write('\n');
    if (error) {
      if (error.configErrors) throw new Error(`${opts.config}: the config was refused, nothing ran:\n  ${error.configErrors.join('\n  ')}`);
      throw new Error(error.message);
    }
    if (pageError) throw new Error(`uncaught error in the runner page: ${pageError}`);
    writeResults(opts.out, result);
    const f = result.final;
    console.log(`${basename(opts.config)}: ensemble accuracy ${(f.ensemble.accuracy * 100).toFixed(2)}%, NLL ${f.ensemble.nll.toFixed(3)}, ECE ${f.ensemble.ece.toFixed(3)}, training FLOPs ${(f.trainFlops / f.denseTrainFlops).toFixed(2)}x dense, ${result.seconds.toFixed(1)} s on ${result.adapter.description || result.adapter.vendor}`);
    console.log(`wrote ${relative(process.cwd(), opts.out) || opts.out}/results.json and history.csv`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`experiment FAILED: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
