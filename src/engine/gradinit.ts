// ToST's layer-wise re-scaled initialisation (LRsI, docs/METHODS.md §3.5): GradInit (Zhu et al.
// 2021) learns one positive scale per weight layer so that ONE normalised SGD step from the
// rescaled init lowers the loss most. GradInit differentiates through that step (second order);
// with one scalar per layer we use central finite differences on the scales instead:
//
//   θ(α)    = α_l · W_l per layer (biases start at 0, so they have no scale)
//   g       = ∇L(θ(α); A) ⊙ mask                 A, B: two different training batches
//   J(α)    = ‖g‖                                  if ‖g‖ > γ (the constraint branch: shrink it)
//           = L(θ(α) − η·g/‖g‖; B) / η              otherwise (the loss after one step)
//   ∂J/∂α_l ≈ (J(α + δe_l) − J(α − δe_l)) / 2δ     (the branch is fixed per iteration at α)
//   α ← Adam(α, clip(∂J/∂α, ±1), lr), α ≥ minScale
//
// Each member has its own scales; one GPU evaluation serves all members at once (a perturbation of
// layer l is applied to every member's layer l). Differences from GradInit: single batches A and B
// instead of A∪B0 and B∪B0, finite differences instead of double backprop, weights only.
// afterMask = true scales the masked network (ToST's train_ticket_type2); false runs on the dense
// network and the mask is applied afterwards (the README's LRsI command).
import { streamSeed } from '../config';
import { mulberry32 } from '../util/rng';
import type { Trainer } from './trainer';

export interface GradInitOptions {
  iters: number;
  eta: number;
  gamma: number;
  lr: number;
  minScale: number;
  afterMask: boolean;
  /** Finite-difference step on the scales. */
  delta?: number;
}

export interface GradInitResult {
  /** (members, weight layers) scales. */
  scales: number[][];
  /** Mean objective J over members at each iteration (before that iteration's update). */
  objective: number[];
  /** GPU forward+backward passes used (each one batch). */
  evaluations: number;
}

/**
 * The batches A and B of every iteration, shared by the members: drawn with replacement from the
 * training split by the 'init' stream ^ 0x6a7d (python/sparse_playground/gradinit.py draws the same;
 * tests/python/reference.ts holds the two equal).
 */
export function gradInitDraws(seed: number, trainIdx: ArrayLike<number>, batch: number, iters: number): { a: Uint32Array; b: Uint32Array }[] {
  const rng = mulberry32(streamSeed(seed, 0, 'init') ^ 0x6a7d);
  const draw = (): Uint32Array => Uint32Array.from({ length: batch }, () => trainIdx[Math.floor(rng.next() * trainIdx.length)]!);
  return Array.from({ length: iters }, () => {
    const a = draw();
    return { a, b: draw() };
  });
}

/** The trainer's initial weights with member m's weight layer l multiplied by scales[m][l]. */
export function scaleWeights(trainer: Trainer, weights: Float32Array, scales: readonly (readonly number[])[]): Float32Array {
  const out = Float32Array.from(weights);
  trainer.layout.layers.forEach((l, li) => {
    for (let m = 0; m < trainer.layout.members; m++) {
      const from = l.weight.offset + m * l.numel;
      const s = scales[m]![li]!;
      for (let i = from; i < from + l.numel; i++) out[i] = out[i]! * s;
    }
  });
  return out;
}

/** Per member: the gradient norm over its parameters (masked entries left out). */
function memberNorms(trainer: Trainer, g: Float64Array, mask: Float32Array): number[] {
  const M = trainer.layout.members;
  const sq = new Array<number>(M).fill(0);
  for (const l of trainer.layout.layers) {
    for (const seg of [l.weight, l.bias]) {
      for (let m = 0; m < M; m++) {
        const from = seg.offset + m * seg.perMember;
        for (let i = from; i < from + seg.perMember; i++) if (mask[i] !== 0) sq[m]! += g[i]! ** 2;
      }
    }
  }
  return sq.map(Math.sqrt);
}

/** The member of a flat parameter index (ghost segments excluded: GradInit runs before ToST ghosts matter). */
function memberOf(trainer: Trainer): Int32Array {
  const owner = new Int32Array(trainer.layout.totalFloats).fill(-1);
  for (const l of trainer.layout.layers) {
    for (const seg of [l.weight, l.bias]) for (let m = 0; m < trainer.layout.members; m++) owner.fill(m, seg.offset + m * seg.perMember, seg.offset + (m + 1) * seg.perMember);
  }
  return owner;
}

/**
 * J per member at the given scales (see the header). `branch` null: decide per member (and
 * return the decision); otherwise use the given one.
 */
