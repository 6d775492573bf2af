// The sparse storage of a dense layer (docs/ARCHITECTURE.md §7): the active connections only, as
// slots in CSR order, so a training step's forward, dX, dW and optimizer cost follows the active
// count (shaders/sparse.wgsl; CPU reference src/reference/sparse.ts). Per member, cap = slots:
//   val, grad, state1, state2 (Adam) (members, cap) f32    col, row, t_slot, t_row (members, cap) u32
//   row_ptr (members, out+1), t_ptr (members, in+1) u32
//   occ, base (members, out, ceil(in/32)) u32: the occupancy bitmap and its per-word row offsets
// The mask update runs over the slots and bitmaps (sparse-update-plan.ts: prune over the slots,
// the growth selection over the candidates' bits with keys computed in place, the index rebuilt
// from the new bitmap, values and state carried), so it picks the masked storage's connections
// without a score, key or weight per position. What still lives in position space: the network's
// flat buffers, which host reads, checkpoints and views use (encodeSync expands the slots there;
// an update writes the flat 0/1 mask, CHANGE codes and ITOP fired), and RigL's dense gradient.
// Memory therefore does not follow density yet (docs/BENCHMARKS.md).
// A change of the active count (a density target) reallocates the slots at that update.
import { bindKernel, encodeKernel, storageBuffer, updateParamSlots, updateParams, type BoundKernel } from '../gpu';
import { weightGradKernels, type LayerStorage, type LayerTensors, type StepKernel, type StorageContext, type UpdateCounts } from './layer-storage';
import { segmentBinding, type LayerParams } from './param-layout';
import { bitmapSizes, loadCalls, updateCalls, updateParamsOf, type BitmapBuffers, type Call, type SlotBuffers, type UpdateShape } from './sparse-update-plan';

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
  /** The weight state stateBytes counts: values, gradients, optimizer state, col, row, t_slot, t_row. */
  weightState: GPUBuffer[];
  /** Every buffer and kernel of the set (the update scratch too), freed together. */
  owned: GPUBuffer[];
  kernels: BoundKernel[];
  forward: BoundKernel;
  grad: BoundKernel;
  dx: BoundKernel | null;
  optimizer: BoundKernel;
  /** Slots → the flat buffers: weights and optimizer state, and gradients (host reads). */
  expand: BoundKernel[];
  expandGrad: BoundKernel;
  /** The flat buffers → occ, the index and the slots (after the host wrote them). */
  load: BoundCalls;
  /** A mask update that keeps the slot count: from this set into itself. */
  update: BoundCalls;
}

