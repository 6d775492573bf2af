// The page behind `npm run experiment` (scripts/experiment.mjs): runs one experiment config with
// the same engine as the playground, in this headless Chromium's WebGPU, and reports progress
// (window.__progress, exposed by the script) and the result (window.__experimentResult) in the
// format of docs/EXPERIMENTS.md. A config with wrong fields is refused before anything runs.
//
// Checkpoints: when the script sets window.__checkpointWanted ('periodic' every few minutes,
// 'stop' on Ctrl-C), the page saves the run's whole state after the current chunk of steps: the
// drivers' checkpoints as one binary blob POSTed to /__stp/checkpoint (src/util/binary-json.ts),
// then the JSON part, the history and the steps since the last history row through
// window.__checkpoint. A resumed page (window.__experimentResume) fetches the blob back from the
// same URL, restores it, and continues the same curve.
import { parseConfig } from '../src/config';
import { RunLoop, firstNonFinite, stopMessage } from '../src/engine';
import { loadData } from './load-data';
import { DEFAULT_MEMORY_BUDGET, EnsembleRun, driverStateProblems, ensembleReport, ensembleSetupFromConfig, preflight, prepareEnsembleRun, softmaxRows } from '../src/ensemble';
import { PipelineCache, acquireGpu, bufferCounts } from '../src/gpu';
import { packBinaryJson, unpackBinaryJson } from '../src/util/binary-json';
import type { DriverState } from '../src/ensemble';

interface MemberPoint {
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  itop: number;
}

interface HistoryPoint {
  step: number;
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  members: MemberPoint[];
}

/** What a checkpoint holds besides the drivers' binary state. */
interface ResumeState {
  step: number;
  /** Seconds the run had taken before this checkpoint. */
  seconds: number;
  history: HistoryPoint[];
  /** Per-step losses and accuracies since the last history row (rows × models). */
  pendingLoss: number[][];
  pendingAccuracy: number[][];
  /** DriverState as packBinaryJson's JSON text. */
  stateJson: string;
}

declare global {
  interface Window {
    __experimentInput?: unknown;
    /** Bytes of GPU memory the run may take (the script's --memory-budget). */
    __memoryBudget?: number;
    /** A test aid (--simulate-gpu-error-at): at this step, issue one command the GPU rejects. */
    __simulateGpuErrorAt?: number;
    __experimentResume?: ResumeState;
    __checkpointWanted?: 'periodic' | 'stop';
    /** --checkpoint-at: a checkpoint is wanted once the run reaches this step. */
    __checkpointAt?: number;
    /** A test aid: a checkpoint at every history row (--simulate-crash-in-checkpoint). */
    __checkpointEveryRow?: boolean;
    __experimentStopped?: boolean;
    __checkpoint?: (state: ResumeState) => Promise<void>;
    __experimentResult?: unknown;
    __experimentError?: { message: string; configErrors?: string[] };
    /** `buffers`: the GPU buffers alive at a history row (src/gpu/buffer-count.ts), for --report-resources. */
    __progress?: (p: { step: number; total: number; phase: string; point?: HistoryPoint; message?: string; buffers?: number | null }) => void;
  }
}

const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

