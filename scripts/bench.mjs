#!/usr/bin/env node
// npm run bench [-- --quick] [--reps R] [--target-ms T] [--out FILE]
// Training throughput of LeNet-300-100 on MNIST at batch 128 (bench/training-page.ts) in headless
// Chromium: ours dense, RigL at 80-99 % sparsity with the masked and the sparse weight storage at
// M = 1 and 4, the cost of one mask update per storage, the same dense network in tfjs on its
// webgpu backend (the page refuses a fallback backend), and the 2-D networks on the layer path
// against the fused path (bench/small-networks.ts). Prints markdown tables and writes
// bench/results.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseBenchArgs } from './bench-args.mjs';
import { findPython } from './python.mjs';
import { ROOT, hostPage, waitForWindow } from './page-host.mjs';

const USAGE = `usage: npm run bench -- [--quick] [--reps R] [--target-ms T] [--out FILE]
  --quick        dense, RigL 90% (both storages) and its update only: a smoke run
  --only IDS     just these cases, comma-separated (e.g. rigl-95-masked,rigl-95-sparse)
  --reps R       timed chunks per case; the median is reported (default 3)
  --target-ms T  wanted length of one timed chunk in ms (default 2000)
  --out FILE     JSON output (default bench/results.json)
env: CHROME_PATH (browser binary), STP_WEBGPU_ADAPTER=default (real GPU instead of SwiftShader),
     STP_PYTHON (a python with torch for the CPU peer), STP_TORCH_THREADS (its threads, default 2)`;

const parseArgs = (argv) => parseBenchArgs(argv, { usage: USAGE, out: resolve(ROOT, 'bench/results.json') });

const f1 = (v) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

