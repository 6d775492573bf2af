// Reference values the Python package must reproduce bit for bit (tests/python/test_reference.py):
// the seeded streams, the splits and batch order of src/data, the layer densities and exact
// counts of src/sparsity, the LR and drop-fraction schedules, and the initial weights and masks
// of src/engine/init.ts. `npm run schema` writes them to tests/python/fixtures/reference.json and
// tests/unit/config/json-schema.test.ts checks that file is current, so a change on the
// TypeScript side that the Python side does not follow fails a test on one side or the other.
//
// Long arrays are given as a digest (FNV-1a over the u32 words: indices as they are, floats as
// their IEEE-754 bits) plus their first entries, so the file stays small and a diff stays readable.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { memberSeeds, parseConfig, pythonRefusals, streamSeed, type ExperimentConfig } from '../../src/config';
import { balancedBatch, epochIndices } from '../../src/data';
import { gradInitDraws, initialState, layoutParams, lenet5CaffeLayers, lrAt, maskableLayers, mlpLayers, smoothActivationAt, trainerSetupFromConfig, type DatasetInput, type LrSchedule, type SmoothActivation } from '../../src/engine';
import { activationBackward, activationForward } from '../../src/reference/activation';
import { activeCounts, allocateDensities, dropFraction, isUpdateStep, keepTopK, magnitudeScores, pruneGrowCounts, type DensityRule } from '../../src/sparsity';
import { EV_GROWN, EV_PRUNED, applyUpdate, growKeysByMagnitude, growKeysRandom, pruneKeys, selectK } from '../../src/reference/mask';
import { runnerCheckpointFiles } from '../../src/state/python-export';
import { mulberry32, pcgHash } from '../../src/util/rng';

export const REFERENCE_FILE = 'tests/python/fixtures/reference.json';

/** FNV-1a over u32 words. */
export function digest(words: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul((h ^ words[i]!) >>> 0, 16777619) >>> 0;
  return h;
}
const floatDigest = (a: Float32Array): number => digest(new Uint32Array(a.buffer, a.byteOffset, a.length));
const summary = (a: Uint32Array) => ({ length: a.length, head: Array.from(a.subarray(0, 12)), digest: digest(a) });

function config(input: unknown): ExperimentConfig {
  const r = parseConfig(input);
  if (!r.ok) throw new Error(`reference config: ${JSON.stringify(r.errors)}`);
  return r.config;
}

function mnist(root: string): DatasetInput {
  const dir = join(root, 'public', 'data');
  const meta = JSON.parse(readFileSync(join(dir, 'datasets.json'), 'utf8')) as { datasets: { name: string; pixelMean: number; pixelStd: number }[] };
  const d = meta.datasets.find((x) => x.name === 'mnist')!;
  return {
    kind: 'images',
    images: new Uint8Array(readFileSync(join(dir, 'mnist.images.bin'))),
    labels: new Uint8Array(readFileSync(join(dir, 'mnist.labels.bin'))),
    width: 28,
    height: 28,
    classes: 10,
    pixelMean: d.pixelMean,
    pixelStd: d.pixelStd,
  };
}

function splits(root: string) {
  const data = mnist(root);
  const cases: Record<string, unknown> = {};
  for (const [name, input] of Object.entries({
    default: { version: 1, data: { dataset: 'mnist' }, model: { kind: 'lenet-300-100' } },
    limited: { version: 1, data: { dataset: 'mnist', trainLimit: 1234, validationSize: 300, testSize: 500, seed: 9 }, model: { kind: 'lenet-300-100' } },
  })) {
    const c = config(input);
    const { split } = trainerSetupFromConfig(c, data);
    const seeds = memberSeeds(c.seed, 2).map((s) => s['data-order']);
    const epochs = [0, 1, 7].map((epoch) => ({ epoch, ...summary(epochIndices(split.train, 2, seeds, epoch, 128)) }));
    cases[name] = { config: input, train: summary(split.train), val: summary(split.val), test: summary(split.test), dataOrderSeeds: seeds, epochs };
  }
  return cases;
}

function densities() {
  const models = { 'lenet-300-100': mlpLayers(784, [300, 100], 10, 'relu'), 'lenet5-caffe': lenet5CaffeLayers(10), 'mlp-2-32-32-3': mlpLayers(2, [32, 32], 3, 'relu') };
  const rules: Record<string, DensityRule> = {
    erk: { kind: 'erk', powerScale: 1 },
    'erk-p0.5': { kind: 'erk', powerScale: 0.5 },
    er: { kind: 'er' },
    'er-eps20': { kind: 'er', epsilon: 20 },
    uniform: { kind: 'uniform', denseFirst: false, denseLast: false },
    'uniform-dense-first-last': { kind: 'uniform', denseFirst: true, denseLast: true },
  };
  const out: unknown[] = [];
  for (const [model, specs] of Object.entries(models)) {
    const layers = maskableLayers(layoutParams(specs, 1));
    for (const [rule, r] of Object.entries(rules)) {
      for (const density of [0.5, 0.1, 0.05, 0.02]) {
        const a = allocateDensities(layers, density, r);
        out.push({ model, rule, density, densities: a.densities, counts: activeCounts(layers, a.densities) });
      }
    }
  }
  return out;
}

