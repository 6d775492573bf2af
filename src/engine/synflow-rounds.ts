// Iterative SynFlow's rounds (docs/METHODS.md §4.2) as one pure computation on plain arrays, so
// it can run in a worker (synflow-worker.ts) and keep the page's thread free: 1,000 rounds on a
// 3 × 1024 MLP are minutes of float64 products and selections. Also the exact top-k mask
// selection every mask-at-init method shares (selectMasks).
import { keepTopK, synflowScores, type ScoreArray, type Scope } from '../sparsity';
import type { LayerSpec } from './layers';
import { synflowGradients } from './synflow';

/**
 * Exact masks per member: `count` is one total over all layers (global scope) or one count per
 * layer. With several members, global scope sets the per-layer counts from member 0 and every
 * other member keeps those counts per layer (the members stay comparable).
 */
export function selectMasks(scores: ScoreArray[][], count: number | readonly number[], within?: Float32Array[][]): { masks: Float32Array[][]; counts: number[] } {
  const first: Float32Array[] = typeof count === 'number' ? keepTopK(scores[0]!, count, 'global', within?.[0]) : keepTopK(scores[0]!, count, 'per-layer', within?.[0]);
  const layerCounts = first.map((m) => m.reduce((a, v) => a + v, 0));
  const masks = [first, ...scores.slice(1).map((s, i) => keepTopK(s, layerCounts, 'per-layer', within?.[i + 1]))];
  return { masks, counts: layerCounts };
}

export interface SynflowJob {
  layers: readonly LayerSpec[];
  /** [member][weight layer] dense initial weights (numel each). */
  weights: Float32Array[][];
  /** Active weights per layer after the last round. */
  target: number[];
  scope: Scope;
  rounds: number;
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

/** `rounds` rounds at density d^(k/rounds), each scored on the masked network; `onRound(k)` after each but the last. */
export function synflowRounds(job: SynflowJob, onRound?: (k: number) => void): { masks: Float32Array[][]; counts: number[] } {
  const { layers, weights, target, scope, rounds } = job;
  const numels = weights[0]!.map((w) => w.length);
  let masks: Float32Array[][] = weights.map(() => numels.map((n) => new Float32Array(n).fill(1)));
  let counts = [...numels];
  for (let k = 1; k <= rounds; k++) {
    // Exponential schedule per layer (d_l^(k/R)); the last round lands on the exact targets.
    const perLayer = target.map((t, l) => (k === rounds ? t : Math.round(numels[l]! * (t / numels[l]!) ** (k / rounds))));
    const scores = masks.map((mm, m) => {
      const w = weights[m]!;
      const dR = synflowGradients(layers, w, mm);
      return w.map((wl, li) => {
        const masked = new Float32Array(wl.length);
        const ml = mm[li]!;
        for (let i = 0; i < wl.length; i++) masked[i] = ml[i] === 0 ? 0 : wl[i]!;
        return synflowScores(masked, dR[li]!);
      });
    });
    ({ masks, counts } = selectMasks(scores, scope === 'global' ? sum(perLayer) : perLayer, masks));
    if (k < rounds) onRound?.(k);
  }
  return { masks, counts };
}
