// The kernel calls of the sparse storage's index rebuild and mask update, over bitmaps and slots
// (shaders/sparse_select.wgsl, shaders/sparse_index.wgsl; docs/ARCHITECTURE.md §7), as plain lists:
// the storage binds them once (sparse-storage.ts), the GPU test runs the same lists
// (tests/gpu/sparse-update.gpu.test.ts). No call binds a buffer of a value per position except
// RigL's growth scores (the dense gradient of the update step).
import type { BindArgs, KernelName, ParamValues } from '../gpu';
import { bitmapWordsPerRow, updateDims } from '../gpu/registry-sparse-update';
import { EV_PRUNED } from '../reference/mask-codes';
import type { UpdateCounts } from './layer-storage';

export interface Call {
  name: KernelName;
  args: BindArgs;
  /** Params that change with each update (its step and counts), merged over `args.params`. */
  perUpdate?: (step: number, counts: UpdateCounts) => ParamValues;
}

export interface UpdateShape {
  members: number;
  nIn: number;
  nOut: number;
  seed: number;
  /** The layer's index among the weight layers (SET's hash). */
  layer: number;
  grow: 'random' | 'gradient';
}

/** The layer's buffers that do not depend on the slot count. */
export interface BitmapBuffers {
  /** (members, out, words) u32 each. */
  occ: GPUBuffer;
  base: GPUBuffer;
  kept: GPUBuffer;
  grown: GPUBuffer;
  ties: GPUBuffer;
  /** ITOP's record: the positions ever active (fired |= occ after every update). */
  fired: GPUBuffer;
  /** The snapshot before an update: occ, base, row_ptr ([2·R + members·(out+1)] u32, R = members·out·words). */
  old: GPUBuffer;
  /** (members, 256) u32 and (members, 4) u32: the growth selection's histogram and state. */
  hist: GPUBuffer;
  state: GPUBuffer;
  rowPtr: GPUBuffer;
  tPtr: GPUBuffer;
}

/** One slot set: `cap` slots per member. */
export interface SlotBuffers {
  cap: number;
  val: GPUBuffer;
  /** Optimizer state (state2 for Adam only). */
  states: GPUBuffer[];
  col: GPUBuffer;
  row: GPUBuffer;
  tSlot: GPUBuffer;
  tRow: GPUBuffer;
  /** Update scratch: the prune selection's keys and bits, copies of val and states, the carry map. */
  keys: GPUBuffer;
  slotEvents: GPUBuffer;
  oldVal: GPUBuffer;
  oldStates: GPUBuffer[];
  from: GPUBuffer;
}

/** u32 words of the (members, out, words) bitmaps and of the snapshot buffer. */
export function bitmapSizes(s: Pick<UpdateShape, 'members' | 'nIn' | 'nOut'>): { bitmap: number; old: number; hist: number } {
  const words = bitmapWordsPerRow(s.nIn);
  const bitmap = s.members * s.nOut * words;
  return { bitmap, old: 2 * bitmap + s.members * (s.nOut + 1), hist: s.members * 256 };
}

function dims(s: UpdateShape, cap: number): ParamValues {
  const words = bitmapWordsPerRow(s.nIn);
  return updateDims({ n_in: s.nIn, n_out: s.nOut, words, cap, seed: s.seed, layer: s.layer, mode: s.grow === 'random' ? 0 : 1 });
}

const lineDims = (lines: number, length: number): ParamValues => ({ lines, length, line_stride: 0, step: 0 });

/** row_ptr, col, row and the transposed index from occ; mode 1 first sets occ = kept | grown. */
export function indexCalls(s: UpdateShape, b: BitmapBuffers, to: SlotBuffers, mode: 0 | 1): Call[] {
  const d = dims(s, to.cap);
  const M = s.members;
  const merge = mode === 1 ? { kept: b.kept, grown: b.grown } : {};
  return [
    { name: 'sparse_index.merge_count', args: { resources: { ...merge, occ: b.occ, base: b.base, row_ptr: b.rowPtr }, params: { ...d, mode }, members: M, label: 'occ and row counts' } },
    { name: 'sparse.scan_lines', args: { resources: { ptr: b.rowPtr }, params: lineDims(s.nOut, s.nIn), members: M, label: 'row offsets' } },
    { name: 'sparse_index.fill_rows', args: { resources: { occ: b.occ, row_ptr: b.rowPtr, col: to.col, row: to.row }, params: d, members: M, label: 'fill rows' } },
    { name: 'sparse_index.count_cols', args: { resources: { occ: b.occ, t_ptr: b.tPtr }, params: d, members: M, label: 'column counts' } },
    { name: 'sparse.scan_lines', args: { resources: { ptr: b.tPtr }, params: lineDims(s.nIn, s.nOut), members: M, label: 'column offsets' } },
    { name: 'sparse_index.fill_cols', args: { resources: { occ: b.occ, base: b.base, row_ptr: b.rowPtr, t_ptr: b.tPtr, t_slot: to.tSlot, t_row: to.tRow }, params: d, members: M, label: 'fill columns' } },
  ];
}

