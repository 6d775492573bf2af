// Per-step params: K steps encoded in ONE compute pass each read their own params slot (dynamic
// uniform offsets), shown with the batch-metrics ring that the trainer reads back every N steps.
import { describe, expect, it } from 'vitest';
import { bindKernel, encodeKernel, updateParamSlots, updateParams, withErrorScopes } from '../../src/gpu';
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

describe('packed slot writes', () => {
  it('updateParamSlots writes a run of slots in one call, and refuses slots past the end', async () => {
    const h = gpu();
    const members = 2;
    const batch = 8;
    const loss = randomArray(members * batch, 21, 1).map(Math.abs);
    const correct = new Float32Array(members * batch).fill(1);
    const b = { loss: h.upload('loss', loss), correct: h.upload('correct', correct), ring: h.empty('ring', 3 * members * 2) };
    const base = { batch, members, accumulate: 0, count: batch };
    const k = bindKernel(h.cache, 'reduce.batch_metrics', { resources: { loss: b.loss, correct: b.correct, ring: b.ring }, params: { ...base, slot: 0 }, members, slots: 3 });
    // Params slot i writes ring slot 2 - i.
    updateParamSlots(h.cache, k, [0, 1, 2].map((i) => ({ ...base, slot: 2 - i })));
    await withErrorScopes(h.gpu.device, async () => {
      const encoder = h.gpu.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      encodeKernel(pass, k, 0); // ring slot 2
      encodeKernel(pass, k, 2); // ring slot 0
      pass.end();
      h.gpu.device.queue.submit([encoder.finish()]);
      await h.gpu.device.queue.onSubmittedWorkDone();
    });
    const ring = await h.readF32(b.ring);
    const sumLoss = (m: number): number => loss.subarray(m * batch, (m + 1) * batch).reduce((a, v) => a + v, 0);
    const want = new Float32Array(3 * members * 2);
    for (const slot of [0, 2]) for (let m = 0; m < members; m++) want.set([sumLoss(m), batch], (slot * members + m) * 2);
    expectClose(ring, want, { atol: 1e-5, rtol: 1e-5 }, 'ring (slot 1 never written)');
    expect(() => updateParamSlots(h.cache, k, [base, base].map((p) => ({ ...p, slot: 0 })), 2)).toThrow(/out of range/);
    k.paramsBuffer.destroy();
  });
});
