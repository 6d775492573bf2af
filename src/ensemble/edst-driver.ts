// EDST (FreeTickets "efficient" ensemble, docs/METHODS.md §2.2): ONE sparse network explores at the
// base lr, then goes through M refinement phases (lr/10, then lr/100 for the second half); before
// refinement phases 2..M a global exploration prunes q of every layer's active weights and regrows
// as many; regular DST updates run throughout. After every epoch of a refinement phase the
// validation accuracy decides whether this is the phase's best checkpoint so far: the best of
// phase k is member k. The schedule is edst-plan.ts; this file runs it on a Trainer.
//
// Members are kept as full checkpoints (weights, masks, optimizer state); to predict with one, the
// live run is checkpointed, the member restored, its logits read, and the live run restored.
import type { PipelineCache } from '../gpu';
import { Trainer, type Checkpoint, type EvalSplit, type StepMetrics, type TrainerSetup } from '../engine';
import { edstPlan, MemberPicker, type EdstPlan } from './edst-plan';
import { checkDriverState, memberInfo, type Driver, type DriverState, type EnsemblePhase, type MemberInfo, type ModelPredictions } from './driver';

export interface EdstRunOptions {
  epochs: number;
  explorationEpochs: number;
  refineEpochs?: number;
  members: number;
  exploreRate: number;
  /** 'constant-0.5' as the released FreeTickets code (no T_end), or the setup's own schedule (RigL cosine). */
  drop: 'constant-0.5' | 'cosine';
}

interface SavedMember {
  member: number;
  step: number;
  accuracy: number;
  checkpoint: Checkpoint;
}

/** The single-member trainer setup that runs an EDST plan. */
export function edstTrainerSetup(base: TrainerSetup, o: EdstRunOptions, stepsPerEpoch: number): { setup: TrainerSetup; plan: EdstPlan } {
  if (base.lr.kind !== 'constant') throw new Error('EDST sets its own learning rates: give it a constant base lr');
  if (!base.valIdx || base.valIdx.length === 0) throw new Error('EDST picks each member by validation accuracy: hold out a validation split');
  const lr = base.lr.lr;
  const plan = edstPlan({ ...o, stepsPerEpoch, lr: { explore: lr, refine: lr / 10, late: lr / 100 } });
  const schedule = o.drop === 'constant-0.5' ? { ...base.schedule, alpha: 0.5, decay: 'constant' as const, tEnd: plan.totalSteps } : base.schedule;
  const setup: TrainerSetup = {
    ...base,
    members: 1,
    totalSteps: plan.totalSteps,
    lr: { kind: 'piecewise', points: plan.lrSteps },
    schedule,
    explorations: plan.explorations.map((e) => ({ step: e.step, rate: e.rate })),
  };
  return { setup, plan };
}

export class EdstDriver implements Driver {
  readonly mode = 'edst';
  readonly phases: readonly EnsemblePhase[];
  private picker: MemberPicker;
  private readonly saved = new Map<number, SavedMember>();
  /** Every validation result offered to the picker, in plan order (replayed by loadState). */
  private validations: { step: number; accuracy: number }[] = [];

  private constructor(
    private readonly trainer: Trainer,
    readonly plan: EdstPlan,
    private readonly onMember?: (m: { member: number; step: number; accuracy: number }) => void,
  ) {
    this.picker = new MemberPicker(plan);
    this.phases = plan.phases.map((p) => ({
      name: p.kind === 'explore' ? 'exploration' : `refinement ${p.member! + 1}`,
      kind: p.kind === 'explore' ? 'explore' : 'refine',
      startStep: p.startStep,
      endStep: p.endStep,
      member: p.member,
    }));
  }

  static async create(cache: PipelineCache, base: TrainerSetup, o: EdstRunOptions, stepsPerEpoch: number, onMember?: EdstDriver['onMember']): Promise<EdstDriver> {
    const { setup, plan } = edstTrainerSetup(base, o, stepsPerEpoch);
    return new EdstDriver(await Trainer.create(cache, setup), plan, onMember);
  }

  get totalSteps(): number {
    return this.plan.totalSteps;
  }

  get step(): number {
    return this.trainer.currentStep;
  }

  live(): Trainer {
    return this.trainer;
  }

  /** Members chosen so far (the current best of a phase in progress included). */
  chosen(): { member: number; step: number; accuracy: number }[] {
    return [...this.saved.values()].sort((a, b) => a.member - b.member).map(({ member, step, accuracy }) => ({ member, step, accuracy }));
  }

  async advance(count: number): Promise<StepMetrics[]> {
    const next = this.picker.expectedStep();
    const end = Math.min(this.trainer.currentStep + count, next === null ? Infinity : next + 1);
    const rows = await this.trainer.train(end - this.trainer.currentStep);
    if (next !== null && this.trainer.currentStep === next + 1) await this.validate(next);
    return rows;
  }

  private async validate(step: number): Promise<void> {
    const { accuracy } = await this.trainer.evaluate('validation');
    const member = this.plan.validationSteps.find((v) => v.step === step)!.member;
    this.validations.push({ step, accuracy: accuracy[0]! });
    if (!this.picker.offer(step, accuracy[0]!)) return;
    this.saved.set(member, { member, step, accuracy: accuracy[0]!, checkpoint: await this.trainer.checkpoint() });
    this.onMember?.({ member, step, accuracy: accuracy[0]! });
  }

  async predictLive(split: EvalSplit): Promise<ModelPredictions> {
    return { labels: ['running network'], logits: await this.trainer.predictLogits(split) };
  }

  async predictEnsemble(split: EvalSplit): Promise<ModelPredictions> {
    const members = [...this.saved.values()].sort((a, b) => a.member - b.member);
    if (members.length === 0) return { labels: [], logits: [] };
    const live = await this.trainer.checkpoint();
    const logits: Float32Array[] = [];
    try {
      for (const m of members) {
        this.trainer.restore(m.checkpoint);
        logits.push((await this.trainer.predictLogits(split))[0]!);
      }
    } finally {
      this.trainer.restore(live);
    }
    return { labels: members.map((m) => `member ${m.member + 1}`), logits };
  }

  async members(): Promise<MemberInfo[]> {
    return [...this.saved.values()]
      .sort((a, b) => a.member - b.member)
      .map((m) => memberInfo(this.trainer.layout, m.checkpoint.mask, m.checkpoint.fired, 0, `member ${m.member + 1} (step ${m.step + 1}, validation ${(m.accuracy * 100).toFixed(1)}%)`));
  }

  trainingFlops(): number {
    return this.trainer.trainingFlops();
  }

  async saveState(): Promise<DriverState> {
    return { mode: this.mode, trainers: [await this.trainer.checkpoint()], validations: [...this.validations], saved: [...this.saved.values()] };
  }

  async loadState(state: DriverState): Promise<void> {
    checkDriverState(state, this.mode, [1, 1]);
    const picker = new MemberPicker(this.plan);
    for (const v of state.validations ?? []) picker.offer(v.step, v.accuracy); // throws if the plan differs
    this.trainer.restore(state.trainers[0]!);
    this.picker = picker;
    this.validations = [...(state.validations ?? [])];
    this.saved.clear();
    for (const m of state.saved ?? []) this.saved.set(m.member, { ...m });
  }

  destroy(): void {
    this.trainer.destroy();
  }
}