function schedules() {
  const total = 1000;
  const kinds: Record<string, LrSchedule> = {
    constant: { kind: 'constant', lr: 0.1 },
    multistep: { kind: 'multistep', lr: 0.1, gamma: 0.1, milestones: [0.5, 0.75], unit: 'fraction' },
    cosine: { kind: 'cosine', lr: 0.1, minLr: 0.001, warmupSteps: 50 },
    onecycle: { kind: 'onecycle', maxLr: 0.1, div: 25, finalDiv: 1e4, pctStart: 0.3 },
  };
  const steps = [0, 1, 49, 50, 299, 300, 499, 500, 749, 750, 998, 999];
  const lr = Object.fromEntries(Object.entries(kinds).map(([k, s]) => [k, steps.map((t) => lrAt(s, t, total))]));
  const dst = { deltaT: 100, alpha: 0.3, decay: 'cosine' as const, tEnd: 750, beginStep: 0 };
  const drop = steps.map((t) => dropFraction(dst, t));
  let last = -dst.deltaT;
  const updates: number[] = [];
  for (let t = 0; t < total; t++) if (isUpdateStep({ ...dst, deltaT: 70, beginStep: 30 }, t, last)) updates.push((last = t));
  const counts = [
    [100, 100, 0.3, 1000],
    [100, 80, 0.3, 1000],
    [100, 130, 0.3, 1000],
    [7, 7, 0.29, 10],
    [950, 950, 0.3, 1000],
  ].map(([nnz, target, f, n]) => ({ nnz, target, fraction: f, numel: n, ...pruneGrowCounts(nnz!, target!, f!, n!) }));
  return { totalSteps: total, steps, lr, drop: { schedule: dst, values: drop }, updateSteps: { deltaT: 70, beginStep: 30, tEnd: 750, steps: updates }, pruneGrow: counts };
}

function streams() {
  const r = mulberry32(42);
  const uniform = Array.from({ length: 6 }, () => r.next());
  const n = mulberry32(7);
  const normal = Array.from({ length: 6 }, () => n.normal());
  return {
    pcgHash: [0, 1, 12345, 0xffffffff].map((x) => [x, pcgHash(x)]),
    mulberry32: { seed: 42, uniform },
    normal: { seed: 7, values: normal },
    memberSeeds: memberSeeds(1, 3),
    gradInitDraws: { seed: 9, train: Array.from({ length: 50 }, (_, i) => 3 * i + 1), batch: 4, draws: gradInitDraws(9, Array.from({ length: 50 }, (_, i) => 3 * i + 1), 4, 2).map((d) => [Array.from(d.a), Array.from(d.b)]) },
  };
}

/** ToST's smooth-activation schedule and the activation functions (src/engine/tost.ts, src/reference/activation.ts). */
function tost() {
  const smooth: SmoothActivation[] = [{ kind: 'swish', reluFrom: 0.5 }, { kind: 'pswish', betaStart: 1, betaEnd: 50, reluFrom: 0.5 }, { kind: 'pswish', betaStart: 0.5, betaEnd: 20, reluFrom: 0.3 }];
  const totals = [3, 1000];
  const schedules = smooth.flatMap((s) => totals.map((total) => ({ smooth: s, total, at: [0, 1, 2, 299, 300, 499, 500, 999].filter((t) => t < total).map((t) => [t, smoothActivationAt(s, t, total)]) })));
  const x = new Float32Array([-30, -2.5, -0.1, 0, 0.1, 1, 3, 40]);
  const activations = (['relu', 'tanh', 'swish', 'pswish'] as const).map((kind) => ({ kind, beta: 2.5, x: Array.from(x), f: Array.from(activationForward(kind, x, 2.5)), df: Array.from(activationBackward(kind, x, new Float32Array(x.length).fill(1), 2.5)) }));
  return { schedules, activations };
}

