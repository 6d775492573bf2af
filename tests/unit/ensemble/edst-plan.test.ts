import { describe, expect, it } from 'vitest';
import {
  EDST_DEFAULT_LR,
  MemberPicker,
  edstPlan,
  explorationAt,
  lrAtStep,
  phaseAt,
  pickMembers,
  type EdstOptions,
  type EdstPlan,
} from '../../../src/ensemble/edst-plan';
import { mulberry32 } from '../../../src/util/rng';

const reference: EdstOptions = { epochs: 450, explorationEpochs: 150, members: 3, stepsPerEpoch: 10, exploreRate: 0.8 };

/** lr of every step by brute force from the plan's lrSteps. */
function lrEverywhere(plan: EdstPlan): number[] {
  return Array.from({ length: plan.totalSteps }, (_, s) => lrAtStep(plan, s));
}

describe('edstPlan: reference setting (T 450, t_ex 150, M 3, 10 steps/epoch)', () => {
  const plan = edstPlan(reference);

  it('has the spec lengths', () => {
    expect(plan.refineEpochs).toBe(100);
    expect(plan.totalEpochs).toBe(450);
    expect(plan.totalSteps).toBe(4500);
  });

  it('follows the lr schedule of the spec table', () => {
    const at = (s: number) => lrAtStep(plan, s);
    expect(at(0)).toBe(0.1);
    expect(at(1499)).toBe(0.1);
    expect(at(1500)).toBe(0.01);
    expect(at(1999)).toBe(0.01);
    for (const s of [2000, 2250, 2499]) expect(at(s)).toBe(0.001);
    expect(at(2500)).toBe(0.01);
    expect(at(2999)).toBe(0.01);
    expect(at(3000)).toBe(0.001);
    expect(at(3499)).toBe(0.001);
    expect(at(3500)).toBe(0.01);
    expect(at(4000)).toBe(0.001);
    expect(at(4499)).toBe(0.001);
    expect(plan.lrSteps).toEqual([
      { fromStep: 0, lr: 0.1 },
      { fromStep: 1500, lr: 0.01 },
      { fromStep: 2000, lr: 0.001 },
      { fromStep: 2500, lr: 0.01 },
      { fromStep: 3000, lr: 0.001 },
      { fromStep: 3500, lr: 0.01 },
      { fromStep: 4000, lr: 0.001 },
    ]);
  });

  it('explores globally at the end of epochs 250 and 350 only', () => {
    expect(plan.explorations).toEqual([
      { step: 2499, rate: 0.8, beforeMember: 1 },
      { step: 3499, rate: 0.8, beforeMember: 2 },
    ]);
    expect(explorationAt(plan, 1499)).toBeNull();
    expect(explorationAt(plan, 2499)?.beforeMember).toBe(1);
  });

  it('validates after the last step of epochs 151..450 with the right member', () => {
    expect(plan.validationSteps).toHaveLength(300);
    plan.validationSteps.forEach((v, i) => {
      const epoch = 151 + i;
      expect(v.step).toBe(epoch * 10 - 1);
      expect(v.member).toBe(Math.floor((epoch - 151) / 100));
    });
  });

  it('lays out contiguous phases', () => {
    expect(plan.phases).toEqual([
      { kind: 'explore', member: null, startStep: 0, endStep: 1500, startEpoch: 1, endEpoch: 150, lateLrStep: null },
      { kind: 'refine', member: 0, startStep: 1500, endStep: 2500, startEpoch: 151, endEpoch: 250, lateLrStep: 2000 },
      { kind: 'refine', member: 1, startStep: 2500, endStep: 3500, startEpoch: 251, endEpoch: 350, lateLrStep: 3000 },
      { kind: 'refine', member: 2, startStep: 3500, endStep: 4500, startEpoch: 351, endEpoch: 450, lateLrStep: 4000 },
    ]);
    expect(phaseAt(plan, 0).kind).toBe('explore');
    expect(phaseAt(plan, 1499).kind).toBe('explore');
    expect(phaseAt(plan, 1500).member).toBe(0);
    expect(phaseAt(plan, 2499).member).toBe(0);
    expect(phaseAt(plan, 2500).member).toBe(1);
    expect(phaseAt(plan, 4499).member).toBe(2);
    // Each exploration happens at the last step of the phase before the member it precedes.
    for (const x of plan.explorations) {
      expect(phaseAt(plan, x.step).member).toBe(x.beforeMember - 1);
      expect(phaseAt(plan, x.step + 1).member).toBe(x.beforeMember);
    }
  });

  it('rejects steps outside the run', () => {
    expect(() => lrAtStep(plan, 4500)).toThrow(/step/);
    expect(() => lrAtStep(plan, -1)).toThrow(/step/);
    expect(() => phaseAt(plan, 1.5)).toThrow(/step/);
  });
});

