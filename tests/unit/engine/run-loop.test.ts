// The one training loop (src/engine/run-loop.ts) on a fake Trainable: every way it stops, the
// chunk sizes it asks for, and the wording of each stop. The GPU tiers drive the same loop with a
// real Trainer (device loss, divergence) and the e2e tier through the session.
import { describe, expect, it } from 'vitest';
import { RunLoop, firstNonFinite, stopMessage, type StepMetrics, type Trainable } from '../../../src/engine';

/** A run of `total` steps whose loss at step i is loss(i); train() may fail from step `failAt`. */
function fake(total: number, loss: (i: number) => number = () => 1, failAt = Infinity): Trainable & { chunks: number[] } {
  const t = {
    currentStep: 0,
    totalSteps: total,
    chunks: [] as number[],
    async train(count: number): Promise<StepMetrics[]> {
      await Promise.resolve();
      if (t.currentStep >= failAt) throw new Error('Device lost');
      t.chunks.push(count);
      const rows: StepMetrics[] = [];
      const end = Math.min(total, t.currentStep + count);
      for (; t.currentStep < end; t.currentStep++) {
        const i = t.currentStep;
        rows.push({ step: i, loss: [1, loss(i)], accuracy: [0.5, 0.5], lr: 0.1, maskUpdate: false, trainingFlops: 0, flopsRatio: 1 });
        if (!Number.isFinite(loss(i))) {
          t.currentStep++;
          break;
        }
      }
      return rows;
    },
  };
  return t;
}

describe('RunLoop', () => {
  it('trains to the end in the chunks the listener asks for, and says it is done', async () => {
    const t = fake(50);
    const seen: number[] = [];
    const stop = await new RunLoop(t).run({ chunkSize: (step) => (step < 20 ? 8 : 30), afterChunk: (rows) => void seen.push(rows.length) });
    expect(stop).toEqual({ kind: 'done', step: 50 });
    expect(t.chunks).toEqual([8, 8, 8, 30]);
    expect(seen).toEqual([8, 8, 8, 26]);
    expect(stopMessage(stop)).toBe('Finished: all 50 steps trained.');
  });

  it('stops at the first non-finite loss, naming its 1-based step, after the listener saw the rows', async () => {
    const t = fake(100, (i) => (i >= 37 ? NaN : 1));
    let last: StepMetrics[] = [];
    const stop = await new RunLoop(t).run({ chunkSize: () => 16, afterChunk: (rows) => void (last = rows) });
    expect(stop).toEqual({ kind: 'diverged', step: 38, value: NaN });
    expect(last.at(-1)!.step).toBe(37);
    expect(stopMessage(stop)).toBe('The loss became NaN at step 38: the weights blew up. Lower the learning rate, then reset.');
    expect(firstNonFinite([{ step: 4, loss: [1, Infinity], accuracy: [], lr: 0, maskUpdate: false, trainingFlops: 0, flopsRatio: 1 }])).toEqual({ step: 5, value: Infinity });
    expect(firstNonFinite([])).toBeNull();
  });

  it('reports a failed train() as a lost GPU after the last good step', async () => {
    const stop = await new RunLoop(fake(100, () => 1, 40)).run({ chunkSize: () => 20 });
    expect(stop).toEqual({ kind: 'lost', step: 40, error: 'Device lost' });
    expect(stopMessage(stop)).toBe('The GPU stopped after step 40 (Device lost). The metrics so far are kept; reset to start again.');
  });

  it('pauses after the chunk in flight, or when the listener says stop', async () => {
    const t = fake(100);
    const loop = new RunLoop(t);
    const stop = await loop.run({ chunkSize: () => 10, afterChunk: () => (t.currentStep >= 30 ? loop.pause() : undefined) });
    expect(stop).toEqual({ kind: 'paused', step: 30 });
    expect(loop.running).toBe(false);
    const again = await loop.run({ chunkSize: () => 10, afterChunk: () => 'stop' });
    expect(again).toEqual({ kind: 'paused', step: 40 });
    expect(stopMessage(again)).toBe('Paused after step 40.');
  });

  it('a second run() or cancel() ends the first without training further', async () => {
    const t = fake(1000);
    const loop = new RunLoop(t);
    const first = loop.run({ chunkSize: () => 10 });
    const second = loop.run({ chunkSize: () => 10, afterChunk: () => (t.currentStep >= 100 ? 'stop' : undefined) });
    expect((await first).kind).toBe('cancelled');
    expect(await second).toEqual({ kind: 'paused', step: 100 });
    const third = loop.run({ chunkSize: () => 10 });
    loop.cancel();
    expect((await third).kind).toBe('cancelled');
    expect(t.currentStep).toBeLessThanOrEqual(110);
  });

  it("lets the listener's own errors through (the runner's GPU-error check)", async () => {
    const loop = new RunLoop(fake(100));
    await expect(loop.run({ chunkSize: () => 10, afterChunk: () => Promise.reject(new Error('the GPU rejected this run')) })).rejects.toThrow('the GPU rejected this run');
    expect(loop.running).toBe(false);
  });
});
