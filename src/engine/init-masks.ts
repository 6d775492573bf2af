// Masks at initialisation (docs/METHODS.md §4) and lottery tickets with rewinding (§4.3).
// Scores come from the engine's own GPU gradients (SNIP, GraSP) or a CPU pass (SynFlow, data-free)
// and exact top-k selection (src/sparsity keepTopK, ties to the lower index).
// Ensembles: every member gets its own mask from its own weights, but a layer has the same active
// count in every member (the GPU mask update takes one k per layer). With scope 'global', member
// 0's global selection fixes the per-layer counts and the other members select per layer with
// those counts; with one member this is exactly the paper's global threshold.
import { graspKeepScores, impActiveCounts, magnitudeScores, snipScores, type ScoreArray, type Scope } from '../sparsity';
import { streamSeed } from '../config';
import type { Checkpoint } from './checkpoint';
import { denseGradient } from './gradients';
import { initialState } from './init';
import { flatIndex, type ParamLayout } from './param-layout';
import { selectMasks, synflowRounds, type SynflowJob } from './synflow-rounds';
import type { Trainer } from './trainer';

export type InitMaskMethod =
  | { kind: 'random' }
  | { kind: 'magnitude'; scope: Scope }
  | { kind: 'snip'; scope: Scope; examples: Uint32Array }
  | { kind: 'grasp'; scope: Scope; examples: Uint32Array; temperature: number }
  | { kind: 'synflow'; scope: Scope; rounds: number };

/** Per member, per weight layer: slices of a flat parameter array. */
function layerSlices<T extends Float32Array | Float64Array>(layout: ParamLayout, flat: T, member: number): T[] {
  return layout.layers.map((l) => flat.subarray(flatIndex(l.weight, member, 0), flatIndex(l.weight, member, l.numel)) as T);
}

/**
 * Scores that are not numbers cannot be ranked: they come from a network whose loss or weights
 * were not finite when they were computed. Names where, and what a person can change.
 */
function checkScores(layout: ParamLayout, scores: ScoreArray[][], what: string, fix: string): void {
  scores.forEach((layers, m) =>
    layers.forEach((s, l) => {
      const bad = s.findIndex((v) => Number.isNaN(v));
      if (bad >= 0) throw new Error(`${what}: the scores of layer ${layout.layers[l]!.name}${layout.members > 1 ? ` (member ${m + 1})` : ''} are not numbers (the first at weight ${bad}), so no mask can be chosen by them. ${fix}`);
    }),
  );
}

function flatMask(layout: ParamLayout, masks: Float32Array[][]): Float32Array {
  const out = new Float32Array(layout.totalFloats);
  masks.forEach((layers, m) =>
    layout.layers.forEach((l, li) => {
      out.set(layers[li]!, flatIndex(l.weight, m, 0));
      out.fill(1, flatIndex(l.bias, m, 0), flatIndex(l.bias, m, l.outChannels));
      if (l.ghost) out.fill(1, flatIndex(l.ghost.weight, m, 0), flatIndex(l.ghost.weight, m, l.ghost.numel)); // never pruned
    }),
  );
  return out;
}

/**
 * Replaces the trainer's initial random masks with the method's masks, at the same counts.
 * `progress` hears of long work (SynFlow's rounds) and may throw to stop it; `signal` stops it at
 * once; `sliceMs`: how often progress is told without a worker (tests).
 */
export async function applyMaskAtInit(trainer: Trainer, method: InitMaskMethod, progress?: (message: string) => void, sliceMs?: number, signal?: AbortSignal): Promise<number[]> {
  if (method.kind === 'random') return [...trainer.activeCounts];
  if (trainer.currentStep !== 0) throw new Error('masks at initialisation are chosen before the first step');
  const layout = trainer.layout;
  const M = layout.members;
  const dense = trainer.initial.denseWeights;
  const counts = trainer.initial.activeCounts;
  const w = (m: number): Float32Array[] => layerSlices(layout, dense, m);
  let selected: { masks: Float32Array[][]; counts: number[] };
  if (method.kind === 'synflow') {
    selected = await synflowMasks(trainer, method.scope, method.rounds, progress, sliceMs, signal);
  } else {
    let scores: ScoreArray[][];
    if (method.kind === 'magnitude') {
      scores = Array.from({ length: M }, (_, m) => w(m).map(magnitudeScores));
    } else if (method.kind === 'snip') {
      const g = await denseGradient(trainer, dense, method.examples);
      scores = Array.from({ length: M }, (_, m) => w(m).map((wl, li) => snipScores(wl, layerSlices(layout, g, m)[li]!)));
    } else {
      const hg = await hessianGradient(trainer, dense, method.examples, method.temperature);
      scores = Array.from({ length: M }, (_, m) => w(m).map((wl, li) => graspKeepScores(wl, layerSlices(layout, hg, m)[li]!)));
    }
    checkScores(layout, scores, `${method.kind.toUpperCase()} masks at initialisation`, 'The loss of the scoring batch was not finite: lower the learning rate or the initial weights\' scale, or choose another mask.');
    selected = selectMasks(scores, method.scope === 'global' ? sum(counts) : counts);
  }
  trainer.loadMask(dense, flatMask(layout, selected.masks), selected.counts);
  return selected.counts;
}

