// CPU reference for the bias gradient: the upstream gradient summed over the batch and over
// every pixel of the channel.
//
//   db[m][c] = sum_b sum_p dy[m][b][c][p]
//
// Dense layers use pixels = 1 (dy is (members, batch, out)); conv layers use
// pixels = outH * outW (dy is (members, batch, cout, outH, outW) with the two pixel dims flat).

import { assert } from '../util/assert';

/** Returns db: (members, channels). */
export function biasGrad(
  members: number,
  batch: number,
  channels: number,
  pixels: number,
  dy: Float32Array, // (members, batch, channels, pixels)
): Float32Array {
  for (const [name, n] of [['members', members], ['batch', batch], ['channels', channels], ['pixels', pixels]] as const) {
    assert(Number.isInteger(n) && n > 0, `biasGrad: ${name} must be a positive integer, got ${n}`);
  }
  const expected = members * batch * channels * pixels;
  assert(dy.length === expected, `biasGrad: dy has length ${dy.length}, expected ${expected}`);
  const db = new Float32Array(members * channels);
  for (let m = 0; m < members; m++) {
    for (let c = 0; c < channels; c++) {
      let acc = 0;
      for (let b = 0; b < batch; b++) {
        for (let p = 0; p < pixels; p++) {
          acc += dy[((m * batch + b) * channels + c) * pixels + p]!;
        }
      }
      db[m * channels + c] = acc;
    }
  }
  return db;
}