export class SparseStorage implements LayerStorage {
  readonly kind = 'sparse' as const;
  readonly events: GPUBuffer;
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
    this.events = ctx.own(`${p.name} events`, M * p.numel);
    const z = bitmapSizes(this.shape);
    const own = (name: string, words: number): GPUBuffer => ctx.own(`${p.name} ${name}`, words);
    this.bits = {
      occ: own('occ', z.bitmap),
      base: own('occ base', z.bitmap),
      kept: own('kept', z.bitmap),
      grown: own('grown', z.bitmap),
      ties: own('ties', z.bitmap),
      old: own('snapshot', z.old),
      hist: own('grow histogram', z.hist),
      state: own('grow state', M * 4),
      rowPtr: own('row_ptr', M * (p.outChannels + 1)),
      tPtr: own('t_ptr', M * (p.fanIn + 1)),
    };
    const paddedBatch = Math.ceil(ctx.batch / 4) * 4; // rows past the batch stay 0 (shaders/sparse.wgsl)
    this.xT = ctx.own(`${p.name} xT`, M * paddedBatch * p.fanIn);
    this.gzT = ctx.own(`${p.name} dzT`, M * paddedBatch * p.outChannels);
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
    // inactive positions by it) also writes it into the flat gradient buffer, as the masked storage does.
    const mask = segmentBinding(ctx.buffers.mask, p.weight);
    this.backward.push(transpose(t.gz, this.gzT, p.outChannels, 'dz transposed'), ...this.wrap.grad);
    this.backward.push(...weightGradKernels(ctx, p.spec, t.gz, t.x, mask, segmentBinding(ctx.buffers.grads, p.weight), 'full', `${p.name} dense`));
    this.backward.push({ k: ctx.bind('reduce.bias_grad_dense', { resources: { dy: t.gz, db: segmentBinding(ctx.buffers.grads, p.bias) }, params: { batch: ctx.batch, channels: p.outChannels, pixels: 1 }, members: M, label: `${p.name} db` }) });
    if (this.wrap.dx) this.backward.push(this.wrap.dx);
    this.optimizer = { k: this.slots.optimizer };
  }

  private bindCalls(calls: Call[]): BoundCalls {
    const label = this.layer.name;
    return { calls, kernels: calls.map((c) => bindKernel(this.ctx.cache, c.name, { ...c.args, label: `${label} ${c.args.label ?? c.name}` })) };
  }

  /** The layer's segments of the flat buffers an update writes: the 0/1 mask, CHANGE codes, ITOP fired. */
  private flatViews(): Parameters<typeof updateCalls>[5] {
    const b = this.ctx.buffers;
    return { mask: segmentBinding(b.mask, this.layer.weight), events: this.events, fired: segmentBinding(b.fired, this.layer.weight) };
  }

  /** RigL's growth scores: the dense dW of the update step (bound, unread, for SET). */
  private score(): GPUBufferBinding {
    return segmentBinding(this.ctx.buffers.grads, this.layer.weight);
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
    const flat = (f: GPUBuffer): GPUBufferBinding => segmentBinding(f, p.weight);
    const rowPtr = this.bits.rowPtr;
    const expand = (src: GPUBuffer, out: GPUBuffer): BoundKernel => bind('sparse.expand', { resources: { src, col, row_ptr: rowPtr, out: flat(out) }, params: sd, label: `${p.name} expand` });
    const state = { w: val, g: grad, mask: grad, state1: states[0]! };
    const optimizer =
      ctx.optimizer === 'sgd'
        ? bind('optimizer.sgd', { resources: state, params: { n: M * cap, flags: FLAG_UNMASKED, lr: 0, momentum: 0, weight_decay: 0 }, members: 1, slots: ctx.slots, label: `${p.name} optimizer` })
        : bind('optimizer.adam', { resources: { ...state, state2: states[1]! }, params: { n: M * cap, flags: FLAG_UNMASKED, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bc1: 1, bc2: 1 }, members: 1, slots: ctx.slots, label: `${p.name} optimizer` });
    const flatStates = [b.state1, b.state2].slice(0, stateCount);
    const load = this.bindCalls(loadCalls(this.shape, this.bits, slotBufs, { mask: flat(b.mask), values: [flat(b.params), ...flatStates.map(flat)] }));
    const update = this.bindCalls(updateCalls(this.shape, this.bits, slotBufs, slotBufs, this.score(), this.flatViews()));
    kernels.push(...load.kernels, ...update.kernels);
    return {
      cap,
      b: slotBufs,
      weightState,
      owned,
      kernels,
      forward: bind('sparse.forward', { resources: { xT: this.xT, val, col, row_ptr: rowPtr, bias: segmentBinding(b.params, p.bias), out: t.z }, params: sd, label: `${p.name} forward` }),
      grad: bind('sparse.weight_grad', { resources: { dyT: this.gzT, xT: this.xT, row, col, row_ptr: rowPtr, out: grad }, params: sd, label: `${p.name} dW` }),
      dx: t.gx ? bind('sparse.backward_input', { resources: { dyT: this.gzT, val, t_slot: tSlot, t_row: tRow, t_ptr: this.bits.tPtr, out: t.gx }, params: sd, label: `${p.name} dX` }) : null,
      optimizer,
      expand: [expand(val, b.params), ...states.map((st, i) => expand(st, flatStates[i]!))],
      expandGrad: expand(grad, b.grads),
      load,
      update,
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
  }

  /** Between chunks: everything that used the replaced slots is submitted, so they can go now. */
  private freePrevious(): void {
    if (!this.previous) return;
    SparseStorage.free(this.previous.set);
    SparseStorage.freeKernels(this.previous.update.kernels);
    this.previous = null;
  }

  reload(mask: Float32Array): void {
    const p = this.layer;
    const counts = Array.from({ length: this.ctx.members }, (_, m) => {
      const seg = mask.subarray(p.weight.offset + m * p.numel, p.weight.offset + (m + 1) * p.numel);
      return seg.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0);
    });
    this.count = Math.max(...counts);
    this.freePrevious();
    const cap = Math.max(1, this.count);
    if (cap !== this.slots.cap) {
      SparseStorage.free(this.slots);
      this.useSlots(this.makeSlots(cap));
    }
    const device = this.ctx.cache.device;
    const enc = device.createCommandEncoder({ label: `${p.name} slots from the flat buffers` });
    const pass = enc.beginComputePass();
    for (const k of this.slots.load.kernels) encodeKernel(pass, k);
    pass.end();
    device.queue.submit([enc.finish()]);
  }

  encodeSync(pass: GPUComputePassEncoder): void {
    for (const k of [...this.slots.expand, this.slots.expandGrad]) encodeKernel(pass, k);
  }

  prepareMaskUpdate(step: number, counts: UpdateCounts): void {
    // The slots an earlier update replaced served a chunk that is submitted by now.
    this.freePrevious();
    this.count = this.count - counts.prune + counts.grow;
    const cap = Math.max(1, this.count);
    let update = this.slots.update;
    if (cap !== this.slots.cap) {
      // The chunk's steps run on the current slots; its update carries them into the new ones.
      const from = this.slots;
      this.useSlots(this.makeSlots(cap));
      update = this.bindCalls(updateCalls(this.shape, this.bits, from.b, this.slots.b, this.score(), this.flatViews()));
      this.previous = { set: from, update };
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
  }
}
