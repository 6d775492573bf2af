// Layer-wise density allocation (docs/METHODS.md §0, §1.2): a registry of small pure rules
// (docs/ARCHITECTURE.md §6) that turn a target overall density d = 1 − s into one density per layer,
// plus the exact integer active counts that masks are then drawn with.
//
// Rules:
// * uniform — every layer gets d. With `denseFirst` / `denseLast` those layers are kept at density 1
//   and every OTHER layer gets d (RigL's `prune_first_layer = False` behaviour), so the realised
//   overall density is slightly ABOVE d, as in RigL; it is not re-solved to hit d exactly.
// * er — Erdős–Rényi on the two neuron dims only (dense [in, out], conv [cin, cout]; no kernel dims,
//   but N_l still counts every weight). With a fixed `epsilon` it is SET's rule
//   d_l = min(1, ε(n_in + n_out)/(n_in·n_out)), independent of the target d. Without `epsilon` it is
//   RigL's `erdos_renyi`: the ERK loop below with raw_l = (n_in + n_out)/(n_in·n_out).
// * erk — RigL's Erdős–Rényi-Kernel: raw_l = (Σ dims / Π dims)^p, p = `powerScale` (default 1);
//   a global ε with Σ d_l N_l = d·Σ N_l; every layer whose ε·raw_l would exceed 1 (all layers that
//   share the max) is made dense and ε re-solved — the exact loop of docs/METHODS.md §1.2 (rigl/sparse_utils.py).
//   It reproduces the reference LeNet-300-100 / LeNet-5-Caffe tables (tests/unit/sparsity/densities).
//   Property: d_l = min(1, ε·raw_l) for every layer at the returned ε.
//
// Active counts follow RigL: floor(s_l·N_l) zeros, so active = N_l − floor((1 − d_l)·N_l); a 1e-9
// slack keeps float noise such as (1 − 0.9)·10 = 0.99999… from costing a zero.

import { assert } from '../util/assert';
import { inOutChannels, numel, type MaskableLayer } from './layers';

export type DensityRule =
  | { kind: 'uniform'; denseFirst?: boolean; denseLast?: boolean }
  | { kind: 'er'; epsilon?: number }
  | { kind: 'erk'; powerScale?: number };

export type DensityRuleKind = DensityRule['kind'];

export interface DensityAllocation {
  /** One density in [0, 1] per layer, in layer order. */
  densities: number[];
  /** ε of ER / ERK (given or solved); null for uniform. */
  epsilon: number | null;
}

/** Solve Σ d_l N_l = d·Σ N_l with d_l = min(1, ε·raw_l), making max-raw layers dense as needed. */
export function solveErdosRenyi(sizes: readonly number[], raw: readonly number[], density: number): DensityAllocation {
  assert(sizes.length === raw.length && sizes.length > 0, 'solveErdosRenyi: need one raw score per layer, at least one layer');
  const dense = new Set<number>();
  for (;;) {
    let rhs = 0;
    let div = 0;
    for (let l = 0; l < sizes.length; l++) {
      const n = sizes[l]!;
      if (dense.has(l)) rhs -= n * (1 - density);
      else {
        rhs += n * density;
        div += raw[l]! * n;
      }
    }
    if (div === 0) {
      // Every layer is dense; only possible at d = 1 (the rest solve to (dΣN − N_dense)/N_rest ≤ 1).
      // Report the smallest ε that makes every layer dense, so d_l = min(1, ε·raw_l) still holds.
      return { densities: sizes.map(() => 1), epsilon: 1 / Math.min(...raw) };
    }
    const eps = rhs / div;
    let maxProb = -Infinity;
    for (let l = 0; l < sizes.length; l++) if (!dense.has(l)) maxProb = Math.max(maxProb, eps * raw[l]!);
    if (maxProb > 1) {
      for (let l = 0; l < sizes.length; l++) if (!dense.has(l) && eps * raw[l]! === maxProb) dense.add(l);
      continue;
    }
    return { densities: sizes.map((_, l) => (dense.has(l) ? 1 : eps * raw[l]!)), epsilon: eps };
  }
}

/** raw_l of ER: (n_in + n_out)/(n_in·n_out) over the neuron dims only. */
export function erRaw(layer: MaskableLayer): number {
  const { nIn, nOut } = inOutChannels(layer);
  return (nIn + nOut) / (nIn * nOut);
}

