// Density edits applied to a built run while it lives (not part of the config, so not in the
// link): new per-layer targets, reached exactly at the next mask update (trainer.setDensityTargets).
import { liveSparsityRefusal, type ExperimentConfig } from '../config';
import { maskableLayers } from '../engine';
import type { EnsembleRun } from '../ensemble';
import { allocateDensities, densityOfSparsity } from '../sparsity';

/**
 * The global sparsity slider: every maskable layer's target from the config's density rule at the
 * new sparsity. False (nothing changed) where the run cannot follow it (liveSparsityRefusal).
 */
export function liveSparsity(run: EnsembleRun, config: ExperimentConfig, target: number): boolean {
  if (liveSparsityRefusal(config) !== null) return false;
  const t = run.driver.live();
  t.setDensityTargets(allocateDensities(maskableLayers(t.layout), densityOfSparsity(target), t.setup.densityRule).densities);
  return true;
}

/** One layer's new density: the message saying when it applies, or null where the method has no updates. */
export function liveLayerDensity(run: EnsembleRun, layer: number, density: number): string | null {
  const t = run.driver.live();
  if (t.setup.method === 'dense' || t.setup.method === 'static') return null;
  t.setDensityTargets(t.layout.layers.map((_, i) => (i === layer ? density : null)));
  return `Layer ${t.layout.layers[layer]!.name} will move to ${(density * 100).toFixed(1)} % density at the next mask update (until you reset).`;
}
