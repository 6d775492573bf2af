// A saved run: its settings, its metrics history, and (in the browser's IndexedDB) the network's
// full state so training continues exactly where it stopped. Run files (export/import) carry the
// settings and metrics only. Anything read back, from a file or from the database, is checked
// against this schema: a bad file gets a clear list of what is wrong and changes nothing.
import { z } from 'zod';
import { parseConfig, type ExperimentConfig } from '../config';
import type { Checkpoint, DatasetInput } from '../engine';
import { driverStateProblems, ensembleSetupFromConfig, trainerSetups, type DriverState } from '../ensemble';
import type { HistoryRow } from './history';
import { clip, firstOf, listed } from '../util/text';

export const RUN_FORMAT = 'sparse-training-playground/run';
export const RUN_VERSION = 1;

export interface SavedRun {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  name: string;
  savedAt: string;
  config: ExperimentConfig;
  step: number;
  history: HistoryRow[];
  /**
   * The network's state (IndexedDB only; absent in run files): the whole run's driver state (every
   * mode, EDST's members and Prune-and-Tune's children included), or, in runs saved by earlier
   * versions, the first trainer's checkpoint.
   */
  checkpoint?: DriverState | Checkpoint;
}

const nullableNumber = z.number().nullable();
const Row = z.strictObject({
  step: z.number().int().min(0),
  epoch: z.number().int().min(0),
  loss: z.number(),
  trainAccuracy: z.number().min(0).max(1),
  testAccuracy: nullableNumber,
  testLoss: nullableNumber,
  lr: z.number(),
  density: z.number().min(0).max(1),
  flopsRatio: z.number(),
  trainingFlops: z.number().min(0),
  itop: nullableNumber,
});

const Envelope = z.object({
  format: z.literal(RUN_FORMAT, { error: 'is not a playground run file' }),
  version: z.literal(RUN_VERSION, { error: `must be ${RUN_VERSION} (this playground reads version ${RUN_VERSION})` }),
  name: z.string().min(1).max(200),
  savedAt: z.string(),
  config: z.unknown(),
  step: z.number().int().min(0),
  history: z.array(Row).max(100_000),
  checkpoint: z.unknown().optional(),
});

/** A run that was not opened, with every reason; the run on screen is unchanged. */
/** A refusal as lines: its heading, then the first problems, each clipped (a damaged file can have hundreds). */
export function refusalLines(heading: string, problems: readonly string[], limit = 8): string[] {
  const { shown, more } = firstOf(problems, limit, 200);
  return [heading, ...shown, ...(more > 0 ? [`and ${more} more`] : [])];
}

export class RunRefusedError extends Error {
  constructor(
    readonly runName: string,
    readonly problems: string[],
  ) {
    super(`"${clip(runName, 60)}" was not opened: ${listed(problems)}`);
    this.name = 'RunRefusedError';
  }

  /** What the runs panel shows: a heading, then the first problems. */
  lines(): string[] {
    return refusalLines(`"${clip(this.runName, 60)}" was not opened; your run is unchanged:`, this.problems);
  }
}

export type ParsedRun = { ok: true; run: SavedRun } | { ok: false; errors: string[] };

/** Checks a run read from a file or the database; every problem is named by its path. */
export function parseSavedRun(input: unknown): ParsedRun {
  const e = Envelope.safeParse(input);
  if (!e.success) return { ok: false, errors: e.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`) };
  const c = parseConfig(e.data.config);
  if (!c.ok) return { ok: false, errors: c.errors.map((x) => `config.${x.path}: ${x.message}`) };
  const rows = e.data.history;
  if (rows.some((r, i) => i > 0 && r.step <= rows[i - 1]!.step)) return { ok: false, errors: ['history: steps must increase'] };
  if (rows.length > 0 && rows.at(-1)!.step >= e.data.step) return { ok: false, errors: [`history: a row at step ${rows.at(-1)!.step} is past the run's step ${e.data.step}`] };
  const run: SavedRun = { format: RUN_FORMAT, version: RUN_VERSION, name: e.data.name, savedAt: e.data.savedAt, config: c.config, step: e.data.step, history: rows };
  if (e.data.checkpoint !== undefined) run.checkpoint = e.data.checkpoint as DriverState | Checkpoint; // structured clone from IndexedDB, same app
  return { ok: true, run };
}

/** The JSON text of a run file (no checkpoint: files carry settings and metrics). */
export function runFileText(run: SavedRun): string {
  const { checkpoint: _omit, ...rest } = run;
  void _omit;
  return JSON.stringify(rest);
}

/**
 * What keeps `saved` from opening on `data` (the dataset its config names): a step outside the run
 * its config builds, a damaged or foreign network state. Empty: it opens.
 */
export function savedRunProblems(saved: SavedRun, data: DatasetInput): string[] {
  try {
    const { setup } = ensembleSetupFromConfig(saved.config, data);
    const total = trainerSetups(setup).reduce((a, t) => a + t.setup.totalSteps, 0);
    if (saved.step > total) return [`it is at step ${saved.step}, but its settings train ${total} steps`];
    return saved.checkpoint === undefined ? [] : driverStateProblems(saved.checkpoint, setup, saved.step);
  } catch (e) {
    return [`its settings cannot be built here: ${e instanceof Error ? e.message : String(e)}`];
  }
}
