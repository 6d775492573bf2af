// The figures of a run, as a learner reads them off the playground: the final test accuracy (the
// last point of the accuracy chart), the ITOP rate, the training loss over a stretch of steps, each
// layer's active count and, for ensembles, the test-set report's ensemble accuracy, its gain over
// the mean member, disagreement and mask distance. The lessons' claims are stated over these
// (src/state/lesson-claims.ts); the lesson tier (tests/lessons) and the lesson's comparison table
// in the page compute them with this one function, so what a test checks is what the page shows.
import type { EnsembleRun } from './ensemble-run';

export interface RunFigures {
  /** Steps trained. */
  step: number;
  /** Mean over the models training now of their test-set accuracy (what the accuracy chart ends on). */
  testAccuracy: number;
  /** Mean test-set loss of the same models. */
  testLoss: number;
  /** Mean ITOP rate: the share of maskable weights ever active (docs/METHODS.md §1.7). */
  itop: number;
  /** Per weight layer: active connections of the first model. */
  active: number[];
  /** Mean training loss (over members) of every step, in order: the loss chart. */
  losses: number[];
  /** Ensemble modes only: the test-set report the member table shows. */
  ensemble: {
    accuracy: number;
    meanMember: number;
    /** accuracy − meanMember: what averaging the members' probabilities adds. */
    gain: number;
    nll: number;
    meanMemberNll: number;
    /** meanMemberNll − nll: never negative (Jensen), larger the more the members differ. */
    nllGain: number;
    disagreement: number;
    kl: number;
    maskDistance: number | null;
    members: number[];
    /** Training FLOPs of the whole ensemble ÷ those of one dense model for the config's epochs. */
    trainFlopsRatio: number;
  } | null;
}

/** Mean of `losses` over steps [from, to) (fractions of the run), NaN when the stretch is empty. */
export function meanLoss(losses: readonly number[], from: number, to: number): number {
  const a = Math.floor(from * losses.length);
  const b = Math.min(losses.length, Math.ceil(to * losses.length));
  if (b <= a) return NaN;
  let s = 0;
  for (let i = a; i < b; i++) s += losses[i]!;
  return s / (b - a);
}

/**
 * The figures of `run` as it stands (normally finished). `losses` is the per-step mean training
 * loss the caller collected from train()'s rows.
 */
export async function runFigures(run: EnsembleRun, losses: readonly number[]): Promise<RunFigures> {
  const t = run.driver.live();
  const [e, itop, mask] = await Promise.all([t.evaluate('test'), t.itopRates(), t.readMask()]);
  const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  const active = t.layout.layers.map((l) => {
    let n = 0;
    for (let i = 0; i < l.numel; i++) n += mask[l.weight.offset + i]!; // member 0's slice comes first
    return n;
  });
  let ensemble: RunFigures['ensemble'] = null;
  if (run.setup.mode !== 'none') {
    const r = await run.result();
    const members = r.report.members.map((m) => m.accuracy);
    const meanMember = mean(members);
    const meanMemberNll = mean(r.report.members.map((m) => m.nll));
    const e = r.report.ensemble;
    ensemble = {
      accuracy: e.accuracy,
      meanMember,
      gain: e.accuracy - meanMember,
      nll: e.nll,
      meanMemberNll,
      nllGain: meanMemberNll - e.nll,
      disagreement: r.report.disagreement ?? 0,
      kl: r.report.kl ?? 0,
      maskDistance: r.maskDistance,
      members,
      trainFlopsRatio: r.trainFlops / r.denseTrainFlops,
    };
  }
  return { step: run.step, testAccuracy: mean(e.accuracy), testLoss: mean(e.loss), itop: mean(itop), active, losses: [...losses], ensemble };
}
