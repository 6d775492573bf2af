#!/usr/bin/env node
// npm run reproduce [-- --only PREFIX]... [--report]
// Runs every config in experiments/reproduction/ (or those whose name starts with a --only
// prefix) with the headless runner, one after another, into results/reproduction/<name>/: a
// finished run (results there, or its entry in docs/reproduction/summary.json: delete the entry
// to run it again) is skipped, an interrupted one resumed from its checkpoint. Ctrl-C stops the
// current run at its next chunk with a checkpoint (the runner's own handling); run the same
// command again to go on. At the end, and with --report alone, docs/REPRODUCTION.md's tables are
// regenerated from the results (scripts/reproduction-report.mjs).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ROOT } from './page-host.mjs';
import { finishedRuns, writeReport } from './reproduction-report.mjs';

const CONFIGS = resolve(ROOT, 'experiments/reproduction');
const RESULTS = resolve(ROOT, 'results/reproduction');
const USAGE = `usage: npm run reproduce -- [--only PREFIX]... [--report]
  --only PREFIX  run only the configs whose name starts with PREFIX (repeatable), e.g. --only fashion-edst
  --report       only regenerate docs/REPRODUCTION.md from the results there are`;

function parseArgs(argv) {
  const o = { only: [], reportOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only.push(argv[++i] ?? '');
    else if (a === '--report') o.reportOnly = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  return o;
}

/** Runs the experiment runner in its own process group, so one Ctrl-C reaches it once (forwarded). */
function runExperiment(args) {
  const child = spawn(process.execPath, [resolve(ROOT, 'scripts/experiment.mjs'), ...args], { stdio: 'inherit', detached: true });
  const forward = () => child.kill('SIGINT');
  process.on('SIGINT', forward);
  return new Promise((done) =>
    child.on('exit', (code) => {
      process.off('SIGINT', forward);
      done(code);
    }),
  );
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.reportOnly) {
    const names = readdirSync(CONFIGS)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .filter((n) => opts.only.length === 0 || opts.only.some((p) => n.startsWith(p)))
      .sort();
    if (names.length === 0) throw new Error(`no config in ${relative(process.cwd(), CONFIGS)} matches ${opts.only.join(', ')}`);
    const t0 = performance.now();
    const finished = finishedRuns(RESULTS);
    for (const [i, name] of names.entries()) {
      const out = resolve(RESULTS, name);
      const tag = `[reproduce] ${i + 1}/${names.length} ${name}`;
      if (finished.has(name)) {
        console.log(`${tag}: done already`);
        continue;
      }
      const resume = existsSync(resolve(out, 'checkpoint.json'));
      console.log(`${tag}: ${resume ? 'resuming' : 'starting'} (${((performance.now() - t0) / 60000).toFixed(1)} min so far)`);
      const code = await runExperiment(resume ? ['--resume', out] : [resolve(CONFIGS, `${name}.json`), '--out', out]);
      if (code === 130) {
        console.log('[reproduce] stopped; run the same command again to go on');
        process.exitCode = 130;
        break;
      }
      if (code !== 0) throw new Error(`${name} failed (exit ${code})`);
    }
  }
  const report = writeReport(RESULTS);
  console.log(`[reproduce] ${relative(process.cwd(), report.file)}: ${report.done} of ${report.total} runs have results`);
}

main().catch((e) => {
  console.error(`reproduce FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
