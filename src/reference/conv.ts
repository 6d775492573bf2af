// CPU reference for the masked 2-D convolution (stride 1, cross-correlation as in every DL
// framework) and the 2x2 max-pool. One independent layer per ensemble member m.
//
//   y[m][b][co][oy][ox] = bias[m][co]
//       + sum_{ci,ky,kx} x[m][b][ci][oy+ky-padTop][ox+kx-padLeft] * w[m][co][ci][ky][kx] * mask[..]
//
// Out-of-range input pixels read as 0. Padding 'valid': outH = inH-kh+1, padTop = 0.
// 'same': outH = inH, padTop = floor((kh-1)/2), the odd extra row/column of padding goes to the
// bottom/right (TensorFlow's convention). W works the same way. 'valid' with `crop` c > 0 also
// drops c pixels on every side (padTop = -c, outH = inH-kh+1-2c): a ToST ghost 1x1 conv beside a
// valid k x k conv uses c = (k-1)/2, the centre crop that matches the k x k conv's output.
//
// The convolution is the sum over "taps" (output pixel, input pixel, weight) of
// dy·x·w·mask, so forward and both backwards visit exactly the same taps (forEachTap):
//   forward          y[yi]  += x[xi] * w[wi] * mask[wi]
//   backward input   dx[xi] += dy[yi] * w[wi] * mask[wi]
//   backward weight  dw[wi] += dy[yi] * x[xi]            (then times mask[wi] when given: ±0)
// Sums run in float64 and are rounded to float32 once.

import { assert } from '../util/assert';

export type ConvPadding = 'valid' | 'same';

export interface ConvShape {
  members: number;
  batch: number;
  cin: number;
  inH: number;
  inW: number;
  cout: number;
  kh: number;
  kw: number;
  padding: ConvPadding;
  /** 'valid' only: pixels dropped on every side of the output (a centre crop). */
  crop?: number;
}

/** Output size and padding of a convolution: the one place they are computed (the engine uses it too). */
export interface ConvGeometry {
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
}

export function convGeometry(s: ConvShape): ConvGeometry {
  for (const k of ['members', 'batch', 'cin', 'inH', 'inW', 'cout', 'kh', 'kw'] as const) {
    assert(Number.isInteger(s[k]) && s[k] > 0, `conv: shape.${k} must be a positive integer, got ${s[k]}`);
  }
  assert((s.crop ?? 0) === 0 || s.padding === 'valid', `conv: crop needs 'valid' padding`);
  if (s.padding === 'same') {
    return { outH: s.inH, outW: s.inW, padTop: Math.floor((s.kh - 1) / 2), padLeft: Math.floor((s.kw - 1) / 2) };
  }
  assert(s.padding === 'valid', `conv: unknown padding '${String(s.padding)}'`);
  assert(s.kh <= s.inH && s.kw <= s.inW, `conv: 'valid' kernel ${s.kh}x${s.kw} larger than input ${s.inH}x${s.inW}`);
  const c = s.crop ?? 0;
  assert(Number.isInteger(c) && c >= 0, `conv: crop must be a non-negative integer, got ${c}`);
  const outH = s.inH - s.kh + 1 - 2 * c;
  const outW = s.inW - s.kw + 1 - 2 * c;
  assert(outH > 0 && outW > 0, `conv: crop ${c} leaves no output`);
  return { outH, outW, padTop: c === 0 ? 0 : -c, padLeft: c === 0 ? 0 : -c };
}

function checkLen(fn: string, name: string, a: ArrayLike<number>, expected: number): void {
  assert(a.length === expected, `${fn}: ${name} has length ${a.length}, expected ${expected}`);
}

function sizes(s: ConvShape): { x: number; y: number; w: number; bias: number } {
  const { outH, outW } = convGeometry(s);
  return {
    x: s.members * s.batch * s.cin * s.inH * s.inW,
    y: s.members * s.batch * s.cout * outH * outW,
    w: s.members * s.cout * s.cin * s.kh * s.kw,
    bias: s.members * s.cout,
  };
}

