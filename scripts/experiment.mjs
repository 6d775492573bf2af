#!/usr/bin/env node
// npm run experiment -- <config.json> [--out DIR] [--set path.to.field=value]... [--checkpoint-every MIN]
// npm run experiment -- --resume DIR
// Runs one experiment config (docs/CONFIG.md) with the playground's engine in headless Chromium
// (the machine's GPU with STP_WEBGPU_ADAPTER=default, SwiftShader otherwise), shows a progress
// bar with ETA, and writes DIR/results.json (docs/EXPERIMENTS.md) and DIR/history.csv.
// A config with wrong fields is refused, each field named, before any training. Every few minutes
// the run's whole state goes to DIR/checkpoint.json + checkpoint.bin; --resume DIR continues from
// there with the same curve. Ctrl-C saves a checkpoint after the current chunk of steps and writes
// what was done so far (results.json with "interrupted": true); a second Ctrl-C quits at once.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { applySet } from './config-set.mjs';
import { hasCheckpoint, readCheckpoint, removeCheckpoint, writeCheckpoint } from './checkpoint-files.mjs';
import { heapAfterGc, hostPage, waitForWindow } from './page-host.mjs';
const USAGE = `usage: npm run experiment -- <config.json> [--out DIR] [--set path.to.field=value]... [--checkpoint-every MIN] [--checkpoint-at STEP] [--memory-budget MIB]
       npm run experiment -- --resume DIR
  --out DIR               where results.json, history.csv and checkpoints go (default results/<config name>)
  --set P=V               override one config field (V is JSON if it parses, else a string), repeatable
  --checkpoint-every MIN  minutes between checkpoints (default 5; 0: only on Ctrl-C)
  --checkpoint-at STEP    also save a checkpoint once the run reaches STEP (at the end of that
                          chunk of steps: exactly STEP when it is a multiple of training.evalEvery),
                          kept in DIR/checkpoint-step-STEP/ after the run (python -m sparse_playground --continue)
  --memory-budget MIB     GPU memory the run may take, in MiB (default 2048); a run estimated
                          above it is refused before anything is allocated
  --simulate-gpu-error-at STEP
                          (a test aid) issue one command the GPU rejects once the run reaches STEP:
                          the run must then fail and write no results
  --simulate-crash-in-checkpoint K:OP
                          (a test aid) checkpoint at every history row, and kill the runner
                          (SIGKILL) after file operation OP (1-6, scripts/checkpoint-files.mjs)
                          of its K-th checkpoint
  --report-resources      at each history row, print the GPU buffers alive, the JS heap after a
                          forced GC and the elapsed seconds (what npm run soak reads)
  --resume DIR            continue the interrupted run in DIR from its last checkpoint
env: CHROME_PATH (browser binary), STP_WEBGPU_ADAPTER=default (the real GPU instead of SwiftShader)`;


