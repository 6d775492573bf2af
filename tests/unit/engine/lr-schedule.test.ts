import { describe, expect, it } from 'vitest';
import { lrAt } from '../../../src/engine/lr-schedule';
import type { LrSchedule } from '../../../src/engine/lr-schedule';
import { ghostAlphaAt, ghostEndStep, smoothActivationAt } from '../../../src/engine/tost';

const at = (s: LrSchedule, total: number, steps: number[]): number[] => steps.map((t) => lrAt(s, t, total));

describe('constant and multistep', () => {
  it('constant', () => {
    expect(at({ kind: 'constant', lr: 0.1 }, 50, [0, 25, 49])).toEqual([0.1, 0.1, 0.1]);
  });

  it('explicit milestones (RigL MNIST: ÷3 at 75 and 95)', () => {
    const s: LrSchedule = { kind: 'multistep', lr: 0.2, gamma: 1 / 3, milestones: [75, 95], unit: 'step' };
    const [a, b, c, d] = at(s, 200, [0, 74, 75, 95]);
    expect(a).toBe(0.2);
    expect(b).toBe(0.2);
    expect(c).toBeCloseTo(0.2 / 3, 15);
    expect(d).toBeCloseTo(0.2 / 9, 15);
  });

  it('milestones as fractions of training, rounded to steps', () => {
    const s: LrSchedule = { kind: 'multistep', lr: 0.1, gamma: 0.1, milestones: [0.5, 0.75], unit: 'fraction' };
    const [a, b, c, d] = at(s, 100, [49, 50, 74, 75]);
    expect(a).toBe(0.1);
    expect(b).toBeCloseTo(0.01, 15);
    expect(c).toBeCloseTo(0.01, 15);
    expect(d).toBeCloseTo(0.001, 15);
    // 0.5·101 = 50.5 rounds to 51
    expect(lrAt(s, 50, 101)).toBe(0.1);
    expect(lrAt(s, 51, 101)).toBeCloseTo(0.01, 15);
  });
});

describe('cosine', () => {
  it('from lr to minLr over the run', () => {
    const s: LrSchedule = { kind: 'cosine', lr: 1 };
    const [a, b, c, d] = at(s, 100, [0, 25, 50, 100]);
    expect(a).toBe(1);
    expect(b).toBeCloseTo(0.5 * (1 + Math.SQRT1_2), 15);
    expect(c).toBeCloseTo(0.5, 15);
    expect(d).toBeCloseTo(0, 15);
    expect(lrAt({ kind: 'cosine', lr: 1, minLr: 0.1 }, 50, 100)).toBeCloseTo(0.55, 15);
  });

  it('linear warmup (step + 1)/W, then cosine over the remaining steps', () => {
    const s: LrSchedule = { kind: 'cosine', lr: 1, warmupSteps: 10 };
    const [a, b, c, d] = at(s, 110, [0, 9, 10, 60]);
    expect(a).toBeCloseTo(0.1, 15);
    expect(b).toBeCloseTo(1, 15);
    expect(c).toBeCloseTo(1, 15);
    expect(d).toBeCloseTo(0.5, 15);
  });
});

describe('onecycle (PyTorch OneCycleLR, anneal cos)', () => {
  it('warms up from max/div over pctStart, then anneals to max/(div·finalDiv)', () => {
    // 10 steps, pctStart 0.4: phase 1 ends at step 0.4·10 − 1 = 3, phase 2 at step 9
    const s: LrSchedule = { kind: 'onecycle', maxLr: 1, pctStart: 0.4 };
    const [a, b, c, d, e] = at(s, 10, [0, 1, 3, 6, 9]);
    expect(a).toBeCloseTo(0.04, 15);
    expect(b).toBeCloseTo(1 - (0.96 / 2) * 1.5, 15); // pct 1/3: cos(π/3) = 0.5 → 0.28
    expect(c).toBeCloseTo(1, 15);
    expect(d).toBeCloseTo((1 + 4e-6) / 2, 15); // pct (6 − 3)/(9 − 3) = 0.5
    expect(e).toBeCloseTo(4e-6, 15);
  });

  it('defaults div 25, finalDiv 1e4, pctStart 0.3', () => {
    const s: LrSchedule = { kind: 'onecycle', maxLr: 0.5 };
    const [a, b, c] = at(s, 100, [0, 29, 99]);
    expect(a).toBeCloseTo(0.02, 15);
    expect(b).toBeCloseTo(0.5, 15);
    expect(c).toBeCloseTo(0.5 / 25 / 1e4, 15);
  });
});

it('rejects bad steps', () => {
  expect(() => lrAt({ kind: 'constant', lr: 1 }, -1, 10)).toThrow(/step/);
  expect(() => lrAt({ kind: 'constant', lr: 1 }, 0, 0)).toThrow(/totalSteps/);
});

describe('piecewise', () => {
  const s = { kind: 'piecewise', points: [{ fromStep: 0, lr: 0.1 }, { fromStep: 30, lr: 0.01 }, { fromStep: 45, lr: 0.001 }] } as const;
  it('holds each lr from its step until the next point', () => {
    expect([0, 29, 30, 44, 45, 99].map((t) => lrAt(s, t, 100))).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  });
  it('needs a point at step 0', () => {
    expect(() => lrAt({ kind: 'piecewise', points: [{ fromStep: 3, lr: 1 }] }, 0, 10)).toThrow(/step 0/);
  });
});

describe('ToST schedules', () => {
  it('smooth activation: pswish with beta rising geometrically, exact ReLU from reluFrom', () => {
    const s = { kind: 'pswish', betaStart: 1, betaEnd: 100, reluFrom: 0.5 } as const;
    expect(smoothActivationAt(s, 0, 100)).toEqual({ kind: 'pswish', beta: 1 });
    expect(smoothActivationAt(s, 25, 100).beta).toBeCloseTo(10, 10); // halfway: sqrt(1·100)
    expect(smoothActivationAt(s, 49, 100).kind).toBe('pswish');
    expect(smoothActivationAt(s, 50, 100)).toEqual({ kind: 'relu', beta: 1 });
    expect(smoothActivationAt({ kind: 'swish', reluFrom: 0.3 }, 29, 100)).toEqual({ kind: 'swish', beta: 1 });
    expect(smoothActivationAt({ kind: 'swish', reluFrom: 0.3 }, 30, 100).kind).toBe('relu');
    expect(smoothActivationAt(undefined, 0, 100).kind).toBe('relu');
  });
  it('ghost alpha: cosine from 1 to 0 over the first endFraction of training, then removed', () => {
    const g = { initScale: 1e-4, endFraction: 0.4 };
    expect(ghostEndStep(g, 100)).toBe(40);
    expect(ghostAlphaAt(g, 0, 100)).toBe(1);
    expect(ghostAlphaAt(g, 20, 100)).toBeCloseTo(0.5, 12);
    expect(ghostAlphaAt(g, 39, 100)).toBeGreaterThan(0);
    expect(ghostAlphaAt(g, 40, 100)).toBe(0);
    expect(ghostAlphaAt(undefined, 0, 100)).toBe(0);
  });
});
