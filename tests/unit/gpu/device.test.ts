// acquireGpu's "unsupported" results, with fake navigator.gpu objects (no browser needed).
import { describe, expect, it } from 'vitest';
import { acquireGpu, summarizeAdapter } from '../../../src/gpu/device';

const info = (over: Partial<GPUAdapterInfo> = {}): GPUAdapterInfo =>
  ({ vendor: 'acme', architecture: 'rdna', device: 'x', description: 'Acme GPU', ...over }) as GPUAdapterInfo;

const LIMITS = {
  maxStorageBufferBindingSize: 128 << 20,
  maxBufferSize: 256 << 20,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBuffersPerShaderStage: 8,
};

function fakeGpu(adapter: Partial<GPUAdapter> | null, opts: { throwOnDevice?: boolean } = {}): GPU {
  const a =
    adapter === null
      ? null
      : ({
          info: info(),
          limits: LIMITS,
          features: new Set<string>(),
          requestDevice: async () => {
            if (opts.throwOnDevice) throw new Error('device creation refused');
            throw new Error('not reached in these tests');
          },
          ...adapter,
        } as unknown as GPUAdapter);
  return { requestAdapter: async () => a } as unknown as GPU;
}

describe('acquireGpu', () => {
  it('reports a missing WebGPU API', async () => {
    const r = await acquireGpu({ gpu: undefined });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('no-webgpu-api');
      expect(r.message).toMatch(/does not expose WebGPU/);
      expect(r.message).toMatch(/Chrome/);
    }
  });

  it('reports a null adapter, and an adapter request that throws, as no-adapter', async () => {
    const r = await acquireGpu({ gpu: fakeGpu(null) });
    expect(!r.ok && r.reason).toBe('no-adapter');
    const throwing = { requestAdapter: async () => Promise.reject(new Error('boom')) } as unknown as GPU;
    const r2 = await acquireGpu({ gpu: throwing });
    expect(!r2.ok && r2.reason).toBe('no-adapter');
  });

  it('refuses a model that needs more than the adapter offers, before creating a device', async () => {
    const r = await acquireGpu({ gpu: fakeGpu({}), needs: { maxStorageBufferBindingSize: 512 << 20 } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('insufficient-limits');
      expect(r.detail).toBe('maxStorageBufferBindingSize: needs 512 MiB, this GPU offers 128 MiB');
    }
  });

  it('reports a refused device request with the browser message as detail', async () => {
    const r = await acquireGpu({ gpu: fakeGpu({}, { throwOnDevice: true }) });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('device-request-failed');
      expect(r.detail).toBe('device creation refused');
    }
  });
});

describe('summarizeAdapter', () => {
  it('recognises software adapters and builds a short label', () => {
    expect(summarizeAdapter(info({ vendor: 'google', architecture: 'swiftshader', description: '' }))).toMatchObject({
      software: true,
      label: 'google · swiftshader · x',
    });
    expect(summarizeAdapter(info()).software).toBe(false);
    expect(summarizeAdapter(info({ description: 'llvmpipe (LLVM 15)' })).software).toBe(true);
  });
});
