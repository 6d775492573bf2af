// Learning-rate schedules as pure functions of the 0-based step (docs/METHODS.md §1.5–1.7 use
// multistep and cosine schedules; §5 / pitfall 8 Prune-and-Tune uses OneCycle). Pure, so the trainer,
// the UI's LR preview chart and the tests all compute the same number.
//
// * constant  — lr.
// * multistep — lr·gamma^(number of milestones ≤ step). Milestones are explicit steps, or fractions
//   of training mapped to round(f·totalSteps) (RigL MNIST: ÷3 at epochs 75 and 95 → explicit steps;
//   ITOP: decay at 1/2 and 3/4 → fractions).
// * cosine    — optional linear warmup lr·(step + 1)/W for step < W (never 0, reaches lr at W − 1),
//   then minLr + (lr − minLr)(1 + cos(π·u))/2 with u = (step − W)/(totalSteps − W), clamped to 1
//   (PyTorch CosineAnnealingLR with T_max = totalSteps − W: minLr is reached at step totalSteps).
// * onecycle  — PyTorch OneCycleLR, two phases, anneal 'cos': initial = maxLr/div, final =
//   initial/finalDiv (PyTorch divides the INITIAL lr by final_div_factor, so final = maxLr/(div·finalDiv));
//   phase 1 ends at step pctStart·totalSteps − 1 at maxLr, phase 2 ends at totalSteps − 1 at final.
//   Defaults div 25, finalDiv 1e4, pctStart 0.3. (OneCycleLR also cycles momentum; not modelled here.)
// * piecewise — constant pieces: the lr of the last point with fromStep ≤ step (EDST's phases:
//   0.1 while exploring, then 0.01 / 0.001 in each refinement phase; src/ensemble/edst-plan.ts).

import { assert } from '../util/assert';

export type LrSchedule =
  | { kind: 'constant'; lr: number }
  | { kind: 'multistep'; lr: number; gamma: number; milestones: readonly number[]; unit: 'step' | 'fraction' }
  | { kind: 'cosine'; lr: number; minLr?: number; warmupSteps?: number }
  | { kind: 'onecycle'; maxLr: number; div?: number; finalDiv?: number; pctStart?: number }
  | { kind: 'piecewise'; points: readonly { fromStep: number; lr: number }[] };

function cosineAnneal(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (1 + Math.cos(Math.PI * pct));
}

/** The learning rate at 0-based `step` of a run of `totalSteps` steps. */
export function lrAt(schedule: LrSchedule, step: number, totalSteps: number): number {
  assert(Number.isInteger(step) && step >= 0, `lrAt: step must be a non-negative integer, got ${step}`);
  assert(Number.isInteger(totalSteps) && totalSteps > 0, `lrAt: totalSteps must be a positive integer, got ${totalSteps}`);
  switch (schedule.kind) {
    case 'constant':
      return schedule.lr;
    case 'multistep': {
      const steps = schedule.milestones.map((m) => (schedule.unit === 'fraction' ? Math.round(m * totalSteps) : m));
      const passed = steps.filter((m) => step >= m).length;
      return schedule.lr * schedule.gamma ** passed;
    }
    case 'cosine': {
      const minLr = schedule.minLr ?? 0;
      const warm = schedule.warmupSteps ?? 0;
      assert(Number.isInteger(warm) && warm >= 0 && warm < totalSteps, `lrAt: warmupSteps must be an integer in [0, totalSteps), got ${warm}`);
      if (step < warm) return (schedule.lr * (step + 1)) / warm;
      const u = Math.min(1, (step - warm) / (totalSteps - warm));
      return cosineAnneal(schedule.lr, minLr, u);
    }
    case 'piecewise': {
      const first = schedule.points[0];
      assert(first !== undefined && first.fromStep === 0, 'lrAt: a piecewise schedule starts with a point at step 0');
      let lr = first.lr;
      for (const p of schedule.points) if (p.fromStep <= step) lr = p.lr;
      return lr;
    }
    case 'onecycle': {
      const div = schedule.div ?? 25;
      const finalDiv = schedule.finalDiv ?? 1e4;
      const pctStart = schedule.pctStart ?? 0.3;
      assert(pctStart > 0 && pctStart < 1, `lrAt: pctStart must be in (0, 1), got ${pctStart}`);
      const initial = schedule.maxLr / div;
      const final = initial / finalDiv;
      const end1 = pctStart * totalSteps - 1;
      const end2 = totalSteps - 1;
      if (step <= end1) return cosineAnneal(initial, schedule.maxLr, end1 > 0 ? step / end1 : 1);
      const pct = end2 > end1 ? Math.min(1, (step - end1) / (end2 - end1)) : 1;
      return cosineAnneal(schedule.maxLr, final, pct);
    }
  }
}
