// One weight layer's storage: the seam between the network and the way a layer keeps its weights
// (docs/ARCHITECTURE.md §7). A storage owns the kernels of its layer's forward pass, its input
// gradient dX, its weight and bias gradients, its optimizer step and its mask update; the network
// orders them with the activations, pools and ToST bypasses, and the trainer only talks to the
// network. Two storages: `masked` (the reference, below): dense W and a 0/1 mask [member][out][in]
// (conv [member][cout][cin][kh][kw]) in the network's flat buffers; and `sparse` for dense layers
// (sparse-storage.ts): the active connections only, as slots.
import type { bindKernel, BoundKernel, KernelName, PipelineCache, ReadbackPool } from '../gpu';
import { convSplits, dims } from './gemm-dims';
import { convOut, type WeightLayerSpec } from './layers';
import type { GrowRuleName, PruneRuleName } from './mask-rules';
import { MaskUpdate } from './mask-update';
import { segmentBinding, type LayerParams } from './param-layout';

/** A kernel of the step; `grad` marks the two variants of a weight gradient (one runs per step), `ghost` the ToST bypass. */
export interface StepKernel {
  k: BoundKernel;
  grad?: 'masked' | 'full';
  ghost?: boolean;
}

/** Prune and grow counts of one layer's next mask update (every member has the same). */
export interface UpdateCounts {
  prune: number;
  grow: number;
}

export type StorageKind = 'masked' | 'sparse';

/** The network's flat buffers by name (param-layout.ts), as host reads name them. */
export type FlatName = 'params' | 'grads' | 'mask' | 'state1' | 'state2' | 'fired';

/**
 * One layer of a GPU-drawn mask view (src/viz/mask-heatmaps.ts): member 0's cells, rows = output
 * units, cols = inputs·taps. `flat`: the masked storage's segment of the flat 0/1 mask and ITOP
 * buffers (member 0 from float `base`) and its CHANGE codes (members, rows·cols); `bits`: the
 * sparse storage's bitmaps (members, rows, words) u32: occ now, old (occ before the last update,
 * the first region of its snapshot), kept (old minus the pruned) and ITOP's fired.
 */
export type MaskLayerBuffers = { name: string; rows: number; cols: number } & ({ kind: 'flat'; mask: GPUBuffer; fired: GPUBuffer; base: number; events: GPUBuffer } | { kind: 'bits'; occ: GPUBuffer; old: GPUBuffer; kept: GPUBuffer; fired: GPUBuffer; words: number });

/** The most pixels a mask heatmap has: a larger sparse layer is drawn one pixel per block of connections. */
export const VIEW_MAX_PIXELS = 1024 * 1024;
/** The longest heatmap side (WebGPU's default maxTextureDimension2D). */
const VIEW_MAX_SIDE = 8192;

/**
 * Connections per heatmap pixel along each side of a layer of (rows, cols): 1 while it has at most
 * `maxPixels` connections and both sides fit a texture, else the smallest square block that fits.
 * Only the sparse storage's bitmaps are drawn in blocks (mask_render.wgsl fs_bits); a masked layer
 * stays within 1,024 × 1,024 connections (storage-choice.ts) and is drawn one pixel each.
 */
export function viewBlock(l: Pick<MaskLayerBuffers, 'kind' | 'rows' | 'cols'>, maxPixels = VIEW_MAX_PIXELS): number {
  if (l.kind !== 'bits') return 1;
  let b = Math.max(1, Math.ceil(Math.sqrt((l.rows * l.cols) / maxPixels)));
  while (Math.ceil(l.rows / b) * Math.ceil(l.cols / b) > maxPixels || Math.max(l.rows, l.cols) > b * VIEW_MAX_SIDE) b++;
  return b;
}

/** A layer's position-space segments, (members, numel) each, as the host writes them. */
export interface HostSegments {
  weights: Float32Array;
  mask: Float32Array;
  fired: Float32Array;
  /** Optimizer state 1 and 2 (zeros on a fresh start). */
  states: [Float32Array, Float32Array];
}

/** Host reads and writes of a layer whose weights are not in the network's flat buffers. */
export interface SlottedHost {
  /** Builds the layer from position-space segments (a fresh start, a checkpoint, a mask at init). */
  upload(seg: HostSegments): void;
  /** One of its position-space segments, (members, numel); `grads` with `dense`: the last full dW. */
  read(which: FlatName, readback: ReadbackPool, dense: boolean): Promise<Float32Array>;
}

