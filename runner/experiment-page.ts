// The page behind `npm run experiment` (scripts/experiment.mjs): runs one experiment config with
// the same engine as the playground, in this headless Chromium's WebGPU, and reports progress
// (window.__progress, exposed by the script) and the result (window.__experimentResult) in the
// format of docs/EXPERIMENTS.md. A config with wrong fields is refused before anything runs.
import { parseConfig, type ExperimentConfig } from '../src/config';
import { loadImageDataset } from '../src/data';
import { generatedData, type DatasetInput } from '../src/engine';
import { EnsembleRun, ensembleReport, ensembleSetupFromConfig, prepareEnsembleRun, softmaxRows } from '../src/ensemble';
import { PipelineCache, acquireGpu } from '../src/gpu';

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

declare global {
  interface Window {
    __experimentInput?: unknown;
    __experimentResult?: unknown;
    __experimentError?: { message: string; configErrors?: string[] };
    __progress?: (p: { step: number; total: number; phase: string; point?: HistoryPoint; message?: string }) => void;
  }
}

const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

async function loadData(config: ExperimentConfig): Promise<DatasetInput> {
  const d = config.data.dataset;
  if (d === 'mnist' || d === 'fashion-mnist') {
    const img = await loadImageDataset(d);
    return { kind: 'images', images: img.images, labels: img.labels, width: img.width, height: img.height, classes: img.classes, pixelMean: img.pixelMean, pixelStd: img.pixelStd };
  }
  if (d === 'user') throw new Error('the "user" dataset is drawn in the playground: the runner needs a generated or image dataset');
  return generatedData(config);
}

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
  const cache = PipelineCache.for(gpu.gpu.device);
  const data = await loadData(config);
  const { setup, run: plan } = ensembleSetupFromConfig(config, data);
  const ensemble = await EnsembleRun.create(cache, setup);
  await prepareEnsembleRun(ensemble, plan, (message) => progress({ step: 0, total: ensemble.totalSteps, phase: 'preparing', message }));
  const live = () => ensemble.driver.live();
  const testLabels = Uint32Array.from(setup.base.evalIdx, (i) => setup.base.data.labels[i]!);
  const classes = live().classes;
  const history: HistoryPoint[] = [];
  const evalEvery = config.training.evalEvery;
  let batchLoss: number[][] = [];
  let batchAcc: number[][] = [];
  while (ensemble.step < ensemble.totalSteps) {
    const next = Math.min(ensemble.totalSteps, (Math.floor(ensemble.step / evalEvery) + 1) * evalEvery);
    const rows = await ensemble.train(next - ensemble.step);
    if (rows.some((r) => r.loss.some((v) => !Number.isFinite(v)))) throw new Error(`the loss became non-finite at step ${ensemble.step}: lower the learning rate`);
    batchLoss.push(...rows.map((r) => r.loss));
    batchAcc.push(...rows.map((r) => r.accuracy));
    // Held-out evaluation: each live model on the test set, and the ensemble (mean of softmax).
    const t = live();
    const [e, itop, preds] = await Promise.all([t.evaluate('test'), t.itopRates(), ensemble.driver.predictEnsemble('test')]);
    const ensembleAccuracy = preds.logits.length > 0 ? ensembleReport(preds.logits.map((l) => softmaxRows(l, classes)), testLabels, classes).ensemble.accuracy : mean(e.accuracy);
    const members = e.accuracy.map((acc, m) => ({ loss: mean(batchLoss.map((r) => r[m] ?? NaN)), trainAccuracy: mean(batchAcc.map((r) => r[m] ?? NaN)), testAccuracy: acc, itop: itop[m]! }));
    const point: HistoryPoint = { step: ensemble.step, epoch: Math.floor(ensemble.step / setup.stepsPerEpoch), loss: mean(members.map((m) => m.loss)), trainAccuracy: mean(members.map((m) => m.trainAccuracy)), testAccuracy: ensembleAccuracy, members };
    history.push(point);
    batchLoss = [];
    batchAcc = [];
    progress({ step: ensemble.step, total: ensemble.totalSteps, phase: ensemble.phaseAt(Math.max(0, ensemble.step - 1)).name, point });
  }
  const r = await ensemble.result();
  const a = gpu.gpu.adapter;
  window.__experimentResult = {
    config,
    adapter: { vendor: a.vendor, architecture: a.architecture, description: a.description },
    seconds: (performance.now() - t0) / 1000,
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
}

run().catch((e: unknown) => {
  window.__experimentError = { message: e instanceof Error ? e.message : String(e) };
});
