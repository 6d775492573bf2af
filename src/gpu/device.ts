// Adapter and device acquisition. One GPUDevice per tab (docs/ARCHITECTURE.md §1); everything that can
// go wrong comes back typed: "unsupported" before a device exists, GpuError after.
import { countBuffers } from './buffer-count';
import { GpuError, fromWebGpuError, type GpuUnsupported } from './errors';
import {
  KERNEL_NEEDS,
  describeShortfalls,
  limitShortfalls,
  limitsToRequest,
  mergeNeeds,
  pickLimits,
  type LimitNeeds,
  type LimitRecord,
} from './limits';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (SwiftShader, llvmpipe) or the browser's fallback adapter. */
  software: boolean;
  /** Short human-readable name for the status bar. */
  label: string;
}

export interface GpuFeatures {
  timestampQuery: boolean;
  subgroups: boolean;
  shaderF16: boolean;
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly limits: LimitRecord;
  readonly features: GpuFeatures;
  /** The optional features this device was created with, by their WebGPU names. */
  readonly featureNames: readonly string[];
  /** Resolves when the device is lost for any reason other than our own destroy(). */
  readonly lost: Promise<GpuError>;
  /** Subscribes to uncaptured errors and device loss; returns the unsubscribe function. */
  onError(listener: (error: GpuError) => void): () => void;
  destroy(): void;
}

export type AcquireResult = { ok: true; gpu: GpuContext } | GpuUnsupported;

export interface AcquireOptions {
  /** Limits the models to be run need (checked before a device is requested). */
  needs?: LimitNeeds;
  /** Injected for tests; defaults to navigator.gpu. */
  gpu?: GPU | undefined;
  label?: string;
}

const SUPPORTED_BROWSERS =
  'Use Chrome or Edge 113 or newer on Windows, macOS or ChromeOS, Chrome 144+ on Linux or Android, ' +
  'or Safari 26; on older Linux Chrome enable chrome://flags/#enable-unsafe-webgpu.';

export async function acquireGpu(options: AcquireOptions = {}): Promise<AcquireResult> {
  const gpu = 'gpu' in options ? options.gpu : (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    return {
      ok: false,
      reason: 'no-webgpu-api',
      message: `This browser does not expose WebGPU. ${SUPPORTED_BROWSERS}`,
      detail: 'navigator.gpu is undefined (a page served over plain http from another host also hides it).',
    };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    adapter = null;
    void e;
  }
  if (!adapter) {
    return {
      ok: false,
      reason: 'no-adapter',
      message: `WebGPU is present but no GPU adapter is available (the GPU or its driver may be blocklisted). ${SUPPORTED_BROWSERS}`,
      detail: 'navigator.gpu.requestAdapter() returned null.',
    };
  }
  const available = pickLimits(adapter.limits);
  const shortfalls = limitShortfalls(available, mergeNeeds(KERNEL_NEEDS, options.needs ?? {}));
  if (shortfalls.length > 0) {
    return {
      ok: false,
      reason: 'insufficient-limits',
      message: 'This GPU cannot hold the selected model: choose a smaller model or batch size.',
      detail: describeShortfalls(shortfalls),
    };
  }
  // 'subgroups' is newer than some @webgpu/types releases, hence the cast.
  const wanted = ['timestamp-query', 'subgroups', 'shader-f16'] as GPUFeatureName[];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: options.label ?? 'sparse-playground',
      requiredLimits: limitsToRequest(available),
      requiredFeatures,
    });
  } catch (e) {
    return {
      ok: false,
      reason: 'device-request-failed',
      message: 'The GPU adapter refused to create a device. Close other GPU-heavy tabs and reload.',
      detail: e instanceof Error ? e.message : String(e),
    };
  }
  countBuffers(device); // live buffers, for `npm run soak` (buffer-count.ts)
  return { ok: true, gpu: wrapDevice(device, summarizeAdapter(adapter.info), new Set(requiredFeatures)) };
}

export function summarizeAdapter(info: GPUAdapterInfo): AdapterSummary {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  const software =
    (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/.test(text);
  const parts = [info.vendor, info.architecture, info.description || info.device].filter((s) => s && s.length > 0);
  const label = parts.length > 0 ? parts.join(' · ') : 'unknown adapter';
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software,
    label,
  };
}

function wrapDevice(device: GPUDevice, adapter: AdapterSummary, features: ReadonlySet<string>): GpuContext {
  const listeners = new Set<(e: GpuError) => void>();
  const emit = (e: GpuError): void => {
    for (const l of listeners) l(e);
  };
  let destroyedByUs = false;
  device.addEventListener('uncapturederror', (event) => {
    emit(fromWebGpuError((event as GPUUncapturedErrorEvent).error));
  });
  const lost = new Promise<GpuError>((resolve) => {
    void device.lost.then((info) => {
      if (destroyedByUs) return;
      const e = new GpuError(
        'device-lost',
        'The GPU device was lost (driver reset, GPU switched, or too much work at once). Your settings are kept: restart to continue.',
        `${info.reason}: ${info.message}`,
      );
      emit(e);
      resolve(e);
    });
  });
  return {
    device,
    adapter,
    limits: pickLimits(device.limits),
    features: {
      timestampQuery: features.has('timestamp-query'),
      subgroups: features.has('subgroups'),
      shaderF16: features.has('shader-f16'),
    },
    featureNames: [...features],
    lost,
    onError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      destroyedByUs = true;
      listeners.clear();
      device.destroy();
    },
  };
}

/**
 * Runs `work` inside validation and out-of-memory error scopes and throws the first error as a
 * GpuError. For setup code and tests; the training loop relies on uncapturederror instead.
 */
export async function withErrorScopes<T>(device: GPUDevice, work: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await work() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Scopes are popped in every case, so a failed `work` leaves the device's scope stack balanced.
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const gpuError = validation ?? oom;
  if (gpuError) throw fromWebGpuError(gpuError);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