/** raw_l of ERK: (Σ dims / Π dims)^powerScale over every dim of the weight shape. */
export function erkRaw(layer: MaskableLayer, powerScale = 1): number {
  const sum = layer.shape.reduce((a, b) => a + b, 0);
  return (sum / numel(layer)) ** powerScale;
}

type RuleFn<R extends DensityRule> = (layers: readonly MaskableLayer[], density: number, rule: R) => DensityAllocation;

/** The registry: one small pure function per rule kind. */
export const DENSITY_RULES: { [K in DensityRuleKind]: RuleFn<Extract<DensityRule, { kind: K }>> } = {
  uniform: (layers, density, rule) => {
    const last = layers.length - 1;
    const densities = layers.map((_, l) => ((rule.denseFirst === true && l === 0) || (rule.denseLast === true && l === last) ? 1 : density));
    return { densities, epsilon: null };
  },
  er: (layers, density, rule) => {
    if (rule.epsilon === undefined) return solveErdosRenyi(layers.map(numel), layers.map(erRaw), density);
    const eps = rule.epsilon;
    assert(Number.isFinite(eps) && eps >= 0, `er: epsilon must be a finite number >= 0, got ${eps}`);
    return { densities: layers.map((layer) => Math.min(1, eps * erRaw(layer))), epsilon: eps };
  },
  erk: (layers, density, rule) => {
    const p = rule.powerScale ?? 1;
    assert(Number.isFinite(p) && p >= 0, `erk: powerScale must be a finite number >= 0, got ${p}`);
    return solveErdosRenyi(layers.map(numel), layers.map((layer) => erkRaw(layer, p)), density);
  },
};

/** Per-layer densities for a target overall density d ∈ [0, 1] under `rule`. */
export function allocateDensities(layers: readonly MaskableLayer[], density: number, rule: DensityRule): DensityAllocation {
  assert(layers.length > 0, 'allocateDensities: no maskable layers');
  assert(density >= 0 && density <= 1, `allocateDensities: density must be in [0, 1], got ${density}`);
  const fn = DENSITY_RULES[rule.kind] as RuleFn<DensityRule>;
  return fn(layers, density, rule);
}

/**
 * The density (share of weights kept) of a sparsity (share removed): the config and the sliders
 * speak sparsity, the engine density. The one place `1 − s` is written.
 */
export function densityOfSparsity(sparsity: number): number {
  return 1 - sparsity;
}

/** Exact active count of one tensor of `n` weights at density d: n − floor((1 − d)·n + 1e-9), clamped. */
export function activeCount(n: number, density: number): number {
  assert(Number.isInteger(n) && n >= 0, `activeCount: n must be a non-negative integer, got ${n}`);
  const zeros = Math.floor((1 - density) * n + 1e-9);
  return Math.min(n, Math.max(0, n - zeros));
}

/** Exact integer active count per layer (RigL: floor(s_l·N_l) zeros). */
export function activeCounts(layers: readonly MaskableLayer[], densities: readonly number[]): number[] {
  assert(layers.length === densities.length, `activeCounts: ${layers.length} layers but ${densities.length} densities`);
  return layers.map((layer, l) => activeCount(numel(layer), densities[l]!));
}

/** Overall density Σ d_l N_l / Σ N_l of real-valued densities (see countsDensity for realised masks). */
export function overallDensity(layers: readonly MaskableLayer[], densities: readonly number[]): number {
  assert(layers.length === densities.length, `overallDensity: ${layers.length} layers but ${densities.length} densities`);
  let kept = 0;
  let total = 0;
  layers.forEach((layer, l) => {
    const n = numel(layer);
    kept += densities[l]! * n;
    total += n;
  });
  return kept / total;
}

/** Realised overall density of integer active counts: Σ active_l / Σ N_l. */
export function countsDensity(layers: readonly MaskableLayer[], counts: readonly number[]): number {
  assert(layers.length === counts.length, `countsDensity: ${layers.length} layers but ${counts.length} counts`);
  const total = layers.reduce((a, layer) => a + numel(layer), 0);
  return counts.reduce((a, c) => a + c, 0) / total;
}
