// The GEMM parameters of a weight layer at a batch size (what network.ts binds its forward, dX and
// dW kernels with), and from them the grids of a network's batch-dependent dispatches before
// anything is built: the pre-flight (src/ensemble/preflight.ts) holds each against the GPU's
// workgroup limit, so LeNet-5-Caffe at batch 4096 is refused before a byte is allocated.
import { kernelSpec, type Grid, type KernelName } from '../gpu';
import { convOut, isWeightLayer, type LayerSpec, type WeightLayerSpec } from './layers';

/** Conv dW reduces over batch x pixels: about this many terms per split. */
const CONV_DW_TERMS_PER_SPLIT = 4096;
const MAX_CONV_DW_SPLITS = 32;

export function dims(l: WeightLayerSpec, batch: number, splits: number): Record<string, number> {
  if (l.kind === 'dense') return { batch, n_in: l.nIn, n_out: l.nOut, splits };
  const o = convOut(l);
  const pad = l.padding === 'same' ? Math.floor((l.k - 1) / 2) : -(l.crop ?? 0);
  return { batch, cin: l.cin, in_h: l.inH, in_w: l.inW, cout: l.cout, kh: l.k, kw: l.k, out_h: o.h, out_w: o.w, pad_top: pad, pad_left: pad, splits };
}

export function convSplits(l: Extract<LayerSpec, { kind: 'conv' }>, batch: number): number {
  const o = convOut(l);
  return Math.max(1, Math.min(MAX_CONV_DW_SPLITS, Math.ceil((batch * o.h * o.w) / CONV_DW_TERMS_PER_SPLIT)));
}

/** Each weight layer's forward, dX and dW dispatch at `batch` for `members` members, with its label. */
export function gemmDispatches(specs: readonly LayerSpec[], batch: number, members: number): { label: string; grid: Grid }[] {
  return specs.flatMap((l, i) => {
    if (!isWeightLayer(l)) return [];
    const splits = l.kind === 'conv' ? convSplits(l, batch) : 1;
    const grid = (kernel: KernelName, s: number) => kernelSpec(kernel).grid(dims(l, batch, s), members);
    const name = `${l.kind}${i + 1}`;
    return [
      { label: `${name} forward`, grid: grid(`${l.kind}.forward`, 1) },
      { label: `${name} dX`, grid: grid(`${l.kind}.backward_input`, 1) },
      { label: `${name} dW`, grid: grid(`${l.kind}.backward_weight`, splits) },
    ];
  });
}
