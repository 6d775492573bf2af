// Device limits: which ones we raise above the WebGPU defaults, and whether a model fits.
// Pure functions over plain records, so they are tested in Node.

/** The limits our kernels and models depend on (docs/ARCHITECTURE.md §5). */
export const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export type RaisedLimit = (typeof RAISED_LIMITS)[number];
export type LimitNeeds = Partial<Record<RaisedLimit, number>>;
export type LimitRecord = Record<RaisedLimit, number>;

/** What our own kernels need from any device (storage buffers per stage: optimizer uses 5). */
export const KERNEL_NEEDS: LimitNeeds = {
  maxComputeWorkgroupStorageSize: 4096 * 2,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxStorageBuffersPerShaderStage: 6, // mask.apply_update binds 6
};

export interface LimitShortfall {
  limit: RaisedLimit;
  needed: number;
  available: number;
}

/** Every limit the adapter has less of than `needs` asks for (empty: it fits). */
export function limitShortfalls(available: LimitRecord, needs: LimitNeeds): LimitShortfall[] {
  const out: LimitShortfall[] = [];
  for (const limit of RAISED_LIMITS) {
    const needed = needs[limit];
    if (needed !== undefined && available[limit] < needed) {
      out.push({ limit, needed, available: available[limit] });
    }
  }
  return out;
}

/** Merges several needs by taking the largest value of each limit. */
export function mergeNeeds(...needs: LimitNeeds[]): LimitNeeds {
  const out: LimitNeeds = {};
  for (const n of needs) {
    for (const limit of RAISED_LIMITS) {
      const v = n[limit];
      if (v !== undefined) out[limit] = Math.max(out[limit] ?? 0, v);
    }
  }
  return out;
}

export function describeShortfalls(shortfalls: LimitShortfall[]): string {
  return shortfalls
    .map((s) => `${s.limit}: needs ${formatLimit(s.needed)}, this GPU offers ${formatLimit(s.available)}`)
    .join('; ');
}

function formatLimit(v: number): string {
  if (v >= 1 << 20) return `${(v / (1 << 20)).toFixed(v % (1 << 20) === 0 ? 0 : 1)} MiB`;
  return String(v);
}

/** The limits to request: the adapter's own maximum for each raised limit (as tfjs does). */
export function limitsToRequest(adapterLimits: LimitRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const limit of RAISED_LIMITS) out[limit] = adapterLimits[limit];
  return out;
}

export function pickLimits(limits: GPUSupportedLimits): LimitRecord {
  const out = {} as LimitRecord;
  for (const limit of RAISED_LIMITS) out[limit] = limits[limit];
  return out;
}
