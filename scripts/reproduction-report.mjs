// The tables of docs/REPRODUCTION.md, generated from results/reproduction/<name>/results.json
// (written by `npm run reproduce`): each table replaces the text between its markers
// <!-- table:NAME --> and <!-- /table:NAME -->, so the prose around them is kept. A run without
// results shows as "not run yet". docs/reproduction/summary.json keeps every run's final results
// (no history) in the repository, next to the report it backs; a run whose results folder is not
// on this machine (results/ is not committed) is taken from it, so a fresh clone keeps its rows.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './page-host.mjs';

const REPORT = resolve(ROOT, 'docs/REPRODUCTION.md');
const SUMMARY = resolve(ROOT, 'docs/reproduction/summary.json');
const CONFIGS = resolve(ROOT, 'experiments/reproduction');

/** sparse_learning's LeNet-300-100 MNIST accuracies (docs/METHODS.md §7.1; 60k MNIST, 100 epochs). */
const MNIST_REFERENCE = { dense: 98.69, set: { 90: 98.39, 95: 98.14, 98: 97.74 }, snfs: { 90: 98.67, 95: 98.53, 98: 98.2 } };

const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const std = (a) => (a.length < 2 ? 0 : Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / (a.length - 1)));

/** "m ± s" over runs (or the single value), scaled and with `digits` decimals; "—" when absent. */
function stat(values, digits, scale = 1) {
  const v = values.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).map((x) => x * scale);
  if (v.length === 0) return '—';
  return v.length === 1 ? v[0].toFixed(digits) : `${mean(v).toFixed(digits)} ± ${std(v).toFixed(digits)}`;
}

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

/** Every config's results: its results folder's, else the summary's entry, else null. */
function loadAll(resultsDir, summaryFile) {
  const committed = readJson(summaryFile) ?? {};
  const runs = {};
  for (const f of readdirSync(CONFIGS).filter((x) => x.endsWith('.json')).sort()) {
    const name = f.replace(/\.json$/, '');
    const r = readJson(resolve(resultsDir, name, 'results.json'));
    runs[name] = r?.final ? r : (committed[name]?.final ? committed[name] : null);
  }
  return runs;
}

/** The configs that have final results, in `resultsDir` or in the committed summary. */
export function finishedRuns(resultsDir, summaryFile = SUMMARY) {
  return new Set(Object.entries(loadAll(resultsDir, summaryFile)).filter(([, r]) => r).map(([n]) => n));
}

