// The benchmark cases: MNIST-scale dense layers (784-300-100) and the LeNet-5-Caffe convolutions,
// each as our bound kernel(s) plus, where one exists, the tfjs op on the same logical shape.
import type {
  PipelineCache} from '../src/gpu';
import {
  bindKernel,
  encodeKernel,
  storageBuffer,
  uploadBuffer,
  type BoundKernel,
  type KernelName,
  type ParamValues,
} from '../src/gpu';
import { bernoulliMask, uniformArray as randomArray } from '../src/util/rng';
import { convPeer, densePeer, type PeerSpec } from './tfjs-peers';

export interface DenseDims {
  batch: number;
  nIn: number;
  nOut: number;
}

export interface ConvDims {
  batch: number;
  cin: number;
  inH: number;
  inW: number;
  cout: number;
  k: number;
}

/** Our side of a case: buffers and bound kernels, encoded `dispatches` times per iteration. */
export interface OursSetup {
  kernels: readonly BoundKernel[];
  destroy(): void;
}

export interface BenchCase {
  id: string;
  /** What we dispatch per iteration, e.g. "conv.backward_weight (8 splits) + reduce.sum_splits". */
  kernel: string;
  shape: string;
  members: number;
  /** Useful FLOPs per iteration, all members (2 multiply-adds counted as 2). */
  flops: number;
  setup(cache: PipelineCache): OursSetup;
  peer: PeerSpec | null;
}

export const KERNELS_USED: readonly KernelName[] = [
  'dense.forward',
  'dense.backward_input',
  'dense.backward_weight_masked',
  'conv.forward',
  'conv.backward_input',
  'conv.backward_weight',
  'reduce.sum_splits',
];

export interface SuiteOptions {
  quick: boolean;
  /** Splits for the conv weight gradient (split over batch x pixels, then reduce). */
  convSplits: number;
}

export function buildSuite(o: SuiteOptions): BenchCase[] {
  const b = o.quick ? 32 : 128;
  const cb = o.quick ? 8 : 64;
  const d1: DenseDims = { batch: b, nIn: 784, nOut: 300 };
  const d2: DenseDims = { batch: b, nIn: 300, nOut: 100 };
  const c1: ConvDims = { batch: cb, cin: 1, inH: 28, inW: 28, cout: 20, k: 5 };
  const c2: ConvDims = { batch: cb, cin: 20, inH: 12, inW: 12, cout: 50, k: 5 };
  const s = o.convSplits;
  return [
    denseCase('dense.forward', d1, 1),
    denseCase('dense.forward', d1, 4),
    denseCase('dense.backward_input', d1, 1),
    denseCase('dense.backward_weight_masked', d1, 1),
    denseCase('dense.forward', d2, 1),
    convCase('conv.forward', c1, 1, 'conv1'),
    convCase('conv.backward_weight', c1, s, 'conv1'),
    convCase('conv.forward', c2, 1, 'conv2'),
    convCase('conv.backward_input', c2, 1, 'conv2'),
    convCase('conv.backward_weight', c2, s, 'conv2'),
  ];
}

type DenseKernel = 'dense.forward' | 'dense.backward_input' | 'dense.backward_weight_masked';

function denseCase(name: DenseKernel, d: DenseDims, members: number): BenchCase {
  const gemm =
    name === 'dense.forward'
      ? `${d.batch}x${d.nOut}x${d.nIn}`
      : name === 'dense.backward_input'
        ? `${d.batch}x${d.nIn}x${d.nOut}`
        : `${d.nOut}x${d.nIn}x${d.batch}`;
  return {
    id: `${name}/${d.nIn}-${d.nOut}/b${d.batch}/m${members}`,
    kernel: name,
    shape: `${d.nIn}->${d.nOut} b${d.batch} (GEMM ${gemm})`,
    members,
    flops: 2 * d.batch * d.nIn * d.nOut * members,
    setup: (cache) => setupDense(cache, name, d, members),
    peer: densePeer(name, d, members),
  };
}

function setupDense(cache: PipelineCache, name: DenseKernel, d: DenseDims, members: number): OursSetup {
  const dev = cache.device;
  const nW = members * d.nOut * d.nIn;
  const nX = members * d.batch * d.nIn;
  const nY = members * d.batch * d.nOut;
  const buffers: GPUBuffer[] = [];
  const up = (label: string, data: Float32Array): GPUBuffer => {
    const buf = uploadBuffer(dev, label, data);
    buffers.push(buf);
    return buf;
  };
  const empty = (label: string, count: number): GPUBuffer => {
    const buf = storageBuffer(dev, label, count * 4);
    buffers.push(buf);
    return buf;
  };
  const w = up('w', randomArray(nW, 2, 0.05));
  const mask = up('mask', bernoulliMask(nW, 3, 0.5));
  const params: ParamValues = { batch: d.batch, n_in: d.nIn, n_out: d.nOut, splits: 1 };
  let resources: Record<string, GPUBuffer>;
  if (name === 'dense.forward') {
    resources = { a: up('x', randomArray(nX, 1)), b: w, mask, bias: up('bias', randomArray(members * d.nOut, 4, 0.1)), c: empty('y', nY) };
  } else if (name === 'dense.backward_input') {
    resources = { a: up('dy', randomArray(nY, 5)), b: w, mask, c: empty('dx', nX) };
  } else {
    resources = { a: up('dy', randomArray(nY, 5)), b: up('x', randomArray(nX, 1)), mask, c: empty('dw', nW) };
  }
  const k = bindKernel(cache, name, { resources, params, members, label: `bench ${name}` });
  return { kernels: [k], destroy: () => destroyAll(buffers, [k]) };
}