/**
 * GraSP's Hg by central differences of two GPU gradients (docs/METHODS.md §4.1): ĝ = g/‖g‖ per member over
 * the weights, Hg ≈ (∇L(w + εĝ) − ∇L(w − εĝ)) / 2ε · ‖g‖ with ε = 1e-3·‖w‖/√n. Same examples and
 * temperature for all three gradients.
 */
async function hessianGradient(trainer: Trainer, w: Float32Array, examples: Uint32Array, temperature: number): Promise<Float64Array> {
  const layout = trainer.layout;
  const g = await denseGradient(trainer, w, examples, temperature);
  const plus = Float32Array.from(w);
  const minus = Float32Array.from(w);
  const scale: { eps: number; norm: number }[] = [];
  for (let m = 0; m < layout.members; m++) {
    let gg = 0;
    let ww = 0;
    let n = 0;
    for (const l of layout.layers) {
      for (let i = 0; i < l.numel; i++) {
        const j = flatIndex(l.weight, m, i);
        gg += g[j]! ** 2;
        ww += w[j]! ** 2;
        n++;
      }
    }
    const norm = Math.sqrt(gg) || 1;
    const eps = (1e-3 * Math.sqrt(ww)) / Math.sqrt(n);
    scale.push({ eps, norm });
    for (const l of layout.layers) {
      for (let i = 0; i < l.numel; i++) {
        const j = flatIndex(l.weight, m, i);
        plus[j] = w[j]! + (eps * g[j]!) / norm;
        minus[j] = w[j]! - (eps * g[j]!) / norm;
      }
    }
  }
  const gPlus = await denseGradient(trainer, plus, examples, temperature);
  const gMinus = await denseGradient(trainer, minus, examples, temperature);
  const hg = new Float64Array(layout.totalFloats);
  for (let m = 0; m < layout.members; m++) {
    const { eps, norm } = scale[m]!;
    for (const l of layout.layers) {
      for (let i = 0; i < l.numel; i++) {
        const j = flatIndex(l.weight, m, i);
        hg[j] = ((gPlus[j]! - gMinus[j]!) / (2 * eps)) * norm;
      }
    }
  }
  return hg;
}

/**
 * Iterative SynFlow (synflow-rounds.ts): in a worker where there is one (the page, the runner,
 * the GPU tests), so its minutes of CPU work never hold the page's thread; each round is
 * reported, and a `progress` that throws or an aborted `signal` (newer settings, Cancel) ends the
 * worker. Without workers (plain Node: no page to keep responsive) it runs here, telling
 * `progress` at most every `sliceMs`.
 */
async function synflowMasks(trainer: Trainer, scope: Scope, rounds: number, progress?: (message: string) => void, sliceMs = 50, signal?: AbortSignal): Promise<{ masks: Float32Array[][]; counts: number[] }> {
  const layout = trainer.layout;
  const job: SynflowJob = {
    layers: trainer.setup.layers,
    weights: Array.from({ length: layout.members }, (_, m) => layerSlices(layout, trainer.initial.denseWeights, m).map((w) => w.slice())),
    target: [...trainer.initial.activeCounts],
    scope,
    rounds,
  };
  const say = (k: number) => progress?.(`SynFlow round ${k} of ${rounds}`);
  if (typeof Worker === 'undefined') {
    // Plain Node has no page to keep responsive: the same rounds, here.
    let last = performance.now();
    return synflowRounds(job, (k) => {
      if (performance.now() - last >= sliceMs) {
        say(k);
        last = performance.now();
      }
    });
  }
  const worker = new Worker(new URL('./synflow-worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<{ round?: number; result?: { masks: Float32Array[][]; counts: number[] }; error?: string }>) => {
        const d = e.data;
        if (d.round !== undefined) {
          try {
            say(d.round);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        } else if (d.result) resolve(d.result);
        else reject(new Error(`SynFlow failed: ${d.error ?? 'unknown error'}`));
      };
      worker.onerror = (e) => reject(new Error(`SynFlow's worker failed: ${e.message}`));
      // Aborted (newer settings, Cancel): the worker ends now, not after its current round.
      if (signal?.aborted) reject(new Error('SynFlow was cancelled'));
      signal?.addEventListener('abort', () => reject(new Error('SynFlow was cancelled')), { once: true });
      worker.postMessage(job);
    });
  } finally {
    worker.terminate();
  }
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