/** The prune selection over `from`'s slots (the k smallest |w|, ties to the lower slot), then kept. */
export function pruneCalls(s: UpdateShape, b: BitmapBuffers, from: SlotBuffers): Call[] {
  const M = s.members;
  const sd = { batch: 0, n_in: s.nIn, n_out: s.nOut, cap: from.cap };
  return [
    { name: 'sparse.score_prune', args: { resources: { val: from.val, row_ptr: b.rowPtr, out: from.keys }, params: sd, members: M, label: 'prune keys' } },
    { name: 'mask.select_k', args: { resources: { keys: from.keys, events: from.slotEvents }, params: { n: from.cap, k: 0, bit: EV_PRUNED }, members: M, label: 'select prune' }, perUpdate: (_step, c) => ({ n: from.cap, k: c.prune, bit: EV_PRUNED }) },
    { name: 'sparse_select.kept_bits', args: { resources: { col: from.col, row_ptr: b.rowPtr, slot_events: from.slotEvents, kept: b.kept }, params: dims(s, from.cap), members: M, label: 'kept' } },
  ];
}

/** occ, base and row_ptr into `old`; values and states into `from`'s copies (they are rewritten in place). */
export function snapshotCalls(s: UpdateShape, b: BitmapBuffers, from: SlotBuffers): Call[] {
  const { bitmap } = bitmapSizes(s);
  const copy = (src: GPUBuffer, dst: GPUBuffer, n: number, offset: number, label: string): Call => ({ name: 'sparse_index.copy_words', args: { resources: { src, dst }, params: updateDims({ n, offset }), members: 1, label } });
  const slots = s.members * from.cap;
  return [
    copy(b.occ, b.old, bitmap, 0, 'snapshot occ'),
    copy(b.base, b.old, bitmap, bitmap, 'snapshot base'),
    copy(b.rowPtr, b.old, s.members * (s.nOut + 1), 2 * bitmap, 'snapshot row_ptr'),
    copy(from.val, from.oldVal, slots, 0, 'snapshot values'),
    ...from.states.map((st, i) => copy(st, from.oldStates[i]!, slots, 0, `snapshot state ${i + 1}`)),
  ];
}

/** The growth selection into `grown`; `score` is RigL's dense gradient (bound, unread, for SET). */
export function growCalls(s: UpdateShape, b: BitmapBuffers, score: GPUBufferBinding | GPUBuffer, cap: number): Call[] {
  const M = s.members;
  const d = dims(s, cap);
  const calls: Call[] = [];
  for (let p = 0; p < 4; p++) {
    calls.push({ name: 'sparse_select.grow_histogram', args: { resources: { kept: b.kept, score, state: b.state, hist: b.hist }, params: { ...d, pass_index: p }, members: M, label: `grow histogram ${p}` }, perUpdate: (step) => ({ ...d, pass_index: p, step }) });
    calls.push({ name: 'sparse_select.grow_digit', args: { resources: { hist: b.hist, state: b.state }, params: { ...d, pass_index: p }, members: M, label: `grow digit ${p}` }, perUpdate: (step, c) => ({ ...d, pass_index: p, step, k: c.grow }) });
  }
  calls.push({ name: 'sparse_select.grow_mark', args: { resources: { kept: b.kept, score, state: b.state, grown: b.grown, ties: b.ties }, params: d, members: M, label: 'grow mark' }, perUpdate: (step) => ({ ...d, step }) });
  calls.push({ name: 'sparse_select.grow_ties', args: { resources: { ties: b.ties, state: b.state, grown: b.grown }, params: d, members: M, label: 'grow ties' } });
  return calls;
}

/** Values and states of `to`'s slots from `from`'s copies (0 for a new connection). */
export function carryCalls(s: UpdateShape, b: BitmapBuffers, from: SlotBuffers, to: SlotBuffers): Call[] {
  const M = s.members;
  const d = dims(s, to.cap);
  const outs = [to.val, ...to.states];
  const olds = [from.oldVal, ...from.oldStates];
  return [
    { name: 'sparse_index.carry_index', args: { resources: { row: to.row, col: to.col, row_ptr: b.rowPtr, old: b.old, from: to.from }, params: d, members: M, label: 'carry map' } },
    ...outs.map((out, i): Call => ({ name: 'sparse_index.carry_values', args: { resources: { from: to.from, old: olds[i]!, out }, params: { ...d, n: from.cap }, members: M, label: 'carry' } })),
  ];
}

/** ITOP's record: fired |= occ. */
export function firedCalls(s: UpdateShape, b: BitmapBuffers): Call[] {
  return [{ name: 'sparse_index.or_words', args: { resources: { src: b.occ, dst: b.fired }, params: updateDims({ n: bitmapSizes(s).bitmap, offset: 0 }), members: 1, label: 'ITOP record' } }];
}

/** A whole mask update from `from`'s slots into `to`'s (the same set unless the count changed). */
export function updateCalls(s: UpdateShape, b: BitmapBuffers, from: SlotBuffers, to: SlotBuffers, score: GPUBufferBinding | GPUBuffer): Call[] {
  return [...pruneCalls(s, b, from), ...snapshotCalls(s, b, from), ...growCalls(s, b, score, to.cap), ...indexCalls(s, b, to, 1), ...carryCalls(s, b, from, to), ...firedCalls(s, b)];
}

/** The update's params for this step and counts, for every call that has them. */
export function updateParamsOf(calls: readonly Call[], step: number, counts: UpdateCounts): (ParamValues | null)[] {
  return calls.map((c) => (c.perUpdate ? { ...c.args.params, ...c.perUpdate(step, counts) } : null));
}