/** The markdown table of a bench/results.json (docs/BENCHMARKS.md holds one). */
export function markdown(r) {
  const lines = [];
  // Rows before the wide ones had no model field: LeNet-300-100.
  const lenet = (o) => (o.model ?? 'LeNet-300-100') === 'LeNet-300-100';
  lines.push(`Adapter: ${r.meta.adapter.label}${r.meta.software ? ' — **software (SwiftShader): not GPU numbers**' : ''}; ${r.meta.browserVersion ?? ''}; tfjs ${r.meta.tfjs.version} (${r.meta.tfjs.backend}); ${r.meta.date.slice(0, 10)}.`);
  lines.push('');
  lines.push('| run | M | storage | ms / step | examples / s | dispatches / step | useful GFLOP/s | vs tfjs dense |');
  lines.push('|---|---:|---|---:|---:|---:|---:|---:|');
  for (const o of r.ours.filter((x) => !x.updateEveryStep)) {
    // tfjs trains LeNet-300-100: no ratio for another network.
    const vsTfjs = lenet(o) ? `${(r.tfjs.msPerStep / (o.msPerStep / o.members)).toFixed(2)}×` : '—';
    lines.push(`| ours, ${o.label} | ${o.members} | ${o.storage} | ${f1(o.msPerStep)} | ${f1(o.examplesPerSecond)} | ${o.dispatchesPerStep} | ${o.gflops.toFixed(3)} | ${vsTfjs} |`);
  }
  lines.push(`| tfjs ${r.meta.tfjs.version} webgpu, dense | 1 | — | ${f1(r.tfjs.msPerStep)} | ${f1(r.tfjs.examplesPerSecond)} | — | — | 1.00× |`);
  lines.push('');
  lines.push('"vs tfjs dense" = tfjs ms per step ÷ our ms per step per member (above 1: ours trains more examples per second).');
  lines.push('');
  // Sparse ÷ masked examples per second, same sparsity and members, same run.
  const pairs = r.ours.filter((o) => o.storage === 'sparse' && !o.updateEveryStep && lenet(o)).flatMap((sp) => {
    const m = r.ours.find((o) => o.storage === 'masked' && !o.updateEveryStep && lenet(o) && o.method === sp.method && o.sparsity === sp.sparsity && o.members === sp.members);
    return m ? [[sp, m]] : [];
  });
  if (pairs.length > 0) {
    lines.push('| sparsity | M | sparse ÷ masked examples/s | weight state, masked | weight state, sparse (slots) | all GPU buffers, masked → sparse |');
    lines.push('|---:|---:|---:|---:|---:|---:|');
    const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
    const mibOf = (o) => (Number.isFinite(o.gpuBytes) ? `${(o.gpuBytes / 2 ** 20).toFixed(1)}` : '—');
    const state = (o) => o.layers.map((l) => `${l.name} ${kib(l.stateBytes)}${l.storage === o.storage ? '' : ` (${l.storage})`}`).join(', ');
    for (const [sp, m] of pairs) lines.push(`| ${Math.round(sp.sparsity * 100)}% | ${sp.members} | ${(sp.examplesPerSecond / m.examplesPerSecond).toFixed(2)}× | ${state(m)} | ${state(sp)} | ${mibOf(m)} → ${mibOf(sp)} MiB |`);
    lines.push('');
  }
  const wide = r.ours.filter((o) => !lenet(o) && !o.updateEveryStep);
  if (wide.length > 0) {
    lines.push('Wide and sparse (issue 15): the same RigL on wider MLPs, sparse storage only:');
    lines.push('');
    lines.push('| network | sparsity | ms / step | examples / s | weight state | ÷ the dense weight state | all GPU buffers | one RigL update, in steps |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const o of wide) {
      const bytes = o.layers.reduce((a, l) => a + l.stateBytes, 0);
      const u = r.updates.find((x) => x.model === o.model && x.sparsity === o.sparsity && x.storage === o.storage);
      lines.push(`| ${o.model} | ${Math.round(o.sparsity * 100)}% | ${f1(o.msPerStep)} | ${f1(o.examplesPerSecond)} | ${(bytes / 2 ** 20).toFixed(1)} MiB | ${((100 * bytes) / o.denseStateBytes).toFixed(1)} % | ${(o.gpuBytes / 2 ** 20).toFixed(1)} MiB | ${u ? u.steps.toFixed(2) : '—'} |`);
    }
    lines.push('');
  }
  if (r.torchCpu?.rows?.length) {
    lines.push(`PyTorch ${r.torchCpu.rows[0].torch} on the CPU (${r.torchCpu.rows[0].threads} threads), the same masked network (W ⊙ mask, dense matmul), batch 128, SGD, measured after the browser closed:`);
    lines.push('');
    lines.push('| sparsity | PyTorch CPU examples / s | ours sparse examples / s | ours sparse ÷ PyTorch |');
    lines.push('|---:|---:|---:|---:|');
    for (const t of r.torchCpu.rows) {
      const sp = r.ours.find((o) => o.storage === 'sparse' && !o.updateEveryStep && lenet(o) && o.members === 1 && o.sparsity === t.sparsity);
      lines.push(`| ${Math.round(t.sparsity * 100)}% | ${f1(t.examplesPerSecond)} | ${sp ? f1(sp.examplesPerSecond) : '—'} | ${sp ? `${(sp.examplesPerSecond / t.examplesPerSecond).toFixed(2)}×` : '—'} |`);
    }
    lines.push('');
  } else if (r.torchCpu?.skipped) {
    lines.push(`PyTorch CPU peer: ${r.torchCpu.skipped}`);
    lines.push('');
  }
  if (r.small?.rows?.length) {
    lines.push('Small networks (2-D spiral, batch 32, no mask update in the timed steps): the layer path (`training.fused` off) against the fused path, same run:');
    lines.push('');
    lines.push('| network | M | layer path steps / s | fused steps / s | fused ÷ layer | dispatches (layer, fused) |');
    lines.push('|---|---:|---:|---:|---:|---|');
    for (const f of r.small.rows.filter((x) => x.path === 'fused')) {
      const l = r.small.rows.find((x) => x.path === 'layer' && x.label === f.label && x.members === f.members);
      lines.push(`| ${f.label} | ${f.members} | ${l ? f1(l.stepsPerSecond) : '—'} | ${f1(f.stepsPerSecond)} | ${l ? `${(f.stepsPerSecond / l.stepsPerSecond).toFixed(2)}×` : '—'} | ${l ? `${l.dispatches} per step` : '—'}, ${f.dispatches} |`);
    }
    lines.push('');
    if (r.small.defaultRun.length) {
      lines.push(`The default run's ${r.small.defaultRun[0].steps} steps (RigL updates included, no evaluation), engine time: ${r.small.defaultRun.map((d) => `${d.path} path ${d.seconds.toFixed(2)} s`).join(', ')}.`);
      lines.push('');
    }
  }
  lines.push('| mask update | storage | ms | in training steps |');
  lines.push('|---|---|---:|---:|');
  for (const u of r.updates) lines.push(`| ${{ rigl: 'RigL', set: 'SET' }[u.method] ?? u.method} at ${u.sparsity * 100}%${lenet(u) ? '' : `, ${u.model}`} | ${u.storage ?? 'masked'} | ${f1(u.msPerUpdate)} | ${u.steps.toFixed(2)} |`);
  return lines.join('\n');
}