/** Calls visit(yi, xi, wi) for every (output pixel, in-range input pixel, weight) triple. */
function forEachTap(s: ConvShape, visit: (yi: number, xi: number, wi: number) => void): void {
  const { outH, outW, padTop, padLeft } = convGeometry(s);
  const { members: M, batch: B, cin: CI, cout: CO, inH, inW, kh: KH, kw: KW } = s;
  for (let m = 0; m < M; m++)
    for (let b = 0; b < B; b++)
      for (let co = 0; co < CO; co++)
        for (let oy = 0; oy < outH; oy++)
          for (let ox = 0; ox < outW; ox++) {
            const yi = (((m * B + b) * CO + co) * outH + oy) * outW + ox;
            for (let ci = 0; ci < CI; ci++)
              for (let ky = 0; ky < KH; ky++) {
                const iy = oy + ky - padTop;
                if (iy < 0 || iy >= inH) continue;
                for (let kx = 0; kx < KW; kx++) {
                  const ix = ox + kx - padLeft;
                  if (ix < 0 || ix >= inW) continue;
                  const xi = (((m * B + b) * CI + ci) * inH + iy) * inW + ix;
                  const wi = (((m * CO + co) * CI + ci) * KH + ky) * KW + kx;
                  visit(yi, xi, wi);
                }
              }
          }
}

/** Returns y: (members, batch, cout, outH, outW). */
export function convForward(
  s: ConvShape,
  x: Float32Array, // (members, batch, cin, inH, inW)
  w: Float32Array, // (members, cout, cin, kh, kw)
  mask: Float32Array, // (members, cout, cin, kh, kw)
  bias: Float32Array, // (members, cout)
): Float32Array {
  const n = sizes(s);
  checkLen('convForward', 'x', x, n.x);
  checkLen('convForward', 'w', w, n.w);
  checkLen('convForward', 'mask', mask, n.w);
  checkLen('convForward', 'bias', bias, n.bias);
  const { outH, outW } = convGeometry(s);
  const acc = new Float64Array(n.y);
  for (let yi = 0; yi < n.y; yi++) {
    const co = Math.floor(yi / (outH * outW)) % s.cout;
    const m = Math.floor(yi / (s.batch * s.cout * outH * outW));
    acc[yi] = bias[m * s.cout + co]!;
  }
  forEachTap(s, (yi, xi, wi) => {
    acc[yi] = acc[yi]! + x[xi]! * w[wi]! * mask[wi]!;
  });
  return Float32Array.from(acc);
}

/** Returns dx: (members, batch, cin, inH, inW), same shape as x. */
export function convBackwardInput(
  s: ConvShape,
  dy: Float32Array, // (members, batch, cout, outH, outW)
  w: Float32Array, // (members, cout, cin, kh, kw)
  mask: Float32Array, // (members, cout, cin, kh, kw)
): Float32Array {
  const n = sizes(s);
  checkLen('convBackwardInput', 'dy', dy, n.y);
  checkLen('convBackwardInput', 'w', w, n.w);
  checkLen('convBackwardInput', 'mask', mask, n.w);
  const acc = new Float64Array(n.x);
  forEachTap(s, (yi, xi, wi) => {
    acc[xi] = acc[xi]! + dy[yi]! * w[wi]! * mask[wi]!;
  });
  return Float32Array.from(acc);
}

/** Returns dw: (members, cout, cin, kh, kw), times mask when a mask is given. */
export function convBackwardWeight(
  s: ConvShape,
  dy: Float32Array, // (members, batch, cout, outH, outW)
  x: Float32Array, // (members, batch, cin, inH, inW)
  mask: Float32Array | null, // (members, cout, cin, kh, kw) or null for the full dense dW
): Float32Array {
  const n = sizes(s);
  checkLen('convBackwardWeight', 'dy', dy, n.y);
  checkLen('convBackwardWeight', 'x', x, n.x);
  if (mask !== null) checkLen('convBackwardWeight', 'mask', mask, n.w);
  const acc = new Float64Array(n.w);
  forEachTap(s, (yi, xi, wi) => {
    acc[wi] = acc[wi]! + dy[yi]! * x[xi]!;
  });
  if (mask !== null) for (let wi = 0; wi < n.w; wi++) acc[wi] = acc[wi]! * mask[wi]!;
  return Float32Array.from(acc);
}

