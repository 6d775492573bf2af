// Where the fused small-MLP path runs (src/engine/fused-steps.ts): every refusal is named in plain
// words, and storage 'auto' keeps a network the fused path takes on the masked storage.
import { describe, expect, it } from 'vitest';
import { layoutParams, mlpLayers, type LayerSpec } from '../../../src/engine';
import { chooseTrainingPath, fusedRefusal, FUSED_MAX_PARAMS, type FusedSetup } from '../../../src/engine/fused-steps';

function setup(over: Partial<FusedSetup> & { specs?: LayerSpec[] } = {}): FusedSetup {
  const specs = over.specs ?? mlpLayers(2, [32, 32], 3, 'relu');
  return { specs, layout: layoutParams(specs, 2), dataKind: 'points', storages: specs.map(() => 'masked'), denseState: false, ...over };
}

describe('fusedRefusal', () => {
  it('takes the default 2-D MLP', () => {
    expect(fusedRefusal(setup())).toBeNull();
  });

  it.each([
    ['images', setup({ dataKind: 'images' }), /2-D points only/],
    ['a conv layer', setup({ specs: [{ kind: 'conv', cin: 1, inH: 4, inW: 4, cout: 2, k: 3, padding: 'valid', activation: 'relu' }, { kind: 'dense', nIn: 8, nOut: 3, activation: 'none' }] }), /fully connected layers only/],
    ['a sparse-storage layer', setup({ storages: ['masked', 'sparse', 'masked'] }), /sparse storage/],
    ['SNFS', setup({ denseState: true }), /dense weight gradient every step/],
    ['an activation on the logits', setup({ specs: mlpLayers(2, [8], 3, 'relu').map((l, i) => (i === 1 ? { ...l, activation: 'tanh' as const } : l)) }), /last layer has an activation/],
  ])('refuses %s, saying why', (_what, s, why) => {
    expect(fusedRefusal(s)).toMatch(why);
  });

  it('refuses a network over the size it is faster for, naming both numbers', () => {
    const big = setup({ specs: mlpLayers(2, [100, 199], 3, 'relu') });
    const params = big.layout.layers.reduce((a, l) => a + l.numel + l.outChannels, 0);
    expect(params).toBeGreaterThan(FUSED_MAX_PARAMS);
    expect(fusedRefusal(big)).toBe(`the network has ${params.toLocaleString('en-US')} parameters per member, more than the 20,000 it is faster for`);
  });
});

describe('chooseTrainingPath', () => {
  const base = setup();
  const { storages: _unused, ...rest } = base;
  it("storage 'auto' keeps a fused network masked; an explicit 'sparse' is kept, and the path says why", () => {
    expect(chooseTrainingPath('auto', 'auto', rest, ['sparse', 'sparse', 'sparse'])).toEqual({ storages: ['masked', 'masked', 'masked'], fused: true, why: null });
    expect(chooseTrainingPath('auto', 'sparse', rest, ['sparse', 'sparse', 'sparse'])).toEqual({ storages: ['sparse', 'sparse', 'sparse'], fused: false, why: 'a layer is on the sparse storage' });
  });

  it("'off' keeps the storages chosen and says it is turned off", () => {
    expect(chooseTrainingPath('off', 'auto', rest, ['sparse', 'masked', 'masked'])).toEqual({ storages: ['sparse', 'masked', 'masked'], fused: false, why: 'turned off (training.fused)' });
  });

  it("'auto' storage leaves a network the fused path cannot take as chosen", () => {
    expect(chooseTrainingPath('auto', 'auto', { ...rest, dataKind: 'images' }, ['sparse', 'sparse', 'masked']).storages).toEqual(['sparse', 'sparse', 'masked']);
  });
});
