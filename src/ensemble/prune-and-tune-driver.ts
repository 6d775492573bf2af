// Prune-and-Tune ensembles (Whitaker & Whitley 2022, docs/METHODS.md §5): train one dense parent,
// then clone it into M children with different sparse masks (anti-random complementary pairs or
// independent random masks; the classifier stays dense) and tune every child briefly with a fixed
// mask and a OneCycle lr (max = the base lr, div 100, pctStart 0.1). The children are the members
// of one M-member trainer, so they are tuned at the same time. Differences from the released code:
// OneCycle's momentum cycling is not modelled; the ensemble averages probabilities (FreeTickets'
// convention) where the released evaluation averages logits for accuracy and NLL.
import type { PipelineCache } from '../gpu';
import { Trainer, flatIndex, type EvalSplit, type StepMetrics, type TrainerSetup } from '../engine';
import { childMasks, pruneAndTunePlan, type ChildMaskKind, type PruneAndTunePlan } from './prune-and-tune-plan';
import { copyMember } from './members';
import { checkDriverState, trainerMembers, type Driver, type DriverState, type EnsemblePhase, type MemberInfo, type ModelPredictions } from './driver';

export interface PruneAndTuneOptions {
  epochs: number;
  members: number;
  maskKind: ChildMaskKind;
  tuneEpochs: number;
  includeParent: boolean;
  /** Children's density for random masks (anti-random children are always halves). */
  childDensity: number;
}

/** The trainer setup of the M children: static masks, the tuning steps and lr, no ToST. */
function childrenSetup(base: TrainerSetup, o: PruneAndTuneOptions, plan: PruneAndTunePlan): TrainerSetup {
  return { ...base, members: o.members, method: 'static', density: o.maskKind === 'anti-random' ? 0.5 : o.childDensity, totalSteps: plan.tuneSteps, lr: plan.tuneLr, tost: undefined };
}

/** The plan and the two trainers' setups: the dense parent, and the children that follow it. */
export function pruneAndTuneTrainerSetups(base: TrainerSetup, o: PruneAndTuneOptions, stepsPerEpoch: number): { plan: PruneAndTunePlan; parent: TrainerSetup; children: TrainerSetup } {
  const lr = base.lr.kind === 'onecycle' ? base.lr.maxLr : base.lr.kind === 'piecewise' ? base.lr.points[0]!.lr : base.lr.lr;
  const plan = pruneAndTunePlan({ parentEpochs: o.epochs, tuneEpochs: o.tuneEpochs, stepsPerEpoch, members: o.members, lr, includeParent: o.includeParent });
  return { plan, parent: { ...base, members: 1, method: 'dense', density: 1, totalSteps: plan.parentSteps }, children: childrenSetup(base, o, plan) };
}

export class PruneAndTuneDriver implements Driver {
  readonly mode = 'prune-and-tune';
  readonly phases: readonly EnsemblePhase[];
  private children: Trainer | null = null;

  private constructor(
    private readonly cache: PipelineCache,
    private readonly base: TrainerSetup,
    private readonly o: PruneAndTuneOptions,
    readonly plan: PruneAndTunePlan,
    private readonly parent: Trainer,
  ) {
    const p = plan.parentSteps;
    this.phases = [
      { name: 'dense parent', kind: 'parent', startStep: 0, endStep: p, member: null },
      { name: `tuning ${o.members} children`, kind: 'tune', startStep: p, endStep: p + plan.tuneSteps, member: null },
    ];
  }

  static async create(cache: PipelineCache, base: TrainerSetup, o: PruneAndTuneOptions, stepsPerEpoch: number): Promise<PruneAndTuneDriver> {
    const { plan, parent } = pruneAndTuneTrainerSetups(base, o, stepsPerEpoch);
    return new PruneAndTuneDriver(cache, base, o, plan, await Trainer.create(cache, parent));
  }

  get totalSteps(): number {
    return this.plan.parentSteps + this.plan.tuneSteps;
  }

