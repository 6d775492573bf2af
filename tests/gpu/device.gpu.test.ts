// The device layer on a real WebGPU device: errors outside an error scope and device loss reach
// onError listeners as typed GpuErrors; the readback pool reuses its staging buffers.
import { describe, expect, it } from 'vitest';
import { GpuError, ReadbackPool, acquireGpu, uploadBuffer, withErrorScopes, type GpuContext } from '../../src/gpu';

async function device(): Promise<GpuContext> {
  const r = await acquireGpu();
  if (!r.ok) throw new Error(`no WebGPU: ${r.reason}`);
  return r.gpu;
}

describe('GPU device layer', () => {
  it('acquires a device with raised limits and reports its features', async () => {
    const gpu = await device();
    expect(gpu.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    expect(gpu.device.limits.maxStorageBufferBindingSize).toBe(gpu.limits.maxStorageBufferBindingSize);
    expect(gpu.featureNames.includes('timestamp-query')).toBe(gpu.features.timestampQuery);
    gpu.destroy();
  });

  it('turns an uncaptured validation error into a typed GpuError', async () => {
    const gpu = await device();
    const seen = new Promise<GpuError>((resolve) => gpu.onError(resolve));
    // A storage buffer cannot also be MAP_READ: a validation error outside any error scope.
    gpu.device.createBuffer({ label: 'invalid usage', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.MAP_READ });
    // Chrome delivers uncaptured errors on a device tick; any queue round trip provides one.
    await gpu.device.queue.onSubmittedWorkDone();
    const e = await seen;
    expect(e).toBeInstanceOf(GpuError);
    expect(e.kind).toBe('validation');
    expect(e.detail).toMatch(/invalid usage/);
    gpu.destroy();
  });

  it('withErrorScopes throws the first validation error as a GpuError', async () => {
    const gpu = await device();
    await expect(
      withErrorScopes(gpu.device, () => gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.MAP_READ })),
    ).rejects.toMatchObject({ kind: 'validation' });
    await expect(withErrorScopes(gpu.device, () => 42)).resolves.toBe(42);
    gpu.destroy();
  });

  it('reports a lost device (not one we destroyed) as device-lost', async () => {
    const gpu = await device();
    const seen = new Promise<GpuError>((resolve) => gpu.onError(resolve));
    gpu.device.destroy(); // what a driver reset looks like from the page's side
    const [fromListener, fromPromise] = await Promise.all([seen, gpu.lost]);
    expect(fromListener.kind).toBe('device-lost');
    expect(fromPromise).toBe(fromListener);
    expect(fromListener.message).toMatch(/restart/);
  });

  it('reads back through pooled staging buffers', async () => {
    const gpu = await device();
    const pool = new ReadbackPool(gpu.device);
    const data = new Float32Array([1, 2, 3, 4, 5]);
    const buf = uploadBuffer(gpu.device, 'data', data);
    for (let i = 0; i < 3; i++) expect([...(await pool.readF32(buf))]).toEqual([...data]);
    expect([...(await pool.readF32(buf, 8, 2))]).toEqual([3, 4]);
    expect(pool.created).toBe(1);
    pool.destroy();
    buf.destroy();
    gpu.destroy();
  });
});
