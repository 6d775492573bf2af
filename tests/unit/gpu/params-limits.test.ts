import { describe, expect, it } from 'vitest';
import { describeShortfalls, limitShortfalls, limitsToRequest, mergeNeeds, type LimitRecord } from '../../../src/gpu/limits';
import { packParams, paramsByteSize, type ParamField } from '../../../src/gpu/params';
import { composeShader, listIncludes } from '../../../src/gpu/shader-include';

describe('packParams', () => {
  const fields: ParamField[] = [
    ['n', 'u32'],
    ['lr', 'f32'],
    ['_pad', 'u32'],
  ];

  it('lays fields out at 4-byte offsets in a 16-byte-rounded block', () => {
    const bytes = packParams('k', fields, { n: 7, lr: 0.5 });
    expect(bytes.byteLength).toBe(16);
    const view = new DataView(bytes);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(4, true)).toBe(0.5);
    expect(view.getUint32(8, true)).toBe(0);
    expect(paramsByteSize(new Array(5).fill(['x', 'u32']))).toBe(32);
  });

  it('refuses missing, unknown, non-finite and non-u32 values, naming the field', () => {
    expect(() => packParams('k', fields, { lr: 1 })).toThrow(/k: parameter "n" is missing/);
    expect(() => packParams('k', fields, { n: 1, lr: 1, extra: 2 })).toThrow(/unknown parameter "extra"/);
    expect(() => packParams('k', fields, { n: 1, lr: Number.NaN })).toThrow(/"lr" is missing or not finite/);
    expect(() => packParams('k', fields, { n: -1, lr: 1 })).toThrow(/"n" must be a u32/);
    expect(() => packParams('k', fields, { n: 1.5, lr: 1 })).toThrow(/"n" must be a u32/);
  });
});

describe('device limits', () => {
  const adapter: LimitRecord = {
    maxStorageBufferBindingSize: 128 << 20,
    maxBufferSize: 256 << 20,
    maxComputeWorkgroupStorageSize: 16384,
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupsPerDimension: 65535,
    maxStorageBuffersPerShaderStage: 8,
  };

  it('reports every limit a model needs more of, and nothing when it fits', () => {
    expect(limitShortfalls(adapter, { maxBufferSize: 64 << 20 })).toEqual([]);
    const short = limitShortfalls(adapter, { maxStorageBufferBindingSize: 200 << 20, maxStorageBuffersPerShaderStage: 10 });
    expect(short.map((s) => s.limit)).toEqual(['maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage']);
    expect(describeShortfalls(short)).toBe(
      'maxStorageBufferBindingSize: needs 200 MiB, this GPU offers 128 MiB; maxStorageBuffersPerShaderStage: needs 10, this GPU offers 8',
    );
  });

  it('merges needs by maximum and requests the adapter maximum', () => {
    expect(mergeNeeds({ maxBufferSize: 5 }, { maxBufferSize: 9, maxComputeWorkgroupSizeX: 64 })).toEqual({
      maxBufferSize: 9,
      maxComputeWorkgroupSizeX: 64,
    });
    expect(limitsToRequest(adapter).maxStorageBufferBindingSize).toBe(128 << 20);
  });
});

describe('WGSL includes', () => {
  it('splices included files and refuses unknown ones', () => {
    const src = 'a\n//!include core.wgsl\nb';
    expect(listIncludes(src)).toEqual(['core.wgsl']);
    expect(composeShader(src, { 'core.wgsl': 'CORE' })).toContain('CORE');
    expect(() => composeShader(src, {})).toThrow(/include not found: core.wgsl/);
  });
});
