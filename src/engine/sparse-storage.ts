// The sparse storage of a dense layer (docs/ARCHITECTURE.md §7): the active connections only, as
// slots in CSR order, so a training step's forward, dX, dW and optimizer cost follows the active
// count (shaders/sparse.wgsl; CPU reference src/reference/sparse.ts). Per member, cap = slots:
//   val, grad, state1, state2 (Adam) (members, cap) f32    col, row, t_slot, t_row (members, cap) u32
//   row_ptr (members, out+1), t_ptr (members, in+1) u32
//   occ, base, kept, grown, ties, fired (members, out, ceil(in/32)) u32: the occupancy bitmap, its
//   per-word row offsets, the update's selections and ITOP's record
// The mask update runs over the slots and bitmaps (sparse-update-plan.ts: prune over the slots,
// the growth selection over the candidates' bits with keys computed in place, the index rebuilt
// from the new bitmap, values and state carried). The network's flat GPU buffers hold no segment
// of this layer: host reads and writes convert through the slots and bitmaps on the CPU
// (sparse-host.ts), and the CHANGE codes the views show come from the bitmaps an update leaves
// (old occ, kept, occ). Memory follows the active count, except RigL's growth scores: the dense
// dW of an update step, (members, out, in) f32, kept while the run's growth reads it (allocated
// on demand otherwise, for masks at initialisation and GradInit, and released after).
// A change of the active count (a density target) reallocates the slots at that update.
import { bindKernel, encodeKernel, storageBuffer, updateParamSlots, updateParams, type BoundKernel, type ReadbackPool } from '../gpu';
import { bitmapWordsPerRow } from '../gpu/registry-sparse-update';
import { dims } from './gemm-dims';
import type { FlatName, HostSegments, LayerStorage, LayerTensors, MaskLayerBuffers, SlottedHost, StepKernel, StorageContext, UpdateCounts } from './layer-storage';
import { segmentBinding, type LayerParams } from './param-layout';
import { activePerMember, changeCodes, packBits, packSlots, unpackBits, unpackSlots, type HostShape } from './sparse-host';
import { bitmapSizes, indexCalls, updateCalls, updateParamsOf, type BitmapBuffers, type Call, type SlotBuffers, type UpdateShape } from './sparse-update-plan';

/** shaders/optimizer.wgsl FLAG_UNMASKED: every slot is active, no mask is read. */
const FLAG_UNMASKED = 8;

/** A call list bound to buffers, with the kernels in the same order. */
interface BoundCalls {
  calls: Call[];
  kernels: BoundKernel[];
}

interface SlotSet {
  cap: number;
  b: SlotBuffers;
  /** The gradients at the slots (members, cap), what the SDDMM writes. */
  gradBuffer: GPUBuffer;
  /** The weight state stateBytes counts: values, gradients, optimizer state, col, row, t_slot, t_row. */
  weightState: GPUBuffer[];
  /** Every buffer and kernel of the set (the update scratch too), freed together. */
  owned: GPUBuffer[];
  kernels: BoundKernel[];
  forward: BoundKernel;
  grad: BoundKernel;
  dx: BoundKernel | null;
  optimizer: BoundKernel;
  /** The index from occ (after the host wrote occ and the slot values). */
  index: BoundCalls;
  /** A mask update that keeps the slot count: from this set into itself (bound at the first update). */
  update: BoundCalls | null;
}