function freeTicketsTable(runs) {
  const ref = ['fashion-dense-ensemble', 'fashion-dst-ensemble-80', 'fashion-dst-ensemble-90', 'fashion-static-80', 'fashion-static-90'].map((n) => runs[n]).find(Boolean);
  // One dense model for 20 epochs: the FLOPs unit (every 20-epoch config shares model, batch and data).
  const unit = ref?.final.denseTrainFlops ?? null;
  const flops = (rs, perModel = 1) => (unit === null ? '—' : stat(rs.map((r) => r.final.trainFlops / perModel / unit), 2));
  const head = '| sparsity | method | M | accuracy (%) | NLL | ECE | disagreement | KL | training FLOPs (× one dense) | runs |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|';
  const missing = (s, method, m, names) => `| ${s} | ${method} | ${m} | not run yet | | | | | | ${names} |`;
  const rows = [];
  const members = (r) => r.final.members;
  const dense = runs['fashion-dense-ensemble'];
  if (dense) {
    rows.push(`| 0 | single dense (the dense ensemble's 3 members: 3 seeds) | 1 | ${stat(members(dense).map((m) => m.accuracy), 2, 100)} | ${stat(members(dense).map((m) => m.nll), 3)} | ${stat(members(dense).map((m) => m.ece), 3)} | — | — | ${flops([dense], 3)} | fashion-dense-ensemble |`);
    rows.push(`| 0 | dense ensemble | 3 | ${stat([dense.final.ensemble.accuracy], 2, 100)} | ${stat([dense.final.ensemble.nll], 3)} | ${stat([dense.final.ensemble.ece], 3)} | ${stat([dense.final.disagreement], 3)} | ${stat([dense.final.kl], 3)} | ${flops([dense])} | fashion-dense-ensemble |`);
  } else rows.push(missing(0, 'single dense, dense ensemble', '1, 3', 'fashion-dense-ensemble'));
  for (const s of [80, 90]) {
    const dst = runs[`fashion-dst-ensemble-${s}`];
    const stat1 = runs[`fashion-static-${s}`];
    const edstNames = [1, 2, 3].map((k) => `fashion-edst-${s}-seed${k}`);
    const edst = edstNames.map((n) => runs[n]).filter(Boolean);
    const S = `${s} %`;
    if (dst) {
      rows.push(`| ${S} | single RigL (the DST ensemble's 3 members: 3 seeds) | 1 | ${stat(members(dst).map((m) => m.accuracy), 2, 100)} | ${stat(members(dst).map((m) => m.nll), 3)} | ${stat(members(dst).map((m) => m.ece), 3)} | — | — | ${flops([dst], 3)} | fashion-dst-ensemble-${s} |`);
    } else rows.push(missing(S, 'single RigL', 1, `fashion-dst-ensemble-${s}`));
    const tend = runs[`fashion-rigl-${s}-tend`];
    if (tend) {
      rows.push(`| ${S} | RigL, updates end at 3/4 of training (ablation, 1 seed) | 1 | ${stat([tend.final.ensemble.accuracy], 2, 100)} | ${stat([tend.final.ensemble.nll], 3)} | ${stat([tend.final.ensemble.ece], 3)} | — | — | ${flops([tend])} | fashion-rigl-${s}-tend |`);
    } else if (existsSync(resolve(CONFIGS, `fashion-rigl-${s}-tend.json`))) rows.push(missing(S, 'RigL, updates end at 3/4 (ablation)', 1, `fashion-rigl-${s}-tend`));
    if (stat1) {
      rows.push(`| ${S} | static sparse (1 seed) | 1 | ${stat([stat1.final.ensemble.accuracy], 2, 100)} | ${stat([stat1.final.ensemble.nll], 3)} | ${stat([stat1.final.ensemble.ece], 3)} | — | — | ${flops([stat1])} | fashion-static-${s} |`);
    } else rows.push(missing(S, 'static sparse', 1, `fashion-static-${s}`));
    if (dst) {
      rows.push(`| ${S} | DST ensemble | 3 | ${stat([dst.final.ensemble.accuracy], 2, 100)} | ${stat([dst.final.ensemble.nll], 3)} | ${stat([dst.final.ensemble.ece], 3)} | ${stat([dst.final.disagreement], 3)} | ${stat([dst.final.kl], 3)} | ${flops([dst])} | fashion-dst-ensemble-${s} |`);
    } else rows.push(missing(S, 'DST ensemble', 3, `fashion-dst-ensemble-${s}`));
    if (edst.length > 0) {
      const e = (k) => edst.map((r) => r.final.ensemble[k]);
      rows.push(`| ${S} | EDST ensemble (${edst.length} of 3 seeds) | 3 | ${stat(e('accuracy'), 2, 100)} | ${stat(e('nll'), 3)} | ${stat(e('ece'), 3)} | ${stat(edst.map((r) => r.final.disagreement), 3)} | ${stat(edst.map((r) => r.final.kl), 3)} | ${flops(edst)} | ${edstNames.join(', ')} |`);
    } else rows.push(missing(S, 'EDST ensemble', 3, edstNames.join(', ')));
  }
  return `${head}\n${rows.join('\n')}`;
}

function mnistTable(runs) {
  const acc = (name) => (runs[name] ? (runs[name].final.ensemble.accuracy * 100).toFixed(2) : 'not run yet');
  const lines = ['| method | 90 % | 95 % | 98 % |', '|---|---:|---:|---:|'];
  const d = acc('mnist-dense');
  lines.push(`| dense (0 %) | ${d} (ref ${MNIST_REFERENCE.dense}) | ${d} (ref ${MNIST_REFERENCE.dense}) | ${d} (ref ${MNIST_REFERENCE.dense}) |`);
  lines.push(`| SET | ${[90, 95, 98].map((s) => `${acc(`mnist-set-${s}`)} (ref ${MNIST_REFERENCE.set[s]})`).join(' | ')} |`);
  lines.push(`| RigL | ${[90, 95, 98].map((s) => `${acc(`mnist-rigl-${s}`)} (SNFS ref ${MNIST_REFERENCE.snfs[s]})`).join(' | ')} |`);
  lines.push(`| static sparse | ${[90, 95, 98].map((s) => acc(`mnist-static-${s}`)).join(' | ')} |`);
  const itop = (m) => [90, 95, 98].map((s) => runs[`mnist-${m}-${s}`]?.final.members[0]?.itop).map((v) => (v === undefined || v === null ? '—' : v.toFixed(3)));
  lines.push('');
  lines.push('ITOP rate (fraction of weights ever active) at the end: SET ' + itop('set').join(' / ') + '; RigL ' + itop('rigl').join(' / ') + '; static ' + itop('static').join(' / ') + ' (90 / 95 / 98 %).');
  return lines.join('\n');
}

