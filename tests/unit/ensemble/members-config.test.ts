// Member slices of the flat buffers, and configs to ensemble setups.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config';
import { generatedData, layoutParams, mlpLayers } from '../../../src/engine';
import { copyMember, ensembleSetupFromConfig, memberActiveCounts, memberItop, memberLayerMasks, memberLayers } from '../../../src/ensemble';

const layers = mlpLayers(2, [3], 2, 'relu'); // weights 3x2 and 2x3
const two = layoutParams(layers, 2);
const three = layoutParams(layers, 3);

/** A flat array whose value at member m, layer l, index i is 100m + 10l + i (biases 1000 + ...). */
function tagged(layout: typeof two): Float32Array {
  const a = new Float32Array(layout.totalFloats);
  layout.layers.forEach((l, li) => {
    for (let m = 0; m < layout.members; m++) {
      for (let i = 0; i < l.numel; i++) a[l.weight.offset + m * l.numel + i] = 100 * m + 10 * li + i;
      for (let i = 0; i < l.outChannels; i++) a[l.bias.offset + m * l.outChannels + i] = 1000 + 100 * m + 10 * li + i;
    }
  });
  return a;
}

describe('member slices', () => {
  it('copyMember moves one member between layouts with different member counts', () => {
    const src = tagged(two);
    const dst = new Float32Array(three.totalFloats);
    copyMember(two, src, 1, three, dst, 2);
    const l0 = three.layers[0]!;
    expect(Array.from(dst.subarray(l0.weight.offset + 2 * 6, l0.weight.offset + 3 * 6))).toEqual([100, 101, 102, 103, 104, 105]);
    const b1 = three.layers[1]!.bias;
    expect(Array.from(dst.subarray(b1.offset + 2 * 2, b1.offset + 3 * 2))).toEqual([1110, 1111]);
    expect(dst.subarray(l0.weight.offset, l0.weight.offset + 12).every((v) => v === 0)).toBe(true); // other members untouched
    expect(() => copyMember(two, src, 0, layoutParams(mlpLayers(2, [4], 2, 'relu'), 1), new Float32Array(1000), 0)).toThrow(/differs in shape/);
  });

  it('masks, counts, layers and ITOP per member', () => {
    const mask = new Float32Array(two.totalFloats);
    const [a, b] = two.layers;
    mask.set([1, 0, 1, 0, 0, 0], a!.weight.offset + 6); // member 1, layer 0: 2 of 6
    mask.set([1, 1, 1, 1, 1, 1], b!.weight.offset + 6); // member 1, layer 1: 6 of 6
    expect(memberLayerMasks(two, mask, 1).map((m) => Array.from(m))).toEqual([[1, 0, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]]);
    expect(memberActiveCounts(two, mask, 1)).toEqual([2, 6]);
    expect(memberActiveCounts(two, mask, 0)).toEqual([0, 0]);
    expect(memberLayers(two, mask, 1)).toEqual([{ name: 'dense1', size: 6, active: 2 }, { name: 'dense2', size: 6, active: 6 }]);
    expect(memberItop(two, mask, 1)).toBeCloseTo(8 / 12, 12);
  });
});

describe('ensembleSetupFromConfig', () => {
  const parse = (input: object) => {
    const r = parseConfig(input);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.config;
  };
  it('EDST: options from the config, its lr from the constant base lr', () => {
    const c = parse({ version: 1, training: { epochs: 30, schedule: { kind: 'constant' } }, ensemble: { mode: 'edst', explorationEpochs: 12, exploreRate: 0.6 } });
    const { setup } = ensembleSetupFromConfig(c, generatedData(c));
    expect(setup.mode).toBe('edst');
    expect(setup.members).toBe(3);
    expect(setup.edst).toEqual({ explorationEpochs: 12, exploreRate: 0.6, drop: 'constant-0.5' });
    expect(setup.stepsPerEpoch).toBe(Math.floor(setup.base.trainIdx.length / setup.base.batch));
  });
  it('Prune-and-Tune: a dense parent, children at the target density', () => {
    const c = parse({ version: 1, dst: { method: 'dense' }, sparsity: { target: 0.7 }, ensemble: { mode: 'prune-and-tune', members: 4, maskKind: 'random', tuneEpochs: 3, includeParent: true } });
    const { setup } = ensembleSetupFromConfig(c, generatedData(c));
    expect(setup.base.method).toBe('dense');
    expect(setup.base.density).toBe(1);
    expect(setup.pruneAndTune).toEqual({ maskKind: 'random', tuneEpochs: 3, includeParent: true, childDensity: 1 - 0.7 });
  });
});
