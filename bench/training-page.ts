// The training benchmark page (bench/training.html), driven by scripts/bench.mjs in headless
// Chromium: LeNet-300-100 on MNIST at batch 128, trained by our engine (dense; RigL at 80, 90, 95,
// 98 and 99 % sparsity with each weight storage, masked and sparse, at M = 1 and 4), the cost of
// one mask update per storage, and the same dense network trained by @tensorflow/tfjs on its
// webgpu backend with the same optimizer; and the 2-D networks on the layer and the fused path
// (small-networks.ts). Query only=id,id runs just those cases.
// Puts the result on window.__trainingBench (or window.__trainingBenchError).
// Query: reps=R, target_ms=T (wanted length of one timed chunk), quick=1 (fewer cases).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients'; // tfjs-core alone has no gradients
import { parseConfig } from '../src/config';
import { RunLoop, Trainer, maskableLayers, mlpLayers, stopMessage, trainerSetupFromConfig, type StorageKind, type TrainerSetup } from '../src/engine';
import { PipelineCache, acquireGpu, bufferCounts, type AdapterSummary } from '../src/gpu';
import { sparseForwardFlops } from '../src/sparsity';
import { preflight } from '../src/ensemble';
import { loadData } from '../runner/load-data';
import { initTfjsWebGpu } from './tfjs-peers';
import { measure, type Timing, type TimingOptions } from './timing';
import { timeSmallNetworks, type SmallNetworkResult } from './small-networks';

const BATCH = 128;
const LR = 0.1;
const MOMENTUM = 0.9;
/** No mask update inside the timed steps (updates are timed on their own). */
const NEVER = 1_000_000_000;
const STORAGES: readonly StorageKind[] = ['masked', 'sparse'];
const SPARSITIES = [0.8, 0.9, 0.95, 0.98, 0.99];
/** Where the two storages cross (the threshold of storage 'auto'): M = 1 only. */
const CROSSOVER = [0.3, 0.5, 0.7];

interface Case {
  id: string;
  label: string;
  method: 'dense' | 'rigl' | 'set';
  sparsity: number;
  members: number;
  /** Mask update every step (ΔT = 1) instead of never. */
  updateEveryStep?: boolean;
  /** How the weight layers keep their weights (src/engine/storage-choice.ts). */
  storage: StorageKind;
  /** Hidden widths of a 784-…-10 ReLU MLP instead of LeNet-300-100's 300, 100 (issue 15's wide rows). */
  hidden?: readonly number[];
}

export interface ThroughputRow {
  id: string;
  label: string;
  method: string;
  sparsity: number;
  members: number;
  updateEveryStep: boolean;
  storage: StorageKind;
  /** The network: 'LeNet-300-100' or its widths, e.g. '784-4096-4096-10'. */
  model: string;
  /** Each weight layer's storage and bytes of weight state (LayerStorage.stateBytes). */
  layers: { name: string; storage: StorageKind; stateBytes: number }[];
  /** What the masked storage's weight state would be (weights, gradients, mask, optimizer state per position). */
  denseStateBytes: number;
  /** Bytes of every GPU buffer the trainer created and still held after the timed steps (src/gpu/buffer-count.ts). */
  gpuBytes: number;
  /** Density per weight layer (the PyTorch CPU peer trains the same). */
  densities: number[];
  /** Compute dispatches of one ordinary training step. */
  dispatchesPerStep: number;
  timing: Timing;
  msPerStep: number;
  /** Training examples per second over all members (batch × members per step). */
  examplesPerSecond: number;
  /** Useful training FLOPs per step (3 × sparse forward FLOPs × batch × members) and their rate. */
  flopsPerStep: number;
  gflops: number;
}

export interface UpdateRow {
  method: string;
  sparsity: number;
  storage: StorageKind;
  model: string;
  /** ms per step with an update every step minus ms per step with none. */
  msPerUpdate: number;
  /** One mask update in training steps. */
  steps: number;
}

export interface TrainingBenchResult {
  meta: { date: string; adapter: AdapterSummary; software: boolean; userAgent: string; timing: TimingOptions; tfjs: { version: string; backend: string }; totalMs: number; notes: string[] };
  ours: ThroughputRow[];
  updates: UpdateRow[];
  /** The 2-D networks on the layer path and the fused path (bench/small-networks.ts). */
  small: SmallNetworkResult;
  tfjs: { timing: Timing; msPerStep: number; examplesPerSecond: number; op: string };
  /** tfjs ms per step / our dense ms per step: above 1, ours is faster. */
  denseSpeedRatio: number;
}