describe('edstPlan: other lengths', () => {
  it('q = 0 (the ablation) has no global exploration, the rest of the plan unchanged', () => {
    const a = edstPlan({ epochs: 30, explorationEpochs: 12, members: 3, stepsPerEpoch: 5, exploreRate: 0.8 });
    const b = edstPlan({ epochs: 30, explorationEpochs: 12, members: 3, stepsPerEpoch: 5, exploreRate: 0 });
    expect(a.explorations).toHaveLength(2);
    expect(b.explorations).toEqual([]);
    expect(b.lrSteps).toEqual(a.lrSteps);
    expect(b.validationSteps).toEqual(a.validationSteps);
  });
  it('browser scale T 30, t_ex 12, M 3 → t_re 6 (3 epochs at 0.01, 3 at 0.001)', () => {
    const plan = edstPlan({ epochs: 30, explorationEpochs: 12, members: 3, stepsPerEpoch: 5, exploreRate: 0.8 });
    expect(plan.refineEpochs).toBe(6);
    expect(plan.totalEpochs).toBe(30);
    expect(plan.totalSteps).toBe(150);
    expect(plan.lrSteps).toEqual([
      { fromStep: 0, lr: 0.1 },
      { fromStep: 60, lr: 0.01 },
      { fromStep: 75, lr: 0.001 },
      { fromStep: 90, lr: 0.01 },
      { fromStep: 105, lr: 0.001 },
      { fromStep: 120, lr: 0.01 },
      { fromStep: 135, lr: 0.001 },
    ]);
    expect(plan.explorations.map((x) => x.step)).toEqual([89, 119]);
    expect(plan.validationSteps.map((v) => v.step)).toEqual(Array.from({ length: 18 }, (_, i) => (13 + i) * 5 - 1));
    expect(plan.validationSteps.map((v) => v.member)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });

  it('non-divisible T uses floor and reports the shorter run', () => {
    const plan = edstPlan({ epochs: 31, explorationEpochs: 12, members: 3, stepsPerEpoch: 4, exploreRate: 0.5 });
    expect(plan.refineEpochs).toBe(6);
    expect(plan.totalEpochs).toBe(30);
    expect(plan.totalSteps).toBe(120);
    expect(plan.phases.at(-1)?.endStep).toBe(120);
    expect(plan.validationSteps.at(-1)?.step).toBe(119);
  });

  it('odd t_re drops the lr after floor(t_re/2) epochs', () => {
    const plan = edstPlan({ epochs: 25, explorationEpochs: 10, members: 3, stepsPerEpoch: 2, exploreRate: 0.8 });
    expect(plan.refineEpochs).toBe(5);
    expect(plan.phases.slice(1).map((p) => p.lateLrStep)).toEqual([24, 34, 44]);
  });

  it('t_re = 1 has no late lr part', () => {
    const plan = edstPlan({ epochs: 5, explorationEpochs: 2, members: 3, stepsPerEpoch: 3, exploreRate: 0.8 });
    expect(plan.refineEpochs).toBe(1);
    expect(plan.phases.slice(1).every((p) => p.lateLrStep === null)).toBe(true);
    expect(plan.lrSteps).toEqual([
      { fromStep: 0, lr: 0.1 },
      { fromStep: 6, lr: 0.01 },
    ]);
    expect(lrEverywhere(plan).filter((lr) => lr === 0.001)).toHaveLength(0);
    expect(plan.explorations.map((x) => x.step)).toEqual([8, 11]);
    expect(plan.validationSteps).toEqual([
      { step: 8, member: 0 },
      { step: 11, member: 1 },
      { step: 14, member: 2 },
    ]);
  });

  it('takes refineEpochs explicitly, leaving the rest of the budget unused', () => {
    const plan = edstPlan({ ...reference, refineEpochs: 40 });
    expect(plan.refineEpochs).toBe(40);
    expect(plan.totalEpochs).toBe(270);
    expect(plan.totalSteps).toBe(2700);
    expect(plan.explorations.map((x) => x.step)).toEqual([1899, 2299]);
    expect(plan.phases.slice(1).map((p) => p.lateLrStep)).toEqual([1700, 2100, 2500]);
    expect(() => edstPlan({ ...reference, refineEpochs: 101 })).toThrow(/exceeds epochs/);
  });

  it('uses the given lr values, M = 1 has no exploration', () => {
    const plan = edstPlan({ ...reference, members: 1, lr: { explore: 0.05, refine: 0.005, late: 0.0005 } });
    expect(plan.refineEpochs).toBe(300);
    expect(plan.explorations).toEqual([]);
    expect(plan.lrSteps).toEqual([
      { fromStep: 0, lr: 0.05 },
      { fromStep: 1500, lr: 0.005 },
      { fromStep: 3000, lr: 0.0005 },
    ]);
    expect(EDST_DEFAULT_LR).toEqual({ explore: 0.1, refine: 0.01, late: 0.001 });
  });

  it('merges equal neighbouring lr values', () => {
    const plan = edstPlan({ ...reference, lr: { explore: 0.1, refine: 0.1, late: 0.01 } });
    expect(plan.lrSteps.map((s) => s.fromStep)).toEqual([0, 2000, 2500, 3000, 3500, 4000]);
    expect(lrAtStep(plan, 1700)).toBe(0.1);
  });

  it('rejects bad inputs', () => {
    const bad: [Partial<EdstOptions>, RegExp][] = [
      [{ members: 0 }, /members/],
      [{ members: 1.5 }, /members/],
      [{ explorationEpochs: 0 }, /explorationEpochs/],
      [{ explorationEpochs: 450 }, /less than epochs/],
      [{ stepsPerEpoch: 0 }, /stepsPerEpoch/],
      [{ epochs: 0 }, /epochs/],
      [{ exploreRate: -0.1 }, /exploreRate/],
      [{ exploreRate: 1 }, /exploreRate/],
      [{ exploreRate: Number.NaN }, /exploreRate/],
      [{ refineEpochs: 0 }, /refineEpochs/],
      [{ members: 301 }, /< 1 epoch/],
      [{ lr: { explore: 0.1, refine: 0, late: 0.001 } }, /lr\.refine/],
    ];
    for (const [patch, re] of bad) expect(() => edstPlan({ ...reference, ...patch })).toThrow(re);
  });
});

describe('pickMembers and MemberPicker', () => {
  const plan = edstPlan({ epochs: 30, explorationEpochs: 12, members: 3, stepsPerEpoch: 5, exploreRate: 0.8 });
  const withAcc = (accs: number[]) => plan.validationSteps.map((v, i) => ({ step: v.step, accuracy: accs[i]! }));

  it('takes each phase best, the earlier on ties, the first epoch if it is best', () => {
    const accs = [
      0.9, 0.8, 0.85, 0.7, 0.9, 0.6, // member 0: best in the phase's first epoch, tied later
      0.5, 0.6, 0.7, 0.7, 0.65, 0.7, // member 1: three-way tie, the earliest wins
      0.1, 0.2, 0.3, 0.4, 0.5, 0.95, // member 2: last epoch; must not need to beat earlier phases
    ];
    expect(pickMembers(plan, withAcc(accs))).toEqual([
      { member: 0, step: 64, accuracy: 0.9 },
      { member: 1, step: 104, accuracy: 0.7 },
      { member: 2, step: 149, accuracy: 0.95 },
    ]);
  });

  it('resets the bar per phase: a low later phase still gets its own best', () => {
    const accs = [0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0, 0, 0, 0, 0, 0];
    const picks = pickMembers(plan, withAcc(accs));
    expect(picks[1]).toEqual({ member: 1, step: 99, accuracy: 0.2 });
    expect(picks[2]).toEqual({ member: 2, step: 124, accuracy: 0 });
  });

  it('accepts a prefix and rejects mismatched steps', () => {
    const all = withAcc(Array.from({ length: 18 }, (_, i) => i / 18));
    expect(pickMembers(plan, all.slice(0, 8)).map((p) => p.member)).toEqual([0, 1]);
    expect(pickMembers(plan, [])).toEqual([]);
    expect(() => pickMembers(plan, [{ step: 60, accuracy: 0.5 }])).toThrow(/expected step 64/);
    expect(() => pickMembers(plan, [...all, { step: 150, accuracy: 1 }])).toThrow(/validation steps/);
    expect(() => pickMembers(plan, [{ step: 64, accuracy: Number.NaN }])).toThrow(/finite/);
  });

  it('MemberPicker agrees with pickMembers and flags each new phase best', () => {
    const rng = mulberry32(11);
    for (let trial = 0; trial < 50; trial++) {
      // Coarse accuracies so ties are common.
      const records = withAcc(plan.validationSteps.map(() => Math.floor(rng.next() * 5) / 4));
      const picker = new MemberPicker(plan);
      const kept = new Map<number, number>();
      for (const r of records) {
        expect(picker.expectedStep()).toBe(r.step);
        const member = phaseAt(plan, r.step).member!;
        if (picker.offer(r.step, r.accuracy)) kept.set(member, r.step);
      }
      expect(picker.done()).toBe(true);
      expect(picker.expectedStep()).toBeNull();
      const picks = pickMembers(plan, records);
      expect(picker.result()).toEqual(picks);
      expect(picks.map((p) => p.step)).toEqual([0, 1, 2].map((m) => kept.get(m)));
    }
  });

  it('MemberPicker returns true for the first offer of each phase and false on ties', () => {
    const picker = new MemberPicker(plan);
    expect(picker.offer(64, 0.5)).toBe(true);
    expect(picker.offer(69, 0.5)).toBe(false);
    expect(picker.offer(74, 0.6)).toBe(true);
    expect(picker.result()).toEqual([{ member: 0, step: 74, accuracy: 0.6 }]);
    expect(() => picker.offer(84, 0.7)).toThrow(/expected validation after step 79/);
    for (const step of [79, 84, 89]) picker.offer(step, 0);
    expect(picker.offer(94, 0)).toBe(true); // first result of member 1's phase, even at 0
  });

  it('MemberPicker rejects offers after the end', () => {
    const picker = new MemberPicker(plan);
    for (const v of plan.validationSteps) picker.offer(v.step, 0.5);
    expect(() => picker.offer(149, 0.5)).toThrow(/already offered/);
  });
});
