// npm run soak [-- --steps N --cycles C]: long runs, measured (reliability issue, item 3; not CI).
//   1. One run of about 100,000 steps in the runner (`npm run experiment --report-resources`:
//      RigL on a 10,000-point spiral at batch 8, a mask update every 100 steps), sampled at each
//      of its ten history rows (a test evaluation each).
//   2. The built playground (vite preview of dist/) through 200 Reset / settings-change cycles
//      (Reset, a new seed, method SET, method RigL, in turn, each ending with one training step),
//      sampled at cycles 0, C/2 and C, where the settings are the same as at the start.
// Each sample: GPU buffers alive (created minus destroyed, src/gpu/buffer-count.ts), the JS heap
// after a forced garbage collection (CDP Runtime.getHeapUsage), and the time per step (part 1)
// or per cycle (part 2). "Flat": the same live buffers at every sample after the first, and the
// heap and the time at the end within 10 % of the middle (the start includes one-time warm-up).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { ROOT, gotoWhenServed, heapAfterGc } from './page-host.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const STEPS = arg('--steps', 100_000);
const CYCLES = arg('--cycles', 200);
const PORT = 4181;

const mib = (b) => (b / 2 ** 20).toFixed(2);
const flat = (rows, key) => {
  const [, mid, end] = [rows[0], rows[Math.floor((rows.length - 1) / 2)], rows.at(-1)];
  return mid[key] > 0 ? end[key] / mid[key] : NaN;
};

function verdict(rows, timeKey) {
  // After the first sample: the first evaluation and readback make their buffers once.
  const buffers = new Set(rows.slice(1).map((r) => r.live));
  const heap = flat(rows, 'heap');
  const time = flat(rows, timeKey);
  return `live buffers ${buffers.size === 1 ? `flat (${rows[0].live} at the start, ${rows[1].live} at every later sample)` : `NOT flat (${rows.map((r) => r.live).join(' → ')})`}; heap end ÷ middle ${heap.toFixed(3)} (${Math.abs(heap - 1) <= 0.1 ? 'flat' : 'NOT flat'}); ${timeKey} end ÷ middle ${time.toFixed(3)} (${Math.abs(time - 1) <= 0.1 ? 'flat' : 'NOT flat'})`;
}

/** The runner's own run: `npm run experiment` with --report-resources, one line per history row. */
async function longRun() {
  const dir = mkdtempSync(join(tmpdir(), 'stp-soak-'));
  const epochs = Math.max(1, Math.ceil(STEPS / 875)); // 7,000 training points at batch 8
  const evalEvery = Math.max(100, Math.round(STEPS / 10 / 100) * 100); // ten history rows
  const config = join(dir, 'soak.json');
  writeFileSync(config, JSON.stringify({ version: 1, data: { dataset: 'spiral', points: 10_000 }, dst: { method: 'rigl', deltaT: 100 }, training: { batchSize: 8, epochs, evalEvery, optimizer: { lr: 0.01 }, schedule: { kind: 'constant' } } }));
  let rows = [];
  const child = spawn('node', ['scripts/experiment.mjs', config, '--out', join(dir, 'out'), '--report-resources', '--checkpoint-every', '0'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => {
    err += b.toString();
    for (const m of err.matchAll(/\[resources\] step (\d+): (\d+) live GPU buffers, (\d+) heap bytes, ([\d.]+) s\n/g)) {
      if (rows.some((r) => r.step === Number(m[1]))) continue;
      rows.push({ step: Number(m[1]), live: Number(m[2]), heap: Number(m[3]), seconds: Number(m[4]) });
      console.error(`[soak] step ${m[1]}: ${m[2]} live buffers`);
    }
  });
  const code = await new Promise((done) => child.on('exit', done));
  if (code !== 0) throw new Error(`the runner failed (exit ${code}):\n${err.slice(-2000)}`);
  // The rows at whole multiples of evalEvery (the run's last row, a few hundred steps later with
  // the final evaluation, would be a window of another length).
  const all = rows;
  rows = all.filter((r) => r.step % evalEvery === 0);
  rows.forEach((r, i) => (r.msPerStep = i === 0 ? null : ((r.seconds - rows[i - 1].seconds) * 1000) / (r.step - rows[i - 1].step)));
  console.log(`\n## 1. npm run experiment: one run of ${all.at(-1).step.toLocaleString('en-GB')} steps (${all.at(-1).seconds.toFixed(0)} s)\n`);
  console.log('| step | live GPU buffers | JS heap MiB (after GC) | ms per step since last row |');
  console.log('| ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.step} | ${r.live} | ${mib(r.heap)} | ${r.msPerStep === null ? '–' : r.msPerStep.toFixed(3)} |`);
  console.log(`\n${verdict(rows, 'msPerStep')}`);
}

async function cycles() {
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('vite build failed');
  const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { cwd: ROOT, stdio: 'ignore', detached: true });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs(), headless: true });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await gotoWhenServed(page, `http://127.0.0.1:${PORT}/`);
    const status = page.getByTestId('run-status');
    const ready = () => status.filter({ hasText: /ready|paused/ }).waitFor({ timeout: 120_000 });
    await ready();
    const rows = [];
    const sampleAt = new Set([0, Math.floor(CYCLES / 2), CYCLES]);
    let cycleStart = performance.now();
    let sinceSample = [];
    for (let k = 0; k <= CYCLES; k++) {
      if (sampleAt.has(k)) {
        const counts = await page.evaluate(() => window.stp.bufferCounts());
        const msPerCycle = sinceSample.length ? sinceSample.reduce((a, b) => a + b, 0) / sinceSample.length : null;
        rows.push({ cycle: k, live: counts.live, liveBytes: counts.liveBytes, created: counts.created, heap: await heapAfterGc(page), msPerCycle });
        console.error(`[soak] cycle ${k}/${CYCLES}: ${counts.live} live buffers`);
        sinceSample = [];
      }
      if (k === CYCLES) break;
      cycleStart = performance.now();
      const action = k % 4;
      if (action === 0) await page.getByTestId('reset').click();
      else if (action === 1) await page.getByLabel('Seed', { exact: true }).fill(String(100 + k));
      else await page.getByLabel('Method').selectOption(action === 2 ? 'set' : 'rigl');
      await status.filter({ hasText: 'building' }).waitFor({ timeout: 5_000 }).catch(() => {}); // a fast rebuild may already be done
      await ready();
      const before = await page.getByTestId('step-counter').textContent();
      await page.getByTestId('step').click();
      await page.waitForFunction((b) => document.querySelector('[data-testid=step-counter]')?.textContent !== b, before);
      await ready();
      sinceSample.push(performance.now() - cycleStart);
    }
    console.log(`\n## 2. ${CYCLES} Reset / settings-change cycles in the playground\n`);
    console.log('| cycle | live buffers | live MiB | buffers created so far | JS heap MiB (after GC) | ms per cycle since last |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.cycle} | ${r.live} | ${mib(r.liveBytes)} | ${r.created} | ${mib(r.heap)} | ${r.msPerCycle === null ? '–' : r.msPerCycle.toFixed(0)} |`);
    console.log(`\n${verdict(rows, 'msPerCycle')}`);
    if (errors.length > 0) console.log(`\npage errors: ${errors.slice(0, 5).join(' | ')}`);
  } finally {
    await browser.close();
    try {
      process.kill(-server.pid);
    } catch {
      // already gone
    }
  }
}

const parts = process.argv.includes('--only-cycles') ? [cycles] : process.argv.includes('--only-run') ? [longRun] : [longRun, cycles];
for (const part of parts) await part();
