// EDST ensemble schedule (docs/METHODS.md §2.2, FreeTickets `main_EDST.py` / `minestone_calculation`):
// one run = one exploration phase + M refinement phases, one member out of each refinement phase.
// Pure planning: which lr applies at each step, when the global explorations happen, after which
// steps validation is evaluated, and which checkpoint becomes each member. The regular DST updates
// every ΔT iterations (during all phases) are not planned here; they follow the ordinary DST schedule.
//
// Choices where docs/METHODS.md leaves room or where we deliberately differ from the released code:
// * Units are 0-based training STEPS with `stepsPerEpoch` (spe). Epoch e (1-based) covers steps
//   [(e−1)·spe, e·spe). "At the end of epoch e" = after step e·spe − 1, its last step: a global
//   exploration is a mask update performed at step e·spe − 1 (after that step's gradient, so a
//   gradient regrowth uses the last minibatch's gradient, as in the code), and an lr change applies
//   from step e·spe on.
// * t_re = `refineEpochs` if given, else floor((epochs − explorationEpochs) / members); an error if it
//   is < 1. The run uses totalEpochs = t_ex + M·t_re epochs, which may be fewer than `epochs` when the
//   division is not exact (reported as `totalEpochs`); an explicit `refineEpochs` with
//   t_ex + M·t_re > epochs is an error.
// * Within refinement k the lr drops to `late` after floor(t_re/2) epochs of that phase; with
//   t_re = 1 (floor = 0) the phase has no `late` part at all (lateLrStep = null).
// * Global exploration (rate q, per layer: prune q of the active weights, regrow as many) happens
//   before refinement phases 2..M only, never before phase 1, at the last step of the previous phase.
// * The best-validation bar is reset at the start of EVERY refinement phase, the first included. The
//   released code does not reset it at the start of refinement 1, so its member 1 must also beat the
//   exploration phase's best; we follow the issue text: each member is the best checkpoint of its own
//   phase. The bar starts at −∞ rather than the code's 0, so a phase always yields a member (the
//   two only differ when every accuracy of a phase is 0, where the code would save nothing).
// * Validation is evaluated at the end of every epoch of a refinement phase (none during
//   exploration); a tie keeps the EARLIER checkpoint (the code compares with a strict `>`).
// * lr values are parameters, defaults explore 0.1, refine 0.01, late 0.001 (docs/METHODS.md §2.2).
//   `lrSteps` lists only the steps where the lr value changes (equal neighbours are merged).
// * Training FLOPs are left out: they follow from the DST FLOPs accounting over `totalSteps`.

import { assert } from '../util/assert';

export interface EdstLr {
  explore: number;
  refine: number;
  late: number;
}

export const EDST_DEFAULT_LR: Readonly<EdstLr> = { explore: 0.1, refine: 0.01, late: 0.001 };

export interface EdstOptions {
  /** Training budget T in epochs (the whole run). */
  epochs: number;
  /** Exploration length t_ex in epochs. */
  explorationEpochs: number;
  /** Refinement length t_re per member in epochs; left out, floor((epochs − t_ex)/members). */
  refineEpochs?: number;
  /** M, one member per refinement phase. */
  members: number;
  stepsPerEpoch: number;
  /** Global exploration rate q in [0, 1); 0 = no global exploration (the ablation of docs/METHODS.md §7.6). */
  exploreRate: number;
  lr?: EdstLr;
}

export interface EdstPhase {
  kind: 'explore' | 'refine';
  /** 0-based member that comes out of this phase; null for the exploration phase. */
  member: number | null;
  startStep: number;
  /** Exclusive. */
  endStep: number;
  /** 1-based epochs covered, inclusive. */
  startEpoch: number;
  endEpoch: number;
  /** First step at the `late` lr; null for exploration and for refinement phases with t_re = 1. */
  lateLrStep: number | null;
}

export interface EdstLrStep {
  fromStep: number;
  lr: number;
}

export interface EdstExploration {
  /** The mask update happens after this step's gradient (the last step of the previous phase). */
  step: number;
  rate: number;
  /** 0-based member whose refinement phase starts right after it (1..M−1). */
  beforeMember: number;
}

export interface EdstValidationStep {
  /** Validation is evaluated after this step (the last step of an epoch of a refinement phase). */
  step: number;
  member: number;
}