// ---- 2x2 max-pool, stride 2 ------------------------------------------------------------------
// y[m][b][c][py][px] = max over (dy,dx) in {0,1}^2 of x[m][b][c][2py+dy][2px+dx], output
// floor(inH/2) x floor(inW/2) (a trailing odd row/column is dropped). argmax stores the winning
// window position as dy*2+dx in 0..3; the first maximum in the order (0,0),(0,1),(1,0),(1,1)
// wins ties. Backward routes dy to the winner and leaves every other input (dropped rows too) 0.

function checkPool(fn: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    assert(Number.isInteger(v) && v > 0, `${fn}: ${k} must be a positive integer, got ${v}`);
  }
  assert(dims.inH! >= 2 && dims.inW! >= 2, `${fn}: input ${dims.inH}x${dims.inW} is smaller than the 2x2 window`);
}

/** Returns y and argmax: (members, batch, channels, floor(inH/2), floor(inW/2)). */
export function maxPool2Forward(
  members: number,
  batch: number,
  channels: number,
  inH: number,
  inW: number,
  x: Float32Array, // (members, batch, channels, inH, inW)
): { y: Float32Array; argmax: Uint32Array } {
  checkPool('maxPool2Forward', { members, batch, channels, inH, inW });
  const planes = members * batch * channels;
  checkLen('maxPool2Forward', 'x', x, planes * inH * inW);
  const outH = Math.floor(inH / 2);
  const outW = Math.floor(inW / 2);
  const y = new Float32Array(planes * outH * outW);
  const argmax = new Uint32Array(planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    for (let py = 0; py < outH; py++) {
      for (let px = 0; px < outW; px++) {
        let best = -Infinity;
        let bestK = 0;
        for (let k = 0; k < 4; k++) {
          const v = x[(p * inH + 2 * py + (k >> 1)) * inW + 2 * px + (k & 1)]!;
          if (k === 0 || v > best) {
            best = v;
            bestK = k;
          }
        }
        const yi = (p * outH + py) * outW + px;
        y[yi] = best;
        argmax[yi] = bestK;
      }
    }
  }
  return { y, argmax };
}

/** Returns dx: (members, batch, channels, inH, inW). */
export function maxPool2Backward(
  members: number,
  batch: number,
  channels: number,
  inH: number,
  inW: number,
  dy: Float32Array, // (members, batch, channels, floor(inH/2), floor(inW/2))
  argmax: Uint32Array, // same shape as dy, values 0..3
): Float32Array {
  checkPool('maxPool2Backward', { members, batch, channels, inH, inW });
  const planes = members * batch * channels;
  const outH = Math.floor(inH / 2);
  const outW = Math.floor(inW / 2);
  checkLen('maxPool2Backward', 'dy', dy, planes * outH * outW);
  checkLen('maxPool2Backward', 'argmax', argmax, planes * outH * outW);
  const dx = new Float32Array(planes * inH * inW);
  for (let p = 0; p < planes; p++) {
    for (let py = 0; py < outH; py++) {
      for (let px = 0; px < outW; px++) {
        const yi = (p * outH + py) * outW + px;
        const k = argmax[yi]!;
        assert(k < 4, `maxPool2Backward: argmax[${yi}] = ${k} is not a window position 0..3`);
        // Windows do not overlap, so each input receives at most one gradient.
        dx[(p * inH + 2 * py + (k >> 1)) * inW + 2 * px + (k & 1)] = dy[yi]!;
      }
    }
  }
  return dx;
}
