// SynFlow's gradient (docs/METHODS.md §4.2) on the CPU, through the reference kernels: data-free,
// one all-ones example, so it costs one forward and one backward of a single example per round.
// The network is linearised: weights replaced by |w| under the current mask, biases 0, and
// activations taken as the identity. For ReLU networks that is exact (with positive weights and
// inputs every pre-activation is positive); for tanh/swish it is the linearisation SynFlow scores.
// R = sum of the logits, so dR/dlogits = 1. Returns dR/dw per weight layer (numel each).
import { convBackwardInput, convBackwardWeight, convForward, maxPool2Backward, maxPool2Forward, type ConvShape } from '../reference/conv';
import { denseBackwardInput, denseBackwardWeight, denseForward } from '../reference/dense';
import { inFeatures, outFeatures, type LayerSpec } from './layers';

export function synflowGradients(specs: readonly LayerSpec[], weights: readonly Float32Array[], masks: readonly Float32Array[]): Float32Array[] {
  const abs = weights.map((w, l) => w.map((v, i) => (masks[l]![i] === 0 ? 0 : Math.abs(v))));
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const inputs: Float32Array[] = [];
  const argmax: (Uint32Array | null)[] = [];
  let x = ones(inFeatures(specs[0]!));
  let wl = 0;
  specs.forEach((l) => {
    inputs.push(x);
    if (l.kind === 'maxpool2') {
      const p = maxPool2Forward(1, 1, l.channels, l.inH, l.inW, x);
      argmax.push(p.argmax);
      x = p.y;
      return;
    }
    argmax.push(null);
    const w = abs[wl]!;
    const bias = new Float32Array(l.kind === 'dense' ? l.nOut : l.cout);
    x = l.kind === 'dense' ? denseForward({ members: 1, batch: 1, nIn: l.nIn, nOut: l.nOut }, x, w, ones(w.length), bias) : convForward(convShape(l), x, w, ones(w.length), bias);
    wl++;
  });
  const grads: Float32Array[] = new Array<Float32Array>(abs.length);
  let g = ones(outFeatures(specs.at(-1)!));
  for (let i = specs.length - 1; i >= 0; i--) {
    const l = specs[i]!;
    if (l.kind === 'maxpool2') {
      g = maxPool2Backward(1, 1, l.channels, l.inH, l.inW, g, argmax[i]!);
      continue;
    }
    wl--;
    const w = abs[wl]!;
    if (l.kind === 'dense') {
      const s = { members: 1, batch: 1, nIn: l.nIn, nOut: l.nOut };
      grads[wl] = denseBackwardWeight(s, g, inputs[i]!, null);
      if (i > 0) g = denseBackwardInput(s, g, w, ones(w.length));
    } else {
      grads[wl] = convBackwardWeight(convShape(l), g, inputs[i]!, null);
      if (i > 0) g = convBackwardInput(convShape(l), g, w, ones(w.length));
    }
  }
  return grads;
}

function convShape(l: Extract<LayerSpec, { kind: 'conv' }>): ConvShape {
  return { members: 1, batch: 1, cin: l.cin, inH: l.inH, inW: l.inW, cout: l.cout, kh: l.k, kw: l.k, padding: l.padding };
}