function initial() {
  const cases: unknown[] = [];
  for (const c of [
    { model: 'mlp-2-8-3', specs: mlpLayers(2, [8], 3, 'relu'), seed: 7, density: 0.5, scheme: 'he' as const, sparseAwareInit: false, full: true },
    { model: 'lenet-300-100', specs: mlpLayers(784, [300, 100], 10, 'relu'), seed: 1, density: 0.1, scheme: 'he' as const, sparseAwareInit: false, full: false },
    { model: 'lenet5-caffe', specs: lenet5CaffeLayers(10), seed: 3, density: 0.05, scheme: 'glorot' as const, sparseAwareInit: true, full: false },
  ]) {
    const layout = layoutParams(c.specs, 2);
    const s = initialState(layout, { seed: c.seed, density: c.density, rule: { kind: 'erk', powerScale: 1 }, scheme: c.scheme, sparseAwareInit: c.sparseAwareInit });
    // Per (layer, member): the weight segment (numel) of the masked weights and the mask.
    const layers = layout.layers.map((l) =>
      Array.from({ length: 2 }, (_, m) => {
        const from = l.weight.offset + m * l.numel;
        const w = s.weights.slice(from, from + l.numel);
        const mask = s.mask.slice(from, from + l.numel);
        return {
          weightsDigest: floatDigest(w),
          maskDigest: floatDigest(mask),
          weightsHead: Array.from(w.subarray(0, 8)),
          ...(c.full ? { weights: Array.from(w), mask: Array.from(mask) } : {}),
        };
      }),
    );
    cases.push({ model: c.model, seed: c.seed, density: c.density, rule: 'erk', scheme: c.scheme, sparseAwareInit: c.sparseAwareInit, members: 2, activeCounts: s.activeCounts, layers });
  }
  return cases;
}

/**
 * One layer's mask update by the CPU reference of shaders/mask.wgsl (src/reference/mask.ts), one
 * member: weights and gradients on a coarse grid (multiples of 1/8) so that ties are common and
 * the lower-index rule is exercised; an optimizer state to see which entries are reset.
 */
function maskUpdates() {
  const n = 60;
  const r = mulberry32(11);
  const q = () => Math.round((r.next() * 2 - 1) * 8) / 8;
  const out: unknown[] = [];
  for (const grow of ['gradient', 'random'] as const) {
    for (const [prune, growK] of [[9, 9], [12, 5], [4, 10]] as const) {
      const mask = Float32Array.from({ length: n }, () => (r.next() < 0.5 ? 1 : 0));
      const weights = Float32Array.from(mask, (m) => m * q());
      const grad = Float32Array.from({ length: n }, q);
      const state = Float32Array.from({ length: n }, q);
      const before = { mask: Array.from(mask), weights: Array.from(weights), grad: Array.from(grad), state: Array.from(state) };
      const events = new Uint32Array(n);
      selectK(pruneKeys(weights, mask), events, 1, prune, EV_PRUNED);
      const keys = grow === 'gradient' ? growKeysByMagnitude(grad, mask, events) : growKeysRandom(777, 300, 2, 1, mask, events);
      selectK(keys, events, 1, growK, EV_GROWN);
      applyUpdate(mask, weights, events, new Float32Array(n), [state]);
      out.push({ grow, prune, grow_count: growK, random: { seed: 777, step: 300, member: 0, layer: 2 }, before, after: { mask: Array.from(mask), weights: Array.from(weights), state: Array.from(state) } });
    }
  }
  return out;
}

/**
 * Masks at initialisation that need no gradient: magnitude on LeNet-300-100's dense initial
 * weights (seed 1, ERK at 90 %), per layer and global (src/sparsity keepTopK); and the class-balanced
 * scoring batch of SNIP / GraSP on the default MNIST split (10 per class, the mask stream of seed 1).
 */
function initMasks(root: string) {
  const layout = layoutParams(mlpLayers(784, [300, 100], 10, 'relu'), 1);
  const s = initialState(layout, { seed: 1, density: 0.1, rule: { kind: 'erk', powerScale: 1 }, scheme: 'he', sparseAwareInit: false });
  const dense = layout.layers.map((l) => s.denseWeights.subarray(l.weight.offset, l.weight.offset + l.numel));
  const scores = dense.map(magnitudeScores);
  const perLayer = keepTopK(scores, s.activeCounts, 'per-layer');
  const global = keepTopK(scores, s.activeCounts.reduce((a, b) => a + b, 0), 'global');
  const masks = (ms: Float32Array[]) => ms.map((m) => ({ active: m.reduce((a, v) => a + v, 0), digest: floatDigest(m) }));
  const data = mnist(root);
  const { split } = trainerSetupFromConfig(config({ version: 1, data: { dataset: 'mnist' }, model: { kind: 'lenet-300-100' } }), data);
  const batch = balancedBatch(data.labels, split.train, 10, mulberry32(streamSeed(1, 0, 'mask')), 10);
  return { magnitude: { seed: 1, density: 0.1, perLayer: masks(perLayer), global: masks(global) }, balancedBatch: summary(batch) };
}

