// Checking a lesson's claims (src/state/lesson-claims.ts): each kind of expectation holds and
// fails where it should, a missing run or an ensemble figure of a single run never holds, the
// loss figure is the mean over its window, and a lesson's table columns are its claims' figures.
import { describe, expect, it } from 'vitest';
import type { RunFigures } from '../../../src/ensemble';
import { checkClaim, figureOf, lessonFigures, type LessonClaim } from '../../../src/state';
import { LESSONS } from '../../../src/state/lessons';

function figures(over: Partial<RunFigures> = {}): RunFigures {
  return { step: 10, testAccuracy: 0.9, testLoss: 0.3, itop: 0.2, active: [7, 100, 10], losses: [1, 1, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], ensemble: null, ...over };
}
const claim = (over: Partial<LessonClaim>): LessonClaim => ({ id: 'c', says: 's', figure: 'testAccuracy', variant: 'preset', expect: { atLeast: 0.5 }, ...over });

describe('lesson claims', () => {
  it('reads each figure off a run', () => {
    const f = figures({ ensemble: { accuracy: 0.95, meanMember: 0.93, gain: 0.02, nll: 0.2, meanMemberNll: 0.25, nllGain: 0.05, disagreement: 0.04, kl: 0.01, maskDistance: 0.3, members: [0.9, 0.95, 0.94], trainFlopsRatio: 0.11 } });
    expect(figureOf(f, 'firstLayerActive')).toBe(7);
    expect(figureOf(f, 'activeTotal')).toBe(117);
    expect(figureOf(f, 'loss', [0, 0.2])).toBe(1);
    expect(figureOf(f, 'loss', [0, 0.4])).toBe(0.75);
    expect(figureOf(f, 'maskDistance')).toBe(0.3);
    expect(figureOf(figures(), 'maskDistance')).toBeNull(); // a single run has no ensemble figures
  });

  it.each([
    [{ atLeast: 0.9 }, true],
    [{ atLeast: 0.91 }, false],
    [{ atMost: 0.9 }, true],
    [{ atMost: 0.89 }, false],
    [{ exactly: 0.9 }, true],
    [{ above: 'other', by: 0.1 }, true],
    [{ above: 'other', by: 0.2 }, false],
    [{ below: 'other', by: 0 }, false],
    [{ notBelow: 'other' }, true],
  ] as const)('%o holds: %s (0.9 against 0.75)', (expectation, holds) => {
    const r = checkClaim(claim({ expect: expectation }), { preset: figures(), other: figures({ testAccuracy: 0.75 }) });
    expect(r.holds).toBe(holds);
    expect(r.value).toBe(0.9);
    expect(r.detail).toContain('measured 0.9000');
  });

  it('never holds without its runs, or on a non-finite figure', () => {
    expect(checkClaim(claim({ expect: { above: 'other', by: 0 } }), { preset: figures() }).holds).toBe(false);
    expect(checkClaim(claim({}), {}).holds).toBe(false);
    expect(checkClaim(claim({ expect: { atMost: 10 } }), { preset: figures({ testAccuracy: NaN }) }).holds).toBe(false);
    expect(checkClaim(claim({ figure: 'ensembleGain', expect: { atLeast: -1 } }), { preset: figures() }).holds).toBe(false);
  });

  it("a lesson's table shows each figure its claims use once, loss with its window", () => {
    const tost = LESSONS.find((l) => l.id === 'train-any-mask-better')!;
    expect(lessonFigures(tost)).toEqual([{ figure: 'activeTotal' }, { figure: 'loss', window: [0, 0.4] }, { figure: 'testAccuracy' }]);
  });
});
