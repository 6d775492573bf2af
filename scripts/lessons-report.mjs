#!/usr/bin/env node
// Writes the measured table of docs/LESSONS.md (between its lesson-claims markers) from the lesson
// tier's files test-results/lessons/<lesson>-seed<N>.json: per lesson, each claim with the figure
// measured on every seed (the compared run's in brackets) and whether it held, and what each
// (lesson, seed) cost to train. Run by `npm run test:lessons -- --seeds 3`.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = 'test-results/lessons';
const DOC = 'docs/LESSONS.md';
const BEGIN = '<!-- lesson-claims:begin -->';
const END = '<!-- lesson-claims:end -->';

const fmt = (v) => (v === null || v === undefined ? '–' : Number.isInteger(v) ? String(v) : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(2));

/** The report's markdown from the tier's result files (in the lessons' order, seeds ascending). */
export function lessonsTable(results) {
  const lessons = [...new Set([...results].sort((a, b) => a.order - b.order).map((r) => r.lesson))];
  const out = [];
  for (const id of lessons) {
    const rows = results.filter((r) => r.lesson === id).sort((a, b) => a.seed - b.seed);
    out.push(`### ${id}`, '', `| claim | expects | ${rows.map((r) => `seed ${r.seed}${r.own ? ' (the lesson\'s)' : ''}`).join(' | ')} |`, `|---|---|${rows.map(() => '---|').join('')}`);
    for (const c of rows[0].claims) {
      const cells = rows.map((r) => {
        const x = r.claims.find((y) => y.id === c.id);
        if (!x) return '–';
        return `${x.holds ? '✓' : '✗ **fails**'} ${fmt(x.value)}${x.other === null ? '' : ` (vs ${fmt(x.other)})`}`;
      });
      out.push(`| ${c.id} | ${c.detail.split(': measured')[0].replaceAll('|', '\\|')} | ${cells.join(' | ')} |`);
    }
    const seconds = rows.map((r) => Object.values(r.figures).reduce((a, f) => a + (f.seconds ?? 0), 0));
    out.push(`| training time (s, all runs) | | ${seconds.map((s) => s.toFixed(1)).join(' | ')} |`, '');
  }
  const all = results.flatMap((r) => r.claims);
  out.push(`${all.filter((c) => c.holds).length} of ${all.length} claim checks hold over ${results.length} (lesson, seed) pairs.`);
  return out.join('\n');
}

export function readResults(dir = DIR) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = readResults();
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC} has no ${BEGIN} … ${END} section`);
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run test:lessons -- --seeds ${Math.max(...results.map((r) => results.filter((x) => x.lesson === r.lesson).length))}\` on ${process.env.STP_WEBGPU_ADAPTER === 'default' ? 'the machine\'s GPU' : 'SwiftShader (software WebGPU)'}.`;
  writeFileSync(DOC, `${doc.slice(0, a + BEGIN.length)}\n${stamp}\n\n${lessonsTable(results)}\n${doc.slice(b)}`);
  console.log(`${DOC}: table of ${results.length} (lesson, seed) results written`);
}
