// The lessons: every preset and variant is a valid config, pages and claims name runs that exist,
// every claim quotes its page's words and every figure an answer quotes is a claim (the lesson
// tier checks the claims themselves), every view a lesson points at exists in the UI, lesson links
// parse, and progress round-trips through storage (a broken entry is ignored).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classCount, parseConfig, totalSteps } from '../../../src/config';
import { LESSONS, METHOD_HELP, claimVariants, lessonConfig, lessonIdFromHash, lessonRunInput, lessonRuns, lessonSeed, loadLessonProgress, saveLessonProgress, type Lesson, type StorageLike } from '../../../src/state';

const UI = resolve(__dirname, '../../../src/ui');
const uiSource = (dir: string): string => readdirSync(dir).map((f) => (statSync(join(dir, f)).isDirectory() ? uiSource(join(dir, f)) : readFileSync(join(dir, f), 'utf8'))).join('\n');

const NUMBER = /\d+(?:[.,]\d+)*/g;

/** The numbers a lesson's own settings fix, as the pages write them (4,416; 95; 0.8). */
function settingNumbers(l: Lesson): string[] {
  const out = new Set(['0', '1']);
  const add = (...v: number[]) => v.forEach((x) => out.add(x.toLocaleString('en-GB', { maximumFractionDigits: 3 })));
  for (const r of lessonRuns(l)) {
    const p = parseConfig(lessonRunInput(l, r.id));
    if (!p.ok) continue;
    const c = p.config;
    const widths = c.model.kind === 'mlp' ? [2, ...c.model.hidden, classCount(c.data)] : [];
    const numels = widths.slice(1).map((w, i) => w * widths[i]!);
    add(...widths, ...numels, numels.reduce((a, b) => a + b, 0));
    add(Math.round(c.sparsity.target * 100), Math.round((1 - c.sparsity.target) * 100), c.dst.deltaT, c.training.epochs, totalSteps(c) ?? 0);
    if (c.sparsity.mask.kind === 'lottery') add(c.sparsity.mask.rounds);
    if (c.ensemble.mode === 'edst') add(c.ensemble.members, ...Array.from({ length: c.ensemble.members }, (_, i) => i + 1), c.ensemble.exploreRate, Math.round(c.ensemble.exploreRate * 100));
    const t = c.tost;
    if (t.ghostSkip.enabled) add(Math.round(t.ghostSkip.endFraction * 100));
    if (t.smoothActivation.kind !== 'off') add(Math.round(t.smoothActivation.reluFrom * 100));
  }
  return [...out];
}

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('lessons', () => {
  it('there are at least six, with distinct ids, each with pages and a question', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(6);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      expect(l.pages.length, l.id).toBeGreaterThanOrEqual(2);
      expect(l.pages.some((p) => p.question), l.id).toBe(true);
    }
  });

  it.each(LESSONS.map((l) => [l.id, l] as const))('%s: the preset and every variant are valid configs; pages and claims name runs that exist', (_id, l) => {
    const ids = lessonRuns(l).map((r) => r.id);
    expect(new Set(ids).size, 'run ids are distinct').toBe(ids.length);
    for (const id of ids) {
      const r = parseConfig(lessonRunInput(l, id, 7));
      expect(r.ok ? [] : r.errors, `${l.id}: ${id}`).toEqual([]);
      if (r.ok) expect(r.config.seed).toBe(7);
    }
    for (const p of l.pages) if (p.apply) expect(ids, `${l.id}: "${p.apply.label}"`).toContain(p.apply.variant);
    // Every run is either the preset or offered by a page, and every run is read by some claim.
    for (const v of l.variants) expect(l.pages.some((p) => p.apply?.variant === v.id), `${l.id}: ${v.id} is offered`).toBe(true);
    for (const id of ids) expect(l.claims.some((c) => claimVariants(c).includes(id)), `${l.id}: a claim reads ${id}`).toBe(true);
    for (const c of l.claims) for (const v of claimVariants(c)) expect(ids, `${l.id}: claim ${c.id}`).toContain(v);
    expect(new Set(l.claims.map((c) => c.id)).size, 'claim ids are distinct').toBe(l.claims.length);
  });

  it.each(LESSONS.map((l) => [l.id, l] as const))('%s: every claim quotes its page, and every number a page states is a claim or a setting', (_id, l) => {
    const text = l.pages.map((p) => `${p.body} ${p.question?.ask ?? ''} ${p.question?.answer ?? ''}`).join(' ');
    for (const c of l.claims) for (const part of c.says.split(' ... ')) expect(text.toLowerCase(), `${l.id}: claim ${c.id}`).toContain(part.toLowerCase());
    // A measured figure must come from a claim's own words; the numbers the lesson's settings fix
    // (widths, layer sizes, sparsities, ΔT, rounds, fractions of training) and citations' years are
    // allowed as they are.
    const allowed = new Set([...(l.claims.map((c) => c.says).join(' ').match(NUMBER) ?? []), ...settingNumbers(l)]);
    for (const p of l.pages) {
      for (const part of [p.body, p.question?.ask ?? '', p.question?.answer ?? '']) {
        for (const n of part.replace(/\([A-Z][^()]*\d{4}\)/g, '').match(NUMBER) ?? []) expect([...allowed], `${l.id}: "${n}" in "${p.title}" is neither a claim nor a setting`).toContain(n);
      }
    }
  });

  it('the preset of a lesson and the run of its own seed are the same config', () => {
    for (const l of LESSONS) expect(parseConfig(lessonRunInput(l, 'preset'))).toEqual(parseConfig(lessonRunInput(l, 'preset', lessonSeed(l))));
  });

  it('every view a lesson points at has that data-testid in the UI', () => {
    const src = uiSource(UI);
    for (const l of LESSONS) for (const p of l.pages) if (p.watch) expect(src, `${l.id}: ${p.watch.testId}`).toContain(`data-testid="${p.watch.testId}"`);
  });

  it('lesson links: #lesson/<id>', () => {
    expect(lessonIdFromHash('#lesson/free-tickets')).toBe('free-tickets');
    expect(lessonIdFromHash('lesson/why-erk')).toBe('why-erk');
    expect(lessonIdFromHash('#v1.abc')).toBeNull();
    expect(lessonIdFromHash('#lesson/')).toBeNull();
  });

  it('progress round-trips; a broken entry, a bad config or an unknown lesson gives nothing; the page is clamped', () => {
    const s = memoryStorage();
    const config = lessonConfig('why-erk');
    saveLessonProgress(s, 'why-erk', { page: 2, config });
    expect(loadLessonProgress(s, 'why-erk')).toEqual({ page: 2, config });
    s.map.set('stp.lesson.why-erk', JSON.stringify({ page: 99, config }));
    expect(loadLessonProgress(s, 'why-erk')?.page).toBe(LESSONS.find((l) => l.id === 'why-erk')!.pages.length - 1);
    s.map.set('stp.lesson.why-erk', '{not json');
    expect(loadLessonProgress(s, 'why-erk')).toBeNull();
    s.map.set('stp.lesson.why-erk', JSON.stringify({ page: 1, config: { sparsity: { target: 7 } } }));
    expect(loadLessonProgress(s, 'why-erk')).toBeNull();
    expect(loadLessonProgress(s, 'no-such-lesson')).toBeNull();
  });
});

describe('method help', () => {
  it('covers every DST method, density rule, mask source, ensemble mode and ToST trick, each with its paper', () => {
    const names = METHOD_HELP.map((m) => m.name).join(' | ');
    for (const n of ['SET', 'RigL', 'SNFS', 'Static', 'ERK', 'SNIP', 'GraSP', 'SynFlow', 'Lottery', 'DST ensemble', 'EDST', 'Prune-and-Tune', 'Dense ensemble', 'ghost', 'Label smoothing', 're-scaled', 'ITOP']) expect(names).toContain(n);
    for (const m of METHOD_HELP) expect(m.paper.length, m.name).toBeGreaterThan(10);
    // The deliberate differences the issue names are stated.
    expect(METHOD_HELP.find((m) => m.name.startsWith('Smooth'))!.differs).toMatch(/annealed away/);
  });
});
