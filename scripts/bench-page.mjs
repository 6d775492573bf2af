// npm run bench:page [-- --runs N]: small 2-D runs in the built playground against the headless
// runner, measured in the same invocation (small-network issue, item 1; not CI). Two configs: the
// default ({ version: 1 }: the spiral, 2-32-32-3, RigL 50 %, batch 32, 1,300 steps) and a lesson's
// (the lessons' 2-64-64-3 on the spiral at 90 %, SGD with a cosine decay over 150 epochs). For each:
//   1. The runner (`npm run experiment`) trains it; its results.json gives the training loop's
//      seconds (trainingSeconds: without the device, the kernels' compilation and the data).
//   2. The built page (vite preview of dist/) opens with it in its link, Play is pressed at the
//      default speed and the run is timed to 'done'. Meanwhile a PerformanceObserver counts the
//      main-thread tasks over 50 ms, and a Chrome trace (CDP Tracing, devtools.timeline) says what
//      each of them spent its time on: the trace events directly under each long task, summed by
//      name (FunctionCall: JavaScript, with its function and script; Layout, Paint, GC, ...).
// Prints the ratio page ÷ runner in steps per second, the long-task count and the longest, and the
// breakdown: the figures for docs/BENCHMARKS.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { ROOT, gotoWhenServed } from './page-host.mjs';

const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 2;
const PORT = 4183;

/** The runs measured: the default, and a run as the lessons train (src/state/lessons/presets.ts). */
const CONFIGS = [
  { name: 'the default run', config: { version: 1 } },
  {
    name: "a lesson's run (2-64-64-3, RigL 90 %, 150 epochs)",
    config: { version: 1, model: { kind: 'mlp', hidden: [64, 64] }, sparsity: { target: 0.9 }, dst: { method: 'rigl' }, training: { epochs: 150, optimizer: { kind: 'sgd', lr: 0.1 }, schedule: { kind: 'cosine' } } },
  },
];

/** The page's link for a config: its fields past the version, as the playground encodes them (config/codec.ts). */
const hashOf = ({ version, ...rest }) => (Object.keys(rest).length === 0 ? '' : `#v${version}.${Buffer.from(JSON.stringify(rest)).toString('base64url')}`);

/** The runner's own run of a config: its training seconds and steps (its results.json). */
function runnerRun(config) {
  const dir = mkdtempSync(join(tmpdir(), 'stp-bench-page-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const r = spawnSync('node', ['scripts/experiment.mjs', join(dir, 'config.json'), '--out', join(dir, 'out'), '--checkpoint-every', '0'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the runner failed (exit ${r.status}): ${r.stderr.slice(-1000)}`);
  const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
  // Its training loop only (trainingSeconds): `seconds` also holds acquiring the device and
  // compiling the kernels (about 2.7 s here), which the page does before Play is pressed.
  return { seconds: results.trainingSeconds ?? results.seconds, steps: results.history.at(-1).step };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A source map's mappings, decoded (VLQ): per generated line, [column, source index, line, column]. */
function decodeMappings(map) {
  const lines = [];
  let src = 0;
  let sLine = 0;
  let sCol = 0;
  for (const text of map.mappings.split(';')) {
    const segs = [];
    let col = 0;
    for (const seg of text.split(',')) {
      if (!seg) continue;
      const v = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          v.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += v[0];
      if (v.length >= 4) {
        src += v[1];
        sLine += v[2];
        sCol += v[3];
        segs.push([col, src, sLine, sCol]);
      }
    }
    lines.push(segs);
  }
  return (line, column) => {
    const segs = lines[line] ?? [];
    let best = null;
    for (const sg of segs) if (sg[0] <= column) best = sg;
    return best ? `${map.sources[best[1]].replace(/^(\.\.\/)+/, '')}:${best[2] + 1}` : '?';
  };
}

/** Where the main thread's JavaScript spent the long tasks: CPU-profile samples inside them, by our frame. */
function profileInside(profile, tasks, locate) {
  // tasks null: every sample of the run.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (n) => (n.callFrame.url.includes('/assets/') ? locate(n.callFrame.lineNumber, n.callFrame.columnNumber) : n.callFrame.functionName || '(native)');
  const ours = new Map();
  const leaves = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, k) => {
    t += profile.timeDeltas[k];
    if (tasks && !tasks.some((x) => t >= x.ts && t <= x.ts + x.dur)) return;
    const dt = (profile.timeDeltas[k + 1] ?? 0) / 1000;
    const leaf = byId.get(id);
    leaves.set(frame(leaf), (leaves.get(frame(leaf)) ?? 0) + dt);
    // The innermost frame in src/ (our code), else the leaf.
    for (let n = leaf; n; n = byId.get(parent.get(n.id))) {
      const f = frame(n);
      if (f.startsWith('src/')) {
        ours.set(f, (ours.get(f) ?? 0) + dt);
        return;
      }
    }
    // None (a library's own work, as React's scheduler or recharts' store runs it): the leaf's package.
    const pkg = `(no frame of ours) ${/^node_modules\/((@[^/]+\/)?[^/]+)/.exec(frame(leaf))?.[1] ?? frame(leaf)}`;
    ours.set(pkg, (ours.get(pkg) ?? 0) + dt);
  });
  return { ours, leaves };
}

/** What Chrome's trace calls one main-thread task. */
const TASK = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** The trace events directly inside each main-thread task over 50 ms, summed by what they are. */
function longTaskBreakdown(events) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) throw new Error('the trace has no CrRendererMain thread');
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number');
  const tasks = onMain.filter((e) => TASK.has(e.name) && e.dur > 50_000);
  const parts = new Map();
  for (const t of tasks) {
    const inside = onMain.filter((e) => e !== t && !TASK.has(e.name) && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur);
    // Only the outermost events inside the task: a child's time is its parent's already.
    const outer = inside.filter((e) => !inside.some((p) => p !== e && p.ts <= e.ts && p.ts + p.dur >= e.ts + e.dur && p.dur > e.dur));
    for (const e of outer) {
      const d = e.args?.data ?? {};
      const what = e.name === 'FunctionCall' ? `FunctionCall ${d.functionName || '(anonymous)'} ${(d.url ?? '').split('/').pop()}:${d.lineNumber ?? '?'}` : e.name;
      parts.set(what, (parts.get(what) ?? 0) + e.dur / 1000);
    }
  }
  return { tasks, parts };
}