/** Every example experiment and the empty config, with what parseConfig makes of them (defaults filled in). */
function configs(root: string) {
  const dir = join(root, 'experiments');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  // Sections without their tag are the default variant (validate.ts), in Python too.
  const untagged = { version: 1, model: { hidden: [10] }, training: { optimizer: { lr: 0.05 }, schedule: {} }, sparsity: { mask: {}, distribution: {} }, ensemble: {} };
  const inputs: [string, unknown][] = [['{version: 1}', { version: 1 }], ['sections without their tag', untagged], ...files.map((f): [string, unknown] => [`experiments/${f}`, JSON.parse(readFileSync(join(dir, f), 'utf8'))])];
  return inputs.map(([name, input]) => ({ name, input, parsed: config(input) }));
}

/** What the playground tells a user the Python package refuses, for configs the package must refuse alike. */
function refusals(root: string) {
  const extra: Record<string, unknown> = {
    'mnist-everything-unsupported': { version: 1, data: { dataset: 'mnist' }, model: { kind: 'mlp', activation: 'swish' }, sparsity: { target: 0.9 }, dst: { method: 'rigl' }, ensemble: { mode: 'edst', members: 3 }, training: { schedule: { kind: 'constant' } }, tost: { ghostSkip: { enabled: true, endFraction: 0.2 }, layerRescaledInit: { kind: 'gradinit' } } },
    'mnist-lottery': { version: 1, data: { dataset: 'mnist' }, sparsity: { target: 0.9, mask: { kind: 'lottery' } }, dst: { method: 'static' } },
    'mnist-pswish': { version: 1, data: { dataset: 'mnist' }, tost: { smoothActivation: { kind: 'pswish' } } },
    'mnist-supported': { version: 1, data: { dataset: 'mnist' }, model: { kind: 'lenet5-caffe' }, sparsity: { distribution: { kind: 'uniform' } }, dst: { method: 'set' }, training: { optimizer: { kind: 'adam' }, schedule: { kind: 'onecycle' } }, tost: { labelSmoothing: 0.1, layerRescaledInit: { kind: 'closed-form' } } },
  };
  return [...configs(root).map((c) => ({ name: c.name, config: c.parsed })), ...Object.entries(extra).map(([name, input]) => ({ name, config: config(input) }))].map((c) => ({ ...c, refusals: pythonRefusals(c.config) }));
}

/**
 * Export › PyTorch's checkpoint (src/state/python-export.ts) of a freshly initialised MNIST MLP
 * 784-2-10 at 50 %: the Python side must restore it into its own model, whose own initial weights
 * are the same numbers. state1 = weights / 2 and state2 = weights / 4 check that the optimizer
 * state lands on the right parameters. The blob is base64 here (the test writes the two files).
 */
function exportedCheckpoint() {
  const input = { version: 1, seed: 4, data: { dataset: 'mnist' }, model: { kind: 'mlp', hidden: [2] }, dst: { method: 'set' }, training: { optimizer: { kind: 'adam' } } };
  const c = config(input);
  const layout = layoutParams(mlpLayers(784, [2], 10, 'relu'), 1);
  const s = initialState(layout, { seed: c.seed, density: 0.5, rule: { kind: 'erk', powerScale: 1 }, scheme: 'he', sparseAwareInit: false });
  const checkpoint = {
    version: 1 as const,
    step: 37,
    lastUpdate: 30,
    optimizerSteps: 36,
    activeCounts: s.activeCounts,
    targets: s.activeCounts,
    flops: { total: 0, steps: 0 },
    storages: ['sparse' as const, 'sparse' as const],
    weights: s.weights,
    mask: s.mask,
    state1: s.weights.map((w) => w / 2),
    state2: s.weights.map((w) => w / 4),
    fired: s.mask,
  };
  const files = runnerCheckpointFiles(c, 37, { mode: 'none', trainers: [checkpoint] });
  const json = { ...(JSON.parse(files.json) as Record<string, unknown>), savedAt: '(a date)' }; // the fixture must not change with the clock
  return { json, bin: Buffer.from(files.bin).toString('base64') };
}

/** Everything in the fixture; `root` is the repository root (MNIST comes from public/data). */
export function pythonReference(root: string): Record<string, unknown> {
  return {
    about: 'Generated by `npm run schema` from tests/python/reference.ts; do not edit. Read by tests/python/test_reference.py.',
    streams: streams(),
    configs: configs(root),
    splits: splits(root),
    densities: densities(),
    schedules: schedules(),
    tost: tost(),
    initial: initial(),
    maskUpdates: maskUpdates(),
    refusals: refusals(root),
    initMasks: initMasks(root),
    exportedCheckpoint: exportedCheckpoint(),
  };
}

export function pythonReferenceText(root: string): string {
  return `${JSON.stringify(pythonReference(root), null, 1)}\n`;
}
