// Resuming an ensemble run (the runner's --resume): a driver's state, saved mid-run, packed to
// JSON + bytes and loaded into a fresh run of the same setup, continues the same curve and ends
// with the same members and results, and passes the check a reopened run goes through: EDST with members already chosen (and a global exploration
// still ahead), Prune-and-Tune before and after its children exist, and a DST ensemble.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D, stepsPerEpoch } from '../../../src/data';
import { EnsembleRun, driverStateProblems, type DriverState, type EnsembleSetup } from '../../../src/ensemble';
import { PipelineCache } from '../../../src/gpu';
import { packBinaryJson, unpackBinaryJson } from '../../../src/util/binary-json';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();
const data = generate2D('spiral', { n: 400, noise: 0.08, seed: 4, arms: 3, turns: 1 });
const split = fractionSplit(data.labels, { train: 0.7, val: 0.15 }, 6);
const spe = stepsPerEpoch(split.train.length, 32);

function ensemble(mode: EnsembleSetup['mode'], members: number, epochs: number, over: Partial<EnsembleSetup> = {}): EnsembleSetup {
  const totalSteps = spe * epochs;
  const method = mode === 'prune-and-tune' ? 'dense' : 'rigl';
  const base = pointsSetup(data, split, { totalSteps, method, density: method === 'dense' ? 1 : 0.5, schedule: { deltaT: 7, alpha: 0.3, decay: 'cosine', tEnd: totalSteps, beginStep: 0 } });
  return { mode, members, epochs, stepsPerEpoch: spe, base, ...over };
}

/** Trains `setup` straight through, and again with a save at each of `at` and a load into a fresh run. */
async function compareResumed(setup: EnsembleSetup, at: number[]): Promise<void> {
  const cache = PipelineCache.for(device().device);
  const straight = await EnsembleRun.create(cache, setup);
  let resumed = await EnsembleRun.create(cache, setup);
  try {
    const lossA = (await straight.train(straight.totalSteps)).map((r) => r.loss);
    const lossB: number[][] = [];
    for (const step of [...at, resumed.totalSteps]) {
      lossB.push(...(await resumed.train(step - resumed.step)).map((r) => r.loss));
      if (step === resumed.totalSteps) break;
      const state = await resumed.driver.saveState();
      // A state the driver saved is never refused by the check a reopened run goes through.
      expect(driverStateProblems(state, setup, step)).toEqual([]);
      const { json, bin } = packBinaryJson(state);
      resumed.destroy();
      resumed = await EnsembleRun.create(cache, setup);
      await resumed.driver.loadState(unpackBinaryJson<DriverState>(json, new Uint8Array(bin)));
      expect(resumed.step).toBe(step);
    }
    expect(lossB).toEqual(lossA);
    const [a, b] = [await straight.result(), await resumed.result()];
    expect(b.members.map((m) => m.label)).toEqual(a.members.map((m) => m.label));
    expect(b.report.ensemble).toEqual(a.report.ensemble);
    expect(b.maskDistance).toEqual(a.maskDistance);
    expect(b.trainFlops).toEqual(a.trainFlops);
  } finally {
    straight.destroy();
    resumed.destroy();
  }
}

describe('saving and loading a driver state', () => {
  it('EDST (M = 2): saved during exploration and after member 1 was chosen, the resumed run picks the same members', async () => {
    const setup = ensemble('edst', 2, 10, { edst: { explorationEpochs: 4, exploreRate: 0.8, drop: 'constant-0.5' } });
    // Exploration is 4 epochs, refinement 1 then 2 take 3 each: save in exploration and in refinement 2.
    await compareResumed(setup, [2 * spe + 5, 8 * spe + 3]);
  });

  it('Prune-and-Tune: saved while the parent trains and while the children tune', async () => {
    const setup = ensemble('prune-and-tune', 2, 5, { pruneAndTune: { maskKind: 'anti-random', tuneEpochs: 2, includeParent: true, childDensity: 0.5 } });
    await compareResumed(setup, [3 * spe + 1, 6 * spe + 2]);
  });

  it('DST ensemble of 2: saved between mask updates', async () => {
    await compareResumed(ensemble('dst', 2, 4), [2 * spe + 3]);
  });

  it('a state of another mode is refused', async () => {
    const cache = PipelineCache.for(device().device);
    const dst = await EnsembleRun.create(cache, ensemble('dst', 2, 1));
    const edst = await EnsembleRun.create(cache, ensemble('edst', 2, 10, { edst: { explorationEpochs: 4, exploreRate: 0.8, drop: 'constant-0.5' } }));
    try {
      await expect(edst.driver.loadState(await dst.driver.saveState())).rejects.toThrow(/dst run, this run is edst/);
    } finally {
      dst.destroy();
      edst.destroy();
    }
  });
});
