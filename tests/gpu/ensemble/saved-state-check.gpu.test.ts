// The saved-state check on real runs built from configs (src/ensemble/driver-state.ts): a state
// the playground saves is never refused, whatever the mode or trick (a lottery ticket after its
// rewinds and its re-initialised control, ToST ghosts alive and removed, SNFS, a dense run), and
// the same state is refused once damaged, or against another model or mode.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ExperimentConfigInput } from '../../../src/config';
import { generatedData } from '../../../src/engine';
import { EnsembleRun, driverStateProblems, ensembleSetupFromConfig, prepareEnsembleRun, type DriverState } from '../../../src/ensemble';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';

const device = useDevice();

async function savedAt(input: ExperimentConfigInput, fraction: number): Promise<{ state: DriverState; check: (s: unknown, other?: ExperimentConfigInput) => string[] }> {
  const p = parseConfig({ version: 1, data: { dataset: 'moons', points: 200 }, model: { kind: 'mlp', hidden: [12, 10] }, ...input });
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  const { setup, run } = ensembleSetupFromConfig(p.config, generatedData(p.config));
  const e = await EnsembleRun.create(PipelineCache.for(device().device), setup);
  try {
    await prepareEnsembleRun(e, run);
    await e.train(Math.floor(e.totalSteps * fraction));
    const state = await e.driver.saveState();
    const step = e.step;
    const check = (s: unknown, other?: ExperimentConfigInput) => {
      if (!other) return driverStateProblems(s, setup, step);
      const q = parseConfig({ ...p.config, ...other });
      if (!q.ok) throw new Error(JSON.stringify(q.errors));
      return driverStateProblems(s, ensembleSetupFromConfig(q.config, generatedData(q.config)).setup, step);
    };
    return { state, check };
  } finally {
    e.destroy();
  }
}

const cases: [string, ExperimentConfigInput, number][] = [
  ['RigL at 80 %, mid-run', { sparsity: { target: 0.8 }, dst: { deltaT: 5 }, training: { epochs: 6 } }, 0.5],
  ['SET at the end', { sparsity: { target: 0.8 }, dst: { method: 'set', deltaT: 5 }, training: { epochs: 4 } }, 1],
  ['SNFS (dense momentum)', { sparsity: { target: 0.7 }, dst: { method: 'snfs', deltaT: 5 }, training: { epochs: 3 } }, 0.7],
  ['dense, Adam', { sparsity: { target: 0 }, dst: { method: 'dense' }, training: { epochs: 3, optimizer: { kind: 'adam' } } }, 0.6],
  ['a lottery ticket', { sparsity: { target: 0.9, mask: { kind: 'lottery', rounds: 2 } }, dst: { method: 'static' }, training: { epochs: 2 } }, 0.5],
  ['its re-initialised control', { sparsity: { target: 0.9, mask: { kind: 'lottery', rounds: 2, reinitControl: true } }, dst: { method: 'static' }, training: { epochs: 2 } }, 0.2],
  ['ToST ghosts alive', { sparsity: { target: 0.9 }, dst: { method: 'static' }, training: { epochs: 4 }, tost: { ghostSkip: { enabled: true, endFraction: 0.5 }, smoothActivation: { kind: 'swish', reluFrom: 0.5 } } }, 0.25],
  ['ToST ghosts removed', { sparsity: { target: 0.9 }, dst: { method: 'static' }, training: { epochs: 4 }, tost: { ghostSkip: { enabled: true, endFraction: 0.5 } } }, 0.9],
  ['a DST ensemble of 3', { sparsity: { target: 0.8 }, dst: { deltaT: 5 }, ensemble: { mode: 'dst', members: 3 }, training: { epochs: 3 } }, 0.5],
  ['EDST with members chosen', { sparsity: { target: 0.8 }, dst: { deltaT: 5 }, ensemble: { mode: 'edst', members: 2, explorationEpochs: 2 }, training: { epochs: 6, schedule: { kind: 'constant' } } }, 0.8],
  ['Prune-and-Tune with children', { dst: { method: 'dense' }, ensemble: { mode: 'prune-and-tune', members: 2, tuneEpochs: 2 }, training: { epochs: 2 } }, 0.9],
];

describe('saved-state check on real runs', () => {
  it.each(cases)('%s: the saved state passes; damaged, or against another model or mode, it is refused', async (_name, input, fraction) => {
    const { state, check } = await savedAt(input, fraction);
    expect(check(state)).toEqual([]);
    const t0 = state.trainers[0]!;
    expect(check({ ...state, trainers: [{ ...t0, weights: t0.weights.subarray(1) }, ...state.trainers.slice(1)] }).join(' ')).toMatch(/values, this model needs/);
    const nan = t0.weights.slice();
    nan[nan.findIndex((v) => v !== 0)] = NaN;
    expect(check({ ...state, trainers: [{ ...t0, weights: nan }, ...state.trainers.slice(1)] }).join(' ')).toMatch(/NaN/);
    expect(check(state, { model: { kind: 'mlp', hidden: [12, 11] } }).length).toBeGreaterThan(0);
    expect(check({ ...state, mode: state.mode === 'dst' ? 'none' : 'dst' }).length).toBeGreaterThan(0);
    expect(check('AAAA')).toEqual(['the network state is a string, not a saved network']);
  });
});