export async function gradInitObjective(
  trainer: Trainer,
  o: Pick<GradInitOptions, 'eta' | 'gamma'>,
  mask: Float32Array,
  scales: readonly (readonly number[])[],
  batches: { a: Uint32Array; b: Uint32Array },
  branch: ('norm' | 'step')[] | null,
): Promise<{ j: number[]; branch: ('norm' | 'step')[]; evaluations: number }> {
  const theta = scaleWeights(trainer, trainer.initial.denseWeights, scales).map((w, i) => (mask[i] === 0 ? 0 : w));
  const { gradient } = await trainer.lossAndGradient(theta, mask, batches.a);
  const norms = memberNorms(trainer, gradient, mask);
  const chosen = branch ?? norms.map((n) => (n > o.gamma ? 'norm' : 'step'));
  if (chosen.every((b) => b === 'norm')) return { j: norms, branch: chosen, evaluations: 1 };
  const owner = memberOf(trainer);
  const stepped = theta.map((w, i) => {
    const m = owner[i]!;
    if (m < 0 || mask[i] === 0 || norms[m] === 0) return w;
    return w - (o.eta * gradient[i]!) / norms[m]!;
  });
  const { loss } = await trainer.lossAndGradient(stepped, mask, batches.b);
  return { j: chosen.map((b, m) => (b === 'norm' ? norms[m]! : loss[m]! / o.eta)), branch: chosen, evaluations: 2 };
}

/** Learns the per-layer scales; the trainer's parameters must be reloaded afterwards (applyGradInit). */
export async function gradInitScales(trainer: Trainer, o: GradInitOptions, onIteration?: (i: number, objective: number) => void): Promise<GradInitResult> {
  const s = trainer.setup;
  const M = s.members;
  const L = trainer.layout.layers.length;
  const delta = o.delta ?? 1e-2;
  const mask = o.afterMask ? await trainer.readMask() : new Float32Array(trainer.layout.totalFloats).fill(1);
  const draws = gradInitDraws(s.seed, s.trainIdx, s.batch, o.iters);
  const scales = Array.from({ length: M }, () => new Array<number>(L).fill(1));
  const adam = { m: scales.map((r) => r.map(() => 0)), v: scales.map((r) => r.map(() => 0)) };
  const objective: number[] = [];
  let evaluations = 0;
  for (let it = 0; it < o.iters; it++) {
    const batches = draws[it]!;
    const base = await gradInitObjective(trainer, o, mask, scales, batches, null);
    evaluations += base.evaluations;
    const mean = base.j.reduce((a, v) => a + v, 0) / M;
    objective.push(mean);
    onIteration?.(it, mean);
    const grad = scales.map((r) => r.map(() => 0));
    for (let l = 0; l < L; l++) {
      const at = async (sign: number): Promise<number[]> => {
        const r = await gradInitObjective(trainer, o, mask, scales.map((row) => row.map((v, j) => (j === l ? v + sign * delta : v))), batches, base.branch);
        evaluations += r.evaluations;
        return r.j;
      };
      const [up, down] = [await at(1), await at(-1)];
      for (let m = 0; m < M; m++) grad[m]![l] = Math.max(-1, Math.min(1, (up[m]! - down[m]!) / (2 * delta)));
    }
    // Adam (β1 0.9, β2 0.999) on the scales, as GradInit does.
    const t = it + 1;
    for (let m = 0; m < M; m++) {
      for (let l = 0; l < L; l++) {
        const g = grad[m]![l]!;
        adam.m[m]![l] = 0.9 * adam.m[m]![l]! + 0.1 * g;
        adam.v[m]![l] = 0.999 * adam.v[m]![l]! + 0.001 * g * g;
        const mh = adam.m[m]![l]! / (1 - 0.9 ** t);
        const vh = adam.v[m]![l]! / (1 - 0.999 ** t);
        scales[m]![l] = Math.max(o.minScale, scales[m]![l]! - (o.lr * mh) / (Math.sqrt(vh) + 1e-8));
      }
    }
  }
  return { scales, objective, evaluations };
}

/** Runs GradInit and starts the run from the rescaled initial weights (under the current mask). */
export async function applyGradInit(trainer: Trainer, o: GradInitOptions, onIteration?: (i: number, objective: number) => void): Promise<GradInitResult> {
  if (trainer.currentStep !== 0) throw new Error('GradInit rescales the initialisation: call it before training');
  const mask = await trainer.readMask();
  const result = await gradInitScales(trainer, o, onIteration);
  const weights = scaleWeights(trainer, trainer.initial.denseWeights, result.scales);
  trainer.loadMask(weights, mask, trainer.activeCounts);
  return result;
}