export class SparseStorage implements LayerStorage, SlottedHost {
  readonly kind = 'sparse' as const;
  readonly host: SlottedHost = this;
  readonly view: MaskLayerBuffers;
  readonly forward: StepKernel[];
  readonly backward: StepKernel[] = [];
  readonly optimizer: StepKernel;
  private readonly shape: UpdateShape;
  private readonly bits: BitmapBuffers;
  private slots: SlotSet;
  /** The slots a realloc replaced at this chunk's update (its steps still ran on them), and that update's calls. */
  private previous: { set: SlotSet; update: BoundCalls } | null = null;
  /** The update the next encodeMaskUpdate encodes. */
  private pending: BoundCalls | null = null;
  /** Active connections per member the slots hold (the largest, when members differ). */
  private count = 0;
  private readonly wrap: { forward: StepKernel; grad: StepKernel[]; dx: StepKernel | null };
  /** The layer's input and output gradient, feature-major: (members, in, bp), (members, out, bp), bp = batch rounded up to 4. */
  private readonly xT: GPUBuffer;
  private readonly gzT: GPUBuffer;
  private readonly hostShape: HostShape;
  /** RigL's growth scores (and a full-gradient step's result): the dense dW, (members, out, in), with its kernel. */
  private dense: { buffer: GPUBuffer; kernel: BoundKernel } | null = null;
  /** What SET's growth binds as its (unread) scores. */
  private readonly noScore: GPUBuffer;
  /** Whether an update's growth reads the dense buffer (RigL), which then stays for the run. */
  private scoresBound = false;

  constructor(
    private readonly ctx: StorageContext,
    readonly layer: LayerParams,
    index: number,
    private readonly t: LayerTensors,
  ) {
    const p = layer;
    const M = ctx.members;
    if (p.spec.kind !== 'dense') throw new Error(`${p.name}: the sparse storage holds dense layers only (conv layers stay masked)`);
    if (ctx.grow === 'momentum') throw new Error(`${p.name}: the sparse storage keeps no dense momentum, so SNFS growth runs on the masked storage`);
    this.shape = { members: M, nIn: p.fanIn, nOut: p.outChannels, seed: ctx.seed, layer: index, grow: ctx.grow };
    this.hostShape = { members: M, nOut: p.outChannels, nIn: p.fanIn };
    const z = bitmapSizes(this.shape);
    const own = (name: string, words: number): GPUBuffer => ctx.own(`${p.name} ${name}`, words);
    this.bits = {
      occ: own('occ', z.bitmap),
      base: own('occ base', z.bitmap),
      kept: own('kept', z.bitmap),
      grown: own('grown', z.bitmap),
      ties: own('ties', z.bitmap),
      fired: own('ITOP fired', z.bitmap),
      old: own('snapshot', z.old),
      hist: own('grow histogram', z.hist),
      state: own('grow state', M * 4),
      rowPtr: own('row_ptr', M * (p.outChannels + 1)),
      tPtr: own('t_ptr', M * (p.fanIn + 1)),
    };
    const paddedBatch = Math.ceil(ctx.batch / 4) * 4; // rows past the batch stay 0 (shaders/sparse.wgsl)
    this.xT = ctx.own(`${p.name} xT`, M * paddedBatch * p.fanIn);
    this.gzT = ctx.own(`${p.name} dzT`, M * paddedBatch * p.outChannels);
    this.noScore = own('no growth scores', 1);
    this.view = { kind: 'bits', name: p.name, rows: p.outChannels, cols: p.fanIn, occ: this.bits.occ, old: this.bits.old, kept: this.bits.kept, fired: this.bits.fired, words: bitmapWordsPerRow(p.fanIn) };
    const transpose = (src: GPUBuffer, out: GPUBuffer, features: number, what: string): StepKernel => ({ k: ctx.bind('sparse.transpose', { resources: { src, out }, params: { batch: ctx.batch, n_in: features, n_out: 0, cap: 0 }, members: M, label: `${p.name} ${what}` }) });
    this.slots = this.makeSlots(1);
    this.wrap = {
      forward: { k: this.slots.forward },
      grad: [
        { grad: 'masked', k: this.slots.grad },
        { grad: 'full', k: this.slots.grad },
      ],
      dx: this.slots.dx ? { k: this.slots.dx } : null,
    };
    this.forward = [transpose(t.x, this.xT, p.fanIn, 'x transposed'), this.wrap.forward];
    // dW at the slots (SDDMM) every step; a step that needs the full dense dW (a RigL update scores
    // inactive positions by it; the gradients of masks at initialisation) also writes it into the
    // dense buffer, allocated the first time such a step is encoded.
    const full = Object.defineProperty({ grad: 'full' }, 'k', { get: () => this.denseGradient().kernel }) as StepKernel;
    this.backward.push(transpose(t.gz, this.gzT, p.outChannels, 'dz transposed'), ...this.wrap.grad, full);
    this.backward.push({ k: ctx.bind('reduce.bias_grad_dense', { resources: { dy: t.gz, db: segmentBinding(ctx.buffers.grads, p.bias) }, params: { batch: ctx.batch, channels: p.outChannels, pixels: 1 }, members: M, label: `${p.name} db` }) });
    if (this.wrap.dx) this.backward.push(this.wrap.dx);
    this.optimizer = { k: this.slots.optimizer };
  }

