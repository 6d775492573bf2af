import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, PipelineCache, acquireGpu, withErrorScopes } from '../../src/gpu';

describe('pipeline cache', () => {
  it('compiles every registered kernel on the test adapter', async () => {
    const result = await acquireGpu();
    if (!result.ok) throw new Error(`no WebGPU: ${result.reason} ${result.detail ?? ''}`);
    const { gpu } = result;
    // Names the adapter in the test output, so a CI log shows which WebGPU ran the GPU tier.
    console.log(`WebGPU adapter: ${gpu.adapter.label} (software: ${gpu.adapter.software})`);
    const cache = PipelineCache.for(gpu.device);
    await withErrorScopes(gpu.device, () => cache.prepare(KERNEL_NAMES));
    for (const name of KERNEL_NAMES) expect(cache.has(name), name).toBe(true);
    expect(PipelineCache.for(gpu.device)).toBe(cache);
    expect(() => PipelineCache.for(gpu.device).get(KERNEL_NAMES[0]!)).not.toThrow();
    gpu.destroy();
  });
});
