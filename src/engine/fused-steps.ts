// The fused path for small MLPs (issue 18, item 2; shaders/fused.wgsl): a run of ordinary training
// steps — no mask update, no dense dW — in one dispatch, one workgroup per member, instead of about
// twenty dispatches a step. The network's flat buffers stay the one format: before the dispatch
// they are copied into the kernel's state buffer (five regions of totalFloats, then each member's
// activation scratch) and after it back, so a mask update, an evaluation, a checkpoint or a view
// reads them as after the layer path. What the fused kernel cannot run keeps the layer path, and
// fusedRefusal says why (the trainer reports it; the UI shows it in the run's status). Its buffers
// come from the network's allocator, which frees them.
import { bindKernel, encodeKernel, updateParams, type BindArgs, type BoundKernel, type KernelName, type PipelineCache } from '../gpu';
import type { EvalProgram } from './eval-programs';
import { fusedScratch, fusedStateFloats, stepRecords, WORDS_PER_STEP } from './fused-layout';
import type { LayerSpec } from './layers';
import type { StorageKind } from './layer-storage';
import type { StorageSetting } from './storage-choice';
import type { StepParams } from './network';
import type { ParamLayout } from './param-layout';
import type { ForwardParams } from './trainer-reads';

/**
 * The largest network (weights and biases of one member) the fused path takes. One workgroup per
 * member does all of a step's arithmetic, so past some size the layer path, spread over every
 * core (every SM on a GPU), must win. `npm run bench` (docs/BENCHMARKS.md) measured the fused
 * path still 1.75× faster at 2-128-128-3 (17,283 parameters, M = 1) on SwiftShader; above that
 * nothing is measured, so the limit stays just over it.
 */
export const FUSED_MAX_PARAMS = 20_000;

export interface FusedSetup {
  specs: readonly LayerSpec[];
  layout: ParamLayout;
  dataKind: 'points' | 'images';
  storages: readonly StorageKind[];
  /** SNFS, the port-compatible style: a dense dW and state every step. */
  denseState: boolean;
}

/** Why the fused path cannot train this network (null: it can). Plain words for the run's status. */
export function fusedRefusal(s: FusedSetup): string | null {
  if (s.dataKind !== 'points') return 'it trains 2-D points only, not images';
  if (s.specs.some((l) => l.kind !== 'dense')) return 'it runs fully connected layers only';
  if (s.storages.some((k) => k !== 'masked')) return 'a layer is on the sparse storage';
  if (s.denseState) return 'this method needs the dense weight gradient every step';
  const last = s.specs.at(-1);
  if (last?.kind === 'dense' && last.activation !== 'none') return 'the last layer has an activation';
  const params = s.layout.layers.reduce((a, l) => a + l.numel + l.outChannels, 0);
  if (params > FUSED_MAX_PARAMS) return `the network has ${params.toLocaleString('en-US')} parameters per member, more than the ${FUSED_MAX_PARAMS.toLocaleString('en-US')} it is faster for`;
  return null;
}

export interface FusedBuffers {
  points: GPUBuffer;
  labels: GPUBuffer;
  indices: GPUBuffer;
  ring: GPUBuffer;
  params: GPUBuffer;
  grads: GPUBuffer;
  mask: GPUBuffer;
  state1: GPUBuffer;
  state2: GPUBuffer;
  /** Ensemble members (the dispatch's workgroups). */
  layoutMembers: number;
}

export interface FusedOptions {
  specs: readonly LayerSpec[];
  layout: ParamLayout;
  batch: number;
  dim: number;
  classes: number;
  indexStride: number;
  /** Steps per submit: the plan's step records. */
  slots: number;
  mean: number;
  std: number;
  labelSmoothing: number;
  optimizer: 'sgd' | 'adam';
  optimizerFlags: number;
}