/** Wide and sparse (issue 15): the same active weights as LeNet-300-100 spread over wider MLPs. */
function wideTable(runs, dataset) {
  const names = readdirSync(CONFIGS).filter((f) => f.startsWith(`wide-${dataset}-`)).map((f) => f.replace(/\.json$/, ''));
  const width = (n) => Number(n.split('-')[2]);
  names.sort((a, b) => width(a) - width(b) || a.localeCompare(b));
  const unit = runs[`wide-${dataset}-300-dense`]?.final.trainFlops ?? null;
  const lines = ['| hidden | method | sparsity | active weights | accuracy (%) | NLL | training FLOPs (× the dense run) | wall time (min) | config |', '|---|---|---:|---:|---:|---:|---:|---:|---|'];
  for (const n of names) {
    const c = readJson(resolve(CONFIGS, `${n}.json`));
    const h = c.model.hidden;
    const dims = [784, ...h, 10];
    const dense = dims.slice(1).reduce((a, out, i) => a + out * dims[i], 0);
    const active = Math.round(dense * (1 - c.sparsity.target));
    const r = runs[n];
    const head = `| ${h.join('-')} | ${c.dst.method} | ${(c.sparsity.target * 100).toFixed(2)} % | ${active.toLocaleString('en-US')} |`;
    if (!r) lines.push(`${head} not run yet | | | | ${n} |`);
    else lines.push(`${head} ${(r.final.ensemble.accuracy * 100).toFixed(2)} | ${r.final.ensemble.nll.toFixed(3)} | ${unit ? (r.final.trainFlops / unit).toFixed(2) : '—'} | ${(r.seconds / 60).toFixed(1)} | ${n} |`);
  }
  return lines.join('\n');
}

function wallTime(runs, prefix) {
  const rs = Object.entries(runs).filter(([n, r]) => n.startsWith(prefix) && r);
  if (rs.length === 0) return 'No run has results yet.';
  const adapters = [...new Set(rs.map(([, r]) => r.adapter.description || `${r.adapter.vendor} ${r.adapter.architecture}`))];
  const seconds = rs.reduce((a, [, r]) => a + r.seconds, 0);
  return `${rs.length} runs, ${(seconds / 60).toFixed(1)} min of training and evaluation in total, on ${adapters.join(', ')}.`;
}

export function writeReport(resultsDir, { report = REPORT, summary: summaryFile = SUMMARY } = {}) {
  const runs = loadAll(resultsDir, summaryFile);
  const tables = {
    freetickets: freeTicketsTable(runs),
    'freetickets-time': wallTime(runs, 'fashion-'),
    mnist: mnistTable(runs),
    'mnist-time': wallTime(runs, 'mnist-'),
    'wide-mnist': wideTable(runs, 'mnist'),
    'wide-fashion': wideTable(runs, 'fashion'),
    'wide-time': wallTime(runs, 'wide-'),
  };
  let text = readFileSync(report, 'utf8');
  for (const [name, body] of Object.entries(tables)) {
    const re = new RegExp(`(<!-- table:${name} -->)[\\s\\S]*?(<!-- /table:${name} -->)`);
    if (!re.test(text)) throw new Error(`${report} has no <!-- table:${name} --> … <!-- /table:${name} --> markers`);
    text = text.replace(re, (_m, open, close) => `${open}\n${body}\n${close}`);
  }
  writeFileSync(report, text);
  const summary = Object.fromEntries(Object.entries(runs).filter(([, r]) => r).map(([n, r]) => [n, { adapter: r.adapter, seconds: r.seconds, final: { ...r.final, members: r.final.members.map(({ layers: _l, ...m }) => m) } }]));
  mkdirSync(resolve(summaryFile, '..'), { recursive: true });
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  return { file: report, done: Object.values(runs).filter(Boolean).length, total: Object.keys(runs).length };
}
