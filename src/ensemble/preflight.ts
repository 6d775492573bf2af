// The one pre-flight check of a run, before anything is allocated, shared by the playground, the
// headless runner and the training benchmark: every trainer the run's mode builds (Prune-and-Tune's
// parent and children live together) against the adapter's limits: the workgroups of its
// batch-dependent dispatches, its largest buffer, and the total against a memory budget. Every
// dispatch and buffer is checked again, exactly, when kernels are bound and buffers created
// (src/gpu/limit-check.ts), still before the first step.
import { GpuLimitError, checkWorkgroups } from '../gpu';
import { gemmDispatches, memoryEstimate, mib, tooBigForAdapter, tooBigForHost } from '../engine';
import type { EnsembleSetup } from './ensemble-run';
import { trainerSetups } from './driver-state';

/**
 * GPU memory one run may take: a browser tab that asks for more swamps a laptop (the GPU process
 * pages or is killed). WebGPU does not tell how much memory a GPU has; the runner can raise it.
 */
export const DEFAULT_MEMORY_BUDGET = 2 * 2 ** 30;

export interface PreflightLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** A sentence naming what does not fit and by how much; null when the run fits. */
export function preflight(setup: EnsembleSetup, limits: PreflightLimits, budget = DEFAULT_MEMORY_BUDGET): string | null {
  const trainers = trainerSetups(setup);
  const of = (t: { label: string }, sentence: string) => (trainers.length > 1 ? `${sentence} (${t.label})` : sentence);
  for (const t of trainers) {
    try {
      for (const d of gemmDispatches(t.setup.layers, t.setup.batch, t.setup.members)) checkWorkgroups(limits, d.label, d.grid);
    } catch (e) {
      if (e instanceof GpuLimitError) return of(t, `This run cannot run on this GPU: ${e.message}`);
      throw e;
    }
    const tooBig = tooBigForAdapter(t.setup, limits) ?? tooBigForHost(t.setup);
    if (tooBig) return of(t, tooBig);
  }
  const parts = trainers.map((t) => ({ label: t.label, e: memoryEstimate(t.setup) }));
  const total = runMemory(setup);
  if (total <= budget) return null;
  const biggest = parts.map((p) => `${p.e.largest.what}: ${mib(p.e.largest.bytes)}`).join('; ');
  return `This run needs about ${mib(total)} of GPU memory, ${(total / budget).toFixed(1)}× the ${mib(budget)} a run may take here (largest: ${biggest}). Use narrower or fewer layers, a smaller batch, or fewer ensemble members.`;
}

/** Bytes of GPU memory the whole run is estimated to take (every trainer its mode builds). */
export function runMemory(setup: EnsembleSetup): number {
  return trainerSetups(setup).reduce((a, t) => a + memoryEstimate(t.setup).total, 0);
}