type ConvKernel = 'conv.forward' | 'conv.backward_input' | 'conv.backward_weight';

export function convOut(c: ConvDims): { outH: number; outW: number } {
  return { outH: c.inH - c.k + 1, outW: c.inW - c.k + 1 };
}

function convCase(name: ConvKernel, c: ConvDims, splits: number, layer: string): BenchCase {
  const { outH, outW } = convOut(c);
  const kernel = name === 'conv.backward_weight' && splits > 1 ? `${name} (${splits} splits) + reduce.sum_splits` : name;
  return {
    id: `${name}/${layer}/b${c.batch}${name === 'conv.backward_weight' ? `/s${splits}` : ''}`,
    kernel,
    shape: `${layer} ${c.cin}->${c.cout} ${c.k}x${c.k} valid ${c.inH}x${c.inW} b${c.batch}`,
    members: 1,
    flops: 2 * c.batch * outH * outW * c.cout * c.cin * c.k * c.k,
    setup: (cache) => setupConv(cache, name, c, splits),
    peer: convPeer(name, c),
  };
}

function setupConv(cache: PipelineCache, name: ConvKernel, c: ConvDims, splits: number): OursSetup {
  const dev = cache.device;
  const { outH, outW } = convOut(c);
  const nW = c.cout * c.cin * c.k * c.k;
  const nX = c.batch * c.cin * c.inH * c.inW;
  const nY = c.batch * c.cout * outH * outW;
  const buffers: GPUBuffer[] = [];
  const up = (label: string, data: Float32Array): GPUBuffer => {
    const buf = uploadBuffer(dev, label, data);
    buffers.push(buf);
    return buf;
  };
  const empty = (label: string, count: number): GPUBuffer => {
    const buf = storageBuffer(dev, label, count * 4);
    buffers.push(buf);
    return buf;
  };
  const params: ParamValues = {
    batch: c.batch,
    cin: c.cin,
    in_h: c.inH,
    in_w: c.inW,
    cout: c.cout,
    kh: c.k,
    kw: c.k,
    out_h: outH,
    out_w: outW,
    pad_top: 0,
    pad_left: 0,
    splits: name === 'conv.backward_weight' ? splits : 1,
  };
  const w = up('w', randomArray(nW, 12, 0.1));
  const mask = up('mask', bernoulliMask(nW, 13, 0.5));
  const kernels: BoundKernel[] = [];
  const bind = (n: KernelName, resources: Record<string, GPUBuffer>, p: ParamValues): void => {
    kernels.push(bindKernel(cache, n, { resources, params: p, members: 1, label: `bench ${n}` }));
  };
  if (name === 'conv.forward') {
    bind(name, { a: up('x', randomArray(nX, 11)), b: w, mask, bias: up('bias', randomArray(c.cout, 14, 0.1)), c: empty('y', nY) }, params);
  } else if (name === 'conv.backward_input') {
    bind(name, { a: up('dy', randomArray(nY, 15)), b: w, mask, c: empty('dx', nX) }, params);
  } else {
    const partials = empty('dw partials', nW * Math.max(1, splits));
    bind(name, { a: up('dy', randomArray(nY, 15)), b: up('x', randomArray(nX, 11)), mask, c: splits > 1 ? partials : empty('dw', nW) }, params);
    if (splits > 1) {
      bind('reduce.sum_splits', { partials, mask, out: empty('dw', nW) }, { n: nW, splits, masked: 1 });
    }
  }
  return { kernels, destroy: () => destroyAll(buffers, kernels) };
}

function destroyAll(buffers: readonly GPUBuffer[], kernels: readonly BoundKernel[]): void {
  for (const buf of buffers) buf.destroy();
  for (const k of kernels) k.paramsBuffer.destroy();
}

/** Encodes `iterations` x the setup's kernels into one compute pass, submits, waits. */
export async function runOurs(device: GPUDevice, s: OursSetup, iterations: number): Promise<void> {
  const encoder = device.createCommandEncoder({ label: 'bench chunk' });
  const pass = encoder.beginComputePass({ label: 'bench chunk' });
  for (let i = 0; i < iterations; i++) for (const k of s.kernels) encodeKernel(pass, k);
  pass.end();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}
