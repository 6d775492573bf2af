// One layer's mask update in position space (shaders/mask.wgsl): score → exact k-smallest select
// (prune) → score → select (grow) → apply, per member, on the layer's (members, numel) segments of
// the flat buffers: the masked storage's update. The sparse storage selects the same connections
// over its slots and bitmaps instead (sparse-update-plan.ts).
import { encodeKernel, updateParams, type BoundKernel } from '../gpu';
import { EV_GROWN, EV_PRUNED } from '../reference/mask-codes';
import type { StorageContext, UpdateCounts } from './layer-storage';
import { GROW_RULES, PRUNE_RULES, type ScoreSource } from './mask-rules';
import { segmentBinding, type LayerParams } from './param-layout';

export class MaskUpdate {
  private readonly prune: BoundKernel;
  private readonly selectPrune: BoundKernel;
  private readonly grow: BoundKernel;
  private readonly selectGrow: BoundKernel;
  private readonly apply: BoundKernel;

  /**
   * `events` (members, numel) u32 receives the CHANGE codes the views draw; `keys` (members, numel)
   * u32 is scratch (free again once the update is encoded).
   */
  constructor(
    private readonly ctx: StorageContext,
    private readonly layer: LayerParams,
    /** The layer's index among the weight layers (random regrowth hashes it). */
    private readonly index: number,
    events: GPUBuffer,
    keys: GPUBuffer,
  ) {
    const b = ctx.buffers;
    const p = layer;
    const n = p.numel;
    const M = ctx.members;
    const mask = segmentBinding(b.mask, p.weight);
    const sources: Record<ScoreSource, GPUBuffer> = { params: b.params, grads: b.grads, state1: b.state1 };
    const pruneRule = PRUNE_RULES[ctx.prune];
    const growRule = GROW_RULES[ctx.grow];
    const score = { n, seed: ctx.seed, step: 0, layer: index };
    this.prune = ctx.bind(pruneRule.kernel, { resources: { src: segmentBinding(sources[pruneRule.source], p.weight), mask, keys }, params: score, members: M });
    this.selectPrune = ctx.bind('mask.select_k', { resources: { keys, events }, params: { n, k: 0, bit: EV_PRUNED }, members: M });
    this.grow = ctx.bind(growRule.kernel, { resources: { src: segmentBinding(sources[growRule.source], p.weight), mask, events, keys }, params: score, members: M });
    this.selectGrow = ctx.bind('mask.select_k', { resources: { keys, events }, params: { n, k: 0, bit: EV_GROWN }, members: M });
    this.apply = ctx.bind('mask.apply_update', {
      resources: { mask, weights: segmentBinding(b.params, p.weight), events, fired: segmentBinding(b.fired, p.weight), state1: segmentBinding(b.state1, p.weight), state2: segmentBinding(b.state2, p.weight) },
      params: { n, states: ctx.optimizer === 'adam' ? 2 : 1 },
      members: M,
    });
  }

  /** The counts and the step (random regrowth hashes it) of the next encode. */
  prepare(step: number, counts: UpdateCounts): void {
    const { cache, seed } = this.ctx;
    const n = this.layer.numel;
    const score = { n, seed, step, layer: this.index };
    updateParams(cache, this.prune, score);
    updateParams(cache, this.grow, score);
    updateParams(cache, this.selectPrune, { n, k: counts.prune, bit: EV_PRUNED });
    updateParams(cache, this.selectGrow, { n, k: counts.grow, bit: EV_GROWN });
  }

  encode(pass: GPUComputePassEncoder): void {
    for (const k of [this.prune, this.selectPrune, this.grow, this.selectGrow, this.apply]) encodeKernel(pass, k);
  }
}