  private bindCalls(calls: Call[]): BoundCalls {
    const label = this.layer.name;
    return { calls, kernels: calls.map((c) => bindKernel(this.ctx.cache, c.name, { ...c.args, label: `${label} ${c.args.label ?? c.name}` })) };
  }

  /** The dense dW buffer and its GEMM (dW = dzᵀ·x over every position; the mask binding is unread by this variant). */
  private denseGradient(): { buffer: GPUBuffer; kernel: BoundKernel } {
    if (this.dense) return this.dense;
    const { ctx, layer: p, t } = this;
    const buffer = storageBuffer(ctx.cache.device, `${p.name} dense dW`, ctx.members * p.numel * 4);
    const kernel = bindKernel(ctx.cache, 'dense.backward_weight', { resources: { a: t.gz, b: t.x, mask: this.noScore, c: buffer }, params: dims(p.spec, ctx.batch, 1), members: ctx.members, label: `${p.name} dense dW` });
    return (this.dense = { buffer, kernel });
  }

  releaseDenseGradient(): void {
    if (!this.dense || this.scoresBound) return;
    this.dense.buffer.destroy();
    this.dense.kernel.paramsBuffer.destroy();
    this.dense = null;
  }

  /** RigL's growth scores: the dense dW of the update step (SET binds a placeholder it never reads). */
  private score(): GPUBuffer {
    if (this.ctx.grow !== 'gradient') return this.noScore;
    this.scoresBound = true; // the run's updates read it from now on: kept
    return this.denseGradient().buffer;
  }

  /** The update from `from`'s slots into the current ones. */
  private bindUpdate(from: SlotSet): BoundCalls {
    return this.bindCalls(updateCalls(this.shape, this.bits, from.b, this.slots.b, this.score()));
  }

