// The ToST ghost bypass of one weight layer (docs/METHODS.md, ToST): a dense, never-pruned G
// beside the layer's own weights, in the network's flat buffers, scaled by α(t).
//   forward   u = G·x (members, batch, out features), then z += α(t)·u
//   backward  ga = α(t)·dz; dG = gaᵀ·x (dense); dx += ga·G after the layer's own dX wrote dx
// Every kernel is marked `ghost`: the network encodes them only while the bypass lives.
import type { BoundKernel } from '../gpu';
import { dims } from './gemm-dims';
import { weightGradKernels, type LayerTensors, type StepKernel, type StorageContext } from './layer-storage';
import { inFeatures, outFeatures } from './layers';
import { segmentBinding, type LayerParams, type ParamLayout } from './param-layout';

/** scale_add: out += alpha·x (annealed: alpha is the step's α(t)). */
export type ScaleAdd = (x: GPUBuffer, out: GPUBuffer, n: number, beta: number, annealed: boolean, label: string) => BoundKernel;

export function ghostForward(ctx: StorageContext, p: LayerParams, t: LayerTensors, scaleAdd: ScaleAdd): StepKernel[] {
  const g = p.ghost!;
  const { batch, members: M, buffers: b } = ctx;
  const n = M * batch * outFeatures(p.spec);
  const u = ctx.own(`${p.name} ghost out`, n);
  const resources = { a: t.x, b: segmentBinding(b.params, g.weight), mask: segmentBinding(b.mask, g.weight), bias: ctx.own(`${p.name} ghost zero bias`, M * p.outChannels), c: u };
  return [
    { ghost: true, k: ctx.bind(`${g.spec.kind}.forward`, { resources, params: dims(g.spec, batch, 1), members: M, label: `${p.name} ghost forward` }) },
    { ghost: true, k: scaleAdd(u, t.z, n, 1, true, `${p.name} ghost add`) },
  ];
}

export function ghostBackward(ctx: StorageContext, p: LayerParams, t: LayerTensors, scaleAdd: ScaleAdd): StepKernel[] {
  const g = p.ghost!;
  const { batch, members: M, buffers: b } = ctx;
  const n = M * batch * outFeatures(p.spec);
  const ga = ctx.own(`${p.name} ghost dz`, n);
  const gm = segmentBinding(b.mask, g.weight);
  const out: StepKernel[] = [{ ghost: true, k: scaleAdd(t.gz, ga, n, 0, true, `${p.name} ghost scale`) }];
  for (const s of weightGradKernels(ctx, g.spec, ga, t.x, gm, segmentBinding(b.grads, g.weight), 'full', `${p.name} ghost`)) out.push({ ...s, grad: undefined, ghost: true });
  if (t.gx) {
    const nx = M * batch * inFeatures(p.spec);
    const gx = ctx.own(`${p.name} ghost dx`, nx);
    out.push({ ghost: true, k: ctx.bind(`${g.spec.kind}.backward_input`, { resources: { a: ga, b: segmentBinding(b.params, g.weight), mask: gm, c: gx }, params: dims(g.spec, batch, 1), members: M, label: `${p.name} ghost dX` }) });
    out.push({ ghost: true, k: scaleAdd(gx, t.gx, nx, 1, false, `${p.name} ghost dX add`) });
  }
  return out;
}

/** Zeroes every ghost segment of `buffers` (flat: weights and mask when the bypass is removed). */
export function zeroGhosts(queue: GPUQueue, layout: ParamLayout, buffers: readonly GPUBuffer[]): void {
  for (const l of layout.layers) {
    if (!l.ghost) continue;
    const zeros = new Float32Array(l.ghost.weight.perMember * l.ghost.weight.members);
    for (const b of buffers) queue.writeBuffer(b, l.ghost.weight.offset * 4, zeros);
  }
}
