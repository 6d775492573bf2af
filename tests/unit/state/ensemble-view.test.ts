// The ensemble views' data: PCA of function-space snapshots, members' masks with their overlap,
// per-member and ensemble decision boundaries, and the phase timeline's curves and marks.
import { describe, expect, it } from 'vitest';
import type { EnsemblePhase, MemberInfo } from '../../../src/ensemble';
import { memberBoundaries, memberMasksView, pca2, timelineView, trajectoryView } from '../../../src/state';

describe('pca2', () => {
  it('recovers a line and a plane: the first axis carries the largest spread, coordinates are centred', () => {
    // Points on the line t·(1, 2, 2) (length 3 per unit t) plus a small spread along (2, -1, 0).
    const rows = [-2, -1, 0, 1, 2].flatMap((t) => [-0.1, 0.1].map((s) => Float32Array.from([t + 2 * s, 2 * t - s, 2 * t])));
    const { coords, explained } = pca2(rows);
    expect(explained[0]).toBeGreaterThan(0.99);
    expect(explained[0] + explained[1]).toBeCloseTo(1, 5);
    const xs = coords.map((c) => c[0]);
    expect(xs.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 4);
    // Along the line, |x| = 3|t| (up to the sign of the axis).
    expect(Math.abs(xs[8]! - xs[0]!)).toBeCloseTo(12, 1);
    expect(Math.abs(coords[1]![1] - coords[0]![1])).toBeCloseTo(Math.hypot(0.4, 0.2), 3);
  });

  it('handles one point and identical points without NaN', () => {
    expect(pca2([Float32Array.from([1, 2])]).coords).toEqual([[0, 0]]);
    const same = pca2([Float32Array.from([1, 2]), Float32Array.from([1, 2])]);
    expect(same.coords.flat().every((v) => v === 0)).toBe(true);
    expect(same.explained).toEqual([0, 0]);
  });

  it('trajectoryView keeps each point\'s step and line', () => {
    const frames = [0, 1, 2].map((step) => ({ step, models: [0, 1].map((line) => ({ line, probabilities: Float32Array.from([step * (line + 1), 1 - step, line]) })) }));
    const v = trajectoryView(frames, ['member 1', 'member 2']);
    expect(v.points.map((p) => [p.step, p.line])).toEqual([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]);
    expect(v.lines).toEqual(['member 1', 'member 2']);
  });
});

describe('memberMasksView', () => {
  it('counts, per connection, how many members keep it, and the share kept by all', () => {
    const member = (mask: number[]): MemberInfo => ({ label: 'm', itop: 0, layers: [], masks: [Float32Array.from(mask)], forwardFlops: 0 });
    const v = memberMasksView([member([1, 1, 0, 0, 1, 0]), member([1, 0, 1, 0, 1, 0])], [{ name: 'dense1', rows: 2, cols: 3 }]);
    const l = v.layers[0]!;
    expect([...l.overlap]).toEqual([2, 1, 1, 0, 2, 0]);
    expect([...l.masks[1]!]).toEqual([1, 0, 1, 0, 1, 0]);
    expect(l.shared).toBeCloseTo(2 / 4); // 4 connections used by someone, 2 by both
  });
});

describe('memberBoundaries', () => {
  it('adds the ensemble: the class of the mean probability, which can differ from every member\'s vote count', () => {
    const grid = { size: 1, x0: 0, x1: 1, y0: 0, y1: 1 };
    // Two classes, one grid cell: member A says class 0 (p 0.55), member B class 1 (p 0.9).
    const logits = [Float32Array.from([Math.log(0.55), Math.log(0.45)]), Float32Array.from([Math.log(0.1), Math.log(0.9)])];
    const probs = [Float32Array.from([0.55, 0.45]), Float32Array.from([0.1, 0.9])];
    const views = memberBoundaries(grid, 2, logits, probs, new Float32Array(0), [], new Set(), [], 0);
    expect(views.map((v) => v.predicted[0])).toEqual([0, 1, 1]);
    expect(views[2]!.confidence[0]).toBeCloseTo(0.675, 5);
  });
});

describe('timelineView', () => {
  const phases: EnsemblePhase[] = [
    { name: 'exploration', kind: 'explore', startStep: 0, endStep: 40, member: null },
    { name: 'refinement 1', kind: 'refine', startStep: 40, endStep: 70, member: 0 },
    { name: 'refinement 2', kind: 'refine', startStep: 70, endStep: 100, member: 1 },
  ];
  it('draws the lr, the ghost α(t) and pswish β on the run\'s steps, with their end marks', () => {
    const v = timelineView({
      totalSteps: 100,
      phases,
      explorations: [70],
      trainer: { offset: 0, steps: 100, lr: { kind: 'piecewise', points: [{ fromStep: 0, lr: 0.1 }, { fromStep: 40, lr: 0.01 }] }, tost: { ghost: { initScale: 1e-4, endFraction: 0.3 }, smooth: { kind: 'pswish', betaStart: 1, betaEnd: 50, reluFrom: 0.4 } } },
    });
    expect(v.phases.map((p) => [p.start, p.end])).toEqual([[0, 40], [40, 70], [70, 100]]);
    expect(v.explorations).toEqual([70]);
    const [lr, ghost, beta] = v.curves;
    expect(lr!.points.find(([s]) => s === 10)?.[1]).toBe(1);
    expect(lr!.points.at(-1)![0]).toBe(99);
    expect(lr!.points.at(-1)![1]).toBeCloseTo(0.1, 12);
    expect(ghost!.points[0]).toEqual([0, 1]);
    expect(ghost!.points.filter(([s]) => s >= 30).every(([, a]) => a === 0)).toBe(true);
    expect(beta!.points[0]).toEqual([0, 0]);
    expect(beta!.points.filter(([s]) => s >= 40).every(([, b]) => b === 1)).toBe(true);
    expect(v.marks).toEqual([{ step: 30, label: 'ghost skips removed' }, { step: 40, label: 'exact ReLU from here' }]);
  });

  it('offsets a later trainer (Prune-and-Tune children) and has no ToST curves without ToST', () => {
    const v = timelineView({ totalSteps: 120, phases: [{ name: 'dense parent', kind: 'parent', startStep: 0, endStep: 100, member: null }, { name: 'tuning', kind: 'tune', startStep: 100, endStep: 120, member: null }], trainer: { offset: 100, steps: 20, lr: { kind: 'constant', lr: 0.05 } } });
    expect(v.curves).toHaveLength(1);
    expect(v.curves[0]!.points[0]).toEqual([100, 1]);
    expect(v.curves[0]!.points.at(-1)![0]).toBe(119);
  });
});
