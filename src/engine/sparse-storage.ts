// The sparse storage of a dense layer (docs/ARCHITECTURE.md §7): the active connections only, as
// slots in CSR order, so a training step's forward, dX, dW and optimizer cost follows the active
// count (shaders/sparse.wgsl; CPU reference src/reference/sparse.ts). Per member, cap = slots:
//   val, grad, state1, state2 (Adam) (members, cap) f32    col, row, t_slot, t_row (members, cap) u32
//   row_ptr (members, out+1), t_ptr (members, in+1) u32
// The mask update: the k smallest |w| are selected over the slots (their bits scattered to
// position space), then growth and apply run in position space, on the layer's segments of the
// network's flat buffers (mask-update.ts, the masked storage's own kernels, after `expand` wrote
// the slots' weights and optimizer state there), then the slots are rebuilt from the new mask
// (count, scan, fill; gather values and state). So both storages choose the same masks from
// the same weights, and the flat buffers stay what checkpoints, views and mask-at-init read
// (encodeSync copies the slots there first). This first version therefore still holds the
// position-space copy: compute follows density, memory does not yet (docs/BENCHMARKS.md).
// A change of the active count (a density target) reallocates the slots at that update.
import { bindKernel, encodeKernel, storageBuffer, updateParamSlots, updateParams, type BindArgs, type BoundKernel, type KernelName } from '../gpu';
import { EV_PRUNED } from '../reference/mask-codes';
import { weightGradKernels, type LayerStorage, type LayerTensors, type StepKernel, type StorageContext, type UpdateCounts } from './layer-storage';
import { MaskUpdate } from './mask-update';
import { segmentBinding, type LayerParams } from './param-layout';

/** shaders/optimizer.wgsl FLAG_UNMASKED: every slot is active, no mask is read. */
const FLAG_UNMASKED = 8;

interface SlotSet {
  cap: number;
  /** The weight state (stateBytes counts these) and the update's scratch. */
  buffers: GPUBuffer[];
  scratch: GPUBuffer[];
  kernels: BoundKernel[];
  forward: BoundKernel;
  grad: BoundKernel;
  dx: BoundKernel | null;
  optimizer: BoundKernel;
  /** Slots → the flat buffers: weights and optimizer state (a mask update, a host read). */
  expand: BoundKernel[];
  /** Slots → the flat gradient buffer (a host read only: a RigL update needs its dense dW there). */
  expandGrad: BoundKernel;
  /** The flat buffers → slots after the indices are rebuilt: weights and optimizer state. */
  gather: BoundKernel[];
  fillRows: BoundKernel;
  fillCols: BoundKernel;
  /** The prune selection over the slots: score, select_k, then its bits into position space. */
  prune: BoundKernel[];
  selectPrune: BoundKernel;
}

