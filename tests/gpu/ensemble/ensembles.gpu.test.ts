// Ensembles on the GPU (issue 4): a DST ensemble beats its average member, EDST's global
// exploration makes members more different than the q = 0 ablation (docs/METHODS.md §7.6), Prune-and-Tune
// children are complementary clones of the parent, a dense ensemble's members are dense.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D, stepsPerEpoch } from '../../../src/data';
import { RunLoop, type TrainerSetup } from '../../../src/engine';
import { EnsembleRun, type EnsembleSetup, type EnsembleSnapshot } from '../../../src/ensemble';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();
const data = generate2D('spiral', { n: 600, noise: 0.08, seed: 4, arms: 3, turns: 1 });
const split = fractionSplit(data.labels, { train: 0.7, val: 0.15 }, 6);

function base(over: Partial<TrainerSetup> = {}): TrainerSetup {
  return pointsSetup(data, split, { probeIdx: split.test.subarray(0, 64), ...over });
}

const spe = stepsPerEpoch(split.train.length, 32);

function ensemble(mode: EnsembleSetup['mode'], members: number, epochs: number, over: Partial<EnsembleSetup> = {}, setup: Partial<TrainerSetup> = {}): EnsembleSetup {
  const totalSteps = spe * epochs;
  return { mode, members, epochs, stepsPerEpoch: spe, base: base({ totalSteps, schedule: { deltaT: 20, alpha: 0.3, decay: 'cosine', tEnd: Math.floor(0.75 * totalSteps), beginStep: 0 }, ...setup }), ...over };
}

const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