declare global {
  interface Window {
    __trainingBench?: TrainingBenchResult;
    __trainingBenchError?: string;
  }
}

function cases(quick: boolean, only: readonly string[] | null): Case[] {
  const rigl = (s: number, storage: StorageKind, members = 1, updateEveryStep = false): Case => ({
    id: `rigl-${Math.round(s * 100)}${members > 1 ? `-m${members}` : ''}${updateEveryStep ? '-update' : ''}-${storage}`,
    label: `RigL ${Math.round(s * 100)}%${members > 1 ? `, M = ${members}` : ''}${updateEveryStep ? ', update every step' : ''}, ${storage}`,
    method: 'rigl',
    sparsity: s,
    members,
    updateEveryStep,
    storage,
  });
  const both = (f: (st: StorageKind) => Case): Case[] => STORAGES.map(f);
  const all: Case[] = [
    { id: 'dense', label: 'dense', method: 'dense', sparsity: 0, members: 1, storage: 'masked' },
    ...CROSSOVER.flatMap((s) => both((st) => rigl(s, st))),
    ...SPARSITIES.flatMap((s) => both((st) => rigl(s, st))),
    ...SPARSITIES.flatMap((s) => both((st) => rigl(s, st, 4))),
    ...both((st) => rigl(0.9, st, 1, true)),
    ...both((st) => ({ id: `set-90-update-${st}`, label: `SET 90%, update every step, ${st}`, method: 'set', sparsity: 0.9, members: 1, updateEveryStep: true, storage: st })),
    // Wide and sparse (issue 15): 75× LeNet-300-100's dense weights; sparse only (masked would hold
    // 20 M positions per buffer and run a dense 784-4096-4096-10 GEMM every step).
    ...[false, true].map((u): Case => ({ ...rigl(0.99, 'sparse', 1, u), id: `wide-99${u ? '-update' : ''}-sparse`, label: `784-4096-4096-10, RigL 99%${u ? ', update every step' : ''}, sparse`, hidden: [4096, 4096] })),
  ];
  if (only) return all.filter((c) => only.includes(c.id));
  return quick ? all.filter((c) => ['dense', 'rigl-90-masked', 'rigl-90-sparse', 'rigl-90-update-masked', 'rigl-90-update-sparse'].includes(c.id)) : all;
}

function configFor(c: Case): unknown {
  return {
    version: 1,
    seed: 1,
    data: { dataset: 'mnist' },
    model: { kind: 'lenet-300-100' },
    sparsity: { target: c.sparsity, distribution: { kind: 'erk' } },
    dst: { method: c.method, deltaT: 100 },
    training: { epochs: 20, batchSize: BATCH, optimizer: { kind: 'sgd', lr: LR, momentum: MOMENTUM, weightDecay: 0 }, schedule: { kind: 'constant' } },
  };
}

