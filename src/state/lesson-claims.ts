// Checking a lesson's claims against the figures of its runs: the figure each claim names, read
// off a finished run (src/ensemble/run-figures.ts), and whether the relation it states holds. Used
// by the lesson tier (tests/lessons), which trains every run of every lesson on three seeds, and by
// the lesson panel's table of runs, which shows the same figures to the learner.
import { meanLoss, type RunFigures } from '../ensemble';
import type { ClaimExpectation, Lesson, LessonClaim, LessonFigure } from './lessons';

/** A figure of a run; null when the run has none (an ensemble figure of a single run). */
export function figureOf(f: RunFigures, figure: LessonFigure, window: readonly [number, number] = [0, 1]): number | null {
  const e = f.ensemble;
  switch (figure) {
    case 'testAccuracy':
      return f.testAccuracy;
    case 'itop':
      return f.itop;
    case 'loss':
      return meanLoss(f.losses, window[0], window[1]);
    case 'firstLayerActive':
      return f.active[0] ?? null;
    case 'activeTotal':
      return f.active.reduce((a, b) => a + b, 0);
    case 'ensembleAccuracy':
      return e?.accuracy ?? null;
    case 'ensembleGain':
      return e?.gain ?? null;
    case 'disagreement':
      return e?.disagreement ?? null;
    case 'kl':
      return e?.kl ?? null;
    case 'maskDistance':
      return e?.maskDistance ?? null;
    case 'trainFlopsRatio':
      return e?.trainFlopsRatio ?? null;
  }
}

export interface ClaimResult {
  claim: LessonClaim;
  holds: boolean;
  /** The claim's figure, and the other run's when it compares two. */
  value: number | null;
  other: number | null;
  /** One line for a test report: what was expected and what was measured. */
  detail: string;
}

/** The variants a claim reads: its own, and the one it compares with. */
export function claimVariants(c: LessonClaim): string[] {
  const x = c.expect;
  const other = 'above' in x ? x.above : 'below' in x ? x.below : 'notBelow' in x ? x.notBelow : null;
  return other === null ? [c.variant] : [c.variant, other];
}

function relation(x: ClaimExpectation): string {
  if ('atLeast' in x) return `≥ ${x.atLeast}`;
  if ('atMost' in x) return `≤ ${x.atMost}`;
  if ('exactly' in x) return `= ${x.exactly}`;
  if ('above' in x) return `> ${x.above} + ${x.by}`;
  if ('below' in x) return `< ${x.below} − ${x.by}`;
  return `≥ ${x.notBelow}`;
}

const fmt = (v: number | null) => (v === null ? 'none' : Number.isInteger(v) ? String(v) : v.toFixed(4));

/** Whether `claim` holds for the figures of the lesson's runs (by variant id). */
export function checkClaim(claim: LessonClaim, runs: Readonly<Record<string, RunFigures | undefined>>): ClaimResult {
  const read = (variant: string) => {
    const f = runs[variant];
    return f ? figureOf(f, claim.figure, claim.window) : null;
  };
  const value = read(claim.variant);
  const x = claim.expect;
  const otherId = claimVariants(claim)[1];
  const other = otherId === undefined ? null : read(otherId);
  let holds = false;
  if (value !== null && Number.isFinite(value)) {
    if ('atLeast' in x) holds = value >= x.atLeast;
    else if ('atMost' in x) holds = value <= x.atMost;
    else if ('exactly' in x) holds = value === x.exactly;
    else if (other !== null && Number.isFinite(other)) {
      if ('above' in x) holds = value > other + x.by;
      else if ('below' in x) holds = value < other - x.by;
      else holds = value >= other;
    }
  }
  const detail = `${claim.figure} of ${claim.variant} ${relation(x)}: measured ${fmt(value)}${otherId === undefined ? '' : ` against ${fmt(other)}`}`;
  return { claim, holds, value, other, detail };
}

/** Every claim of a lesson checked against its runs' figures. */
export function checkLesson(lesson: Lesson, runs: Readonly<Record<string, RunFigures | undefined>>): ClaimResult[] {
  return lesson.claims.map((c) => checkClaim(c, runs));
}

/** The figures a lesson's claims are about, in the order they first appear (its table's columns). */
export function lessonFigures(lesson: Lesson): { figure: LessonFigure; window?: [number, number] }[] {
  const seen = new Map<string, { figure: LessonFigure; window?: [number, number] }>();
  for (const c of lesson.claims) {
    const key = `${c.figure}:${c.window?.join('-') ?? ''}`;
    if (!seen.has(key)) seen.set(key, c.window ? { figure: c.figure, window: c.window } : { figure: c.figure });
  }
  return [...seen.values()];
}
