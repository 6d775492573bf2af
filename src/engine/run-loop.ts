// The one training loop. Whatever trains (a Trainer, or an ensemble run with its phases) is driven
// chunk by chunk by RunLoop.run until the run ends, pause() or cancel() is called, a loss turns
// non-finite, or the GPU stops answering; it resolves with why it stopped (RunStop), worded once
// by stopMessage. The playground's session, the headless experiment runner, the sparsity sweep,
// the lesson tier and the benchmark all run this loop; each listens to its chunks (to publish,
// evaluate, checkpoint or time) and chooses their sizes. No DOM, no store.
import type { StepMetrics } from './trainer-setup';

/** What the loop trains: steps trained so far, the run's length, and "train up to n more steps". */
export interface Trainable {
  readonly currentStep: number;
  readonly totalSteps: number;
  /** Trains up to `count` steps (fewer if the run ends or a loss turns non-finite); their metrics. */
  train(count: number): Promise<StepMetrics[]>;
}

export type RunStop =
  | { kind: 'done'; step: number }
  | { kind: 'paused'; step: number }
  /** `step` is the 1-based number of the step whose loss (`value`) was not finite. */
  | { kind: 'diverged'; step: number; value: number }
  /** The GPU failed (a lost device rejects every pending readback) after `step` good steps. */
  | { kind: 'lost'; step: number; error: string }
  /** cancel() was called (a rebuild, a GPU error reported elsewhere): nothing more to say. */
  | { kind: 'cancelled'; step: number };

export interface RunListener {
  /** Steps to train in the next chunk (the speed slider, the next evaluation boundary, a timed N). */
  chunkSize(step: number): number;
  /**
   * After every chunk, with its rows (before the divergence check stops the loop). May await
   * (publishing, evaluating, checkpointing); 'stop' ends the run here as paused. An error thrown
   * here is the caller's own and propagates.
   */
  afterChunk?(rows: StepMetrics[]): Promise<void | 'stop'> | void | 'stop';
  /** Between chunks: give the browser a frame (the page) or a macrotask (the default). */
  yield?(): Promise<void>;
}

/** The first non-finite loss among `rows` (any member): the 1-based step and the value, or null. */
export function firstNonFinite(rows: readonly StepMetrics[]): { step: number; value: number } | null {
  for (const r of rows) {
    const value = r.loss.find((v) => !Number.isFinite(v));
    if (value !== undefined) return { step: r.step + 1, value };
  }
  return null;
}

/** The one wording of each stop, for the page, the runner's error and the tests. */
export function stopMessage(stop: RunStop): string {
  switch (stop.kind) {
    case 'done':
      return `Finished: all ${stop.step} steps trained.`;
    case 'paused':
      return `Paused after step ${stop.step}.`;
    case 'diverged':
      return `The loss became ${stop.value} at step ${stop.step}: the weights blew up. Lower the learning rate, then reset.`;
    case 'lost':
      return `The GPU stopped after step ${stop.step} (${stop.error}). The metrics so far are kept; reset to start again.`;
    case 'cancelled':
      return `Stopped after step ${stop.step}.`;
  }
}

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class RunLoop {
  private generation = 0;
  private active = false;

  constructor(private readonly target: Trainable) {}

  /** Whether run() is training now. */
  get running(): boolean {
    return this.active;
  }

  /**
   * Trains until one of the stops above. A second run() cancels the first (a generation
   * counter: a stale loop stops at its next check, TF Playground's Player pattern).
   */
  async run(listener: RunListener): Promise<RunStop> {
    const generation = ++this.generation;
    const t = this.target;
    this.active = true;
    const current = () => generation === this.generation;
    try {
      while (current() && this.active && t.currentStep < t.totalSteps) {
        const before = t.currentStep;
        let rows: StepMetrics[];
        try {
          rows = await t.train(Math.max(1, listener.chunkSize(before)));
        } catch (e) {
          return current() ? { kind: 'lost', step: before, error: e instanceof Error ? e.message : String(e) } : { kind: 'cancelled', step: before };
        }
        if (!current()) return { kind: 'cancelled', step: t.currentStep };
        const wanted = await listener.afterChunk?.(rows);
        if (!current()) return { kind: 'cancelled', step: t.currentStep };
        const bad = firstNonFinite(rows);
        if (bad) return { kind: 'diverged', ...bad };
        if (wanted === 'stop') return { kind: 'paused', step: t.currentStep };
        if (rows.length === 0 && t.currentStep < t.totalSteps) throw new Error(`the run made no progress at step ${t.currentStep}`);
        if (t.currentStep < t.totalSteps) await (listener.yield ?? macrotask)();
      }
      if (!current()) return { kind: 'cancelled', step: t.currentStep };
      return t.currentStep >= t.totalSteps ? { kind: 'done', step: t.currentStep } : { kind: 'paused', step: t.currentStep };
    } finally {
      if (current()) this.active = false;
    }
  }

  /** Stops after the chunk in flight; run() then resolves as paused (or done). */
  pause(): void {
    this.active = false;
  }

  /** Stops the loop in flight without a word (its run() resolves as cancelled). */
  cancel(): void {
    this.generation++;
    this.active = false;
  }
}
