// The peer of each case: the @tensorflow/tfjs-backend-webgpu op computing the same logical
// product (tf.matMul for the dense GEMMs, tf.conv2d / tf.conv2dTranspose in NHWC for the convs).
// A chunk runs N ops, disposes every result but the last, and reads the last one back once.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import type { ConvDims, DenseDims } from './suite';
import { uniformArray as randomArray } from '../src/util/rng';

export interface PeerInstance {
  run(): tf.Tensor;
  dispose(): void;
}

export interface PeerSpec {
  /** The tfjs call, e.g. "tf.matMul(dy[128,300], x[128,784], transposeA)". */
  op: string;
  create(): PeerInstance;
}

/** Initialises tfjs on WebGPU and refuses to go on if it silently fell back to another backend. */
export async function initTfjsWebGpu(): Promise<{ version: string; backend: string }> {
  let ok = false;
  let reason = '';
  try {
    ok = await tf.setBackend('webgpu');
    await tf.ready();
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e);
  }
  let backend = 'none';
  try {
    backend = tf.getBackend();
  } catch {
    // getBackend() throws when no backend could be initialised at all.
  }
  if (!ok || backend !== 'webgpu') {
    throw new Error(
      `tfjs is not running on its webgpu backend (setBackend('webgpu') returned ${ok}, getBackend() = ${backend}` +
        `${reason ? `, error: ${reason}` : ''}); refusing to compare against a fallback backend.`,
    );
  }
  return { version: tf.version_core, backend };
}

const tensor = (shape: number[], seed: number, scale = 1): tf.Tensor =>
  tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed, scale), shape, 'float32');

function peer(op: string, inputs: () => tf.Tensor[], run: (t: tf.Tensor[]) => tf.Tensor): PeerSpec {
  return {
    op,
    create() {
      const t = inputs();
      return { run: () => run(t), dispose: () => tf.dispose(t) };
    },
  };
}

type DenseKernel = 'dense.forward' | 'dense.backward_input' | 'dense.backward_weight_masked';

export function densePeer(kernel: DenseKernel, d: DenseDims, members: number): PeerSpec {
  const m = members > 1 ? [members] : [];
  const sh = (dims: number[]): string => `[${[...m, ...dims].join(',')}]`;
  const { batch, nIn, nOut } = d;
  if (kernel === 'dense.forward') {
    return peer(
      `tf.matMul(x${sh([batch, nIn])}, w${sh([nOut, nIn])}, transposeB)`,
      () => [tensor([...m, batch, nIn], 1), tensor([...m, nOut, nIn], 2, 0.05)],
      ([x, w]) => tf.matMul(x!, w!, false, true),
    );
  }
  if (kernel === 'dense.backward_input') {
    return peer(
      `tf.matMul(dy${sh([batch, nOut])}, w${sh([nOut, nIn])})`,
      () => [tensor([...m, batch, nOut], 5), tensor([...m, nOut, nIn], 2, 0.05)],
      ([dy, w]) => tf.matMul(dy!, w!),
    );
  }
  return peer(
    `tf.matMul(dy${sh([batch, nOut])}, x${sh([batch, nIn])}, transposeA)`,
    () => [tensor([...m, batch, nOut], 5), tensor([...m, batch, nIn], 1)],
    ([dy, x]) => tf.matMul(dy!, x!, true, false),
  );
}

type ConvKernel = 'conv.forward' | 'conv.backward_input' | 'conv.backward_weight';

export function convPeer(kernel: ConvKernel, c: ConvDims): PeerSpec | null {
  const outH = c.inH - c.k + 1;
  const outW = c.inW - c.k + 1;
  const xShape: [number, number, number, number] = [c.batch, c.inH, c.inW, c.cin];
  const fShape = [c.k, c.k, c.cin, c.cout];
  const yShape = [c.batch, outH, outW, c.cout];
  if (kernel === 'conv.forward') {
    return peer(
      `tf.conv2d(x[${xShape.join(',')}], f[${fShape.join(',')}], 1, 'valid')`,
      () => [tensor(xShape, 11), tensor(fShape, 12, 0.1)],
      ([x, f]) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'),
    );
  }
  if (kernel === 'conv.backward_input') {
    // conv2dTranspose with the forward filter is exactly conv2d's input gradient.
    return peer(
      `tf.conv2dTranspose(dy[${yShape.join(',')}], f[${fShape.join(',')}], [${xShape.join(',')}], 1, 'valid')`,
      () => [tensor(yShape, 15), tensor(fShape, 12, 0.1)],
      ([dy, f]) => tf.conv2dTranspose(dy as tf.Tensor4D, f as tf.Tensor4D, xShape, 1, 'valid'),
    );
  }
  return null; // tfjs-core has no public op for the filter gradient alone.
}

/** N ops, every result but the last disposed, then one readback of the last result. */
export async function runPeer(p: PeerInstance, iterations: number): Promise<void> {
  let last: tf.Tensor | null = null;
  for (let i = 0; i < iterations; i++) {
    last?.dispose();
    last = p.run();
  }
  if (last) {
    await last.data();
    last.dispose();
  }
}
