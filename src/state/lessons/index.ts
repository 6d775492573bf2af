// Guided lessons: each sets a preset, says in plain words what to watch and why, points at the
// view that shows it, offers the runs to compare (one click each), and asks a question the learner
// answers by playing, with what they should see. Every statement a page makes about the runs is a
// claim (types.ts) that the lesson tier checks on three seeds (docs/LESSONS.md). A lesson opens
// from its URL (#lesson/<id>); leaving keeps its page and settings, so it resumes where it was left.
import { parseConfig, totalSteps, withPath } from '../../config';
import { freeTickets } from './free-tickets';
import { lotteryTickets } from './lottery-tickets';
import { setVsRigl } from './set-vs-rigl';
import { staticVsDynamic } from './static-vs-dynamic';
import { trainAnyMaskBetter } from './train-any-mask-better';
import type { Lesson } from './types';
import { whatIsSparse } from './what-is-sparse';
import { whyErk } from './why-erk';

export type { ClaimExpectation, Lesson, LessonClaim, LessonFigure, LessonPage, LessonVariant } from './types';

export const LESSONS: readonly Lesson[] = [whatIsSparse, staticVsDynamic, setVsRigl, whyErk, freeTickets, trainAnyMaskBetter, lotteryTickets];

/** The id of a lesson's own run. */
export const PRESET = 'preset';

export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}

/** The lesson a URL hash opens ("lesson/<id>"), null for other hashes. */
export function lessonIdFromHash(hash: string): string | null {
  const m = /^#?lesson\/([a-z0-9-]+)$/.exec(hash.trim());
  return m ? m[1]! : null;
}

/** The runs of a lesson in the order it trains them: the preset, then each variant. */
export function lessonRuns(lesson: Lesson): { id: string; label: string }[] {
  return [{ id: PRESET, label: lesson.presetLabel }, ...lesson.variants.map((v) => ({ id: v.id, label: v.label }))];
}

/**
 * The config input of one of a lesson's runs: the preset with the variant's changes (none for
 * 'preset'), and the seed when given (the lesson tier's other seeds; a learner's own seed).
 */
export function lessonRunInput(lesson: Lesson, variant: string, seed?: number): Record<string, unknown> {
  let input = structuredClone(lesson.config);
  if (variant !== PRESET) {
    const v = lesson.variants.find((x) => x.id === variant);
    if (!v) throw new Error(`lesson ${lesson.id} has no run "${variant}"`);
    for (const [path, value] of v.patch) input = withPath(input, path, value);
  }
  if (seed !== undefined) input.seed = seed;
  return input;
}

/** The lesson's own seed (the preset's, else the config default 1). */
export function lessonSeed(lesson: Lesson): number {
  return typeof lesson.config.seed === 'number' ? lesson.config.seed : 1;
}

/**
 * How long a lesson is, in words for its first page: how many runs and how many steps each (a
 * lottery ticket's rounds train as many steps again per round, before the run itself). The
 * end-to-end tier holds every lesson run to "under half a minute" (30 s) without a GPU
 * (tests/e2e/lessons).
 */
export function lessonLength(lesson: Lesson): string {
  const runs = lessonRuns(lesson).map((r) => parseConfig(lessonRunInput(lesson, r.id)));
  const first = runs[0];
  if (!first?.ok) return '';
  const c = first.config;
  const steps = totalSteps(c) ?? 0;
  const rounds = c.sparsity.mask.kind === 'lottery' ? c.sparsity.mask.rounds : 0;
  const each = `${steps.toLocaleString('en-GB')} training steps${rounds > 0 ? `, after ${rounds} lottery rounds of as many` : ''}`;
  return `This lesson trains ${runs.length === 1 ? 'one run' : `${runs.length} runs`} of ${each}: under half a minute each on a computer without a GPU, seconds with one.`;
}