  /** Slot buffers of `cap` slots per member and every kernel that binds them. */
  private makeSlots(cap: number): SlotSet {
    const { ctx, layer: p, t } = this;
    const M = ctx.members;
    const owned: GPUBuffer[] = [];
    const buf = (name: string): GPUBuffer => {
      const b = storageBuffer(ctx.cache.device, `${p.name} ${name}`, M * cap * 4);
      owned.push(b);
      return b;
    };
    const stateCount = ctx.optimizer === 'adam' ? 2 : 1;
    const [val, grad, col, row, tSlot, tRow] = ['val', 'grad', 'col', 'row', 't_slot', 't_row'].map(buf) as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
    const states = Array.from({ length: stateCount }, (_, i) => buf(`state${i + 1}`));
    const weightState = [...owned];
    // Update scratch (not weight state): prune keys and bits, the snapshot of values and states, the carry map.
    const slotBufs: SlotBuffers = { cap, val, states, col, row, tSlot, tRow, keys: buf('prune keys'), slotEvents: buf('slot events'), oldVal: buf('old val'), oldStates: states.map((_, i) => buf(`old state${i + 1}`)), from: buf('carry map') };
    const kernels: BoundKernel[] = [];
    const bind = (name: Parameters<typeof bindKernel>[1], args: Omit<Parameters<typeof bindKernel>[2], 'members'> & { members?: number }): BoundKernel => {
      const k = bindKernel(ctx.cache, name, { ...args, members: args.members ?? M });
      kernels.push(k);
      return k;
    };
    const sd = { batch: ctx.batch, n_in: p.fanIn, n_out: p.outChannels, cap };
    const b = ctx.buffers;
    const rowPtr = this.bits.rowPtr;
    const state = { w: val, g: grad, mask: grad, state1: states[0]! };
    const optimizer =
      ctx.optimizer === 'sgd'
        ? bind('optimizer.sgd', { resources: state, params: { n: M * cap, flags: FLAG_UNMASKED, lr: 0, momentum: 0, weight_decay: 0 }, members: 1, slots: ctx.slots, label: `${p.name} optimizer` })
        : bind('optimizer.adam', { resources: { ...state, state2: states[1]! }, params: { n: M * cap, flags: FLAG_UNMASKED, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bc1: 1, bc2: 1 }, members: 1, slots: ctx.slots, label: `${p.name} optimizer` });
    const index = this.bindCalls(indexCalls(this.shape, this.bits, slotBufs, 0));
    kernels.push(...index.kernels);
    return {
      cap,
      b: slotBufs,
      gradBuffer: grad,
      weightState,
      owned,
      kernels,
      forward: bind('sparse.forward', { resources: { xT: this.xT, val, col, row_ptr: rowPtr, bias: segmentBinding(b.params, p.bias), out: t.z }, params: sd, label: `${p.name} forward` }),
      grad: bind('sparse.weight_grad', { resources: { dyT: this.gzT, xT: this.xT, row, col, row_ptr: rowPtr, out: grad }, params: sd, label: `${p.name} dW` }),
      dx: t.gx ? bind('sparse.backward_input', { resources: { dyT: this.gzT, val, t_slot: tSlot, t_row: tRow, t_ptr: this.bits.tPtr, out: t.gx }, params: sd, label: `${p.name} dX` }) : null,
      optimizer,
      index,
      update: null,
    };
  }

  /** Replaces the slot set; the step kernels the network holds now dispatch the new one. */
  private useSlots(s: SlotSet): void {
    this.slots = s;
    this.wrap.forward.k = s.forward;
    for (const g of this.wrap.grad) g.k = s.grad;
    if (this.wrap.dx && s.dx) this.wrap.dx.k = s.dx;
    this.optimizer.k = s.optimizer;
  }

  private static freeKernels(kernels: readonly BoundKernel[]): void {
    for (const k of kernels) k.paramsBuffer.destroy();
  }

  private static free(s: SlotSet): void {
    for (const b of s.owned) b.destroy();
    SparseStorage.freeKernels(s.kernels);
    if (s.update) SparseStorage.freeKernels(s.update.kernels);
  }

  /** Between chunks: everything that used the replaced slots is submitted, so they can go now. */
  private freePrevious(): void {
    if (!this.previous) return;
    SparseStorage.free(this.previous.set);
    SparseStorage.freeKernels(this.previous.update.kernels);
    this.previous = null;
  }

  upload(seg: HostSegments): void {
    const { ctx, hostShape: hs, bits } = this;
    this.count = Math.max(...activePerMember(hs, seg.mask));
    this.freePrevious();
    const cap = Math.max(1, this.count);
    if (cap !== this.slots.cap) {
      SparseStorage.free(this.slots);
      this.useSlots(this.makeSlots(cap));
    }
    const q = ctx.cache.device.queue;
    const occ = packBits(hs, seg.mask);
    // old = kept = occ: no connection changed at a load (the CHANGE codes read none).
    for (const b of [bits.occ, bits.kept, bits.old]) q.writeBuffer(b, 0, occ);
    q.writeBuffer(bits.fired, 0, packBits(hs, seg.fired));
    const slots = this.slots.b;
    q.writeBuffer(slots.val, 0, packSlots(hs, seg.weights, seg.mask, cap));
    slots.states.forEach((st, i) => q.writeBuffer(st, 0, packSlots(hs, seg.states[i]!, seg.mask, cap)));
    const enc = ctx.cache.device.createCommandEncoder({ label: `${this.layer.name} index from the host's mask` });
    const pass = enc.beginComputePass();
    for (const k of this.slots.index.kernels) encodeKernel(pass, k);
    pass.end();
    q.submit([enc.finish()]);
  }

