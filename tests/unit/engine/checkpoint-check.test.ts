// The checkpoint check (src/engine/checkpoint-check.ts): a state as the trainer saves it passes;
// each damage family of the reliability issue (wrong lengths, strings for weights, huge or NaN
// values, masks of 7, wrong active counts, masked weights that are not 0, steps outside the run,
// a string for the whole state) is refused with a sentence that names the part.
import { describe, expect, it } from 'vitest';
import { checkpointProblems, initialState, mlpLayers, setupLayout, type Checkpoint } from '../../../src/engine';

const layers = mlpLayers(2, [8, 6], 3, 'relu');
const layout = setupLayout({ layers, members: 2 });
const TOTAL = 100;

function valid(): Checkpoint {
  const s = initialState(layout, { seed: 4, density: 0.5, rule: { kind: 'uniform', denseFirst: false, denseLast: false }, scheme: 'he', sparseAwareInit: false });
  return { version: 1, step: 40, lastUpdate: 20, optimizerSteps: 40, activeCounts: [...s.activeCounts], targets: [...s.activeCounts], flops: { total: 1e6, steps: 40 }, weights: s.weights, mask: s.mask, state1: new Float32Array(layout.totalFloats), state2: new Float32Array(layout.totalFloats), fired: s.mask.slice() };
}

/** The first weight of layer 0, member 0, that is active (mask 1) or not. */
function slot(c: Checkpoint, active: boolean): number {
  const l = layout.layers[0]!;
  for (let i = 0; i < l.numel; i++) if ((c.mask[l.weight.offset + i] === 1) === active) return l.weight.offset + i;
  throw new Error('no such slot');
}

describe('checkpointProblems', () => {
  it('passes a state as the trainer saves it, and one with ghost segments', () => {
    expect(checkpointProblems(valid(), layout, TOTAL)).toEqual([]);
    const g = setupLayout({ layers, members: 1, tost: { ghost: { endFraction: 0.5 } } });
    const s = initialState(g, { seed: 1, density: 1, rule: { kind: 'erk', powerScale: 1 }, scheme: 'he', sparseAwareInit: false, ghostInit: 1e-4 });
    const c: Checkpoint = { ...valid(), activeCounts: [...s.activeCounts], targets: [...s.activeCounts], weights: s.weights, mask: s.mask, fired: s.mask.slice(), state1: new Float32Array(g.totalFloats), state2: new Float32Array(g.totalFloats) };
    expect(checkpointProblems(c, g, TOTAL)).toEqual([]);
  });

  const families: [string, (c: Checkpoint) => unknown, RegExp][] = [
    ['a string for the whole state', () => 'AAAA', /is a string, not a network state/],
    ['weights one value short', (c) => ({ ...c, weights: c.weights.subarray(1) }), /weights has [\d,]+ values, this model needs [\d,]+: it was saved from a different model/],
    ['weights as strings', (c) => ({ ...c, weights: Array.from(c.weights, String) }), /weights is not a list of 32-bit floats/],
    ['a missing part', (c) => ({ ...c, fired: undefined }), /fired is missing/],
    ['a weight of 1e30', (c) => ({ ...c, weights: Object.assign(c.weights.slice(), { [slot(c, true)]: 1e30 }) }), /beyond anything training produces/],
    ['a NaN weight', (c) => ({ ...c, weights: Object.assign(c.weights.slice(), { [slot(c, true)]: NaN }) }), /is NaN: the saved network had diverged/],
    ['a NaN in the optimizer state', (c) => ({ ...c, state2: Object.assign(c.state2.slice(), { 5: Infinity }) }), /optimizer state 2.* is Infinity/],
    ['a mask entry of 7', (c) => ({ ...c, mask: Object.assign(c.mask.slice(), { [slot(c, true)]: 7 }) }), /is 7; a mask holds 0 or 1/],
    ['wrong active counts', (c) => ({ ...c, activeCounts: c.activeCounts.map((n, i) => (i === 1 ? n - 1 : n)) }), /layer dense2 of member 1 has \d+ active weights, the checkpoint says \d+/],
    ['a weight where the mask is 0', (c) => ({ ...c, weights: Object.assign(c.weights.slice(), { [slot(c, false)]: 0.5 }) }), /weight of 0.5 where its mask is 0/],
    ['a masked bias', (c) => ({ ...c, mask: Object.assign(c.mask.slice(), { [layout.layers[2]!.bias.offset]: 0 }) }), /a bias of layer dense3 is masked/],
    ['an ITOP record that misses an active weight', (c) => ({ ...c, fired: Object.assign(c.fired.slice(), { [slot(c, true)]: 0 }) }), /ITOP record of layer dense1 misses an active weight/],
    ['a step of −1,000', (c) => ({ ...c, step: -1000 }), /step -1000 is outside this run \(0 to 100\)/],
    ['a step of 10⁹', (c) => ({ ...c, step: 1e9 }), /step 1000000000 is outside this run/],
    ['a count larger than the layer', (c) => ({ ...c, targets: [1e6, ...c.targets.slice(1)] }), /targets\[0\] is 1000000, layer dense1 has 16 weights/],
    ['another version', (c) => ({ ...c, version: 2 }), /version is 2, this playground reads 1/],
    ['a damaged FLOPs record', (c) => ({ ...c, flops: { total: -1, steps: 3 } }), /FLOPs record is damaged/],
  ];
  it.each(families)('refuses %s, naming the part', (_name, damage, message) => {
    const problems = checkpointProblems(damage(valid()), layout, TOTAL);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(message);
    for (const p of problems) expect(p).toMatch(/^the checkpoint: /);
  });

  it('reports at most a few problems, however broken the state', () => {
    const c = valid();
    const bad = { ...c, weights: 'x', mask: 'x', state1: 'x', state2: 'x', fired: 'x', activeCounts: 'x', targets: 'x', step: 'x', lastUpdate: 'x', optimizerSteps: 'x', flops: 'x', version: 'x' };
    const problems = checkpointProblems(bad, layout, TOTAL);
    expect(problems.length).toBeGreaterThan(3);
    expect(problems.length).toBeLessThanOrEqual(8);
  });
});
