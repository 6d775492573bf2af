// Trains one lesson run to its end with the playground's engine and returns its figures: the same
// EnsembleRun, preparation (masks at init, lottery rounds) and figures the page uses, without the
// views. Only 2-D datasets: the lessons train on generated points.
import { parseConfig } from '../../src/config';
import { RunLoop, generatedData, stopMessage } from '../../src/engine';
import { EnsembleRun, ensembleSetupFromConfig, prepareEnsembleRun, runFigures, type RunFigures } from '../../src/ensemble';
import type { PipelineCache } from '../../src/gpu';

export async function trainLessonRun(cache: PipelineCache, input: Record<string, unknown>): Promise<RunFigures & { seconds: number }> {
  const parsed = parseConfig(input);
  if (!parsed.ok) throw new Error(`the run's config is refused: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const t0 = performance.now();
  const data = generatedData(parsed.config);
  const { setup, run } = ensembleSetupFromConfig(parsed.config, data);
  const ensemble = await EnsembleRun.create(cache, setup);
  try {
    await prepareEnsembleRun(ensemble, run);
    const losses: number[] = [];
    // The engine's one run loop, as the page trains it (in larger chunks: no views to draw).
    const stop = await new RunLoop(ensemble).run({ chunkSize: () => 256, afterChunk: (rows) => void losses.push(...rows.map((r) => r.loss.reduce((a, b) => a + b, 0) / r.loss.length)) });
    if (stop.kind !== 'done') throw new Error(stopMessage(stop));
    return { ...(await runFigures(ensemble, losses)), seconds: (performance.now() - t0) / 1000 };
  } finally {
    ensemble.destroy();
  }
}
