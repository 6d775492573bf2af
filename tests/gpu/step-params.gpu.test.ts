// Per-step params: K steps encoded in ONE compute pass each read their own params slot (dynamic
// uniform offsets), shown with the batch-metrics ring that the trainer reads back every N steps.
import { describe, expect, it } from 'vitest';
import { bindKernel, encodeKernel, updateParams, withErrorScopes } from '../../src/gpu';
import { expectClose, randomArray, useGpu } from './harness';

const gpu = useGpu(['reduce.batch_metrics', 'data.gather_f32']);

describe('per-step params slots', () => {
  it.each([1, 3])('three steps in one submit write three ring slots (%i member(s))', async (members) => {
    const h = gpu();
    const batch = 70;
    const loss = randomArray(members * batch, 5, 2).map(Math.abs);
    const correct = randomArray(members * batch, 6).map((v) => (v > 0 ? 1 : 0));
    const b = { loss: h.upload('loss', loss), correct: h.upload('correct', correct), ring: h.empty('ring', 4 * members * 2) };
    const k = bindKernel(h.cache, 'reduce.batch_metrics', {
      resources: { loss: b.loss, correct: b.correct, ring: b.ring },
      params: { batch, slot: 0, members, accumulate: 0, count: batch },
      members,
      slots: 3,
    });
    // Slot s of the params buffer says "write ring slot s+1"; step 2 accumulates onto slot 3.
    updateParams(h.cache, k, { batch, slot: 1, members, accumulate: 0, count: batch }, 0);
    updateParams(h.cache, k, { batch, slot: 3, members, accumulate: 0, count: 60 }, 1);
    updateParams(h.cache, k, { batch, slot: 3, members, accumulate: 1, count: batch }, 2);
    await withErrorScopes(h.gpu.device, async () => {
      const encoder = h.gpu.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (let s = 0; s < 3; s++) encodeKernel(pass, k, s);
      pass.end();
      h.gpu.device.queue.submit([encoder.finish()]);
      await h.gpu.device.queue.onSubmittedWorkDone();
    });
    const want = new Float32Array(4 * members * 2);
    for (let m = 0; m < members; m++) {
      const sum = (a: Float32Array, count: number): number => a.subarray(m * batch, m * batch + count).reduce((x, v) => x + v, 0);
      want.set([sum(loss, batch), sum(correct, batch)], (1 * members + m) * 2);
      // Slot 3: the first 60 rows, then all rows accumulated on top.
      want.set([sum(loss, 60) + sum(loss, batch), sum(correct, 60) + sum(correct, batch)], (3 * members + m) * 2);
    }
    expectClose(await h.readF32(b.ring), want, { atol: 1e-4, rtol: 1e-5 }, 'metrics ring');
    expect(() => updateParams(h.cache, k, { batch, slot: 0, members, accumulate: 0, count: batch }, 3)).toThrow(/slot 3 out of range/);
    k.paramsBuffer.destroy();
  });
});
