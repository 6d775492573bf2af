// A sparsity sweep's runs: each point's config trained to its end as a run of its own (not the
// playground's, which waits, paused) and its final test accuracy recorded, with progress for the
// sweep view after each run. Cancel stops after the current chunk of steps.
import type { ExperimentConfig } from '../config';
import { RunLoop, stopMessage, type DatasetInput } from '../engine';
import { ensembleSetupFromConfig } from '../ensemble';
import type { SweepPoint, SweepResult } from './compare';
import { buildEnsemble, type RunCache } from './session-build';
import type { Views } from './store';

export interface SweepDeps {
  cache: RunCache;
  loadData(config: ExperimentConfig): Promise<DatasetInput>;
  /** Steps per chunk between yields to the page. */
  chunk(): number;
  cancelled(): boolean;
  show(view: NonNullable<Views['sweep']>): void;
}

export async function runSweep(points: readonly SweepPoint[], deps: SweepDeps): Promise<void> {
  const results: SweepResult[] = [];
  const show = (running: boolean, message: string | null) => deps.show({ results: [...results], total: points.length, running, message });
  try {
    for (const [i, p] of points.entries()) {
      if (deps.cancelled()) break;
      show(true, `Training ${p.method.toUpperCase()} at ${(p.sparsity * 100).toFixed(0)} % (run ${i + 1} of ${points.length})…`);
      const data = await deps.loadData(p.config);
      const ensemble = (await buildEnsemble(deps.cache, { data, ...ensembleSetupFromConfig(p.config, data) }))!;
      try {
        // The engine's one run loop; a cancelled sweep stops after the chunk in flight.
        const stop = await new RunLoop(ensemble).run({ chunkSize: () => deps.chunk(), afterChunk: () => (deps.cancelled() ? 'stop' : undefined) });
        if (deps.cancelled()) break;
        if (stop.kind !== 'done') throw new Error(stopMessage(stop));
        const e = await ensemble.driver.live().evaluate('test');
        results.push({ method: p.method, sparsity: p.sparsity, accuracy: e.accuracy[0]! });
      } finally {
        ensemble.destroy();
      }
    }
    show(false, deps.cancelled() ? `Sweep cancelled after ${results.length} of ${points.length} runs.` : `Sweep done: ${results.length} runs.`);
  } catch (e) {
    show(false, `The sweep stopped: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** One sweep at a time (the session's): start() runs one after `before`, cancel() stops it after the chunk in flight. */
export class Sweeper {
  running = false;
  private cancelled = false;

  constructor(private readonly deps: Omit<SweepDeps, 'cancelled'>) {}

  async start(points: readonly SweepPoint[], before: () => Promise<unknown>): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cancelled = false;
    try {
      await before();
      await runSweep(points, { ...this.deps, cancelled: () => this.cancelled });
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    this.cancelled = true;
  }
}