export interface EdstPlan {
  totalSteps: number;
  totalEpochs: number;
  refineEpochs: number;
  stepsPerEpoch: number;
  phases: EdstPhase[];
  /** Piecewise-constant lr: sorted by fromStep, the first at 0, each holding until the next. */
  lrSteps: EdstLrStep[];
  explorations: EdstExploration[];
  validationSteps: EdstValidationStep[];
}

export interface EdstMemberPick {
  member: number;
  /** The step after which the chosen checkpoint was taken. */
  step: number;
  accuracy: number;
}

function checkInt(x: number, min: number, what: string): void {
  assert(Number.isInteger(x) && x >= min, `edstPlan: ${what} must be an integer >= ${min}, got ${x}`);
}

export function edstPlan(o: EdstOptions): EdstPlan {
  checkInt(o.epochs, 1, 'epochs');
  checkInt(o.explorationEpochs, 1, 'explorationEpochs');
  checkInt(o.members, 1, 'members');
  checkInt(o.stepsPerEpoch, 1, 'stepsPerEpoch');
  assert(Number.isFinite(o.exploreRate) && o.exploreRate >= 0 && o.exploreRate < 1, `edstPlan: exploreRate must be in [0, 1), got ${o.exploreRate}`);
  const lr = o.lr ?? EDST_DEFAULT_LR;
  for (const key of ['explore', 'refine', 'late'] as const) {
    assert(Number.isFinite(lr[key]) && lr[key] > 0, `edstPlan: lr.${key} must be a finite number > 0, got ${lr[key]}`);
  }
  assert(o.explorationEpochs < o.epochs, `edstPlan: explorationEpochs (${o.explorationEpochs}) must be less than epochs (${o.epochs})`);

  let tRe: number;
  if (o.refineEpochs !== undefined) {
    checkInt(o.refineEpochs, 1, 'refineEpochs');
    tRe = o.refineEpochs;
    const need = o.explorationEpochs + o.members * tRe;
    assert(need <= o.epochs, `edstPlan: explorationEpochs + members·refineEpochs = ${need} exceeds epochs (${o.epochs})`);
  } else {
    tRe = Math.floor((o.epochs - o.explorationEpochs) / o.members);
    assert(tRe >= 1, `edstPlan: refinement length floor((${o.epochs} − ${o.explorationEpochs}) / ${o.members}) = ${tRe} is < 1 epoch`);
  }

  const spe = o.stepsPerEpoch;
  const tEx = o.explorationEpochs;
  const totalEpochs = tEx + o.members * tRe;
  const lateAfter = Math.floor(tRe / 2);

  const phases: EdstPhase[] = [
    { kind: 'explore', member: null, startStep: 0, endStep: tEx * spe, startEpoch: 1, endEpoch: tEx, lateLrStep: null },
  ];
  const rawLr: EdstLrStep[] = [{ fromStep: 0, lr: lr.explore }];
  const explorations: EdstExploration[] = [];
  const validationSteps: EdstValidationStep[] = [];

  for (let k = 0; k < o.members; k++) {
    const startEpoch0 = tEx + k * tRe; // start_k: refinement k begins after this epoch
    const startStep = startEpoch0 * spe;
    const lateLrStep = lateAfter > 0 ? (startEpoch0 + lateAfter) * spe : null;
    phases.push({
      kind: 'refine',
      member: k,
      startStep,
      endStep: (startEpoch0 + tRe) * spe,
      startEpoch: startEpoch0 + 1,
      endEpoch: startEpoch0 + tRe,
      lateLrStep,
    });
    if (k > 0 && o.exploreRate > 0) explorations.push({ step: startStep - 1, rate: o.exploreRate, beforeMember: k });
    rawLr.push({ fromStep: startStep, lr: lr.refine });
    if (lateLrStep !== null) rawLr.push({ fromStep: lateLrStep, lr: lr.late });
    for (let e = startEpoch0 + 1; e <= startEpoch0 + tRe; e++) validationSteps.push({ step: e * spe - 1, member: k });
  }

  const lrSteps: EdstLrStep[] = [];
  for (const s of rawLr) if (lrSteps.at(-1)?.lr !== s.lr) lrSteps.push(s);

  return { totalSteps: totalEpochs * spe, totalEpochs, refineEpochs: tRe, stepsPerEpoch: spe, phases, lrSteps, explorations, validationSteps };
}