async function pageRun(browser, locate, hash) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await gotoWhenServed(page, `http://127.0.0.1:${PORT}/${hash}`);
  const status = page.getByTestId('run-status');
  await status.filter({ hasText: /ready/ }).waitFor({ timeout: 120_000 });
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push({ ms: e.duration, at: e.startTime }))).observe({ type: 'longtask', buffered: false });
  });
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (m) => events.push(...m.value));
  const finished = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel', transferMode: 'ReportEvents' });
  const t0 = Date.now();
  const played = await page.evaluate(() => performance.now());
  await page.getByTestId('play').click();
  await status.filter({ hasText: 'done' }).waitFor({ timeout: 600_000 });
  const seconds = (Date.now() - t0) / 1000;
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Tracing.end');
  await finished;
  // Each long task: its length, and when it began in seconds after Play.
  const long = (await page.evaluate(() => window.longTasks)).map((x) => ({ ms: x.ms, at: (x.at - played) / 1000 }));
  await page.close();
  const trace = longTaskBreakdown(events);
  return { seconds, long, trace, profile: profileInside(profile, trace.tasks, locate), whole: profileInside(profile, null, locate), errors };
}

/** A markdown table of the top 12 entries of a map of milliseconds, with their shares. */
function table(title, what, ms) {
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${title} (all runs, ${total.toFixed(0)} ms in all; the top 12):\n`);
  console.log(`| ${what} | ms | share |`);
  console.log('| --- | ---: | ---: |');
  for (const [k, v] of [...ms].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`| ${k} | ${v.toFixed(0)} | ${((100 * v) / total).toFixed(0)} % |`);
}

const runners = CONFIGS.map((c) => runnerRun(c.config));
const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) throw new Error('vite build failed');
const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { cwd: ROOT, stdio: 'ignore', detached: true });
const assets = join(ROOT, 'dist', 'assets');
const bundle = readdirSync(assets).find((f) => /^index-.*\.js\.map$/.test(f));
const locate = decodeMappings(JSON.parse(readFileSync(join(assets, bundle), 'utf8')));
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs(), headless: true });
const sum = (into, from) => from.forEach((v, k) => into.set(k, (into.get(k) ?? 0) + v));
try {
  for (const [c, { config, name }] of CONFIGS.entries()) {
    const { seconds: runner, steps } = runners[c];
    console.log(`\n## ${name} (${steps} steps): built page against the runner, ${new Date().toISOString().slice(0, 10)}\n`);
    console.log(`runner: ${runner.toFixed(2)} s, ${(steps / runner).toFixed(0)} steps/s\n`);
    console.log('| page run | seconds | steps/s | page ÷ runner | tasks over 50 ms | longest ms | over 50 ms in the trace | each: length, start after Play |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    const parts = new Map();
    const ours = new Map();
    const leaves = new Map();
    const whole = new Map();
    for (let r = 1; r <= RUNS; r++) {
      const p = await pageRun(browser, locate, hashOf(config));
      if (p.errors.length > 0) throw new Error(`page errors: ${p.errors.join(' | ')}`);
      sum(parts, p.trace.parts);
      sum(ours, p.profile.ours);
      sum(leaves, p.profile.leaves);
      sum(whole, p.whole.ours);
      const longest = p.long.length ? Math.max(...p.long.map((x) => x.ms)) : 0;
      const when = p.long.map((x) => `${x.ms.toFixed(0)} ms at ${x.at.toFixed(1)} s`).join(', ');
      console.log(`| ${r} | ${p.seconds.toFixed(1)} | ${(steps / p.seconds).toFixed(0)} | ${(runner / p.seconds).toFixed(2)} | ${p.long.length} | ${longest.toFixed(0)} | ${p.trace.tasks.length} | ${when} |`);
    }
    table('What the long tasks (in the trace) spent their time on, by trace event', 'trace event', parts);
    table('JavaScript in the long tasks by the innermost frame of ours (CPU profile samples)', 'source line', ours);
    table('JavaScript in the long tasks by the sampled frame itself (self time)', 'frame', leaves);
    table('All main-thread JavaScript while training, by the innermost frame of ours (CPU profile; (idle) and (program) included)', 'source line', whole);
  }
} finally {
  await browser.close();
  try {
    process.kill(-server.pid);
  } catch {
    // already gone
  }
}
