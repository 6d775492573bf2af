// Typed failures of the WebGPU layer, so the UI can show a clear message for each.

/** Why WebGPU cannot be used at all in this browser. */
export type UnsupportedReason =
  | 'no-webgpu-api' // navigator.gpu is missing: browser too old, flag off, or insecure context
  | 'no-adapter' // requestAdapter() returned null: blocklisted GPU or driver, or WebGPU disabled
  | 'device-request-failed' // requestDevice() threw
  | 'insufficient-limits'; // the adapter cannot hold the model (a limit below what is needed)

export interface GpuUnsupported {
  ok: false;
  reason: UnsupportedReason;
  /** One sentence for a person: what is wrong and what to do. */
  message: string;
  /** Technical detail (exception text, limit names), for a "details" disclosure. */
  detail?: string;
}

/** Something that went wrong after the device was acquired. */
export type GpuErrorKind = 'device-lost' | 'validation' | 'out-of-memory' | 'internal' | 'shader-compile';

export class GpuError extends Error {
  override name = 'GpuError';
  constructor(
    readonly kind: GpuErrorKind,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Turns a WebGPU GPUError (from an error scope or an uncapturederror event) into a GpuError. */
export function fromWebGpuError(error: GPUError): GpuError {
  const kind: GpuErrorKind =
    error instanceof GPUValidationError
      ? 'validation'
      : error instanceof GPUOutOfMemoryError
        ? 'out-of-memory'
        : 'internal';
  const headline: Record<GpuErrorKind, string> = {
    validation: 'The GPU rejected a command (WebGPU validation error).',
    'out-of-memory': 'The GPU ran out of memory.',
    internal: 'The GPU driver reported an internal error.',
    'device-lost': 'The GPU device was lost.',
    'shader-compile': 'A shader failed to compile.',
  };
  return new GpuError(kind, headline[kind], error.message);
}
