// Whether something read back from a file or the browser's database can be a checkpoint of a given
// model, checked on the CPU before any run is touched: every part present with the right type and
// length for the layout, values finite and within what training can produce, masks of 0 and 1
// whose active counts are the ones stated (per layer and member), weights exactly 0 where masked,
// biases never masked, the ITOP record covering the mask, and counters inside the run. Each
// problem is a sentence that names the part; the list is short (the first problems only).
import type { ParamLayout } from './param-layout';

/** Largest |weight| accepted: trained networks stay orders of magnitude below. */
export const MAX_ABS_WEIGHT = 1e6;
/** Largest |optimizer state| accepted (Adam's second moment is a square of gradients). */
export const MAX_ABS_STATE = 1e12;
const MAX_PROBLEMS = 8;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const fmt = (n: number): string => n.toLocaleString('en-GB');

/**
 * Problems that stop `c` (the checkpoint of `what`, e.g. "the checkpoint" or "member 2's
 * checkpoint") from being a state of a trainer with `layout` and `totalSteps` steps; [] when it
 * can be one.
 */
export function checkpointProblems(c: unknown, layout: ParamLayout, totalSteps: number, what = 'the checkpoint'): string[] {
  const out: string[] = [];
  const say = (s: string) => out.length < MAX_PROBLEMS && out.push(`${what}: ${s}`);
  if (!isObject(c)) return [`${what}: is ${c === null ? 'null' : Array.isArray(c) ? 'a list' : `a ${typeof c}`}, not a network state`];
  if (c.version !== 1) say(`version is ${JSON.stringify(c.version) ?? 'missing'}, this playground reads 1`);
  const n = layout.totalFloats;
  const arrays: Record<string, Float32Array> = {};
  for (const name of ['weights', 'mask', 'state1', 'state2', 'fired']) {
    const a = c[name];
    if (!(a instanceof Float32Array)) say(`${name} ${a === undefined ? 'is missing' : 'is not a list of 32-bit floats'} (run files carry no network state; a run saved in this browser does)`);
    else if (a.length !== n) say(`${name} has ${fmt(a.length)} values, this model needs ${fmt(n)}: it was saved from a different model`);
    else arrays[name] = a;
  }
  const layers = layout.layers.length;
  for (const name of ['activeCounts', 'targets']) {
    const a = c[name];
    if (!Array.isArray(a) || a.length !== layers) say(`${name} must list one count per weight layer (${layers})`);
    else a.forEach((v, i) => (!isInt(v) || v < 0 || v > layout.layers[i]!.numel) && say(`${name}[${i}] is ${String(v)}, layer ${layout.layers[i]!.name} has ${fmt(layout.layers[i]!.numel)} weights`));
  }
  const step = c.step;
  if (!isInt(step) || step < 0 || step > totalSteps) say(`its step ${String(step)} is outside this run (0 to ${fmt(totalSteps)})`);
  if (!isInt(c.lastUpdate) || (isInt(step) && c.lastUpdate > step)) say(`its last mask update (${String(c.lastUpdate)}) is not a step before ${String(step)}`);
  if (!isInt(c.optimizerSteps) || c.optimizerSteps < 0) say(`its optimizer step count ${String(c.optimizerSteps)} is not a whole number ≥ 0`);
  // The storage each layer trained with (informational: the weights are saved in position space,
  // so a checkpoint restores into either storage).
  const st = c.storages;
  if (st !== undefined && (!Array.isArray(st) || st.length !== layers || !st.every((k) => k === 'masked' || k === 'sparse'))) say(`its storages must list masked or sparse for each of the ${layers} weight layers`);
  const f = c.flops;
  if (!isObject(f) || typeof f.total !== 'number' || !(f.total >= 0) || !Number.isFinite(f.total) || !isInt(f.steps) || f.steps < 0) say('its FLOPs record is damaged');
  if (out.length > 0) return out;
  const { weights, mask, state1, state2, fired } = arrays as Record<'weights' | 'mask' | 'state1' | 'state2' | 'fired', Float32Array>;
  const bound = (a: Float32Array, name: string, max: number) => {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v)) return say(`${name}[${fmt(i)}] is ${v}: the saved network had diverged`);
      if (Math.abs(v) > max) return say(`${name}[${fmt(i)}] is ${v.toExponential(2)}, beyond anything training produces (at most ${max.toExponential(0)})`);
    }
  };
  bound(weights, 'weights', MAX_ABS_WEIGHT);
  bound(state1, 'optimizer state 1', MAX_ABS_STATE);
  bound(state2, 'optimizer state 2', MAX_ABS_STATE);
  const counts = c.activeCounts as number[];
  layout.layers.forEach((l, li) => {
    for (let m = 0; m < layout.members; m++) {
      const w0 = l.weight.offset + m * l.weight.perMember;
      let active = 0;
      for (let i = 0; i < l.numel; i++) {
        const k = w0 + i;
        const v = mask[k]!;
        if (v !== 0 && v !== 1) return say(`mask entry ${fmt(i)} of layer ${l.name} is ${v}; a mask holds 0 or 1`);
        if (v === 0 && weights[k] !== 0) return say(`layer ${l.name} has a weight of ${weights[k]} where its mask is 0 (masked weights are exactly 0)`);
        if (fired[k] !== 0 && fired[k] !== 1) return say(`the ITOP record of layer ${l.name} holds ${fired[k]}; it holds 0 or 1`);
        if (v === 1 && fired[k] !== 1) return say(`the ITOP record of layer ${l.name} misses an active weight`);
        active += v;
      }
      if (active !== counts[li]) return say(`layer ${l.name}${layout.members > 1 ? ` of member ${m + 1}` : ''} has ${fmt(active)} active weights, the checkpoint says ${fmt(counts[li]!)}`);
      const b0 = l.bias.offset + m * l.bias.perMember;
      for (let i = 0; i < l.outChannels; i++) if (mask[b0 + i] !== 1) return say(`a bias of layer ${l.name} is masked; biases never are`);
      const g = l.ghost;
      if (g) for (let i = 0; i < g.numel; i++) if (mask[g.weight.offset + m * g.weight.perMember + i]! !== 0 && mask[g.weight.offset + m * g.weight.perMember + i]! !== 1) return say(`the ghost bypass mask of layer ${l.name} holds a value other than 0 or 1`);
    }
  });
  return out;
}
