// When a run's mask updates and how much it changes: the method's schedule (RigL/SET every ΔT
// steps up to T_end with a decaying drop fraction, SNFS at the end of every epoch; docs/METHODS.md
// §1.4–§1.6), plus EDST's global explorations at given steps with their own rate. The counts of
// an update move each layer from its active count to its target exactly (prune k, grow k ± the
// difference). The trainer asks before encoding each step.
import { dropFraction, initialLastUpdate, isUpdateStep, pruneGrowCounts, snfsIsUpdateStep, snfsPruneRate } from '../sparsity';
import type { UpdateCounts } from './layer-storage';
import { METHOD_RULES } from './mask-rules';
import type { TrainerSetup } from './trainer-setup';

export class MaskSchedule {
  /** The step of the last update (the schedule's ΔT counts from it); restored with a checkpoint. */
  lastUpdate: number;
  private readonly explorations: Map<number, number>;

  constructor(
    private readonly setup: TrainerSetup,
    private readonly stepsPerEpoch: number,
  ) {
    this.lastUpdate = initialLastUpdate(setup.schedule);
    this.explorations = new Map((setup.explorations ?? []).map((e) => [e.step, e.rate]));
  }

  reset(): void {
    this.lastUpdate = initialLastUpdate(this.setup.schedule);
  }

  /** Whether step t ends with a mask update. */
  isUpdate(t: number): boolean {
    const s = this.setup;
    if (METHOD_RULES[s.method] === null) return false;
    if (this.explorations.has(t)) return true;
    if (s.method === 'snfs') return snfsIsUpdateStep(this.stepsPerEpoch, t, s.totalSteps);
    return isUpdateStep(s.schedule, t, this.lastUpdate);
  }

  /**
   * The prune and grow counts of the update at step t, per layer, moving `active` to `targets`
   * exactly (of `numels` weights each); records t as the last update.
   */
  countsAt(t: number, active: readonly number[], targets: readonly number[], numels: readonly number[]): UpdateCounts[] {
    const s = this.setup;
    const fraction = this.explorations.get(t) ?? (s.method === 'snfs' ? snfsPruneRate(t, s.totalSteps) : dropFraction(s.schedule, t));
    this.lastUpdate = t;
    return numels.map((n, i) => pruneGrowCounts(active[i]!, targets[i]!, fraction, n));
  }
}
