// The lessons: every preset and every change a lesson offers is a valid config, every view a
// lesson points at exists in the UI, lesson links parse, and progress round-trips through storage
// (a broken entry is ignored).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config';
import { LESSONS, METHOD_HELP, lessonConfig, lessonIdFromHash, loadLessonProgress, saveLessonProgress, type StorageLike } from '../../../src/state';

const UI = resolve(__dirname, '../../../src/ui');
const uiSource = (dir: string): string => readdirSync(dir).map((f) => (statSync(join(dir, f)).isDirectory() ? uiSource(join(dir, f)) : readFileSync(join(dir, f), 'utf8'))).join('\n');

function setField(input: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const root = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  const keys = path.split('.');
  let node = root;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return root;
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

  it.each(LESSONS.map((l) => [l.id, l] as const))('%s: the preset and each change it offers are valid configs', (_id, l) => {
    let input = lessonConfig(l.id) as unknown as Record<string, unknown>;
    for (const p of l.pages) {
      if (!p.apply) continue;
      for (const [path, value] of p.apply.patch) input = setField(input, path, value);
      const r = parseConfig(input);
      expect(r.ok ? [] : r.errors, `${l.id}: "${p.apply.label}"`).toEqual([]);
    }
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