async function timeOurs(cache: PipelineCache, c: Case, data: Awaited<ReturnType<typeof loadData>>, timing: TimingOptions): Promise<ThroughputRow> {
  const parsed = parseConfig(configFor(c));
  if (!parsed.ok) throw new Error(`bench config ${c.id}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const base = trainerSetupFromConfig(parsed.config, data).setup;
  const setup: TrainerSetup = {
    ...base,
    ...(c.hidden ? { layers: mlpLayers(784, c.hidden, 10, 'relu') } : {}),
    members: c.members,
    storage: c.storage,
    totalSteps: NEVER,
    schedule: c.updateEveryStep ? { ...base.schedule, deltaT: 1, tEnd: NEVER, beginStep: 0 } : { ...base.schedule, beginStep: NEVER },
  };
  // The pre-flight every run goes through: a case that does not fit this GPU is refused by name.
  const tooBig = preflight({ mode: 'none', base: setup, epochs: 1, stepsPerEpoch: 1, members: c.members }, cache.device.limits);
  if (tooBig) throw new Error(`bench case ${c.id}: ${tooBig}`);
  const liveBytes = (): number => bufferCounts(cache.device)?.liveBytes ?? NaN;
  const bytesBefore = liveBytes();
  const trainer = await Trainer.create(cache, setup);
  try {
    // One timed chunk = N steps through the engine's one run loop (the app's path), then a stop.
    const loop = new RunLoop(trainer);
    const t = await measure(async (n) => {
      const stop = await loop.run({ chunkSize: () => n, afterChunk: () => 'stop' });
      if (stop.kind !== 'paused') throw new Error(`bench case ${c.id}: ${stopMessage(stop)}`);
    }, timing);
    const layers = maskableLayers(trainer.layout);
    const densities = trainer.layout.layers.map((l, i) => trainer.activeCounts[i]! / l.numel);
    const flopsPerStep = 3 * sparseForwardFlops(layers, densities) * BATCH * c.members;
    return {
      id: c.id,
      label: c.label,
      method: c.method,
      sparsity: c.sparsity,
      members: c.members,
      updateEveryStep: c.updateEveryStep ?? false,
      storage: c.storage,
      model: c.hidden ? [784, ...c.hidden, 10].join('-') : 'LeNet-300-100',
      denseStateBytes: trainer.layout.layers.reduce((a, l) => a + l.numel * c.members * 4 * (3 + (setup.optimizer.kind === 'adam' ? 2 : 1)), 0),
      layers: trainer.net.storages.map((st) => ({ name: st.layer.name, storage: st.kind, stateBytes: st.stateBytes })),
      gpuBytes: liveBytes() - bytesBefore,
      dispatchesPerStep: trainer.net.stepDispatches,
      densities: trainer.densities().layers,
      timing: t,
      msPerStep: t.msPerIter,
      examplesPerSecond: (BATCH * c.members * 1000) / t.msPerIter,
      flopsPerStep,
      gflops: flopsPerStep / (t.msPerIter * 1e6),
    };
  } finally {
    trainer.destroy();
  }
}

/** The same dense LeNet-300-100 in tfjs: He-normal weights, ReLU, softmax cross-entropy, SGD with momentum. */
async function timeTfjs(data: Awaited<ReturnType<typeof loadData>>, timing: TimingOptions): Promise<TrainingBenchResult['tfjs']> {
  if (data.kind !== 'images') throw new Error('the training bench needs MNIST');
  const n = data.labels.length;
  const dim = data.width * data.height;
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = (data.images[i]! / 255 - data.pixelMean) / data.pixelStd;
  const xAll = tf.tensor2d(x, [n, dim]);
  const yAll = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(data.labels), 'int32'), 10), 'float32'));
  const sizes = [dim, 300, 100, 10];
  const vars = sizes.slice(1).flatMap((out, i) => [tf.variable(tf.randomNormal([sizes[i]!, out], 0, Math.sqrt(2 / sizes[i]!), 'float32', 7 + i)), tf.variable(tf.zeros([out]))]);
  const opt = tf.train.momentum(LR, MOMENTUM);
  let seed = 12345;
  const batchIdx = (): Int32Array => Int32Array.from({ length: BATCH }, () => (seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const loss = (idx: tf.Tensor1D): tf.Scalar => {
    let h = tf.gather(xAll, idx) as tf.Tensor2D;
    for (let l = 0; l < 3; l++) {
      h = tf.add(tf.matMul(h, vars[2 * l] as tf.Tensor2D), vars[2 * l + 1]!);
      if (l < 2) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(tf.gather(yAll, idx), h);
  };
  try {
    const t = await measure(async (steps) => {
      for (let s = 0; s < steps; s++) {
        const idx = tf.tensor1d(batchIdx(), 'int32');
        const last = s === steps - 1;
        const cost = opt.minimize(() => loss(idx), last, vars);
        idx.dispose();
        if (cost) {
          const v = (await cost.data())[0]!;
          cost.dispose();
          if (!Number.isFinite(v)) throw new Error(`tfjs loss became ${v}`);
        }
      }
    }, timing);
    return { timing: t, msPerStep: t.msPerIter, examplesPerSecond: (BATCH * 1000) / t.msPerIter, op: 'tf.train.momentum(0.1, 0.9).minimize(softmaxCrossEntropy of gather(x) -> 784-300-100-10 ReLU MLP)' };
  } finally {
    opt.dispose();
    tf.dispose([xAll, yAll, ...vars]);
  }
}

async function main(): Promise<TrainingBenchResult> {
  const started = performance.now();
  const q = new URLSearchParams(location.search);
  const int = (key: string, def: number): number => {
    const v = Number(q.get(key) ?? def);
    if (!Number.isInteger(v) || v < 1) throw new Error(`query parameter ${key} must be a positive integer`);
    return v;
  };
  const timing: TimingOptions = { targetMs: int('target_ms', 2000), reps: int('reps', 3), fixedIters: null, minIters: 2, maxIters: 512 };
  const acquired = await acquireGpu({ label: 'training bench' });
  if (!acquired.ok) throw new Error(`WebGPU unavailable: ${acquired.reason}: ${acquired.message}`);
  const { gpu } = acquired;
  console.log(`[bench] adapter: ${gpu.adapter.label}${gpu.adapter.software ? ' (SOFTWARE: not GPU numbers)' : ''}`);
  const tfjs = await initTfjsWebGpu(); // refuses a silent fallback to another backend
  console.log(`[bench] tfjs ${tfjs.version} on backend "${tfjs.backend}"`);
  const cache = PipelineCache.for(gpu.device);
  const mnist = parseConfig(configFor({ id: 'data', label: '', method: 'dense', sparsity: 0, members: 1, storage: 'masked' }));
  if (!mnist.ok) throw new Error(`the MNIST config was refused: ${mnist.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const data = await loadData(mnist.config);

  const ours: ThroughputRow[] = [];
  const list = cases(q.get('quick') === '1', q.get('only')?.split(',') ?? null);
  for (const [i, c] of list.entries()) {
    const row = await timeOurs(cache, c, data, timing);
    ours.push(row);
    console.log(`[bench] ${i + 1}/${list.length + 1} ${c.label}: ${row.msPerStep.toFixed(1)} ms/step, ${row.examplesPerSecond.toFixed(0)} examples/s`);
  }
  const small = await timeSmallNetworks(cache, timing, q.get('only')?.split(',') ?? null, (line) => console.log(line));
  const peer = await timeTfjs(data, timing);
  console.log(`[bench] ${list.length + 1}/${list.length + 1} tfjs dense: ${peer.msPerStep.toFixed(1)} ms/step, ${peer.examplesPerSecond.toFixed(0)} examples/s`);
  const updates = ours
    .filter((r) => r.updateEveryStep)
    .flatMap((r) => {
      // Against the same sparsity and storage without updates.
      const noUpdate = ours.find((o) => !o.updateEveryStep && o.method === 'rigl' && o.members === 1 && o.sparsity === r.sparsity && o.storage === r.storage && o.model === r.model);
      if (!noUpdate) return [];
      const msPerUpdate = r.msPerStep - noUpdate.msPerStep;
      return [{ method: r.method, sparsity: r.sparsity, storage: r.storage, model: r.model, msPerUpdate, steps: msPerUpdate / noUpdate.msPerStep }];
    });
  gpu.destroy();
  return {
    meta: {
      date: new Date().toISOString(),
      adapter: gpu.adapter,
      software: gpu.adapter.software,
      userAgent: navigator.userAgent,
      timing,
      tfjs,
      totalMs: performance.now() - started,
      notes: [
        'One timed chunk = N training steps and one wait (ours: N steps through RunLoop (Trainer.train), which reads each step\'s loss back; tfjs: N optimizer.minimize calls, then one await of the last loss).',
        'Throughput rows have no mask update in the timed steps; an update is timed as (ms/step with an update every step) - (ms/step with none), at 90 % sparsity.',
        'The masked storage computes masked dense products: sparsity lowers the useful FLOPs, not the work done, so its rows run at about the dense speed. The sparse storage visits the active connections only.',
        'The sparse storage keeps no position-space copy on the GPU (host reads convert through its slots and bitmaps); RigL\'s dense dW for its growth scores is its one dense buffer, counted in gpuBytes, not in the state bytes.',
        'Both sides: batch 128 drawn from the MNIST images resident on the GPU, SGD lr 0.1 momentum 0.9, no weight decay.',
        ...(gpu.adapter.software ? ['Software adapter (SwiftShader): these are NOT GPU numbers.'] : []),
      ],
    },
    ours,
    updates,
    small,
    tfjs: peer,
    denseSpeedRatio: peer.msPerStep / (ours.find((r) => r.id === 'dense')?.msPerStep ?? NaN),
  };
}

main().then(
  (result) => {
    window.__trainingBench = result;
    console.log(`[bench] done in ${(result.meta.totalMs / 1000).toFixed(1)} s`);
  },
  (e: unknown) => {
    const msg = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    console.error(`[bench] FAILED: ${msg}`);
    window.__trainingBenchError = msg;
  },
);
