// Layer shapes and names: one definition each (conv output size from the reference's geometry,
// weight-layer names counted over weight layers only), used by the UI, GPU labels and messages.
import { describe, expect, it } from 'vitest';
import { convOut, dims, gemmDispatches, layoutParams, lenet5CaffeLayers, mlpLayers, namedWeightLayers, outFeatures, type LayerSpec } from '../../../src/engine';

describe('layer shapes', () => {
  it('conv output sizes: valid 5×5 on 28 → 24 and on 12 → 8, same 3×3 keeps 32, a crop takes 2 per side', () => {
    const [conv1, , conv2] = lenet5CaffeLayers() as Extract<LayerSpec, { kind: 'conv' }>[];
    expect(convOut(conv1!)).toEqual({ h: 24, w: 24 });
    expect(convOut(conv2!)).toEqual({ h: 8, w: 8 });
    const same: LayerSpec = { kind: 'conv', cin: 3, inH: 32, inW: 32, cout: 4, k: 3, padding: 'same', activation: 'relu' };
    expect(convOut(same)).toEqual({ h: 32, w: 32 });
    expect(dims(same, 2, 1)).toMatchObject({ out_h: 32, out_w: 32, pad_top: 1, pad_left: 1 });
    const cropped: LayerSpec = { kind: 'conv', cin: 3, inH: 12, inW: 12, cout: 4, k: 1, padding: 'valid', activation: 'none', crop: 2 };
    expect(convOut(cropped)).toEqual({ h: 8, w: 8 });
    expect(dims(cropped, 2, 1)).toMatchObject({ out_h: 8, out_w: 8, pad_top: -2, pad_left: -2 });
    expect(outFeatures(conv1!)).toBe(20 * 24 * 24);
  });
});

describe('weight-layer names', () => {
  it('count weight layers only: LeNet-5-Caffe is conv1, conv2, dense3, dense4 in the layout and the GPU labels', () => {
    const specs = lenet5CaffeLayers();
    const names = ['conv1', 'conv2', 'dense3', 'dense4'];
    expect(namedWeightLayers(specs).map((l) => l.name)).toEqual(names);
    expect(layoutParams(specs, 2).layers.map((l) => l.name)).toEqual(names);
    expect(gemmDispatches(specs, 8, 1).map((d) => d.label.split(' ')[0])).toEqual(names.flatMap((n) => [n, n, n]));
    expect(layoutParams(mlpLayers(2, [8], 3, 'relu'), 1).layers.map((l) => l.name)).toEqual(['dense1', 'dense2']);
  });
});
