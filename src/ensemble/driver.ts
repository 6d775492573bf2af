// What an ensemble mode does with the engine's Trainer: how many steps it has, its phases, how it
// advances, and what its members are. One Trainer with M members covers the independent modes
// (none, dst, dense): the member dimension of the kernels trains them at once. EDST and
// Prune-and-Tune have their own drivers (edst-driver.ts, prune-and-tune-driver.ts).
import { maskableLayers, type Checkpoint, type EvalSplit, type ParamLayout, type StepMetrics, type Trainer } from '../engine';
import { sparseForwardFlops } from '../sparsity';
import { memberActiveCounts, memberItop, memberLayerMasks, memberLayers } from './members';

export type EnsembleMode = 'none' | 'dst' | 'dense' | 'edst' | 'prune-and-tune';

export interface EnsemblePhase {
  name: string;
  kind: 'train' | 'explore' | 'refine' | 'parent' | 'tune';
  startStep: number;
  /** Exclusive. */
  endStep: number;
  /** The member this phase produces (EDST refinement), else null. */
  member: number | null;
}

/** Logits of some models on a held-out split: one (count, classes) array per model. */
export interface ModelPredictions {
  labels: string[];
  logits: Float32Array[];
}

/** One ensemble member as the results report it. */
export interface MemberInfo {
  label: string;
  /** The fraction of maskable weights ever active in the run that produced it (docs/METHODS.md §1.7). */
  itop: number;
  layers: { name: string; size: number; active: number }[];
  /** Its mask per weight layer (numel each), for mask distances and views. */
  masks: Float32Array[];
  /** Forward FLOPs per example of this member. */
  forwardFlops: number;
}

/** A driver's whole state: a driver of the same setup that loads it continues the same curve. */
export interface DriverState {
  mode: EnsembleMode;
  /** The trainers' checkpoints: the one trainer (none, dst, dense, EDST), or Prune-and-Tune's parent and, once made, its children. */
  trainers: Checkpoint[];
  /** EDST: the validation results offered so far, in plan order, and the members chosen. */
  validations?: { step: number; accuracy: number }[];
  saved?: { member: number; step: number; accuracy: number; checkpoint: Checkpoint }[];
}

export interface Driver {
  readonly mode: EnsembleMode;
  readonly totalSteps: number;
  readonly phases: readonly EnsemblePhase[];
  /** Steps done (the index of the next step) over all phases. */
  readonly step: number;
  /** The trainer that is training now. */
  live(): Trainer;
  /** Trains up to `count` steps, stopping early at phase boundaries; rows carry global steps. */
  advance(count: number): Promise<StepMetrics[]>;
  /** What is training now, on a split (function-space trajectories). */
  predictLive(split: EvalSplit): Promise<ModelPredictions>;
  /** The ensemble's members on a split (EDST: the checkpoints chosen so far). */
  predictEnsemble(split: EvalSplit): Promise<ModelPredictions>;
  members(): Promise<MemberInfo[]>;
  /** Cumulative training FLOPs of everything trained so far. */
  trainingFlops(): number;
  /** Everything needed to continue exactly (checkpoints read back from the GPU). */
  saveState(): Promise<DriverState>;
  /** Restores a state saved by a driver of the same setup. */
  loadState(state: DriverState): Promise<void>;
  destroy(): void;
}

/** Throws unless `state` was saved by a driver of this mode with `trainers` checkpoints (or a count in that range). */
export function checkDriverState(state: DriverState, mode: EnsembleMode, trainers: [number, number]): void {
  if (state.mode !== mode) throw new Error(`the saved state is of a ${state.mode} run, this run is ${mode}`);
  if (state.trainers.length < trainers[0] || state.trainers.length > trainers[1]) throw new Error(`the saved ${mode} state has ${state.trainers.length} trainer checkpoints`);
}

/** Member m of a trainer's flat buffers, as a MemberInfo. */
export function memberInfo(layout: ParamLayout, mask: Float32Array, fired: Float32Array, member: number, label: string): MemberInfo {
  const counts = memberActiveCounts(layout, mask, member);
  const densities = layout.layers.map((l, i) => counts[i]! / l.numel);
  return {
    label,
    itop: memberItop(layout, fired, member),
    layers: memberLayers(layout, mask, member),
    masks: memberLayerMasks(layout, mask, member).map((m) => Float32Array.from(m)),
    forwardFlops: sparseForwardFlops(maskableLayers(layout), densities),
  };
}

export async function trainerMembers(t: Trainer, label: (m: number) => string): Promise<MemberInfo[]> {
  const [mask, fired] = await Promise.all([t.readMask(), t.readFired()]);
  return Array.from({ length: t.setup.members }, (_, m) => memberInfo(t.layout, mask, fired, m, label(m)));
}

/** none, dst, dense: M independent members (own seeds for mask, init and data order) in one trainer. */
export class IndependentDriver implements Driver {
  readonly phases: readonly EnsemblePhase[];

  constructor(
    readonly mode: 'none' | 'dst' | 'dense',
    private readonly trainer: Trainer,
  ) {
    this.phases = [{ name: mode === 'none' ? 'training' : `${trainer.setup.members} members training`, kind: 'train', startStep: 0, endStep: trainer.setup.totalSteps, member: null }];
  }

  get totalSteps(): number {
    return this.trainer.setup.totalSteps;
  }

  get step(): number {
    return this.trainer.currentStep;
  }

  live(): Trainer {
    return this.trainer;
  }

  advance(count: number): Promise<StepMetrics[]> {
    return this.trainer.train(count);
  }

  async predictLive(split: EvalSplit): Promise<ModelPredictions> {
    return { labels: this.labels(), logits: await this.trainer.predictLogits(split) };
  }

  predictEnsemble(split: EvalSplit): Promise<ModelPredictions> {
    return this.predictLive(split);
  }

  members(): Promise<MemberInfo[]> {
    const labels = this.labels();
    return trainerMembers(this.trainer, (m) => labels[m]!);
  }

  trainingFlops(): number {
    return this.trainer.trainingFlops();
  }

  async saveState(): Promise<DriverState> {
    return { mode: this.mode, trainers: [await this.trainer.checkpoint()] };
  }

  async loadState(state: DriverState): Promise<void> {
    checkDriverState(state, this.mode, [1, 1]);
    this.trainer.restore(state.trainers[0]!);
  }

  destroy(): void {
    this.trainer.destroy();
  }

  private labels(): string[] {
    return Array.from({ length: this.trainer.setup.members }, (_, m) => (this.mode === 'none' ? 'model' : `member ${m + 1}`));
  }
}