function checkStep(plan: EdstPlan, step: number, what: string): void {
  assert(Number.isInteger(step) && step >= 0 && step < plan.totalSteps, `${what}: step must be an integer in [0, ${plan.totalSteps}), got ${step}`);
}

/** The learning rate used at 0-based `step`. */
export function lrAtStep(plan: EdstPlan, step: number): number {
  checkStep(plan, step, 'lrAtStep');
  let lr = plan.lrSteps[0]!.lr;
  for (const s of plan.lrSteps) {
    if (s.fromStep > step) break;
    lr = s.lr;
  }
  return lr;
}

/** The phase that 0-based `step` belongs to. */
export function phaseAt(plan: EdstPlan, step: number): EdstPhase {
  checkStep(plan, step, 'phaseAt');
  const phase = plan.phases.find((p) => step >= p.startStep && step < p.endStep);
  assert(phase !== undefined, `phaseAt: no phase holds step ${step}`);
  return phase;
}

/** The global exploration performed after `step`, if any. */
export function explorationAt(plan: EdstPlan, step: number): EdstExploration | null {
  return plan.explorations.find((x) => x.step === step) ?? null;
}

/**
 * Streaming member choice for the training driver: offer each validation result in plan order;
 * `offer` returns true when that checkpoint is the new best of its phase (keep it, drop the previous
 * best of the same phase). Strict `>`: a tie keeps the earlier checkpoint. Non-finite accuracies are
 * rejected, as are steps out of plan order.
 */
export class MemberPicker {
  private readonly plan: EdstPlan;
  private next = 0;
  private readonly best = new Map<number, EdstMemberPick>();

  constructor(plan: EdstPlan) {
    this.plan = plan;
  }

  /** The step whose validation result is expected next; null once every one has been offered. */
  expectedStep(): number | null {
    return this.plan.validationSteps[this.next]?.step ?? null;
  }

  offer(step: number, accuracy: number): boolean {
    const expected = this.plan.validationSteps[this.next];
    assert(expected !== undefined, `MemberPicker.offer: all ${this.plan.validationSteps.length} validation steps were already offered (got step ${step})`);
    assert(step === expected.step, `MemberPicker.offer: expected validation after step ${expected.step}, got step ${step}`);
    assert(Number.isFinite(accuracy), `MemberPicker.offer: accuracy must be finite, got ${accuracy}`);
    this.next++;
    const current = this.best.get(expected.member);
    if (current !== undefined && !(accuracy > current.accuracy)) return false;
    this.best.set(expected.member, { member: expected.member, step, accuracy });
    return true;
  }

  /** The member chosen (so far) for every phase that has at least one validation result, by member. */
  result(): EdstMemberPick[] {
    return [...this.best.values()].sort((a, b) => a.member - b.member);
  }

  /** True once every validation step of the plan has been offered. */
  done(): boolean {
    return this.next === this.plan.validationSteps.length;
  }
}

/**
 * Given validation accuracies recorded at plan.validationSteps (same order; a prefix is allowed for
 * a run in progress), the checkpoint that becomes each member: the best of its own refinement phase,
 * the earlier one on ties. Members without any validation result yet are left out.
 */
export function pickMembers(plan: EdstPlan, validation: readonly { step: number; accuracy: number }[]): EdstMemberPick[] {
  assert(validation.length <= plan.validationSteps.length, `pickMembers: ${validation.length} results but the plan has ${plan.validationSteps.length} validation steps`);
  const picks: EdstMemberPick[] = [];
  validation.forEach((v, i) => {
    const expected = plan.validationSteps[i]!;
    assert(v.step === expected.step, `pickMembers: result ${i} is for step ${v.step}, expected step ${expected.step}`);
    assert(Number.isFinite(v.accuracy), `pickMembers: accuracy at step ${v.step} must be finite, got ${v.accuracy}`);
    const current = picks[expected.member];
    if (current === undefined || v.accuracy > current.accuracy) picks[expected.member] = { member: expected.member, step: v.step, accuracy: v.accuracy };
  });
  return picks.filter((p) => p !== undefined);
}
