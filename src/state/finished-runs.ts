// The runs trained to their end in this tab: each one's config, its figures (the same as the lesson
// tier measures: src/ensemble/run-figures.ts) and its chart history. The lesson panel finds the
// runs a lesson compares among them and shows them side by side. Kept in memory only, at most
// MAX_FINISHED (the oldest go first); saving a run to keep it is what the runs panel is for.
import { deepEqual, parseConfig, type ExperimentConfig } from '../config';
import type { RunFigures } from '../ensemble';
import type { HistoryRow } from './history';
import { lessonRunInput, lessonRuns, type Lesson } from './lessons';

export interface FinishedRun {
  config: ExperimentConfig;
  figures: RunFigures;
  rows: HistoryRow[];
}

export const MAX_FINISHED = 16;

/** `runs` with `run` added last (an earlier run of the very same config is replaced). */
export function withFinishedRun(runs: readonly FinishedRun[], run: FinishedRun): FinishedRun[] {
  return [...runs.filter((r) => !deepEqual(r.config, run.config)), run].slice(-MAX_FINISHED);
}

/**
 * A lesson's runs at `seed`, each with its latest finished run in this tab (or null): the rows of
 * the lesson's table of runs.
 */
export function lessonRunResults(lesson: Lesson, seed: number, finished: readonly FinishedRun[]): { id: string; label: string; config: ExperimentConfig | null; run: FinishedRun | null }[] {
  return lessonRuns(lesson).map((r) => {
    const parsed = parseConfig(lessonRunInput(lesson, r.id, seed));
    const config = parsed.ok ? parsed.config : null;
    const run = config ? ([...finished].reverse().find((f) => deepEqual(f.config, config)) ?? null) : null;
    return { ...r, config, run };
  });
}