export interface LayerStorage {
  readonly kind: StorageKind;
  /** The layer's parameters as laid out in the network's flat GPU buffers (param-layout.ts gpuLayoutOf). */
  readonly layer: LayerParams;
  /** z = (W⊙M)·x + b, (members, batch, out features). */
  readonly forward: readonly StepKernel[];
  /** dW (masked and full variants), db, then dX into the previous layer's output gradient. */
  readonly backward: readonly StepKernel[];
  /** This layer's optimizer step; null where the network's one flat optimizer dispatch covers it (masked). */
  readonly optimizer: StepKernel | null;
  /** Sets the counts and the step (random regrowth hashes it) of the next encodeMaskUpdate. */
  prepareMaskUpdate(step: number, counts: UpdateCounts): void;
  encodeMaskUpdate(pass: GPUComputePassEncoder): void;
  /** What the last mask update did to each connection, (members, numel) CHANGE codes (mask-codes.ts). */
  readEvents(readback: ReadbackPool): Promise<Uint32Array>;
  /** What the mask heatmaps draw this layer from. */
  readonly view: MaskLayerBuffers;
  /** Host reads and writes of the weights (null: they are the flat buffers' segments). */
  readonly host: SlottedHost | null;
  /** Frees scratch that only a step with the full dense dW needed (the network's gradient reads are done). */
  releaseDenseGradient(): void;
  /** Per-step optimizer values for slots 0.. of the next chunk (its own n is added). */
  writeOptimizerParams(steps: readonly Record<string, number>[]): void;
  /**
   * Bytes of the layer's weight state, all members: weights, gradients, optimizer state and the
   * mask or the indices (the ITOP record, change codes and scratch are not counted).
   */
  readonly stateBytes: number;
  /** Frees what the storage allocated itself (the network frees what it allocated through ctx). */
  destroy(): void;
}

/** The network's flat buffers and settings a storage binds to, and its allocators. */
export interface StorageContext {
  cache: PipelineCache;
  batch: number;
  members: number;
  /** The flat buffers, laid out as gpuLayoutOf (no weight segment for a sparse layer). */
  buffers: { params: GPUBuffer; grads: GPUBuffer; mask: GPUBuffer; state1: GPUBuffer; state2: GPUBuffer; fired: GPUBuffer };
  optimizer: 'sgd' | 'adam';
  /** Per-step params slots of a chunk (a storage's own optimizer reads its step's slot). */
  slots: number;
  prune: PruneRuleName;
  grow: GrowRuleName;
  /** The 'regrow' stream seed random regrowth hashes with (seed, step, member, layer, index). */
  seed: number;
  /** Binds a kernel and keeps it for destroy(). */
  bind(name: KernelName, args: Parameters<typeof bindKernel>[2]): BoundKernel;
  /** A storage buffer of `floats` f32, kept for destroy(). */
  own(label: string, floats: number): GPUBuffer;
}

/** The activations a layer reads and writes, (members, batch, features) each. */
export interface LayerTensors {
  /** The layer's input x. */
  x: GPUBuffer;
  /** Its pre-activation z (its output when it has no activation). */
  z: GPUBuffer;
  /** dL/dz. */
  gz: GPUBuffer;
  /** dL/dx, the previous layer's output gradient; null for the first layer (no dX). */
  gx: GPUBuffer | null;
}

/**
 * dW of a weight (or a ghost bypass) into `out`: one GEMM, or for a conv, partial sums over batch ×
 * pixels in `splits` slices then a fixed-order sum (no float atomics). `shared` carries the
 * partials buffer between the masked and full variants of one weight (only one runs per step).
 */
