// What a network is made of: a list of layer specs with their input and output shapes. Tensors
// between layers are (members, batch, features) with features = channels·H·W row-major (NCHW per
// example), so flattening a conv output for a dense layer is free.
import type { ActivationKind } from '../reference/activation';
import { convGeometry, type ConvGeometry } from '../reference/conv';
import type { MaskableLayer } from '../sparsity';

export type LayerActivation = ActivationKind | 'none';

export type LayerSpec =
  | { kind: 'dense'; nIn: number; nOut: number; activation: LayerActivation }
  | { kind: 'conv'; cin: number; inH: number; inW: number; cout: number; k: number; padding: 'valid' | 'same'; activation: LayerActivation; /** 'valid' only: output pixels dropped on every side (a centre crop). */ crop?: number }
  | { kind: 'maxpool2'; channels: number; inH: number; inW: number };

export type WeightLayerSpec = Extract<LayerSpec, { kind: 'dense' | 'conv' }>;

export function isWeightLayer(l: LayerSpec): l is WeightLayerSpec {
  return l.kind !== 'maxpool2';
}

/**
 * The name of a weight layer everywhere (UI, GPU labels, messages): its kind and its 1-based
 * index among the weight layers, so LeNet-5-Caffe's layers are conv1, conv2, dense3, dense4
 * (pool layers are not counted).
 */
export function weightLayerName(l: WeightLayerSpec, weightIndex: number): string {
  return `${l.kind}${weightIndex + 1}`;
}

/** The weight layers of a network with their names, in order. */
export function namedWeightLayers(specs: readonly LayerSpec[]): { spec: WeightLayerSpec; name: string; layerIndex: number }[] {
  const out: { spec: WeightLayerSpec; name: string; layerIndex: number }[] = [];
  specs.forEach((spec, layerIndex) => {
    if (isWeightLayer(spec)) out.push({ spec, name: weightLayerName(spec, out.length), layerIndex });
  });
  return out;
}

/**
 * Output size and padding of a stride-1 conv layer: valid shrinks by k−1 (and a crop), same keeps
 * the size. Computed in one place, the CPU reference's convGeometry (src/reference/conv.ts).
 */
export function convGeometryOf(l: Extract<LayerSpec, { kind: 'conv' }>): ConvGeometry {
  return convGeometry({ members: 1, batch: 1, cin: l.cin, inH: l.inH, inW: l.inW, cout: l.cout, kh: l.k, kw: l.k, padding: l.padding, ...(l.crop ? { crop: l.crop } : {}) });
}

/** Output height and width of a conv layer. */
export function convOut(l: Extract<LayerSpec, { kind: 'conv' }>): { h: number; w: number } {
  const g = convGeometryOf(l);
  return { h: g.outH, w: g.outW };
}

/**
 * The ToST ghost bypass of a weight layer (docs/METHODS.md §3.3): a dense map from the layer's input
 * to its pre-activation, with no bias and no activation. Dense layer: (nOut, nIn). Conv: a 1x1
 * conv cin -> cout, centre-cropped by (k-1)/2 beside a 'valid' conv, so its output has the layer's
 * output size.
 */
export function ghostSpec(l: WeightLayerSpec): WeightLayerSpec {
  if (l.kind === 'dense') return { kind: 'dense', nIn: l.nIn, nOut: l.nOut, activation: 'none' };
  if (l.padding === 'valid' && l.k % 2 === 0) throw new Error(`a ghost skip beside a valid ${l.k}x${l.k} conv needs an odd kernel (a centred crop)`);
  const crop = l.padding === 'valid' ? (l.k - 1) / 2 + (l.crop ?? 0) : 0;
  return { kind: 'conv', cin: l.cin, inH: l.inH, inW: l.inW, cout: l.cout, k: 1, padding: 'valid', activation: 'none', crop };
}

export function inFeatures(l: LayerSpec): number {
  if (l.kind === 'dense') return l.nIn;
  if (l.kind === 'conv') return l.cin * l.inH * l.inW;
  return l.channels * l.inH * l.inW;
}

export function outFeatures(l: LayerSpec): number {
  if (l.kind === 'dense') return l.nOut;
  if (l.kind === 'conv') {
    const o = convOut(l);
    return l.cout * o.h * o.w;
  }
  return l.channels * Math.floor(l.inH / 2) * Math.floor(l.inW / 2);
}

/** Weight count per member, output channels (= biases), and fans for He/Glorot init. */
export function weightShape(l: WeightLayerSpec): { numel: number; outChannels: number; fanIn: number; fanOut: number } {
  if (l.kind === 'dense') return { numel: l.nIn * l.nOut, outChannels: l.nOut, fanIn: l.nIn, fanOut: l.nOut };
  const taps = l.k * l.k;
  return { numel: l.cout * l.cin * taps, outChannels: l.cout, fanIn: l.cin * taps, fanOut: l.cout * taps };
}

/** The maskable view of a weight layer, for densities and FLOPs (src/sparsity). */
export function maskableLayer(l: WeightLayerSpec, name: string): MaskableLayer & { outH?: number; outW?: number } {
  if (l.kind === 'dense') return { name, kind: 'dense', shape: [l.nOut, l.nIn] };
  const o = convOut(l);
  return { name, kind: 'conv', shape: [l.cout, l.cin, l.k, l.k], outH: o.h, outW: o.w };
}

/** Checks that each layer's input matches the previous layer's output. */
export function checkLayers(layers: readonly LayerSpec[]): void {
  if (layers.length === 0 || !isWeightLayer(layers.at(-1)!)) throw new Error('a network must end with a dense or conv layer (the logits)');
  for (let i = 1; i < layers.length; i++) {
    const from = outFeatures(layers[i - 1]!);
    const to = inFeatures(layers[i]!);
    if (from !== to) throw new Error(`layer ${i + 1} (${layers[i]!.kind}) takes ${to} features but layer ${i} gives ${from}`);
  }
}

/** An MLP: hidden layers with `activation`, then a linear output layer (the logits). */
export function mlpLayers(inputDim: number, hidden: readonly number[], classes: number, activation: ActivationKind): LayerSpec[] {
  const widths = [inputDim, ...hidden, classes];
  return widths.slice(1).map((nOut, i) => ({ kind: 'dense', nIn: widths[i]!, nOut, activation: i < hidden.length ? activation : 'none' }));
}

/**
 * LeNet-5-Caffe as in the sparsity papers (docs/METHODS.md §1.2 and issue 2): conv 1→20 5×5
 * on 28×28 (valid: 24×24), 2×2 max-pool (12×12), conv 20→50 5×5 (8×8), max-pool (4×4), then
 * fc 800→500 and 500→10. ReLU after the convolutions and fc1, as in Caffe's lenet_train_test.
 */
export function lenet5CaffeLayers(classes = 10): LayerSpec[] {
  return [
    { kind: 'conv', cin: 1, inH: 28, inW: 28, cout: 20, k: 5, padding: 'valid', activation: 'relu' },
    { kind: 'maxpool2', channels: 20, inH: 24, inW: 24 },
    { kind: 'conv', cin: 20, inH: 12, inW: 12, cout: 50, k: 5, padding: 'valid', activation: 'relu' },
    { kind: 'maxpool2', channels: 50, inH: 8, inW: 8 },
    { kind: 'dense', nIn: 800, nOut: 500, activation: 'relu' },
    { kind: 'dense', nIn: 500, nOut: classes, activation: 'none' },
  ];
}
