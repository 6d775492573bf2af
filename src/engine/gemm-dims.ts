// The GEMM parameters of a weight layer at a batch size (what network.ts binds its forward, dX and
// dW kernels with), and from them the grids of a network's batch-dependent dispatches before
// anything is built: the pre-flight (src/ensemble/preflight.ts) holds each against the GPU's
// workgroup limit, so LeNet-5-Caffe at batch 4096 is refused before a byte is allocated.
import { kernelSpec, type Grid, type KernelName } from '../gpu';
import { convGeometryOf, convOut, namedWeightLayers, type LayerSpec, type WeightLayerSpec } from './layers';

/** Conv dW reduces over batch x pixels: about this many terms per split. */
const CONV_DW_TERMS_PER_SPLIT = 4096;
const MAX_CONV_DW_SPLITS = 32;

export function dims(l: WeightLayerSpec, batch: number, splits: number): Record<string, number> {
  if (l.kind === 'dense') return { batch, n_in: l.nIn, n_out: l.nOut, splits };
  const g = convGeometryOf(l);
  return { batch, cin: l.cin, in_h: l.inH, in_w: l.inW, cout: l.cout, kh: l.k, kw: l.k, out_h: g.outH, out_w: g.outW, pad_top: g.padTop, pad_left: g.padLeft, splits };
}

export function convSplits(l: Extract<LayerSpec, { kind: 'conv' }>, batch: number): number {
  const o = convOut(l);
  return Math.max(1, Math.min(MAX_CONV_DW_SPLITS, Math.ceil((batch * o.h * o.w) / CONV_DW_TERMS_PER_SPLIT)));
}

/** Each weight layer's forward, dX and dW dispatch at `batch` for `members` members, with its label. */
export function gemmDispatches(specs: readonly LayerSpec[], batch: number, members: number): { label: string; grid: Grid }[] {
  return namedWeightLayers(specs).flatMap(({ spec: l, name }) => {
    const splits = l.kind === 'conv' ? convSplits(l, batch) : 1;
    const grid = (kernel: KernelName, s: number) => kernelSpec(kernel).grid(dims(l, batch, s), members);
    return [
      { label: `${name} forward`, grid: grid(`${l.kind}.forward`, 1) },
      { label: `${name} dX`, grid: grid(`${l.kind}.backward_input`, 1) },
      { label: `${name} dW`, grid: grid(`${l.kind}.backward_weight`, splits) },
    ];
  });
}
