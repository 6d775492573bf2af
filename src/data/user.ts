// Points a person placed by hand in the UI's draw mode, checked and turned into the same
// Dataset2D shape the generators return, so training code cannot tell them apart.
//
// Rules (each break gives a DataError naming the point and the problem, up to 5 listed):
//  - classes: an integer in [2, MAX_2D_CLASSES] (the palette and the generators stop at 5);
//  - 1 ≤ points ≤ MAX_USER_POINTS;
//  - x and y finite and inside the drawing area [-1, 1]²;
//  - label an integer in [0, classes);
//  - every class has at least one point: a class the data never shows cannot be learned, its
//    accuracy is undefined, and a stratified split needs something to stratify.
// Points keep the order they were drawn in; classes are NOT rebalanced (what you drew is what
// trains), and a later split stratifies by class.

import { DataError, checkInt } from './errors';
import { MAX_2D_CLASSES, type Dataset2D } from './generators';
import { listed } from '../util/text';

export interface UserPoint {
  x: number;
  y: number;
  label: number;
}

export const MAX_USER_POINTS = 10_000;
const LISTED = 5;

export function userDataset(points: readonly UserPoint[], classes: number): Dataset2D {
  checkInt(classes, 2, MAX_2D_CLASSES, 'user data: classes');
  const n = points.length;
  if (n === 0) throw new DataError('user data: no points; draw at least one point of each class');
  if (n > MAX_USER_POINTS) throw new DataError(`user data: ${n} points, at most ${MAX_USER_POINTS} allowed`);

  const problems: string[] = [];
  const perClass = new Array<number>(classes).fill(0);
  const xy = new Float32Array(n * 2); // (n, 2)
  const labels = new Uint32Array(n); // (n)
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const bad: string[] = [];
    for (const axis of ['x', 'y'] as const) {
      const v = p[axis];
      if (!Number.isFinite(v) || v < -1 || v > 1) bad.push(`${axis} = ${v} is outside [-1, 1]`);
    }
    if (!Number.isInteger(p.label) || p.label < 0 || p.label >= classes) {
      bad.push(`label ${p.label} is not an integer in [0, ${classes - 1}]`);
    } else {
      perClass[p.label]!++;
    }
    if (bad.length > 0) problems.push(`point ${i}: ${bad.join(', ')}`);
    xy[2 * i] = p.x;
    xy[2 * i + 1] = p.y;
    labels[i] = p.label;
  }
  const empty = perClass.flatMap((count, c) => (count === 0 ? [c] : []));
  if (problems.length === 0 && empty.length > 0) {
    problems.push(`class${empty.length > 1 ? 'es' : ''} ${empty.join(', ')} ha${empty.length > 1 ? 've' : 's'} no points`);
  }
  if (problems.length > 0) {
    throw new DataError(`user data: ${listed(problems, LISTED)}`);
  }
  return { points: xy, labels, classes };
}