function parseArgs(argv) {
  const o = { config: null, out: null, sets: [], resume: null, checkpointMinutes: 5, checkpointAt: null, memoryBudgetMiB: null, gpuErrorAt: null, crashIn: null, reportResources: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = resolve(process.cwd(), argv[++i] ?? '');
    else if (a === '--set') o.sets.push(argv[++i] ?? '');
    else if (a === '--resume') o.resume = resolve(process.cwd(), argv[++i] ?? '');
    else if (a === '--checkpoint-every') {
      o.checkpointMinutes = Number(argv[++i]);
      if (!(o.checkpointMinutes >= 0)) throw new Error(`--checkpoint-every needs minutes (a number >= 0)\n${USAGE}`);
    } else if (a === '--checkpoint-at') {
      o.checkpointAt = Number(argv[++i]);
      if (!Number.isInteger(o.checkpointAt) || o.checkpointAt < 1) throw new Error(`--checkpoint-at needs a step (a whole number >= 1)\n${USAGE}`);
    } else if (a === '--simulate-gpu-error-at') {
      o.gpuErrorAt = Number(argv[++i]);
      if (!Number.isInteger(o.gpuErrorAt) || o.gpuErrorAt < 0) throw new Error(`--simulate-gpu-error-at needs a step (a whole number >= 0)\n${USAGE}`);
    } else if (a === '--simulate-crash-in-checkpoint') {
      const m = /^(\d+):([1-6])$/.exec(argv[++i] ?? '');
      if (m === null) throw new Error(`--simulate-crash-in-checkpoint needs K:OP (checkpoint K, file operation 1 to 6)\n${USAGE}`);
      o.crashIn = { checkpoint: Number(m[1]), op: Number(m[2]) };
    } else if (a === '--report-resources') {
      o.reportResources = true;
    } else if (a === '--memory-budget') {
      o.memoryBudgetMiB = Number(argv[++i]);
      if (!(o.memoryBudgetMiB > 0)) throw new Error(`--memory-budget needs MiB (a number > 0)\n${USAGE}`);
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option "${a}"\n${USAGE}`);
    else if (o.config === null) o.config = resolve(process.cwd(), a);
    else throw new Error(`one config at a time (got "${a}" too)\n${USAGE}`);
  }
  if (o.resume !== null) {
    if (o.config !== null || o.sets.length > 0 || o.out !== null) throw new Error(`--resume DIR takes the config, the --set values and the output directory from DIR's checkpoint: give nothing else\n${USAGE}`);
    o.out = o.resume;
    return o;
  }
  if (o.config === null) throw new Error(USAGE);
  o.out ??= resolve(process.cwd(), 'results', basename(o.config).replace(/\.json$/, ''));
  return o;
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

/** Writes `file` whole or not at all (a crash mid-write leaves the previous version). */
function writeAtomic(file, data) {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

function writeResults(out, result) {
  mkdirSync(out, { recursive: true });
  writeAtomic(resolve(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeAtomic(resolve(out, 'history.csv'), historyCsv(result.history));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let input;
  let resume = null;
  if (opts.resume !== null) {
    resume = readCheckpoint(opts.resume);
    if (resume === null) {
      const results = resolve(opts.resume, 'results.json');
      let done = false;
      try {
        done = existsSync(results) && Boolean(JSON.parse(readFileSync(results, 'utf8')).final);
      } catch {
        // a damaged results.json says nothing about whether the run finished
      }
      throw new Error(done ? `${opts.resume}: the run finished (results.json has its final results); there is nothing to resume` : `${opts.resume} has no checkpoint.json: the run stopped before its first checkpoint`);
    }
    input = resume.config;
    if (resume.note) process.stderr.write(`[experiment] ${resume.note}\n`);
    process.stderr.write(`[experiment] resuming ${opts.resume} at step ${resume.state.step}\n`);
  } else {
    try {
      input = JSON.parse(readFileSync(opts.config, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read ${opts.config}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    for (const s of opts.sets) applySet(input, s);
  }
  let configText;
  try {
    configText = JSON.stringify(input);
  } catch (e) {
    // Only a recursion limit stops JSON.stringify of parsed JSON; the page's parseConfig names
    // the path of anything over its 16 levels, but this one cannot even be handed to the page.
    if (!(e instanceof RangeError)) throw e;
    throw new Error(`${opts.config ?? opts.resume}: the config was refused, nothing ran: it nests thousands of levels deep, and no config field is over 16 levels deep`, { cause: e });
  }
  const name = opts.config ? basename(opts.config) : basename(opts.out);
  const t0 = performance.now();
  const secondsBefore = resume?.state.seconds ?? 0;
  const history = resume ? [...resume.state.history] : [];
  let host = null;
  let page = null;
  let lastLine = '';
  let postedBin = null;
  let keptAt = null; // the folder of the --checkpoint-at copy, once written
  let checkpointsWritten = 0;
  let stopping = 0;
  const partial = () => ({ config: input, interrupted: true, seconds: secondsBefore + (performance.now() - t0) / 1000, history, final: null });
  const quit = async (how) => {
    writeResults(opts.out, partial());
    const ckpt = hasCheckpoint(opts.out) ? `; continue with: npm run experiment -- --resume ${relative(process.cwd(), opts.out) || opts.out}` : '';
    console.log(`wrote ${relative(process.cwd(), opts.out) || opts.out} (partial, ${how})${ckpt}`);
    await host?.close();
    process.exit(130);
  };
  process.on('SIGINT', () => {
    stopping++;
    if (stopping === 1 && page) {
      process.stderr.write('\n[experiment] stopping after the current chunk of steps and saving a checkpoint (Ctrl-C again to quit at once)\n');
      page.evaluate(() => (window.__checkpointWanted = 'stop')).catch(() => void quit('stopped'));
    } else void quit('stopped at once, no new checkpoint');
  });
  let timer = null;
  try {
    host = await hostPage({
      entry: 'runner/experiment.html',
      include: ['zod'],
      cacheName: '.vite-runner',
      onConsole: (m) => m.type() === 'error' && console.error(`[page] ${m.text()}`),
    });
    page = host.page;
    // The checkpoint's binary blob: the page POSTs it before each checkpoint, and GETs it to resume.
    await page.route('**/__stp/checkpoint', async (route) => {
      const req = route.request();
      if (req.method() === 'POST') {
        postedBin = req.postDataBuffer();
        await route.fulfill({ status: postedBin ? 200 : 400, body: postedBin ? 'ok' : 'empty body' });
      } else if (resume) await route.fulfill({ status: 200, contentType: 'application/octet-stream', body: resume.bin });
      else await route.fulfill({ status: 404, body: 'no checkpoint to resume' });
    });
    await page.exposeFunction('__checkpoint', (state) => {
      if (!postedBin) throw new Error('the checkpoint blob did not arrive');
      mkdirSync(opts.out, { recursive: true });
      const fields = { config: input, state };
      // Bound to its blob by hash, the previous pair kept until the new one is whole (checkpoint-files.mjs).
      checkpointsWritten++;
      writeCheckpoint(opts.out, fields, postedBin, (op) => {
        if (opts.crashIn && opts.crashIn.checkpoint === checkpointsWritten && opts.crashIn.op === op) {
          process.stderr.write(`[experiment] --simulate-crash-in-checkpoint: killed after operation ${op} of checkpoint ${checkpointsWritten}\n`);
          process.kill(process.pid, 'SIGKILL');
        }
      });
      if (opts.checkpointAt !== null && !keptAt && state.step >= opts.checkpointAt) {
        // --checkpoint-at: a copy that outlives the run (the resumable one goes when it finishes).
        keptAt = resolve(opts.out, `checkpoint-step-${state.step}`);
        mkdirSync(keptAt, { recursive: true });
        writeCheckpoint(keptAt, fields, postedBin);
      }
      postedBin = null;
      history.splice(0, history.length, ...state.history);
      writeResults(opts.out, partial());
      process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}[experiment] checkpoint at step ${state.step}${process.stderr.isTTY ? '\x1b[K\n' : '\n'}`);
    });
    await page.exposeFunction('__progress', async (p) => {
      if (p.point) history.push(p.point);
      if (p.point && opts.reportResources) {
        // What `npm run soak` reads: live GPU buffers, the JS heap after a forced GC, elapsed time.
        const heap = await heapAfterGc(page);
        process.stderr.write(`[resources] step ${p.step}: ${p.buffers} live GPU buffers, ${heap} heap bytes, ${((performance.now() - t0) / 1000).toFixed(3)} s\n`);
      }
      const extra = p.message ?? (p.point ? `${p.phase} · loss ${p.point.loss.toFixed(3)} · test acc ${(p.point.testAccuracy * 100).toFixed(1)}%` : p.phase);
      lastLine = bar(p.step, p.total, secondsBefore + (performance.now() - t0) / 1000, extra);
      process.stderr.write(process.stderr.isTTY ? `\r${lastLine}\x1b[K` : `${lastLine}\n`);
    });
    await page.addInitScript(
      ({ configText, state, budget, gpuErrorAt, checkpointAt, everyRow }) => {
        // As text: Playwright's argument serialisation recurses (see configText above).
        window.__experimentInput = JSON.parse(configText);
        if (state) window.__experimentResume = state;
        if (budget !== null) window.__memoryBudget = budget;
        if (gpuErrorAt !== null) window.__simulateGpuErrorAt = gpuErrorAt;
        if (checkpointAt !== null) window.__checkpointAt = checkpointAt;
        if (everyRow) window.__checkpointEveryRow = true;
      },
      { configText, state: resume?.state ?? null, budget: opts.memoryBudgetMiB === null ? null : opts.memoryBudgetMiB * 2 ** 20, gpuErrorAt: opts.gpuErrorAt, checkpointAt: opts.checkpointAt, everyRow: opts.crashIn !== null },
    );
    if (opts.checkpointMinutes > 0) {
      timer = setInterval(() => {
        page.evaluate(() => (window.__checkpointWanted ??= 'periodic')).catch(() => {});
      }, opts.checkpointMinutes * 60_000);
    }
    await page.goto(host.url('runner/experiment.html'));
    const { __experimentResult: result, __experimentError: error, __experimentStopped: stopped } = await waitForWindow(page, ['__experimentResult', '__experimentError', '__experimentStopped']);
    if (process.stderr.isTTY && lastLine) process.stderr.write('\n');
    if (error) {
      if (error.configErrors) throw new Error(`${opts.config ?? opts.resume}: the config was refused, nothing ran:\n  ${error.configErrors.join('\n  ')}`);
      throw new Error(error.message);
    }
    if (host.pageError()) throw new Error(`uncaught error in the runner page: ${host.pageError()}`);
    if (stopped) return await quit('checkpoint saved');
    writeResults(opts.out, result);
    removeCheckpoint(opts.out); // finished: nothing to resume
    const f = result.final;
    console.log(`${name}: ensemble accuracy ${(f.ensemble.accuracy * 100).toFixed(2)}%, NLL ${f.ensemble.nll.toFixed(3)}, ECE ${f.ensemble.ece.toFixed(3)}, training FLOPs ${(f.trainFlops / f.denseTrainFlops).toFixed(2)}x dense, ${result.seconds.toFixed(1)} s on ${result.adapter.description || result.adapter.vendor}`);
    console.log(`wrote ${relative(process.cwd(), opts.out) || opts.out}/results.json and history.csv`);
  } finally {
    if (timer) clearInterval(timer);
    await host?.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`experiment FAILED: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
