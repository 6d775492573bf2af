// ToST ("Training Your Sparse Neural Network Better with Any Mask", docs/METHODS.md §3) schedules as
// pure functions of the 0-based step. The released code keeps its tricks for the whole run; the
// issue asks for "ghosts" that are gone by the end, so the trained network is exactly the sparse
// one (docs/METHODS.md says so):
//   smooth activations: ReLU layers run swish x·σ(x), or parametric swish x·σ(βx) with β rising
//     geometrically from βstart to βend, until step round(reluFrom·T); from then on exact ReLU.
//   ghost skips: the bypass output is scaled by α(t) = (1 + cos(π·t/E))/2 for t < E =
//     round(endFraction·T), 1 at t = 0 and falling towards 0; from step E the bypass is removed.
// Label smoothing (α/(C−1) on wrong classes) is in the loss kernel; re-scaled init in gradinit.ts.
import type { ActivationKind } from '../reference/activation';

export type SmoothActivation =
  | { kind: 'swish'; reluFrom: number }
  | { kind: 'pswish'; betaStart: number; betaEnd: number; reluFrom: number };

export interface GhostSkip {
  /** Constant initial value of the bypass weights. */
  initScale: number;
  /** Fraction of training after which the bypass is gone. */
  endFraction: number;
}

export interface TostSetup {
  smooth?: SmoothActivation;
  ghost?: GhostSkip;
}

/** The step from which ReLU layers are exact ReLU again. */
export function reluFromStep(s: SmoothActivation, totalSteps: number): number {
  return Math.round(s.reluFrom * totalSteps);
}

/** What a ReLU layer computes at step t: its activation kind and β (pswish's slope). */
export function smoothActivationAt(s: SmoothActivation | undefined, t: number, totalSteps: number): { kind: ActivationKind; beta: number } {
  const end = s ? reluFromStep(s, totalSteps) : 0;
  if (!s || t >= end) return { kind: 'relu', beta: 1 };
  if (s.kind === 'swish') return { kind: 'swish', beta: 1 };
  return { kind: 'pswish', beta: s.betaStart * (s.betaEnd / s.betaStart) ** (t / end) };
}

/** The step from which the ghost bypass is removed. */
export function ghostEndStep(g: GhostSkip, totalSteps: number): number {
  return Math.round(g.endFraction * totalSteps);
}

/** α(t) of the ghost bypass; 0 means removed (its kernels are not run at all). */
export function ghostAlphaAt(g: GhostSkip | undefined, t: number, totalSteps: number): number {
  if (!g) return 0;
  const end = ghostEndStep(g, totalSteps);
  if (t >= end) return 0;
  return (1 + Math.cos((Math.PI * t) / end)) / 2;
}