export function weightGradKernels(ctx: StorageContext, spec: WeightLayerSpec, a: GPUBuffer, x: GPUBuffer, mask: GPUBufferBinding, out: GPUBufferBinding, grad: 'masked' | 'full', label: string, shared: { partials?: GPUBuffer } = {}): StepKernel[] {
  const { batch, members: M } = ctx;
  const splits = spec.kind === 'conv' ? convSplits(spec, batch) : 1;
  const suffix = grad === 'masked' ? '_masked' : '';
  if (splits === 1) return [{ grad, k: ctx.bind(`${spec.kind}.backward_weight${suffix}`, { resources: { a, b: x, mask, c: out }, params: dims(spec, batch, 1), members: M, label: `${label} dW ${grad}` }) }];
  const numel = out.size! / 4 / M;
  const partials = (shared.partials ??= ctx.own(`${label} dW partials`, M * splits * numel));
  return [
    { grad, k: ctx.bind(`${spec.kind}.backward_weight`, { resources: { a, b: x, mask, c: partials }, params: dims(spec, batch, splits), members: M, label: `${label} dW partials` }) },
    { grad, k: ctx.bind('reduce.sum_splits', { resources: { partials, mask, out }, params: { n: numel, splits, masked: grad === 'masked' ? 1 : 0 }, members: M, label: `${label} dW ${grad}` }) },
  ];
}

/** The masked storage: dense weights under a mask, in segments of the network's flat buffers. */
export class MaskedStorage implements LayerStorage {
  readonly kind = 'masked' as const;
  readonly host = null;
  readonly view: MaskLayerBuffers;
  private readonly events: GPUBuffer;
  readonly forward: StepKernel[];
  readonly backward: StepKernel[] = [];
  readonly optimizer = null;
  private readonly update: MaskUpdate;
  private readonly states: number;

  constructor(
    ctx: StorageContext,
    readonly layer: LayerParams,
    /** The layer's index among the weight layers (random regrowth hashes it). */
    index: number,
    t: LayerTensors,
  ) {
    const p = layer;
    const { batch, members: M, buffers: b } = ctx;
    const spec = p.spec;
    const w = segmentBinding(b.params, p.weight);
    const mask = segmentBinding(b.mask, p.weight);
    this.events = ctx.own(`${p.name} events`, M * p.numel);
    this.view = { kind: 'flat', name: p.name, rows: p.outChannels, cols: p.numel / p.outChannels, mask: b.mask, fired: b.fired, base: p.weight.offset, events: this.events };
    this.forward = [{ k: ctx.bind(`${spec.kind}.forward`, { resources: { a: t.x, b: w, mask, bias: segmentBinding(b.params, p.bias), c: t.z }, params: dims(spec, batch, 1), members: M, label: `${p.name} forward` }) }];
    // dW restricted to active entries on ordinary steps; the full dense dW when the step needs it
    // (a RigL update scores inactive positions by it; SNFS keeps dense momentum).
    const gradW = segmentBinding(b.grads, p.weight);
    const shared = {};
    for (const grad of ['masked', 'full'] as const) this.backward.push(...weightGradKernels(ctx, spec, t.gz, t.x, mask, gradW, grad, p.name, shared));
    const pixels = spec.kind === 'conv' ? convOut(spec).h * convOut(spec).w : 1;
    // Dense layers: one thread per channel (the same floats as the workgroup tree, fewer barriers).
    this.backward.push({ k: ctx.bind(pixels === 1 ? 'reduce.bias_grad_dense' : 'reduce.bias_grad', { resources: { dy: t.gz, db: segmentBinding(b.grads, p.bias) }, params: { batch, channels: p.outChannels, pixels }, members: M, label: `${p.name} db` }) });
    if (t.gx) this.backward.push({ k: ctx.bind(`${spec.kind}.backward_input`, { resources: { a: t.gz, b: w, mask, c: t.gx }, params: dims(spec, batch, 1), members: M, label: `${p.name} dX` }) });
    this.update = new MaskUpdate(ctx, p, index, this.events, ctx.own(`${p.name} keys`, M * p.numel));
    this.states = ctx.optimizer === 'adam' ? 2 : 1;
  }

  prepareMaskUpdate(step: number, counts: UpdateCounts): void {
    this.update.prepare(step, counts);
  }

  encodeMaskUpdate(pass: GPUComputePassEncoder): void {
    this.update.encode(pass);
  }

  get stateBytes(): number {
    // Weights, gradients, mask and one or two optimizer states, dense-sized at any density.
    return this.layer.numel * this.layer.weight.members * 4 * (3 + this.states);
  }

  readEvents(readback: ReadbackPool): Promise<Uint32Array> {
    return readback.readU32(this.events);
  }

  // The weights live in the flat buffers, dense dW in the gradient segment, the optimizer is the network's.
  releaseDenseGradient(): void {}
  writeOptimizerParams(): void {}
  destroy(): void {}
}
