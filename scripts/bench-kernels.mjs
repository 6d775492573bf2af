#!/usr/bin/env node
// npm run bench:kernels [-- --quick] [--iters N] [--reps R] [--target-ms T] [--out FILE]
// Serves bench/kernels.html with Vite, runs it in headless Chromium (WebGPU), forwards the page's
// console, prints a table of our kernels vs tfjs-backend-webgpu and writes bench/kernels.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseBenchArgs } from './bench-args.mjs';
import { ROOT, hostPage, waitForWindow } from './page-host.mjs';
const TIMEOUT_MS = 15 * 60 * 1000;
const RATIO_DEFINITION = 'speed ratio ours/tfjs = tfjs_ms / ours_ms (> 1: ours is faster)';

const USAGE = `usage: npm run bench:kernels -- [--quick] [--iters N] [--reps R] [--target-ms T] [--out FILE]
  --quick        smaller batches (dense b32, conv b8): a smoke run
  --iters N      fixed iterations per timed chunk (default: adaptive, about --target-ms per chunk)
  --reps R       timed chunks per kernel; the median is reported (default 5)
  --target-ms T  wanted length of one timed chunk in ms (default 400)
  --out FILE     JSON output (default bench/kernels.json)
env: CHROME_PATH (browser binary), STP_WEBGPU_ADAPTER=default (real GPU instead of SwiftShader)`;

const parseArgs = (argv) => parseBenchArgs(argv, { usage: USAGE, out: resolve(ROOT, 'bench/kernels.json'), iters: true });


const ms = (v) => (v === null || v === undefined ? '-' : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0));
const gf = (v) => (v === null || v === undefined ? '-' : v < 10 ? v.toFixed(3) : v.toFixed(1));

function printTable(result) {
  const { meta, rows } = result;
  console.log('');
  console.log(`adapter: ${meta.adapter.label}${meta.software ? '  [SOFTWARE ADAPTER: not GPU numbers]' : ''}`);
  console.log(`browser: ${meta.browserVersion}; tfjs ${meta.tfjs.version} (backend ${meta.tfjs.backend}); timestamp-query: ${meta.timestampQuery}`);
  console.log(`ms = median ms per iteration over ${meta.timing.reps} chunks; ${RATIO_DEFINITION}`);
  console.log('tfjs ms include one readback (.data()) per chunk, amortised over the chunk\'s N iterations');
  const head = ['kernel', 'shape', 'M', 'N', 'ms', 'GFLOP/s', 'tfjs ms', 'tfjs GFLOP/s', 'ratio'];
  const body = rows.map((r) => [
    r.kernel,
    r.shape,
    String(r.members),
    String(r.ours.itersPerChunk),
    ms(r.ours.msPerIter),
    gf(r.ours.gflops),
    ms(r.tfjs?.msPerIter),
    gf(r.tfjs?.gflops),
    r.speedRatio === null ? '-' : `${r.speedRatio.toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
  const peers = rows.filter((r) => r.tfjs).map((r) => `  ${r.kernel} ${r.shape} M=${r.members}: ${r.tfjs.op}`);
  console.log(`tfjs peers:\n${peers.join('\n')}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  let host = null;
  try {
    host = await hostPage({
      entry: 'bench/kernels.html',
      include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
      cacheName: '.vite-bench',
      onConsole: (m) => (m.type() === 'error' ? console.error : console.log)(m.text()),
    });
    const { page, browser, executablePath } = host;

    const q = new URLSearchParams();
    if (opts.quick) q.set('quick', '1');
    if (opts.iters) q.set('iters', String(opts.iters));
    if (opts.reps) q.set('reps', String(opts.reps));
    if (opts.targetMs) q.set('target_ms', String(opts.targetMs));
    const url = host.url(`bench/kernels.html?${q}`);
    console.log(`[bench-kernels] ${browser.version()} (${executablePath}), ${url}`);
    await page.goto(url);
    const { __benchResult: result, __benchError: error } = await waitForWindow(page, ['__benchResult', '__benchError'], TIMEOUT_MS);
    if (error !== undefined) throw new Error(`the benchmark page failed:\n${error}`);
    if (host.pageError()) throw new Error(`uncaught error in the benchmark page: ${host.pageError()}`);

    result.meta.browserVersion = browser.version();
    result.meta.chromiumPath = executablePath;
    result.meta.webgpuAdapterFlag = process.env.STP_WEBGPU_ADAPTER ?? 'swiftshader';
    result.meta.wallClockSeconds = (performance.now() - t0) / 1000;
    printTable(result);
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${relative(process.cwd(), opts.out) || opts.out}; total ${result.meta.wallClockSeconds.toFixed(1)} s`);
  } finally {
    await host?.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench:kernels FAILED: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
