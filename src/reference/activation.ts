// CPU reference for the elementwise activations. x is the PRE-activation input, any shape
// (members, batch, features...) flattened; outputs have the same shape.
//
//   relu    f = max(x, 0)           f' = 1 if x > 0 else 0   (0 at x = 0)
//   tanh    f = tanh(x)             f' = 1 - tanh(x)^2
//   swish   f = x * s(x)            f' = s(x) + x * s(x) * (1 - s(x))
//   pswish  f = x * s(beta x)       f' = s(beta x) + beta * x * s(beta x) * (1 - s(beta x))
//
// where s is the logistic sigmoid, evaluated so that exp never overflows (|x| up to 1e4 and
// beyond gives 0 or 1, never NaN). beta is used by pswish only. Math in float64, float32 out.

import { assert } from '../util/assert';

export type ActivationKind = 'relu' | 'tanh' | 'swish' | 'pswish';

export const ACTIVATION_KINDS: readonly ActivationKind[] = ['relu', 'tanh', 'swish', 'pswish'];

/** Logistic sigmoid 1/(1+e^-z); exp is only ever taken of a non-positive number. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function value(kind: ActivationKind, x: number, beta: number): number {
  switch (kind) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'tanh':
      return Math.tanh(x);
    case 'swish':
      return x * sigmoid(x);
    case 'pswish':
      return x * sigmoid(beta * x);
  }
}

function derivative(kind: ActivationKind, x: number, beta: number): number {
  switch (kind) {
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'tanh': {
      const t = Math.tanh(x);
      return 1 - t * t;
    }
    case 'swish': {
      const sg = sigmoid(x);
      return sg + x * sg * (1 - sg);
    }
    case 'pswish': {
      const sg = sigmoid(beta * x);
      return sg + beta * x * sg * (1 - sg);
    }
  }
}

function checkKind(fn: string, kind: ActivationKind): void {
  assert(ACTIVATION_KINDS.includes(kind), `${fn}: unknown activation '${String(kind)}'`);
}

/** f(x) elementwise. Returns the same shape as x. */
export function activationForward(
  kind: ActivationKind,
  x: Float32Array, // (members, batch, features...) flat
  beta: number, // pswish only
): Float32Array {
  checkKind('activationForward', kind);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = value(kind, x[i]!, beta);
  return y;
}

/** dx = dy * f'(x), x the pre-activation input. Returns the same shape as x. */
export function activationBackward(
  kind: ActivationKind,
  x: Float32Array, // (members, batch, features...) flat, pre-activation
  dy: Float32Array, // same shape as x
  beta: number, // pswish only
): Float32Array {
  checkKind('activationBackward', kind);
  assert(dy.length === x.length, `activationBackward: dy has length ${dy.length}, expected ${x.length} (x)`);
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = dy[i]! * derivative(kind, x[i]!, beta);
  return dx;
}

/** out·beta + alpha·x elementwise (beta = 0 ignores out, even NaN): the ToST ghost bypass's axpby. */
export function scaleAdd(x: Float32Array, out: Float32Array, alpha: number, beta: number): Float32Array {
  assert(out.length === x.length, `scaleAdd: out has length ${out.length}, expected ${x.length} (x)`);
  return Float32Array.from(x, (v, i) => Math.fround(alpha * v) + (beta === 0 ? 0 : Math.fround(beta * out[i]!)));
}