export class SparseStorage implements LayerStorage {
  readonly kind = 'sparse' as const;
  readonly events: GPUBuffer;
  readonly forward: StepKernel[];
  readonly backward: StepKernel[] = [];
  readonly optimizer: StepKernel;
  private readonly update: MaskUpdate;
  private readonly keys: GPUBuffer;
  private readonly rowPtr: GPUBuffer;
  private readonly tPtr: GPUBuffer;
  /** count and scan kernels of the index rebuild (rows, then columns): they bind no slot buffer. */
  private readonly lines: { rows: BoundKernel[]; cols: BoundKernel[] };
  private slots: SlotSet;
  /** The slots a realloc replaced at this chunk's update: its steps still ran on them. */
  private previous: SlotSet | null = null;
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
    this.events = ctx.own(`${p.name} events`, M * p.numel);
    this.keys = ctx.own(`${p.name} keys`, M * p.numel);
    this.rowPtr = ctx.own(`${p.name} row_ptr`, M * (p.outChannels + 1));
    this.tPtr = ctx.own(`${p.name} t_ptr`, M * (p.fanIn + 1));
    this.update = new MaskUpdate(ctx, p, index, this.events, this.keys);
    const mask = segmentBinding(ctx.buffers.mask, p.weight);
    const rows = { lines: p.outChannels, length: p.fanIn, line_stride: p.fanIn, step: 1 };
    const cols = { lines: p.fanIn, length: p.outChannels, line_stride: 1, step: p.fanIn };
    const lines = (ptr: GPUBuffer, d: Record<string, number>): BoundKernel[] => [
      ctx.bind('sparse.count_lines', { resources: { mask, ptr }, params: d, members: M, label: `${p.name} count` }),
      ctx.bind('sparse.scan_lines', { resources: { ptr }, params: d, members: M, label: `${p.name} scan` }),
    ];
    this.lines = { rows: lines(this.rowPtr, rows), cols: lines(this.tPtr, cols) };
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
    this.backward.push(transpose(t.gz, this.gzT, p.outChannels, 'dz transposed'), ...this.wrap.grad);
    this.backward.push(...weightGradKernels(ctx, p.spec, t.gz, t.x, mask, segmentBinding(ctx.buffers.grads, p.weight), 'full', `${p.name} dense`));
    this.backward.push({ k: ctx.bind('reduce.bias_grad_dense', { resources: { dy: t.gz, db: segmentBinding(ctx.buffers.grads, p.bias) }, params: { batch: ctx.batch, channels: p.outChannels, pixels: 1 }, members: M, label: `${p.name} db` }) });
    if (this.wrap.dx) this.backward.push(this.wrap.dx);
    this.optimizer = { k: this.slots.optimizer };
  }

  /** Slot buffers of `cap` slots per member and every kernel that binds them. */
  private makeSlots(cap: number): SlotSet {
    const { ctx, layer: p, t } = this;
    const M = ctx.members;
    const buffers: GPUBuffer[] = [];
    const scratch: GPUBuffer[] = [];
    const kernels: BoundKernel[] = [];
    const buf = (name: string): GPUBuffer => {
      const b = storageBuffer(ctx.cache.device, `${p.name} ${name}`, M * cap * 4);
      buffers.push(b);
      return b;
    };
    const bind = (name: KernelName, args: Omit<BindArgs, 'members'> & { members?: number }): BoundKernel => {
      const k = bindKernel(ctx.cache, name, { ...args, members: args.members ?? M });
      kernels.push(k);
      return k;
    };
    const [val, grad, state1, col, row, tSlot, tRow] = ['val', 'grad', 'state1', 'col', 'row', 't_slot', 't_row'].map(buf) as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
    const state2 = ctx.optimizer === 'adam' ? buf('state2') : null; // Adam's second moment only
    // The prune selection's EV_PRUNED bits per slot (update scratch, not weight state); its keys
    // use the first members·cap words of the position-space key scratch.
    const slotEvents = storageBuffer(ctx.cache.device, `${p.name} slot events`, M * cap * 4);
    scratch.push(slotEvents);
    const selectPrune = bind('mask.select_k', { resources: { keys: this.keys, events: slotEvents }, params: { n: cap, k: 0, bit: EV_PRUNED }, label: `${p.name} select prune` });
    const sd = { batch: ctx.batch, n_in: p.fanIn, n_out: p.outChannels, cap };
    const b = ctx.buffers;
    const flat = (f: GPUBuffer): GPUBufferBinding => segmentBinding(f, p.weight);
    const rowPtr = this.rowPtr;
    const expand = (src: GPUBuffer, out: GPUBuffer): BoundKernel => bind('sparse.expand', { resources: { src, col, row_ptr: rowPtr, out: flat(out) }, params: sd, label: `${p.name} expand` });
    const gather = (src: GPUBuffer, out: GPUBuffer): BoundKernel => bind('sparse.gather', { resources: { src: flat(src), row, col, row_ptr: rowPtr, out }, params: sd, label: `${p.name} gather` });
    const state = { w: val, g: grad, mask: grad, state1 };
    const optimizer =
      ctx.optimizer === 'sgd'
        ? bind('optimizer.sgd', { resources: state, params: { n: M * cap, flags: FLAG_UNMASKED, lr: 0, momentum: 0, weight_decay: 0 }, members: 1, slots: ctx.slots, label: `${p.name} optimizer` })
        : bind('optimizer.adam', { resources: { ...state, state2: state2! }, params: { n: M * cap, flags: FLAG_UNMASKED, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bc1: 1, bc2: 1 }, members: 1, slots: ctx.slots, label: `${p.name} optimizer` });
    const mask = flat(b.mask);
    return {
      cap,
      buffers,
      scratch,
      kernels,
      forward: bind('sparse.forward', { resources: { xT: this.xT, val, col, row_ptr: rowPtr, bias: segmentBinding(b.params, p.bias), out: t.z }, params: sd, label: `${p.name} forward` }),
      grad: bind('sparse.weight_grad', { resources: { dyT: this.gzT, xT: this.xT, row, col, row_ptr: rowPtr, out: grad }, params: sd, label: `${p.name} dW` }),
      dx: t.gx ? bind('sparse.backward_input', { resources: { dyT: this.gzT, val, t_slot: tSlot, t_row: tRow, t_ptr: this.tPtr, out: t.gx }, params: sd, label: `${p.name} dX` }) : null,
      optimizer,
      expand: [expand(val, b.params), expand(state1, b.state1), ...(state2 ? [expand(state2, b.state2)] : [])],
      expandGrad: expand(grad, b.grads),
      gather: [gather(b.params, val), gather(b.state1, state1), ...(state2 ? [gather(b.state2, state2)] : [])],
      fillRows: bind('sparse.fill_rows', { resources: { mask, ptr: rowPtr, a: col, b: row, slot_of: this.keys }, params: sd, label: `${p.name} fill rows` }),
      selectPrune,
      prune: [
        bind('sparse.score_prune', { resources: { val, row_ptr: rowPtr, out: this.keys }, params: sd, label: `${p.name} score prune` }),
        selectPrune,
        bind('sparse.scatter_pruned', { resources: { slot_events: slotEvents, row, col, row_ptr: rowPtr, out: this.events }, params: sd, label: `${p.name} pruned to positions` }),
      ],
      fillCols: bind('sparse.fill_cols', { resources: { mask, ptr: this.tPtr, a: tSlot, b: tRow, slot_of: this.keys }, params: sd, label: `${p.name} fill columns` }),
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

  private static free(s: SlotSet | null): void {
    if (!s) return;
    for (const b of [...s.buffers, ...s.scratch]) b.destroy();
    for (const k of s.kernels) k.paramsBuffer.destroy();
  }

  /** Rebuilds row_ptr, col, row and the transposed index from the flat mask, then gathers values and state. */
  private encodeRebuild(pass: GPUComputePassEncoder): void {
    const s = this.slots;
    for (const k of [...this.lines.rows, s.fillRows, ...this.lines.cols, s.fillCols, ...s.gather]) encodeKernel(pass, k);
  }

  reload(mask: Float32Array): void {
    const p = this.layer;
    const counts = Array.from({ length: this.ctx.members }, (_, m) => {
      const seg = mask.subarray(p.weight.offset + m * p.numel, p.weight.offset + (m + 1) * p.numel);
      return seg.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0);
    });
    this.count = Math.max(...counts);
    // Between chunks: everything that used the old slots is submitted, so they can go now.
    SparseStorage.free(this.previous);
    this.previous = null;
    const cap = Math.max(1, this.count);
    if (cap !== this.slots.cap) {
      SparseStorage.free(this.slots);
      this.useSlots(this.makeSlots(cap));
    }
    const device = this.ctx.cache.device;
    const enc = device.createCommandEncoder({ label: `${p.name} slots from the flat buffers` });
    const pass = enc.beginComputePass();
    this.encodeRebuild(pass);
    pass.end();
    device.queue.submit([enc.finish()]);
  }

  encodeSync(pass: GPUComputePassEncoder): void {
    for (const k of [...this.slots.expand, this.slots.expandGrad]) encodeKernel(pass, k);
  }

  prepareMaskUpdate(step: number, counts: UpdateCounts): void {
    // The slots an earlier update replaced served a chunk that is submitted by now.
    SparseStorage.free(this.previous);
    this.previous = null;
    this.count = this.count - counts.prune + counts.grow;
    const cap = Math.max(1, this.count);
    if (cap !== this.slots.cap) {
      this.previous = this.slots;
      this.useSlots(this.makeSlots(cap));
    }
    this.update.prepare(step, counts);
    // The prune selection runs over the slots the chunk trained on.
    const from = this.previous ?? this.slots;
    updateParams(this.ctx.cache, from.selectPrune, { n: from.cap, k: counts.prune, bit: EV_PRUNED });
  }

  encodeMaskUpdate(pass: GPUComputePassEncoder): void {
    // Weights and optimizer state into position space (from the slots this chunk trained on).
    const from = this.previous ?? this.slots;
    for (const k of from.expand) encodeKernel(pass, k);
    this.update.encode(pass, from.prune);
    this.encodeRebuild(pass);
  }

  writeOptimizerParams(steps: readonly Record<string, number>[]): void {
    // This chunk's steps ran before its update: on the replaced slots, if the update reallocated.
    for (const s of [this.previous, this.slots]) {
      if (s) updateParamSlots(this.ctx.cache, s.optimizer, steps.map((v) => ({ ...v, n: this.ctx.members * s.cap, flags: (v.flags ?? 0) | FLAG_UNMASKED })));
    }
  }

  /** The slots (values, gradients, optimizer state, col, row, t_slot, t_row) and both offset arrays, all members. */
  get stateBytes(): number {
    return [...this.slots.buffers, this.rowPtr, this.tPtr].reduce((a, b) => a + b.size, 0);
  }

  destroy(): void {
    SparseStorage.free(this.previous);
    SparseStorage.free(this.slots);
  }
}