async function run(): Promise<void> {
  const t0 = performance.now();
  const parsed = parseConfig(window.__experimentInput);
  if (!parsed.ok) {
    window.__experimentError = { message: 'the config was refused', configErrors: parsed.errors.map((e) => `${e.path || '(config)'}: ${e.message}`) };
    return;
  }
  const config = parsed.config;
  const progress = window.__progress ?? (() => undefined);
  const gpu = await acquireGpu();
  if (!gpu.ok) throw new Error(`${gpu.message} (${gpu.reason})`);
  // Any GPU error (a command WebGPU rejected, memory it could not give) ends the run: nothing it
  // computed after that is a result. The loop checks after every chunk; the page then reports it.
  let gpuError: string | null = null;
  gpu.gpu.onError((e) => (gpuError ??= e.message));
  const failIfGpuError = (step: number) => {
    if (gpuError !== null) throw new Error(`the GPU rejected this run's work by step ${step} (${gpuError}); no results are written`);
  };
  const cache = PipelineCache.for(gpu.gpu.device);
  const data = await loadData(config);
  const { setup, run: plan } = ensembleSetupFromConfig(config, data);
  const limits = gpu.gpu.device.limits;
  const tooBig = preflight(setup, limits, window.__memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  if (tooBig) throw new Error(`the run does not fit this GPU, nothing ran: ${tooBig}`);
  const ensemble = await EnsembleRun.create(cache, setup);
  const resume = window.__experimentResume;
  if (resume) {
    const bin = new Uint8Array(await (await fetch('/__stp/checkpoint')).arrayBuffer());
    const state = unpackBinaryJson<DriverState>(resume.stateJson, bin);
    const problems = driverStateProblems(state, setup, resume.step);
    if (problems.length > 0) throw new Error(`the checkpoint cannot continue this run: ${problems.join('; ')}`);
    await ensemble.driver.loadState(state);
    if (ensemble.step !== resume.step) throw new Error(`the checkpoint restored step ${ensemble.step}, expected ${resume.step}`);
  } else {
    await prepareEnsembleRun(ensemble, plan, (message) => progress({ step: 0, total: ensemble.totalSteps, phase: 'preparing', message }));
  }
  const live = () => ensemble.driver.live();
  const testLabels = Uint32Array.from(setup.base.evalIdx, (i) => setup.base.data.labels[i]!);
  const classes = live().classes;
  const history: HistoryPoint[] = resume?.history ?? [];
  const evalEvery = config.training.evalEvery;
  let batchLoss: number[][] = resume?.pendingLoss ?? [];
  let batchAcc: number[][] = resume?.pendingAccuracy ?? [];
  const secondsBefore = resume?.seconds ?? 0;
  const seconds = () => secondsBefore + (performance.now() - t0) / 1000;
  // Chunks of at most this many steps between checks for a wanted checkpoint (Ctrl-C latency).
  const chunk = Math.max(config.training.stepsPerSubmit, 16);
  // The engine's one run loop: chunks end at each evaluation boundary and at most `chunk` steps
  // apart, so a wanted checkpoint is taken soon; after each chunk, any GPU error ends the run.
  const nextEval = (step: number) => Math.min(ensemble.totalSteps, (Math.floor(step / evalEvery) + 1) * evalEvery);
  const loop = new RunLoop(ensemble);
  let stopped = false;
  // The training loop alone (evaluations included; not the device, compilation and data before it).
  const trainStart = performance.now();
  const stop = await loop.run({
    chunkSize: (step) => Math.min(chunk, nextEval(step) - step),
    afterChunk: async (rows) => {
      if (window.__simulateGpuErrorAt !== undefined && ensemble.step >= window.__simulateGpuErrorAt) {
        window.__simulateGpuErrorAt = undefined;
        gpu.gpu.device.createBuffer({ label: 'simulated rejected command', size: 4, usage: 0 }); // no usage: a validation error
        await gpu.gpu.device.queue.onSubmittedWorkDone();
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      failIfGpuError(ensemble.step);
      if (firstNonFinite(rows)) return; // the loop stops with the diverged step
      batchLoss.push(...rows.map((r) => r.loss));
      batchAcc.push(...rows.map((r) => r.accuracy));
      if (window.__checkpointAt !== undefined && ensemble.step >= window.__checkpointAt) {
        window.__checkpointAt = undefined;
        window.__checkpointWanted ??= 'periodic';
      }
      // --simulate-crash-in-checkpoint: a checkpoint at every history row, so the K-th one comes
      // at a known step whatever the machine's speed.
      if (window.__checkpointEveryRow && ensemble.step % evalEvery === 0) window.__checkpointWanted ??= 'periodic';
      if (ensemble.step % evalEvery !== 0 && ensemble.step < ensemble.totalSteps) {
        if (window.__checkpointWanted && (await saveCheckpoint())) return 'stop';
        return;
      }
      // Held-out evaluation: each live model on the test set, and the ensemble (mean of softmax).
      const t = live();
      const [e, itop, preds] = await Promise.all([t.evaluate('test'), t.itopRates(), ensemble.driver.predictEnsemble('test')]);
      failIfGpuError(ensemble.step);
      const ensembleAccuracy = preds.logits.length > 0 ? ensembleReport(preds.logits.map((l) => softmaxRows(l, classes)), testLabels, classes).ensemble.accuracy : mean(e.accuracy);
      const members = e.accuracy.map((acc, m) => ({ loss: mean(batchLoss.map((r) => r[m] ?? NaN)), trainAccuracy: mean(batchAcc.map((r) => r[m] ?? NaN)), testAccuracy: acc, itop: itop[m]! }));
      const point: HistoryPoint = { step: ensemble.step, epoch: Math.floor(ensemble.step / setup.stepsPerEpoch), loss: mean(members.map((m) => m.loss)), trainAccuracy: mean(members.map((m) => m.trainAccuracy)), testAccuracy: ensembleAccuracy, members };
      history.push(point);
      batchLoss = [];
      batchAcc = [];
      progress({ step: ensemble.step, total: ensemble.totalSteps, phase: ensemble.phaseAt(Math.max(0, ensemble.step - 1)).name, point, buffers: bufferCounts(gpu.gpu.device)?.live ?? null });
      if (window.__checkpointWanted && ensemble.step < ensemble.totalSteps && (await saveCheckpoint())) return 'stop';
    },
  });
  if (stopped) return;
  if (stop.kind !== 'done') throw new Error(stopMessage(stop));
  const r = await ensemble.result();
  // Errors are reported asynchronously: let every submitted command finish and its error arrive.
  await gpu.gpu.device.queue.onSubmittedWorkDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
  failIfGpuError(ensemble.step);
  const a = gpu.gpu.adapter;
  window.__experimentResult = {
    config,
    adapter: { vendor: a.vendor, architecture: a.architecture, description: a.description },
    seconds: seconds(),
    trainingSeconds: (performance.now() - trainStart) / 1000,
    history,
    final: {
      ensemble: { accuracy: r.report.ensemble.accuracy, nll: r.report.ensemble.nll, ece: r.report.ensemble.ece },
      members: r.report.members.map((m, i) => ({ accuracy: m.accuracy, nll: m.nll, ece: m.ece, itop: r.members[i]?.itop ?? null, layers: r.members[i]?.layers ?? [] })),
      disagreement: r.report.disagreement,
      kl: r.report.kl,
      maskDistance: r.maskDistance,
      trainFlops: r.trainFlops,
      denseTrainFlops: r.denseTrainFlops,
      inferenceFlopsRatio: r.inferenceFlopsRatio,
    },
  };
  ensemble.destroy();

  /** Saves the run's state through the script; returns true when the script asked to stop. */
  async function saveCheckpoint(): Promise<boolean> {
    const wanted = window.__checkpointWanted;
    window.__checkpointWanted = undefined;
    const { json, bin } = packBinaryJson(await ensemble.driver.saveState());
    const posted = await fetch('/__stp/checkpoint', { method: 'POST', body: bin });
    if (!posted.ok) throw new Error(`saving the checkpoint failed: ${posted.status} ${await posted.text()}`);
    await window.__checkpoint?.({ step: ensemble.step, seconds: seconds(), history, pendingLoss: batchLoss, pendingAccuracy: batchAcc, stateJson: json });
    if (wanted !== 'stop') return false;
    ensemble.destroy();
    window.__experimentStopped = true;
    stopped = true;
    return true;
  }
}

run().catch((e: unknown) => {
  window.__experimentError = { message: e instanceof Error ? e.message : String(e) };
});
