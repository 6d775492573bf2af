// The long run of `npm run soak` (scripts/soak.mjs): one RigL run on a 10,000-point spiral at
// batch 8, about 100,000 steps, through the engine's RunLoop as the runner trains (chunks of 16,
// a test-set evaluation every 1,000 steps, a mask update every 100). At the start and after
// every tenth of the run it samples the GPU buffers alive (src/gpu/buffer-count.ts) and the time
// per step since the last sample; the script adds the JS heap (after a forced GC) over CDP.
// Puts { samples } on window.__soak, or window.__soakError. Query: steps=N shortens the run.
import { parseConfig } from '../src/config';
import { RunLoop, firstNonFinite, stopMessage } from '../src/engine';
import { EnsembleRun, ensembleSetupFromConfig, prepareEnsembleRun } from '../src/ensemble';
import { PipelineCache, acquireGpu, bufferCounts, type BufferCounts } from '../src/gpu';
import { loadData } from '../runner/load-data';

export interface SoakSample {
  step: number;
  buffers: BufferCounts;
  /** Milliseconds per step since the previous sample (null at the start). */
  msPerStep: number | null;
}

declare global {
  interface Window {
    __soak?: { samples: SoakSample[]; totalSteps: number; seconds: number };
    __soakError?: string;
    /** Set by the script once it has read the heap for the last sample. */
    __soakHeapRead?: number;
    __soakSample?: (s: SoakSample) => Promise<void>;
  }
}

async function soak(): Promise<void> {
  const wanted = Number(new URLSearchParams(window.location.search).get('steps') ?? 100_000);
  const stepsPerEpoch = 875; // 7,000 training points at batch 8
  const r = parseConfig({ version: 1, data: { dataset: 'spiral', points: 10_000 }, dst: { method: 'rigl', deltaT: 100 }, training: { batchSize: 8, epochs: Math.max(1, Math.ceil(wanted / stepsPerEpoch)), evalEvery: 1000, schedule: { kind: 'constant' } } });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  const gpu = await acquireGpu();
  if (!gpu.ok) throw new Error(gpu.message);
  let gpuError: string | null = null;
  gpu.gpu.onError((e) => (gpuError ??= e.message));
  const device = gpu.gpu.device;
  const data = await loadData(r.config);
  const { setup, run: plan } = ensembleSetupFromConfig(r.config, data);
  const run = await EnsembleRun.create(PipelineCache.for(device), setup);
  await prepareEnsembleRun(run, plan, () => undefined);
  const every = Math.ceil(run.totalSteps / 10);
  const samples: SoakSample[] = [];
  let t = performance.now();
  let at = 0;
  const sample = async () => {
    await device.queue.onSubmittedWorkDone();
    const now = performance.now();
    const s: SoakSample = { step: run.step, buffers: bufferCounts(device)!, msPerStep: samples.length === 0 ? null : (now - t) / Math.max(1, run.step - at) };
    samples.push(s);
    await window.__soakSample?.(s); // the script reads the heap here (outside the timed steps)
    console.log(`[soak] step ${s.step}/${run.totalSteps}: ${s.buffers.live} live buffers (${(s.buffers.liveBytes / 2 ** 20).toFixed(2)} MiB), ${s.msPerStep?.toFixed(3) ?? '–'} ms/step`);
    t = performance.now();
    at = run.step;
  };
  const t0 = performance.now();
  await sample();
  const loop = new RunLoop(run);
  const nextStop = (step: number) => Math.min(run.totalSteps, (Math.floor(step / 1000) + 1) * 1000, (Math.floor(step / every) + 1) * every);
  const stop = await loop.run({
    chunkSize: (step) => Math.min(16, nextStop(step) - step),
    afterChunk: async (rows) => {
      if (gpuError !== null) throw new Error(`the GPU rejected the soak's work at step ${run.step}: ${gpuError}`);
      if (firstNonFinite(rows)) return;
      if (run.step % 1000 === 0) await run.driver.live().evaluate('test'); // as the runner evaluates
      if (run.step % every === 0 || run.step === run.totalSteps) await sample();
    },
    yield: () => new Promise((resolve) => setTimeout(resolve, 0)),
  });
  if (stop.kind !== 'done') throw new Error(stopMessage(stop));
  window.__soak = { samples, totalSteps: run.totalSteps, seconds: (performance.now() - t0) / 1000 };
  run.destroy();
}

soak().catch((e: unknown) => {
  window.__soakError = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
});