export class FusedSteps {
  private readonly kernel: BoundKernel;
  private readonly plan: GPUBuffer;
  private readonly state: GPUBuffer;
  private readonly base: Record<string, number>;
  private readonly stepBase: number;
  /** The plan's record of an evaluation's forward setting (after the chunk's step records). */
  private readonly evalBase: number;
  private readonly total: number;
  private readonly resources: Record<string, GPUBuffer>;
  /** The loss and correct sums of each held-out set, one dispatch each (mode 1). */
  private readonly evals = new Map<string, BoundKernel>();

  constructor(
    private readonly cache: PipelineCache,
    o: FusedOptions,
    private readonly b: FusedBuffers,
    private readonly sets: ReadonlyMap<string, EvalProgram>,
    bind: (name: KernelName, args: BindArgs) => BoundKernel,
    own: (label: string, floats: number) => GPUBuffer,
  ) {
    const { layout, batch } = o;
    const M = layout.members;
    this.total = layout.totalFloats;
    const scratch = fusedScratch(o.specs, layout, batch, o.dim);
    this.stepBase = scratch.table.length;
    this.evalBase = this.stepBase + o.slots * WORDS_PER_STEP;
    this.plan = own('fused plan', this.evalBase + WORDS_PER_STEP);
    cache.device.queue.writeBuffer(this.plan, 0, scratch.table);
    this.state = own('fused state', fusedStateFloats(scratch, layout));
    const { g0, g1, loss } = scratch;
    this.base = {
      layers: layout.layers.length, batch, dim: o.dim, classes: o.classes, members: M, index_stride: o.indexStride, scratch_stride: scratch.stride,
      total: this.total, step_base: this.stepBase, optimizer: o.optimizer === 'sgd' ? 0 : 1, flags: o.optimizerFlags,
      g0_at: g0, g1_at: g1, loss_at: loss, correct_at: loss + batch, label_at: loss + 2 * batch, mean: o.mean, inv_std: 1 / o.std, alpha: o.labelSmoothing, count: 0, mode: 0,
    };
    this.resources = { points: b.points, labels: b.labels, indices: b.indices, plan: this.plan, state: this.state, ring: b.ring };
    this.kernel = bind('fused.train_steps', { resources: this.resources, params: { steps: 0, ...this.base }, members: M, label: 'fused steps' });
    for (const [name, set] of sets) {
      this.evals.set(name, bind('fused.eval_set', { resources: { ...this.resources, indices: set.indices, ring: set.ring }, params: this.setParams(set, 1), members: M, label: `fused evaluate ${name}` }));
    }
  }

  private setParams(set: EvalProgram, mode: 1 | 2): Record<string, number> {
    return { ...this.base, steps: set.batches, index_stride: set.stride, step_base: this.evalBase, count: set.count, mode };
  }

  /**
   * Encodes `steps` (each reads its own record: batch offset, ring slot, learning rate, optimizer
   * values, ToST activation) as one dispatch between copies of the flat buffers in and out.
   */
  encode(encoder: GPUCommandEncoder, steps: readonly StepParams[]): void {
    if (steps.length === 0) return;
    this.cache.device.queue.writeBuffer(this.plan, this.stepBase * 4, stepRecords(steps));
    updateParams(this.cache, this.kernel, { steps: steps.length, ...this.base });
    const bytes = this.total * 4;
    const regions = [this.b.params, this.b.grads, this.b.mask, this.b.state1, this.b.state2];
    regions.forEach((buf, i) => encoder.copyBufferToBuffer(buf, 0, this.state, i * bytes, bytes));
    this.dispatch(encoder, this.kernel, `fused steps ×${steps.length}`);
    // The mask is only read: four regions go back.
    [0, 1, 3, 4].forEach((i) => encoder.copyBufferToBuffer(this.state, i * bytes, regions[i]!, 0, bytes));
  }

