// Drawn points: valid input becomes a Dataset2D as-is; each broken rule gives a DataError that
// names the point (index) and the problem.
import { describe, expect, it } from 'vitest';
import { DataError, MAX_USER_POINTS, userDataset, type UserPoint } from '../../../src/data';

const ok: UserPoint[] = [
  { x: -0.5, y: 0.25, label: 0 },
  { x: 1, y: -1, label: 1 },
  { x: 0, y: 0, label: 2 },
  { x: 0.1, y: 0.2, label: 1 },
];

describe('userDataset', () => {
  it('keeps the drawn order, coordinates and labels', () => {
    const d = userDataset(ok, 3);
    expect(d.classes).toBe(3);
    expect(Array.from(d.labels)).toEqual([0, 1, 2, 1]);
    expect(Array.from(d.points)).toEqual([-0.5, 0.25, 1, -1, 0, 0, Math.fround(0.1), Math.fround(0.2)]);
  });

  it('rejects points outside [-1, 1]² and non-finite coordinates, naming the point', () => {
    expect(() => userDataset([...ok, { x: 1.5, y: 0, label: 0 }], 3)).toThrow(/point 4: x = 1.5 is outside \[-1, 1\]/);
    expect(() => userDataset([{ x: 0, y: Number.NaN, label: 0 }, ...ok], 3)).toThrow(/point 0: y = NaN is outside/);
  });

  it('rejects labels that are not integers below classes', () => {
    expect(() => userDataset([...ok, { x: 0, y: 0, label: 3 }], 3)).toThrow(/point 4: label 3 is not an integer in \[0, 2\]/);
    expect(() => userDataset([...ok, { x: 0, y: 0, label: 0.5 }], 3)).toThrow(DataError);
  });

  it('requires at least one point per class', () => {
    expect(() => userDataset(ok, 4)).toThrow(/class 3 has no points/);
    expect(() => userDataset(ok.slice(0, 1), 3)).toThrow(/classes 1, 2 have no points/);
    expect(() => userDataset([], 2)).toThrow(/no points/);
  });

  it('checks classes and the point budget', () => {
    expect(() => userDataset(ok, 1)).toThrow(/classes must be an integer in \[2, 5\]/);
    expect(() => userDataset(ok, 6)).toThrow(/classes must be an integer in \[2, 5\]/);
    const many = Array.from({ length: MAX_USER_POINTS + 1 }, (_, i) => ({ x: 0, y: 0, label: i % 2 }));
    expect(() => userDataset(many, 2)).toThrow(/at most 10000/);
  });

  it('lists at most five problems and counts the rest', () => {
    const bad = Array.from({ length: 8 }, () => ({ x: 2, y: 0, label: 0 }));
    expect(() => userDataset(bad, 2)).toThrow(/point 4: .*; and 3 more$/);
  });
});