  async read(which: FlatName, readback: ReadbackPool, dense: boolean): Promise<Float32Array> {
    const hs = this.hostShape;
    const { bits, slots } = this;
    if (which === 'fired') return unpackBits(hs, await readback.readU32(bits.fired));
    const occ = await readback.readU32(bits.occ);
    if (which === 'mask') return unpackBits(hs, occ);
    if (which === 'grads' && dense) {
      if (!this.dense) throw new Error(`${this.layer.name}: no full-gradient step ran, so there is no dense gradient to read`);
      return readback.readF32(this.dense.buffer);
    }
    const source = { params: slots.b.val, grads: slots.gradBuffer, state1: slots.b.states[0], state2: slots.b.states[1] }[which];
    if (!source) return new Float32Array(this.ctx.members * this.layer.numel); // SGD keeps no second state
    return unpackSlots(hs, await readback.readF32(source), occ, slots.cap);
  }

  async readEvents(readback: ReadbackPool): Promise<Uint32Array> {
    const { bits, hostShape: hs } = this;
    const words = bitmapSizes(this.shape).bitmap;
    const [old, kept, occ] = await Promise.all([readback.readU32(bits.old, 0, words), readback.readU32(bits.kept), readback.readU32(bits.occ)]);
    return changeCodes(hs, old, kept, occ);
  }

  prepareMaskUpdate(step: number, counts: UpdateCounts): void {
    // The slots an earlier update replaced served a chunk that is submitted by now.
    this.freePrevious();
    this.count = this.count - counts.prune + counts.grow;
    const cap = Math.max(1, this.count);
    let update: BoundCalls;
    if (cap !== this.slots.cap) {
      // The chunk's steps run on the current slots; its update carries them into the new ones.
      const from = this.slots;
      this.useSlots(this.makeSlots(cap));
      update = this.bindUpdate(from);
      this.previous = { set: from, update };
    } else {
      update = this.slots.update ??= this.bindUpdate(this.slots);
    }
    updateParamsOf(update.calls, step, counts).forEach((params, i) => {
      if (params) updateParams(this.ctx.cache, update.kernels[i]!, params);
    });
    this.pending = update;
  }

  encodeMaskUpdate(pass: GPUComputePassEncoder): void {
    if (!this.pending) throw new Error(`${this.layer.name}: a mask update was encoded before prepareMaskUpdate`);
    for (const k of this.pending.kernels) encodeKernel(pass, k);
  }

  writeOptimizerParams(steps: readonly Record<string, number>[]): void {
    // This chunk's steps ran before its update: on the replaced slots, if the update reallocated.
    for (const s of [this.previous?.set, this.slots]) {
      if (s) updateParamSlots(this.ctx.cache, s.optimizer, steps.map((v) => ({ ...v, n: this.ctx.members * s.cap, flags: (v.flags ?? 0) | FLAG_UNMASKED })));
    }
  }

  /** The slots (values, gradients, optimizer state, col, row, t_slot, t_row), both offset arrays and the bitmap with its offsets, all members. */
  get stateBytes(): number {
    const b = this.bits;
    return [...this.slots.weightState, b.rowPtr, b.tPtr, b.occ, b.base].reduce((a, x) => a + x.size, 0);
  }

  destroy(): void {
    this.freePrevious();
    SparseStorage.free(this.slots);
    if (this.dense) {
      this.dense.buffer.destroy();
      this.dense.kernel.paramsBuffer.destroy();
    }
  }
}