  /** A held-out set's loss and correct sums into its ring (members, 2), as Network.encodeEval leaves them. */
  encodeEvaluate(encoder: GPUCommandEncoder, setName: string, forward: ForwardParams): void {
    this.prepareSet(encoder, forward);
    this.dispatch(encoder, this.evals.get(setName)!, `fused evaluate ${setName}`);
  }

  /**
   * A held-out set's logits into `out` (members, batches·batch, classes), as Network.encodePredict
   * leaves them. Returns what to call once the submit's readback is done (its params buffer).
   */
  encodePredict(encoder: GPUCommandEncoder, setName: string, out: GPUBuffer, forward: ForwardParams): () => void {
    const set = this.sets.get(setName)!;
    const k = bindKernel(this.cache, 'fused.eval_set', { resources: { ...this.resources, indices: set.indices, ring: out }, params: this.setParams(set, 2), members: this.b.layoutMembers, label: `fused predict ${setName}` });
    this.prepareSet(encoder, forward);
    this.dispatch(encoder, k, `fused predict ${setName}`);
    return () => k.paramsBuffer.destroy();
  }

  /** The weights and mask as they are now (a mask update may have changed them since the last chunk). */
  private prepareSet(encoder: GPUCommandEncoder, forward: ForwardParams): void {
    this.cache.device.queue.writeBuffer(this.plan, this.evalBase * 4, stepRecords([forward]));
    const bytes = this.total * 4;
    encoder.copyBufferToBuffer(this.b.params, 0, this.state, 0, bytes);
    encoder.copyBufferToBuffer(this.b.mask, 0, this.state, 2 * bytes, bytes);
  }

  private dispatch(encoder: GPUCommandEncoder, k: BoundKernel, label: string): void {
    const pass = encoder.beginComputePass({ label });
    encodeKernel(pass, k);
    pass.end();
  }
}

export type FusedSetting = 'auto' | 'off';

/**
 * Each weight layer's storage and whether the fused path runs: with storage 'auto', a network the
 * fused path takes stays on the masked storage (on a network that small, one dispatch per run of
 * steps is what counts, and the two storages give the same floats). `why`: the reason the fused
 * path does not run (null when it does).
 */
export function chooseTrainingPath(fused: FusedSetting, storage: StorageSetting, s: Omit<FusedSetup, 'storages'>, chosen: StorageKind[]): { storages: StorageKind[]; fused: boolean; why: string | null } {
  if (fused === 'off') return { storages: chosen, fused: false, why: 'turned off (training.fused)' };
  const masked = chosen.map((): StorageKind => 'masked');
  const storages = storage === 'auto' && fusedRefusal({ ...s, storages: masked }) === null ? masked : chosen;
  const why = fusedRefusal({ ...s, storages });
  return { storages, fused: why === null, why };
}

/**
 * The passes of one training chunk: ordinary steps from its start go to the fused dispatch (when
 * the network has one and the chunk may use it), and the layer path's pass starts after them, for
 * the step that needs it (a mask update, a dense-dW step). The fused dispatch is encoded first.
 */
export class ChunkPasses {
  private readonly steps: StepParams[] = [];
  private pass: GPUComputePassEncoder | null = null;

  constructor(
    private readonly encoder: GPUCommandEncoder,
    private readonly fused: FusedSteps | null,
  ) {}

  /** Whether step `p` joins the fused dispatch (only before any layer-path step). */
  takeFused(p: StepParams): boolean {
    if (!this.fused || this.pass) return false;
    this.steps.push(p);
    return true;
  }

  /** The layer path's compute pass (the fused steps before it are encoded first). */
  layer(): GPUComputePassEncoder {
    if (this.pass) return this.pass;
    this.fused?.encode(this.encoder, this.steps);
    return (this.pass = this.encoder.beginComputePass({ label: 'train chunk' }));
  }

  end(): void {
    if (this.pass) this.pass.end();
    else this.fused?.encode(this.encoder, this.steps);
  }
}