describe('ensembles', () => {
  it('DST ensemble of 3 on the spiral: ensemble accuracy at least the mean member accuracy; members differ', async () => {
    const run = await EnsembleRun.create(PipelineCache.for(device().device), ensemble('dst', 3, 40));
    try {
      const early = await run.snapshot();
      expect(early.live.probabilities).toHaveLength(3);
      expect(early.live.probabilities[0]!.length).toBe(64 * 3);
      await run.train(run.totalSteps);
      const r = await run.result();
      const members = r.report.members.map((m) => m.accuracy);
      console.log(`DST ensemble: members ${members.map((a) => a.toFixed(3))}, ensemble ${r.report.ensemble.accuracy.toFixed(3)}, NLL ${r.report.ensemble.nll.toFixed(3)}, ECE ${r.report.ensemble.ece.toFixed(3)}, disagreement ${r.report.disagreement?.toFixed(3)}, KL ${r.report.kl?.toFixed(3)}, mask distance ${r.maskDistance?.toFixed(3)}, train FLOPs ${(r.trainFlops / r.denseTrainFlops).toFixed(2)}x dense, inference ${r.inferenceFlopsRatio.toFixed(2)}x`);
      expect(mean(members)).toBeGreaterThan(0.6); // they learned
      expect(r.report.ensemble.accuracy).toBeGreaterThanOrEqual(mean(members));
      expect(r.report.disagreement!).toBeGreaterThan(0);
      expect(r.report.kl!).toBeGreaterThan(0);
      expect(r.maskDistance!).toBeGreaterThan(0.1);
      expect(r.members).toHaveLength(3);
      // Three sparse members: about 3x the FLOPs of one sparse run, each below dense.
      expect(r.trainFlops / r.denseTrainFlops).toBeGreaterThan(1);
      expect(r.trainFlops / r.denseTrainFlops).toBeLessThan(3);
      expect(r.report.ensemble.reliability).toHaveLength(15);
      expect((await run.result({ bins: 14 })).report.ensemble.reliability).toHaveLength(14);
      const late = await run.snapshot();
      expect(late.ensemble.disagreement).not.toBeNull();
      const gaps = await run.spectralGaps();
      expect(gaps).toHaveLength(3);
      expect(gaps[0]![1]!.weighted.gap).toBeGreaterThan(0);
    } finally {
      run.destroy();
    }
  });

  it('EDST with M = 3: q = 0.8 leaves members further apart (mask distance) than the q = 0 ablation', async () => {
    const cache = PipelineCache.for(device().device);
    const results: number[] = [];
    for (const q of [0.8, 0]) {
      const picked: number[] = [];
      const setup = ensemble('edst', 3, 30, { edst: { explorationEpochs: 12, exploreRate: q, drop: 'constant-0.5' } }, { schedule: { deltaT: 2 * spe, alpha: 0.3, decay: 'cosine', tEnd: 0, beginStep: 0 } });
      const run = await EnsembleRun.create(cache, setup, { member: (m) => picked.push(m.member) });
      try {
        await run.train(run.totalSteps);
        const r = await run.result();
        expect(r.members).toHaveLength(3);
        expect(new Set(picked)).toEqual(new Set([0, 1, 2]));
        console.log(`EDST q=${q}: members ${r.report.members.map((m) => m.accuracy.toFixed(3))}, ensemble ${r.report.ensemble.accuracy.toFixed(3)}, disagreement ${r.report.disagreement?.toFixed(3)}, mask distance ${r.maskDistance?.toFixed(3)}, train FLOPs ${(r.trainFlops / r.denseTrainFlops).toFixed(2)}x dense`);
        expect(r.report.ensemble.accuracy).toBeGreaterThan(0.6);
        expect(r.trainFlops / r.denseTrainFlops).toBeLessThan(1); // one sparse run
        results.push(r.maskDistance!);
      } finally {
        run.destroy();
      }
    }
    expect(results[0]!).toBeGreaterThan(results[1]!);
  });

  it('Prune-and-Tune: anti-random children are complementary halves of the parent, tuned; parent optional in the ensemble', async () => {
    const setup = ensemble('prune-and-tune', 4, 20, { pruneAndTune: { maskKind: 'anti-random', tuneEpochs: 4, includeParent: true, childDensity: 0.5 } }, { method: 'dense', density: 1 });
    const run = await EnsembleRun.create(PipelineCache.for(device().device), setup);
    try {
      expect(run.phases.map((p) => p.kind)).toEqual(['parent', 'tune']);
      await run.train(20 * spe);
      expect(run.phaseAt(run.step).kind).toBe('tune');
      await run.train(run.totalSteps);
      const r = await run.result();
      expect(r.members.map((m) => m.label.split(' ')[0])).toEqual(['child', 'child', 'child', 'child', 'parent']);
      const [c1, c2] = [r.members[0]!, r.members[1]!];
      c1.masks.forEach((m, l) => {
        const last = l === c1.masks.length - 1;
        for (let i = 0; i < m.length; i++) expect(m[i]! + c2.masks[l]![i]!, `layer ${l}`).toBe(last ? 2 : 1);
      });
      expect(r.report.members).toHaveLength(5);
      console.log(`Prune-and-Tune: members ${r.report.members.map((m) => m.accuracy.toFixed(3))}, ensemble ${r.report.ensemble.accuracy.toFixed(3)}, train FLOPs ${(r.trainFlops / r.denseTrainFlops).toFixed(2)}x dense`);
      // Parent (1x) plus 4 children x 4/20 epochs at about half the FLOPs.
      expect(r.trainFlops / r.denseTrainFlops).toBeGreaterThan(1.2);
      expect(r.trainFlops / r.denseTrainFlops).toBeLessThan(1 + (4 * 4) / 20);
      expect(r.report.ensemble.accuracy).toBeGreaterThan(0.6);
    } finally {
      run.destroy();
    }
  });

  it('snapshots in function space every N steps of the run loop, with spectral gaps', async () => {
    const run = await EnsembleRun.create(PipelineCache.for(device().device), ensemble('dst', 2, 2));
    try {
      const snapshots: EnsembleSnapshot[] = [];
      const every = 10;
      const stop = await new RunLoop(run).run({
        chunkSize: (step) => Math.min(run.setup.base.stepsPerSubmit, every - (step % every)),
        afterChunk: async () => {
          if (run.step % every === 0 || run.step === run.totalSteps) snapshots.push(await run.snapshot('probe', true));
        },
      });
      expect(stop.kind).toBe('done');
      const steps = snapshots.map((s) => s.step);
      const want = Array.from({ length: Math.ceil(run.totalSteps / every) }, (_, i) => Math.min((i + 1) * every, run.totalSteps));
      expect(steps).toEqual(want);
      for (const s of snapshots) {
        expect(s.live.probabilities).toHaveLength(2);
        expect(s.ensemble.disagreementMatrix).toHaveLength(2);
        expect(s.ensemble.masks!.layers).toHaveLength(3);
        expect(s.spectral![1]!.map((g) => g.ramanujan.sigma1 > 0)).toEqual([true, true, true]);
      }
      // The members move in function space between snapshots.
      const [a, b] = [snapshots[0]!.live.probabilities[0]!, snapshots.at(-1)!.live.probabilities[0]!];
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeGreaterThan(0.01);
    } finally {
      run.destroy();
    }
  });

  it('dense ensemble: dense members, no mask distance, M dense models of inference', async () => {
    const run = await EnsembleRun.create(PipelineCache.for(device().device), ensemble('dense', 2, 3, {}, { method: 'dense', density: 1 }));
    try {
      await run.train(run.totalSteps);
      const r = await run.result();
      expect(r.maskDistance).toBe(0);
      expect(r.inferenceFlopsRatio).toBeCloseTo(2, 10);
      expect(r.trainFlops / r.denseTrainFlops).toBeCloseTo(2, 10);
    } finally {
      run.destroy();
    }
  });
});
