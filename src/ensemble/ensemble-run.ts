// One experiment, whatever its ensemble mode: a Driver (driver.ts, edst-driver.ts,
// prune-and-tune-driver.ts) trains; this class trains it across its phases (a Trainable for the
// one loop, src/engine/run-loop.ts), and measures it: snapshots on the small probe set
// (each live model's probabilities for the function-space plot, the ensemble's disagreement, KL
// and mask distance) and the final report on the test set (accuracy, NLL, ECE, reliability,
// confusion per member and for the ensemble; diversity; training and inference FLOPs against one
// dense model). No DOM, no store.
import type { PipelineCache } from '../gpu';
import { Trainer, firstNonFinite, maskableLayers, splitIndices, type EvalSplit, type StepMetrics, type TrainerSetup } from '../engine';
import { denseForwardFlops, layerSpectralGaps } from '../sparsity';
import { EdstDriver, type EdstRunOptions } from './edst-driver';
import { IndependentDriver, type Driver, type EnsembleMode, type EnsemblePhase, type MemberInfo, type ModelPredictions } from './driver';
import { ensembleReport, maskDistanceMatrices, meanOffDiagonal, softmaxRows, type EnsembleReport, type MaskDistances } from './metrics';
import { PruneAndTuneDriver, type PruneAndTuneOptions } from './prune-and-tune-driver';

export interface EnsembleSetup {
  mode: EnsembleMode;
  /** The trainer setup of the run (members = M for none/dst/dense; EDST and P&T derive theirs). */
  base: TrainerSetup;
  /** The config's training.epochs: the budget one dense model gets (FLOPs are compared with it). */
  epochs: number;
  stepsPerEpoch: number;
  edst?: Omit<EdstRunOptions, 'epochs' | 'members'>;
  pruneAndTune?: Omit<PruneAndTuneOptions, 'epochs' | 'members'>;
  members: number;
}

type SpectralGaps = ReturnType<typeof layerSpectralGaps>;

export interface EnsembleSnapshot {
  step: number;
  phase: string;
  split: EvalSplit;
  /** Each model training now, on the split: probabilities (count, classes). */
  live: { labels: string[]; probabilities: Float32Array[] };
  /** The ensemble so far (EDST: the members chosen so far). */
  ensemble: {
    labels: string[];
    accuracy: number | null;
    memberAccuracy: number[];
    disagreement: number | null;
    kl: number | null;
    /** Pairwise matrices (members × members) for the heatmaps; KL is ordered (row → column). */
    disagreementMatrix: number[][];
    klMatrix: number[][];
    /** Hamming and Jaccard distances per layer and overall; null with fewer than 2 members. */
    masks: MaskDistances | null;
    maskDistance: number | null;
  };
  /** Per live model, per weight layer (when asked for). */
  spectral: SpectralGaps[][] | null;
}

export interface EnsembleResult {
  step: number;
  report: EnsembleReport;
  members: MemberInfo[];
  masks: MaskDistances;
  /** Mean over member pairs of the overall Jaccard distance; null for one member. */
  maskDistance: number | null;
  trainFlops: number;
  /** Training one dense model for the config's epochs. */
  denseTrainFlops: number;
  /** Forward FLOPs per example of the whole ensemble / of one dense model. */
  inferenceFlopsRatio: number;
}

export interface EnsembleSink {
  /** EDST: a checkpoint became (for now) the given member. */
  member?(m: { member: number; step: number; accuracy: number }): void;
}

function meanPairJaccard(d: MaskDistances): number | null {
  return meanOffDiagonal(d.overall.jaccard);
}

export class EnsembleRun {
  private constructor(
    readonly setup: EnsembleSetup,
    readonly driver: Driver,
  ) {}

  static async create(cache: PipelineCache, setup: EnsembleSetup, sink: EnsembleSink = {}): Promise<EnsembleRun> {
    const { mode, base, epochs, members, stepsPerEpoch } = setup;
    let driver: Driver;
    if (mode === 'edst') {
      if (!setup.edst) throw new Error('EDST needs its options');
      driver = await EdstDriver.create(cache, base, { ...setup.edst, epochs, members }, stepsPerEpoch, (m) => sink.member?.(m));
    } else if (mode === 'prune-and-tune') {
      if (!setup.pruneAndTune) throw new Error('Prune-and-Tune needs its options');
      driver = await PruneAndTuneDriver.create(cache, base, { ...setup.pruneAndTune, epochs, members }, stepsPerEpoch);
    } else {
      driver = new IndependentDriver(mode, await Trainer.create(cache, { ...base, members }));
    }
    return new EnsembleRun(setup, driver);
  }

  get step(): number {
    return this.driver.step;
  }

  /** The same as step (the name RunLoop's Trainable uses). */
  get currentStep(): number {
    return this.driver.step;
  }

