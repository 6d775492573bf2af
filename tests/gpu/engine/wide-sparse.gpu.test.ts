// Wide and sparse (issue 15): an MLP whose dense middle layer does not fit one storage buffer of a
// device with WebGPU's default limits (6000 × 6000 f32 = 144 MB > 128 MiB) trains with SET on the
// sparse storage, which holds no buffer per position, with exact active counts after every mask
// update; the masked storage of the same network is refused before anything is allocated, naming
// the layer.
import { describe, expect, it } from 'vitest';
import { mlpLayers, tooBigForAdapter, Trainer, type NetworkData } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { baseSetup } from '../points-setup';

describe('a layer too large to train densely', () => {
  it('16-6000-6000-3 at 0.5 % (ERK) trains with SET on a default-limits device, with exact counts after each update', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter in the test browser');
    const device = await adapter.requestDevice(); // no required limits: WebGPU's defaults
    try {
      const n = 512;
      const values = Float32Array.from({ length: n * 16 }, (_, i) => ((i * 2654435761) >>> 0) / 2 ** 32);
      const data: NetworkData = { kind: 'points', values, dim: 16, labels: Uint32Array.from({ length: n }, (_, i) => i % 3), mean: 0.5, std: 0.3 };
      const idx = { train: Uint32Array.from({ length: 384 }, (_, i) => i), test: Uint32Array.from({ length: 128 }, (_, i) => 384 + i) };
      const setup = baseSetup(data, idx, { layers: mlpLayers(16, [6000, 6000], 3, 'relu'), density: 0.005, batch: 32, method: 'set', storage: 'sparse', schedule: { deltaT: 3, alpha: 0.3, decay: 'cosine', tEnd: 1000, beginStep: 0 }, stepsPerSubmit: 3, totalSteps: 1000 });
      expect(6000 * 6000 * 4).toBeGreaterThan(device.limits.maxStorageBufferBindingSize);
      expect(tooBigForAdapter({ ...setup, storage: 'masked' }, device.limits)).toMatch(/^dense2 has 36,000,000 connections \(6000 → 6000\) and would stay on the masked storage/);
      expect(tooBigForAdapter(setup, device.limits)).toBeNull();
      const trainer = await Trainer.create(PipelineCache.for(device), setup);
      try {
        expect(trainer.net.storages.map((s) => s.kind)).toEqual(['sparse', 'sparse', 'sparse']);
        const start = [...trainer.activeCounts];
        let updates = 0;
        for (let chunk = 0; chunk < 3; chunk++) {
          const r = await trainer.train(3);
          updates += r.filter((x) => x.maskUpdate).length;
          expect(r.every((x) => x.loss.every(Number.isFinite))).toBe(true);
          const mask = await trainer.readMask();
          const counts = trainer.layout.layers.map((l) => {
            let k = 0;
            for (let i = l.weight.offset; i < l.weight.offset + l.numel; i++) k += mask[i]!;
            return k;
          });
          expect(counts, `active connections after step ${trainer.currentStep}`).toEqual(start);
          expect(trainer.activeCounts).toEqual(start);
        }
        expect(updates).toBeGreaterThanOrEqual(3);
      } finally {
        trainer.destroy();
      }
    } finally {
      device.destroy();
    }
  }, 120_000);
});
