// Whether a saved run's network state can be loaded into the run its config builds, checked on the
// CPU before the run on screen is touched (a refused state must lose nothing). The trainers each
// mode builds come from the drivers' own setup functions, so the layouts checked are the layouts
// that would be loaded; each trainer's checkpoint goes through checkpointProblems (src/engine).
import { checkpointProblems, setupLayout, type TrainerSetup } from '../engine';
import type { EnsembleSetup } from './ensemble-run';
import { edstTrainerSetup } from './edst-driver';
import { pruneAndTuneTrainerSetups } from './prune-and-tune-driver';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The trainers a run of `setup` has: the first trains first (and is the one an old save holds). */
export function trainerSetups(setup: EnsembleSetup): { label: string; setup: TrainerSetup }[] {
  const base = setup.base;
  if (setup.mode === 'edst') return [{ label: 'the run', setup: edstTrainerSetup(base, { ...setup.edst!, epochs: setup.epochs, members: setup.members }, setup.stepsPerEpoch).setup }];
  if (setup.mode === 'prune-and-tune') {
    const s = pruneAndTuneTrainerSetups(base, { ...setup.pruneAndTune!, epochs: setup.epochs, members: setup.members }, setup.stepsPerEpoch);
    return [
      { label: 'the dense parent', setup: s.parent },
      { label: 'the children', setup: s.children },
    ];
  }
  return [{ label: 'the run', setup: { ...base, members: setup.members } }];
}

/**
 * Problems that keep `state` (a saved run's network state: a driver state, or the bare first
 * trainer's checkpoint of older saves) from loading into a run of `setup` at `step`; [] when none.
 */
export function driverStateProblems(state: unknown, setup: EnsembleSetup, step: number): string[] {
  const trainers = trainerSetups(setup);
  const check = (c: unknown, t: { label: string; setup: TrainerSetup }, what = `the state of ${t.label}`) => checkpointProblems(c, setupLayout(t.setup), t.setup.totalSteps, what);
  if (!isObject(state)) return [`the network state is ${state === null ? 'null' : Array.isArray(state) ? 'a list' : `a ${typeof state}`}, not a saved network`];
  if (!('trainers' in state) && 'weights' in state) {
    // Saved by an earlier version: the first trainer's checkpoint only.
    const p = check(state, trainers[0]!);
    if (p.length === 0 && state.step !== step) p.push(`the network is at step ${String(state.step)}, the run file says ${step}`);
    return p;
  }
  if (state.mode !== setup.mode) return [`the network state is of a ${String(state.mode)} run, the settings are a ${setup.mode} run`];
  const saved = state.trainers;
  const min = setup.mode === 'prune-and-tune' ? 1 : trainers.length;
  if (!Array.isArray(saved) || saved.length < min || saved.length > trainers.length) return [`the network state holds ${Array.isArray(saved) ? saved.length : 'no list of'} trainers; a ${setup.mode} run has ${min === trainers.length ? min : `${min} or ${trainers.length}`}`];
  const problems = saved.flatMap((c, i) => check(c, trainers[i]!));
  if (problems.length > 0) return problems;
  // The run's step: the trainers' steps in sequence (Prune-and-Tune's children follow the parent).
  const steps = (saved as { step: number }[]).map((c) => c.step);
  if (saved.length === 2 && steps[0] !== trainers[0]!.setup.totalSteps) return ['the children exist but the parent is not fully trained'];
  const at = steps.reduce((a, b) => a + b, 0);
  if (at !== step) return [`the network is at step ${at}, the run file says ${step}`];
  if (setup.mode === 'edst') return edstProblems(state, trainers[0]!, setup.members, check);
  return [];
}

/** EDST's validation record and the members chosen so far (each a checkpoint of the one trainer). */
function edstProblems(state: Record<string, unknown>, trainer: { label: string; setup: TrainerSetup }, members: number, check: (c: unknown, t: { label: string; setup: TrainerSetup }, what: string) => string[]): string[] {
  const v = state.validations ?? [];
  if (!Array.isArray(v) || v.some((x) => !isObject(x) || !Number.isInteger(x.step) || typeof x.accuracy !== 'number' || !(x.accuracy >= 0 && x.accuracy <= 1))) return ['the EDST validation record is damaged'];
  const s = state.saved ?? [];
  if (!Array.isArray(s)) return ['the EDST members are not a list'];
  const out: string[] = [];
  const seen = new Set<number>();
  for (const m of s) {
    if (!isObject(m) || !Number.isInteger(m.member) || (m.member as number) < 0 || (m.member as number) >= members || seen.has(m.member as number)) return [`an EDST member's number is not one of 1 to ${members} (or repeats)`];
    seen.add(m.member as number);
    if (typeof m.accuracy !== 'number' || !(m.accuracy >= 0 && m.accuracy <= 1)) out.push(`member ${(m.member as number) + 1}'s validation accuracy is damaged`);
    out.push(...check(m.checkpoint, trainer, `member ${(m.member as number) + 1}'s checkpoint`));
  }
  return out;
}