  get totalSteps(): number {
    return this.driver.totalSteps;
  }

  get phases(): readonly EnsemblePhase[] {
    return this.driver.phases;
  }

  phaseAt(step: number): EnsemblePhase {
    return this.phases.find((p) => step >= p.startStep && step < p.endStep) ?? this.phases.at(-1)!;
  }

  /**
   * Trains up to `count` steps across phase boundaries (stopping after a chunk whose loss turned
   * non-finite); resolves with their metrics. RunLoop (src/engine/run-loop.ts) drives it.
   */
  async train(count: number): Promise<StepMetrics[]> {
    const rows: StepMetrics[] = [];
    const end = Math.min(this.totalSteps, this.step + count);
    while (this.step < end) {
      const phase = this.phaseAt(this.step);
      const chunk = await this.driver.advance(Math.min(end, phase.endStep) - this.step);
      rows.push(...chunk);
      if (firstNonFinite(chunk)) break;
      if (chunk.length === 0 && this.step < end) throw new Error(`the ${this.setup.mode} run made no progress at step ${this.step}`);
    }
    return rows;
  }

  private labels(split: EvalSplit): Uint32Array {
    const base = this.driver.live().setup;
    return Uint32Array.from(splitIndices(base, split), (i) => base.data.labels[i]!);
  }

  private probabilities(p: ModelPredictions): Float32Array[] {
    const classes = this.driver.live().classes;
    return p.logits.map((l) => softmaxRows(l, classes));
  }

  /** Where training stands in function space and diversity, on `split` (default the probe set). */
  async snapshot(split: EvalSplit = 'probe', spectral = false): Promise<EnsembleSnapshot> {
    const classes = this.driver.live().classes;
    const labels = this.labels(split);
    const live = await this.driver.predictLive(split);
    const ensemble = await this.driver.predictEnsemble(split);
    const probs = this.probabilities(ensemble);
    const masks = ensemble.labels.length > 1 ? maskDistanceMatrices((await this.driver.members()).map((m) => m.masks)) : null;
    const report = probs.length > 0 ? ensembleReport(probs, labels, classes) : null;
    return {
      step: this.step,
      phase: this.phaseAt(Math.max(0, this.step - 1)).name,
      split,
      live: { labels: live.labels, probabilities: this.probabilities(live) },
      ensemble: {
        labels: ensemble.labels,
        accuracy: report?.ensemble.accuracy ?? null,
        memberAccuracy: report?.members.map((m) => m.accuracy) ?? [],
        disagreement: report?.disagreement ?? null,
        kl: report?.kl ?? null,
        disagreementMatrix: report?.disagreementMatrix ?? [],
        klMatrix: report?.klMatrix ?? [],
        masks,
        maskDistance: masks ? meanPairJaccard(masks) : null,
      },
      spectral: spectral ? await this.spectralGaps() : null,
    };
  }

  /** The ensemble's full evaluation on the test set (ECE with `bins` bins: 15, or 14 as FreeTickets' code). */
  async result(options: { bins?: number } = {}): Promise<EnsembleResult> {
    const t = this.driver.live();
    const classes = t.classes;
    const predictions = await this.driver.predictEnsemble('test');
    if (predictions.logits.length === 0) throw new Error('no ensemble member yet: train further');
    const report = ensembleReport(this.probabilities(predictions), this.labels('test'), classes, options);
    const members = await this.driver.members();
    const masks = maskDistanceMatrices(members.map((m) => m.masks));
    const fD = denseForwardFlops(maskableLayers(t.layout));
    const s = this.setup;
    return {
      step: this.step,
      report,
      members,
      masks,
      maskDistance: meanPairJaccard(masks),
      trainFlops: this.driver.trainingFlops(),
      denseTrainFlops: 3 * fD * s.base.batch * s.stepsPerEpoch * s.epochs,
      inferenceFlopsRatio: members.reduce((a, m) => a + m.forwardFlops, 0) / fD,
    };
  }

  /**
   * Spectral gaps (docs/METHODS.md §6) of every weight layer of each live model: the Ramanujan gap
   * of the mask and the weighted gap σ1 − σ2 of |W⊙M|, by power iteration on the CPU.
   */
  async spectralGaps(): Promise<SpectralGaps[][]> {
    const t = this.driver.live();
    const [w, mask] = await Promise.all([t.readWeights(), t.readMask()]);
    const layers = maskableLayers(t.layout);
    return Array.from({ length: t.setup.members }, (_, m) =>
      t.layout.layers.map((l, i) => {
        const from = l.weight.offset + m * l.numel;
        return layerSpectralGaps(w.subarray(from, from + l.numel), mask.subarray(from, from + l.numel), layers[i]!.shape);
      }),
    );
  }

  destroy(): void {
    this.driver.destroy();
  }
}
