// Limits at their edge on this device (reliability issue, item 7): a kernel bound with a grid of
// exactly maxComputeWorkgroupsPerDimension workgroups binds, one more is refused by name before
// anything is submitted; a buffer of exactly maxBufferSize would be made, one byte more is refused;
// the LeNet-5-Caffe at batch 4096, and a model that swamps the memory budget, are refused
// by the one pre-flight before a single buffer is allocated.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { generatedData, type DatasetInput } from '../../src/engine';
import { ensembleSetupFromConfig, preflight } from '../../src/ensemble';
import { GpuLimitError, bindKernel, checkBufferBytes } from '../../src/gpu';
import { useGpu } from './harness';

const gpu = useGpu(['dense.forward']);

describe('limits at their edge', () => {
  it('a dispatch of exactly the per-dimension limit binds; one workgroup more is refused, naming the kernel', () => {
    const h = gpu();
    const max = h.gpu.device.limits.maxComputeWorkgroupsPerDimension;
    const small = { a: h.empty('a', 16), b: h.empty('b', 16), mask: h.empty('mask', 16), bias: h.empty('bias', 4), c: h.empty('c', 16) };
    // dense.forward: grid y = ceil(batch / 32). Nothing is submitted; the buffers need not match.
    const at = bindKernel(h.cache, 'dense.forward', { resources: small, params: { batch: max * 32, n_in: 4, n_out: 4, splits: 1 }, members: 1, label: 'edge forward' });
    expect(at.grid[1]).toBe(max);
    let thrown: unknown = null;
    try {
      bindKernel(h.cache, 'dense.forward', { resources: small, params: { batch: (max + 1) * 32, n_in: 4, n_out: 4, splits: 1 }, members: 1, label: 'over forward' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GpuLimitError);
    expect((thrown as Error).message).toContain(`"over forward" needs ${(max + 1).toLocaleString('en-GB')} workgroups along y`);
  });

  it('a buffer of exactly maxBufferSize passes the check; one byte more is refused', () => {
    const limits = gpu().gpu.device.limits;
    expect(() => checkBufferBytes(limits, 'edge', limits.maxBufferSize, false)).not.toThrow();
    expect(() => checkBufferBytes(limits, 'edge', limits.maxBufferSize + 1, false)).toThrow(/"edge" needs a buffer of .* this GPU allows/);
    expect(() => checkBufferBytes(limits, 'edge', limits.maxBufferSize + 4, false)).toThrow(/\(4 bytes over the limit\)/);
    // The binding limit on its own (on this adapter it may equal the buffer limit).
    const binding = { maxBufferSize: 2 * limits.maxStorageBufferBindingSize, maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize };
    expect(() => checkBufferBytes(binding, 'bound', binding.maxStorageBufferBindingSize, true)).not.toThrow();
    expect(() => checkBufferBytes(binding, 'bound', binding.maxStorageBufferBindingSize + 4, true)).toThrow(/"bound" needs a storage binding of/);
    expect(() => checkBufferBytes(binding, 'copy only', binding.maxStorageBufferBindingSize + 4, false)).not.toThrow();
  });

  it("refuses the issue's LeNet-5-Caffe at batch 4096 and an 8 × 1024 MLP with 8 members before allocating", () => {
    const limits = gpu().gpu.device.limits;
    const images: DatasetInput = { kind: 'images', images: new Uint8Array(784 * 12000), labels: Array.from({ length: 12000 }, (_, i) => i % 10), width: 28, height: 28, classes: 10, pixelMean: 0.1, pixelStd: 0.3 };
    const lenet = parseConfig({ version: 1, data: { dataset: 'mnist' }, model: { kind: 'lenet5-caffe' }, training: { batchSize: 4096, epochs: 50 }, dst: { deltaT: 10 } });
    if (!lenet.ok) throw new Error(JSON.stringify(lenet.errors));
    const a = preflight(ensembleSetupFromConfig(lenet.config, images).setup, limits);
    console.log(`LeNet-5-Caffe, batch 4096: ${a}`);
    expect(a).toMatch(/^This run cannot run on this GPU: "conv1 forward" needs 73,728 workgroups along y; this GPU runs at most [\d,]+ per dimension/);
    const wide = parseConfig({ version: 1, model: { kind: 'mlp', hidden: Array(8).fill(1024) }, training: { batchSize: 4096, epochs: 100 }, ensemble: { mode: 'dst', members: 8 }, data: { dataset: 'spiral', points: 10000 }, dst: { deltaT: 10 } });
    if (!wide.ok) throw new Error(JSON.stringify(wide.errors));
    const b = preflight(ensembleSetupFromConfig(wide.config, generatedData(wide.config)).setup, limits);
    console.log(`8 x 1024 MLP, 8 members, batch 4096: ${b}`);
    expect(b).toMatch(/This run needs about [\d,]+ MiB of GPU memory, [\d.]+× the 2048 MiB a run may take here|buffer/);
  });
});
