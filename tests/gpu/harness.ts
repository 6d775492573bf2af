// Shared set-up for the GPU tier: one device per test file, every kernel call inside WebGPU error
// scopes (a validation error fails the test), buffers tracked and destroyed after each file.
import { afterAll, beforeAll, expect } from 'vitest';
import {
  GpuError,
  PipelineCache,
  ReadbackPool,
  acquireGpu,
  bindKernel,
  storageBuffer,
  submitKernels,
  uploadBuffer,
  withErrorScopes,
  type BindArgs,
  type GpuContext,
  type KernelName,
  type TypedData,
} from '../../src/gpu';

export interface GpuHarness {
  gpu: GpuContext;
  cache: PipelineCache;
  readback: ReadbackPool;
  /** Uploads data into a storage buffer destroyed after the file. */
  upload(label: string, data: TypedData): GPUBuffer;
  /** A zeroed storage buffer of `count` 4-byte elements, destroyed after the file. */
  empty(label: string, count: number): GPUBuffer;
  /** Binds, dispatches and waits for one or more kernels; throws on any WebGPU error. */
  run(...calls: [KernelName, BindArgs][]): Promise<void>;
  readF32(buffer: GPUBuffer, count?: number): Promise<Float32Array>;
  readU32(buffer: GPUBuffer, count?: number): Promise<Uint32Array>;
}

/** A device for the whole file (engine tests), destroyed after it; returns a getter. */
export function useDevice(): () => GpuContext {
  let gpu: GpuContext | null = null;
  beforeAll(async () => {
    const r = await acquireGpu();
    if (!r.ok) throw new Error(`WebGPU unavailable in the test browser: ${r.reason}: ${r.message}`);
    gpu = r.gpu;
  });
  afterAll(() => {
    gpu?.destroy();
    gpu = null;
  });
  return () => {
    if (!gpu) throw new Error('GPU device used outside a test');
    return gpu;
  };
}

/** Registers beforeAll/afterAll hooks and returns a getter for the harness. */
export function useGpu(kernels: readonly KernelName[]): () => GpuHarness {
  let harness: GpuHarness | null = null;
  const buffers: GPUBuffer[] = [];
  beforeAll(async () => {
    const result = await acquireGpu();
    if (!result.ok) throw new Error(`WebGPU unavailable in the test browser: ${result.reason}: ${result.message} ${result.detail ?? ''}`);
    const { gpu } = result;
    const device = gpu.device;
    const cache = PipelineCache.for(device);
    await withDetail(withErrorScopes(device, () => cache.prepare(kernels)));
    const readback = new ReadbackPool(device, 'test readback');
    const track = (b: GPUBuffer): GPUBuffer => {
      buffers.push(b);
      return b;
    };
    harness = {
      gpu,
      cache,
      readback,
      upload: (label, data) => track(uploadBuffer(device, label, data)),
      empty: (label, count) => track(storageBuffer(device, label, count * 4)),
      async run(...calls) {
        await withDetail(withErrorScopes(device, async () => {
          const bound = calls.map(([name, args]) => bindKernel(cache, name, args));
          submitKernels(device, bound, calls.map(([n]) => n).join('+'));
          await device.queue.onSubmittedWorkDone();
          for (const k of bound) k.paramsBuffer.destroy();
        }));
      },
      readF32: (b, count) => readback.readF32(b, 0, count),
      readU32: (b, count) => readback.readU32(b, 0, count),
    };
  });
  afterAll(() => {
    for (const b of buffers) b.destroy();
    buffers.length = 0;
    harness?.readback.destroy();
    harness?.gpu.destroy();
    harness = null;
  });
  return () => {
    if (!harness) throw new Error('GPU harness used outside a test');
    return harness;
  };
}

/** Test failures show WebGPU's own message (GpuError keeps it in `detail`, out of the UI text). */
async function withDetail<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof GpuError) throw new Error(`${e.message}\n${e.detail ?? ''}`, { cause: e });
    throw e;
  }
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| elementwise; on failure the message
 * lists the first mismatches with their indices.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e))) {
      count++;
      if (bad.length < 8) bad.push(`[${i}] got ${a}, want ${e}`);
    }
  }
  expect(count === 0 ? '' : `${what}: ${count}/${expected.length} mismatches; first: ${bad.join('; ')}`).toBe('');
}

// Test data: deterministic uniform floats and about-`density` 0/1 masks (src/util/rng.ts).
export { uniformArray as randomArray, bernoulliMask as randomMask } from '../../src/util/rng';