  get step(): number {
    return this.parent.currentStep + (this.children?.currentStep ?? 0);
  }

  live(): Trainer {
    return this.children ?? this.parent;
  }

  async advance(count: number): Promise<StepMetrics[]> {
    if (this.parent.currentStep < this.plan.parentSteps) return this.parent.train(count);
    this.children ??= await this.makeChildren();
    const offset = this.plan.parentSteps;
    const parentFlops = this.parent.trainingFlops();
    const rows = await this.children.train(count);
    return rows.map((r) => ({ ...r, step: r.step + offset, trainingFlops: r.trainingFlops + parentFlops }));
  }

  /** Clones the trained parent into M children under their masks (optimizer state fresh). */
  private async makeChildren(): Promise<Trainer> {
    const M = this.o.members;
    const children = await Trainer.create(this.cache, childrenSetup(this.base, this.o, this.plan));
    const parentWeights = await this.parent.readWeights();
    const layout = children.layout;
    const weights = new Float32Array(layout.totalFloats);
    const mask = new Float32Array(layout.totalFloats);
    const masks = childMasks(layout.layers, { members: M, kind: this.o.maskKind, density: this.o.childDensity, seed: this.base.seed });
    for (let m = 0; m < M; m++) {
      copyMember(this.parent.layout, parentWeights, 0, layout, weights, m);
      layout.layers.forEach((l, li) => {
        mask.set(masks[m]![li]!, flatIndex(l.weight, m, 0));
        mask.fill(1, flatIndex(l.bias, m, 0), flatIndex(l.bias, m, l.outChannels));
      });
    }
    // Counts of the first child (a complementary child of an odd-sized layer has one more).
    children.loadMask(weights, mask, masks[0]!.map((m) => m.reduce((a, v) => a + v, 0)));
    return children;
  }

  private async parentLogits(split: EvalSplit): Promise<Float32Array> {
    return (await this.parent.predictLogits(split))[0]!;
  }

  async predictLive(split: EvalSplit): Promise<ModelPredictions> {
    if (!this.children) return { labels: ['parent'], logits: [await this.parentLogits(split)] };
    return { labels: this.childLabels(), logits: await this.children.predictLogits(split) };
  }

  async predictEnsemble(split: EvalSplit): Promise<ModelPredictions> {
    if (!this.children) return this.predictLive(split);
    const live = await this.predictLive(split);
    if (!this.o.includeParent) return live;
    return { labels: [...live.labels, 'parent'], logits: [...live.logits, await this.parentLogits(split)] };
  }

  async members(): Promise<MemberInfo[]> {
    const parent = await trainerMembers(this.parent, () => 'parent');
    if (!this.children) return parent;
    const labels = this.childLabels();
    const children = await trainerMembers(this.children, (m) => labels[m]!);
    return this.o.includeParent ? [...children, ...parent] : children;
  }

  trainingFlops(): number {
    return this.parent.trainingFlops() + (this.children?.trainingFlops() ?? 0);
  }

  async saveState(): Promise<DriverState> {
    const trainers = [await this.parent.checkpoint()];
    if (this.children) trainers.push(await this.children.checkpoint());
    return { mode: this.mode, trainers };
  }

  async loadState(state: DriverState): Promise<void> {
    checkDriverState(state, this.mode, [1, 2]);
    this.parent.restore(state.trainers[0]!);
    const children = state.trainers[1];
    if (children === undefined) {
      this.children?.destroy();
      this.children = null;
      return;
    }
    this.children ??= await this.makeChildren();
    this.children.restore(children);
  }

  destroy(): void {
    this.parent.destroy();
    this.children?.destroy();
  }

  private childLabels(): string[] {
    return Array.from({ length: this.o.members }, (_, m) => (this.o.maskKind === 'anti-random' ? `child ${m + 1} (${m % 2 === 0 ? 'mask' : 'complement'} of pair ${Math.floor(m / 2) + 1})` : `child ${m + 1}`));
  }
}
