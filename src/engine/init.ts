// Initial parameters on the CPU, uploaded once: per member and layer, an exact-count random mask
// (density from the layer-wise rule) and He or Glorot normal weights, optionally scaled by
// 1/sqrt(density) ("sparse-aware" init, so a sparse layer's output variance matches a dense
// one's). Biases start at 0 and are never masked. Each (member, layer) draws from its own seeded
// stream, so a member's initial network does not depend on how many members there are.
import { streamSeed, type Stream } from '../config';
import { activeCount, allocateDensities, randomMask, type DensityRule, type MaskableLayer } from '../sparsity';
import { mulberry32, pcgHash } from '../util/rng';
import { maskableLayer } from './layers';
import { flatIndex, type ParamLayout } from './param-layout';

export type InitScheme = 'he' | 'glorot';

export interface InitOptions {
  seed: number;
  /** Overall density of the maskable weights (1 = dense). */
  density: number;
  rule: DensityRule;
  scheme: InitScheme;
  sparseAwareInit: boolean;
  /** Constant initial value of ToST ghost bypass weights (the released code uses 1e-4). */
  ghostInit?: number;
}

export interface InitialState {
  weights: Float32Array; // flat, ParamLayout.totalFloats (masked)
  /** The same draws before masking: what pruning-at-init methods score. */
  denseWeights: Float32Array;
  mask: Float32Array; // flat; 1 on biases
  densities: number[]; // per layer
  activeCounts: number[]; // per layer, per member (equal for all members)
}

/** Seed for one layer of a member's stream (config/seeds.ts: 'init' weights, 'mask' masks...). */
export function layerSeed(seed: number, member: number, stream: Stream, layer: number): number {
  return pcgHash((streamSeed(seed, member, stream) ^ layer) >>> 0);
}

export function maskableLayers(layout: ParamLayout): (MaskableLayer & { outH?: number; outW?: number })[] {
  return layout.layers.map((l) => maskableLayer(l.spec, l.name));
}

export function initialState(layout: ParamLayout, o: InitOptions): InitialState {
  const layers = maskableLayers(layout);
  const { densities } = o.density >= 1 ? { densities: layers.map(() => 1) } : allocateDensities(layers, o.density, o.rule);
  const weights = new Float32Array(layout.totalFloats);
  const denseWeights = new Float32Array(layout.totalFloats);
  const mask = new Float32Array(layout.totalFloats);
  const counts: number[] = [];
  layout.layers.forEach((l, li) => {
    const n = l.numel;
    const d = densities[li]!;
    const active = activeCount(n, d);
    counts.push(active);
    const fan = o.scheme === 'he' ? l.fanIn : (l.fanIn + l.fanOut) / 2;
    const std = Math.sqrt((o.scheme === 'he' ? 2 : 1) / fan) / (o.sparseAwareInit ? Math.sqrt(Math.max(d, 1e-6)) : 1);
    for (let m = 0; m < layout.members; m++) {
      const layerMask = randomMask(n, active, mulberry32(layerSeed(o.seed, m, 'mask', li)));
      const rng = mulberry32(layerSeed(o.seed, m, 'init', li));
      for (let i = 0; i < n; i++) {
        const j = flatIndex(l.weight, m, i);
        mask[j] = layerMask[i]!;
        denseWeights[j] = rng.normal() * std;
        weights[j] = layerMask[i]! * denseWeights[j]!;
      }
      for (let i = 0; i < l.outChannels; i++) mask[flatIndex(l.bias, m, i)] = 1;
      const g = l.ghost;
      if (g) {
        for (let i = 0; i < g.numel; i++) {
          const j = flatIndex(g.weight, m, i);
          mask[j] = 1;
          weights[j] = denseWeights[j] = o.ghostInit ?? 1e-4;
        }
      }
    }
  });
  return { weights, denseWeights, mask, densities, activeCounts: counts };
}