/**
 * bench/torch_cpu_peer.py for each sparse RigL row at M = 1 (same layer densities), with the
 * browser closed so that both sides had the machine to themselves. Skipped, and said so, without
 * python3 and torch.
 */
function torchPeer(result) {
  const threads = Number(process.env.STP_TORCH_THREADS ?? 2);
  const python = findPython(['torch']);
  if (!python) return { skipped: 'not measured: no python3 with torch here (apt install python3-torch, or STP_PYTHON=/path/to/python)' };
  const rows = [];
  for (const o of result.ours.filter((x) => x.method === 'rigl' && x.storage === 'masked' && x.members === 1 && !x.updateEveryStep)) {
    const run = spawnSync(python, [resolve(ROOT, 'bench/torch_cpu_peer.py'), resolve(ROOT, 'public/data'), String(threads), o.densities.join(','), '4'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the PyTorch peer failed: ${run.stderr}`);
    const row = { sparsity: o.sparsity, ...JSON.parse(run.stdout.trim().split('\n').at(-1)) };
    console.log(`[bench] PyTorch CPU, ${Math.round(o.sparsity * 100)}%: ${row.msPerStep.toFixed(1)} ms/step, ${row.examplesPerSecond.toFixed(0)} examples/s`);
    rows.push(row);
  }
  return { rows };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  let host = null;
  try {
    host = await hostPage({
      entry: 'bench/training.html',
      include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', 'zod'],
      cacheName: '.vite-bench',
      onConsole: (m) => (m.type() === 'error' ? console.error : console.log)(m.text()),
    });
    const q = new URLSearchParams();
    if (opts.quick) q.set('quick', '1');
    if (opts.only) q.set('only', opts.only);
    if (opts.reps) q.set('reps', String(opts.reps));
    if (opts.targetMs) q.set('target_ms', String(opts.targetMs));
    console.log(`[bench] ${host.browser.version()} (${host.executablePath})`);
    await host.page.goto(host.url(`bench/training.html?${q}`));
    const { __trainingBench: result, __trainingBenchError: error } = await waitForWindow(host.page, ['__trainingBench', '__trainingBenchError'], 60 * 60 * 1000);
    if (error !== undefined) throw new Error(`the benchmark page failed:\n${error}`);
    if (host.pageError()) throw new Error(`uncaught error in the benchmark page: ${host.pageError()}`);
    result.meta.browserVersion = host.browser.version();
    result.meta.webgpuAdapterFlag = process.env.STP_WEBGPU_ADAPTER ?? 'swiftshader';
    await host.close();
    host = null;
    result.torchCpu = torchPeer(result);
    result.meta.wallClockSeconds = (performance.now() - t0) / 1000;
    console.log(`\n${markdown(result)}\n`);
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${relative(process.cwd(), opts.out) || opts.out}; total ${result.meta.wallClockSeconds.toFixed(1)} s`);
  } finally {
    await host?.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench FAILED: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
