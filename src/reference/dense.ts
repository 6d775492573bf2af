// CPU reference for the masked dense (fully connected) layer, one independent layer per
// ensemble member m. The effective weight is w ⊙ mask (mask holds 0/1 floats).
//
//   forward:         y[m][b][o]  = sum_i x[m][b][i] * w[m][o][i] * mask[m][o][i] + bias[m][o]
//   backward input:  dx[m][b][i] = sum_o dy[m][b][o] * w[m][o][i] * mask[m][o][i]
//   backward weight: dw[m][o][i] = sum_b dy[m][b][o] * x[m][b][i]   (times mask[m][o][i] if given)
//
// dW restricted to the mask is the gradient of the active weights; the full dense dW (mask null)
// is what RigL uses to score inactive connections for regrowth (masked entries of the
// restricted dW are sum * 0, so they may be -0; compare with ===). Bias gradient: reduce.ts.
// Written for clarity, not speed: sums run in float64, results are rounded to float32 once.

import { assert } from '../util/assert';

export interface DenseShape {
  members: number;
  batch: number;
  nIn: number;
  nOut: number;
}

function checkShape(fn: string, s: DenseShape): void {
  for (const k of ['members', 'batch', 'nIn', 'nOut'] as const) {
    assert(Number.isInteger(s[k]) && s[k] > 0, `${fn}: shape.${k} must be a positive integer, got ${s[k]}`);
  }
}

function checkLen(fn: string, name: string, a: ArrayLike<number>, expected: number): void {
  assert(a.length === expected, `${fn}: ${name} has length ${a.length}, expected ${expected}`);
}

/** y = x (w ⊙ mask)^T + bias. Returns y: (members, batch, out). */
export function denseForward(
  s: DenseShape,
  x: Float32Array, // (members, batch, in)
  w: Float32Array, // (members, out, in)
  mask: Float32Array, // (members, out, in)
  bias: Float32Array, // (members, out)
): Float32Array {
  const { members: M, batch: B, nIn: I, nOut: O } = s;
  checkShape('denseForward', s);
  checkLen('denseForward', 'x', x, M * B * I);
  checkLen('denseForward', 'w', w, M * O * I);
  checkLen('denseForward', 'mask', mask, M * O * I);
  checkLen('denseForward', 'bias', bias, M * O);
  const y = new Float32Array(M * B * O);
  for (let m = 0; m < M; m++) {
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < O; o++) {
        let acc = bias[m * O + o]!;
        for (let i = 0; i < I; i++) {
          const wi = (m * O + o) * I + i;
          acc += x[(m * B + b) * I + i]! * w[wi]! * mask[wi]!;
        }
        y[(m * B + b) * O + o] = acc;
      }
    }
  }
  return y;
}

/** dx = dy (w ⊙ mask). Returns dx: (members, batch, in). */
export function denseBackwardInput(
  s: DenseShape,
  dy: Float32Array, // (members, batch, out)
  w: Float32Array, // (members, out, in)
  mask: Float32Array, // (members, out, in)
): Float32Array {
  const { members: M, batch: B, nIn: I, nOut: O } = s;
  checkShape('denseBackwardInput', s);
  checkLen('denseBackwardInput', 'dy', dy, M * B * O);
  checkLen('denseBackwardInput', 'w', w, M * O * I);
  checkLen('denseBackwardInput', 'mask', mask, M * O * I);
  const dx = new Float32Array(M * B * I);
  for (let m = 0; m < M; m++) {
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < I; i++) {
        let acc = 0;
        for (let o = 0; o < O; o++) {
          const wi = (m * O + o) * I + i;
          acc += dy[(m * B + b) * O + o]! * w[wi]! * mask[wi]!;
        }
        dx[(m * B + b) * I + i] = acc;
      }
    }
  }
  return dx;
}

/**
 * dw = dy^T x, summed over the batch. With a mask the result is multiplied by it (gradient of
 * the active weights only); with mask = null it is the full dense gradient.
 * Returns dw: (members, out, in).
 */
export function denseBackwardWeight(
  s: DenseShape,
  dy: Float32Array, // (members, batch, out)
  x: Float32Array, // (members, batch, in)
  mask: Float32Array | null, // (members, out, in) or null
): Float32Array {
  const { members: M, batch: B, nIn: I, nOut: O } = s;
  checkShape('denseBackwardWeight', s);
  checkLen('denseBackwardWeight', 'dy', dy, M * B * O);
  checkLen('denseBackwardWeight', 'x', x, M * B * I);
  if (mask !== null) checkLen('denseBackwardWeight', 'mask', mask, M * O * I);
  const dw = new Float32Array(M * O * I);
  for (let m = 0; m < M; m++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < I; i++) {
        let acc = 0;
        for (let b = 0; b < B; b++) {
          acc += dy[(m * B + b) * O + o]! * x[(m * B + b) * I + i]!;
        }
        const wi = (m * O + o) * I + i;
        dw[wi] = mask === null ? acc : acc * mask[wi]!;
      }
    }
  }
  return dw;
}
