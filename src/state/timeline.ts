// The phase timeline of a run, as plain data for the view: the ensemble's phases (EDST's
// exploration and refinement phases, Prune-and-Tune's parent and tuning, or one training phase),
// EDST's global explorations, and on the same step axis the schedules that change during training:
// the learning rate, the ghost skips' α(t), and the smooth activations (swish, or pswish's β
// rising geometrically) until the step from which layers are exact ReLU again.
import { ghostAlphaAt, ghostEndStep, lrAt, reluFromStep, smoothActivationAt, type LrSchedule, type TostSetup } from '../engine';
import type { EnsemblePhase } from '../ensemble';

export interface TimelineCurve {
  name: string;
  /** [step, value in 0..1] pairs, ascending steps. */
  points: [number, number][];
}

export interface TimelineView {
  totalSteps: number;
  phases: { name: string; kind: EnsemblePhase['kind']; start: number; end: number; member: number | null }[];
  /** Steps of EDST's global explorations (prune q of every layer, regrow as many). */
  explorations: number[];
  curves: TimelineCurve[];
  marks: { step: number; label: string }[];
}

export interface TimelineInput {
  totalSteps: number;
  phases: readonly EnsemblePhase[];
  explorations?: readonly number[];
  /** The live trainer's schedules, covering run steps offset … offset + steps − 1. */
  trainer?: { offset: number; steps: number; lr: LrSchedule; tost?: TostSetup };
  samples?: number;
}

function sampleSteps(from: number, to: number, samples: number): number[] {
  if (to <= from) return [];
  const n = Math.min(samples, to - from);
  const out = Array.from({ length: n }, (_, i) => from + Math.floor(((to - from) * i) / n));
  out.push(to - 1);
  return [...new Set(out)];
}

export function timelineView(input: TimelineInput): TimelineView {
  const { totalSteps, phases } = input;
  const curves: TimelineCurve[] = [];
  const marks: TimelineView['marks'] = [];
  const t = input.trainer;
  if (t) {
    const steps = sampleSteps(0, t.steps, input.samples ?? 160);
    const lr = steps.map((s) => lrAt(t.lr, s, t.steps));
    const max = Math.max(...lr, 1e-12);
    curves.push({ name: 'learning rate (÷ its maximum)', points: steps.map((s, i) => [t.offset + s, lr[i]! / max]) });
    const ghost = t.tost?.ghost;
    if (ghost) {
      curves.push({ name: 'ghost skip α(t)', points: steps.map((s) => [t.offset + s, ghostAlphaAt(ghost, s, t.steps)]) });
      marks.push({ step: t.offset + ghostEndStep(ghost, t.steps), label: 'ghost skips removed' });
    }
    const smooth = t.tost?.smooth;
    if (smooth) {
      const end = reluFromStep(smooth, t.steps);
      if (smooth.kind === 'pswish') {
        // β on a log scale from βstart (0) to βend (1); ReLU (β → ∞) shows as 1.
        const span = Math.log(smooth.betaEnd / smooth.betaStart) || 1;
        curves.push({ name: 'pswish β (log scale, ReLU = top)', points: steps.map((s) => [t.offset + s, s >= end ? 1 : Math.log(smoothActivationAt(smooth, s, t.steps).beta / smooth.betaStart) / span]) });
      } else {
        curves.push({ name: 'swish (0) or exact ReLU (1)', points: steps.map((s) => [t.offset + s, s >= end ? 1 : 0]) });
      }
      marks.push({ step: t.offset + end, label: 'exact ReLU from here' });
    }
  }
  return {
    totalSteps,
    phases: phases.map((p) => ({ name: p.name, kind: p.kind, start: p.startStep, end: p.endStep, member: p.member })),
    explorations: [...(input.explorations ?? [])],
    curves,
    marks: marks.filter((m) => m.step > 0 && m.step < totalSteps),
  };
}