export interface LotteryOptions {
  rounds: number;
  /** Fraction of the remaining weights pruned each round (by |w| after training). */
  pruneFraction: number;
  /** Steps trained before the rewind point θ_k (0: the original lottery ticket). */
  rewindStep: number;
  scope: Scope;
}

export interface LotteryRound {
  round: number;
  counts: number[];
  density: number;
  /** Evaluation loss and accuracy of the trained network this round pruned. */
  trained: { loss: number[]; accuracy: number[] };
}

/**
 * Iterative magnitude pruning with rewinding: train θ_0 for `rewindStep` steps (θ_k), then each
 * round train to the end of the schedule, prune p of the remaining weights with the smallest
 * |θ_T|, and rewind the survivors to θ_k (and the schedule to step k). The trainer must start
 * dense. After the last round the trainer holds the ticket at θ_k, ready to train once more.
 */
export async function lotteryTicket(trainer: Trainer, o: LotteryOptions, onRound?: (r: LotteryRound) => void): Promise<LotteryRound[]> {
  const layout = trainer.layout;
  if (trainer.currentStep !== 0) throw new Error('a lottery-ticket run starts from step 0');
  if (trainer.activeCounts.some((c, i) => c !== layout.layers[i]!.numel)) throw new Error('a lottery-ticket run starts from the dense network (density 1)');
  await trainer.train(o.rewindStep);
  const rewind = await trainer.checkpoint();
  const numels = layout.layers.map((l) => l.numel);
  const schedule = numels.map((n) => impActiveCounts(n, o.rounds, o.pruneFraction));
  const globalSchedule = impActiveCounts(sum(numels), o.rounds, o.pruneFraction);
  let masks: Float32Array[][] = Array.from({ length: layout.members }, (_, m) => layerSlices(layout, rewind.mask, m).map((x) => Float32Array.from(x)));
  const out: LotteryRound[] = [];
  for (let r = 0; r < o.rounds; r++) {
    await trainer.train(trainer.setup.totalSteps - trainer.currentStep);
    const trained = await trainer.evaluate();
    const w = await trainer.readWeights();
    const scores = masks.map((_, m) => layerSlices(layout, w, m).map(magnitudeScores));
    checkScores(layout, scores, `Lottery ticket, round ${r + 1} of ${o.rounds}`, `Its training diverged (final loss ${trained.loss.map((v) => v.toPrecision(3)).join(', ')}): lower the learning rate, or use fewer rounds or a smaller network.`);
    const sel = selectMasks(scores, o.scope === 'global' ? globalSchedule[r]! : schedule.map((s) => s[r]!), masks);
    masks = sel.masks;
    trainer.restore(rewound(rewind, flatMask(layout, masks), sel.counts));
    const round = { round: r + 1, counts: sel.counts, density: sum(sel.counts) / sum(numels), trained };
    out.push(round);
    onRound?.(round);
  }
  return out;
}

/** The rewind checkpoint with a new mask: survivors keep θ_k, fresh optimizer state. */
function rewound(c: Checkpoint, mask: Float32Array, counts: number[]): Checkpoint {
  const zeros = new Float32Array(mask.length);
  return { ...c, weights: c.weights.map((v, i) => (mask[i] === 0 ? 0 : v)), mask, fired: mask.slice(), state1: zeros, state2: zeros.slice(), activeCounts: counts, targets: [...counts] };
}

/**
 * The "same mask, random re-initialisation" control: the trainer's current mask with weights
 * drawn afresh, at step 0. Tells whether a ticket's winning comes from its mask alone. The draws
 * come from the run seed's own `reinit` stream (config/seeds.ts): the `init` stream would give
 * back the ticket's own starting weights when it rewinds to step 0.
 */
export async function randomReinitialisation(trainer: Trainer, runSeed: number): Promise<void> {
  const c = await trainer.checkpoint();
  const seed = streamSeed(runSeed, 0, 'reinit');
  const fresh = initialState(trainer.layout, { seed, density: 1, rule: { kind: 'uniform' }, scheme: trainer.setup.init, sparseAwareInit: false });
  trainer.restore({ ...rewound({ ...c, weights: fresh.denseWeights }, c.mask, [...trainer.activeCounts]), step: 0, lastUpdate: -trainer.setup.schedule.deltaT, optimizerSteps: 0, flops: { total: 0, steps: 0 } });
}
