// Limits checked before WebGPU sees the work, so a run that cannot run fails before its first step
// with a sentence that names the limit, the kernel or buffer, and by how much, instead of every
// dispatch failing validation while the step counter moves. Dispatch grids are known when a
// kernel is bound (once per model, kernel-call.ts), buffer sizes when a buffer is created
// (buffers.ts): both are checked there.
import type { Grid } from './registry';

/** A limit of this GPU that a run would exceed; `what` names the kernel or buffer. */
export class GpuLimitError extends Error {
  constructor(
    readonly limit: 'maxComputeWorkgroupsPerDimension' | 'maxStorageBufferBindingSize' | 'maxBufferSize',
    readonly needed: number,
    readonly available: number,
    readonly what: string,
    message: string,
  ) {
    super(message);
    this.name = 'GpuLimitError';
  }
}

const fmt = (n: number): string => n.toLocaleString('en-GB');
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(b < 2 ** 24 ? 1 : 0)} MiB`;
const ADVICE = 'a smaller batch, fewer ensemble members or a smaller model would fit';
/** How far past the limit: a ratio when it is far, the excess itself when it is close. */
const over = (needed: number, available: number, unit: (n: number) => string): string => (needed >= 1.01 * available ? `${(needed / available).toFixed(2)}× the limit` : `${unit(needed - available)} over the limit`);
const bytes = (n: number): string => (n < 2 ** 20 ? `${fmt(n)} bytes` : mib(n));

/** Throws when a dispatch of `grid` workgroups is larger than the device allows along some axis. */
export function checkWorkgroups(limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupsPerDimension'>, what: string, grid: Grid): void {
  const max = limits.maxComputeWorkgroupsPerDimension;
  grid.forEach((n, axis) => {
    if (n > max) {
      const name = 'xyz'[axis]!;
      throw new GpuLimitError('maxComputeWorkgroupsPerDimension', n, max, what, `"${what}" needs ${fmt(n)} workgroups along ${name}; this GPU runs at most ${fmt(max)} per dimension (${over(n, max, (k) => `${fmt(k)} workgroups`)}): ${ADVICE}.`);
    }
  });
}

/** Throws when a buffer of `bytes` is larger than the device allows (bound as storage: also the binding limit). */
export function checkBufferBytes(limits: Pick<GPUSupportedLimits, 'maxBufferSize' | 'maxStorageBufferBindingSize'>, what: string, size: number, storage: boolean): void {
  const a = limits.maxBufferSize;
  if (size > a) throw new GpuLimitError('maxBufferSize', size, a, what, `"${what}" needs a buffer of ${mib(size)}; this GPU allows ${mib(a)} per buffer (${over(size, a, bytes)}): ${ADVICE}.`);
  const b = limits.maxStorageBufferBindingSize;
  if (storage && size > b) throw new GpuLimitError('maxStorageBufferBindingSize', size, b, what, `"${what}" needs a storage binding of ${mib(size)}; this GPU binds at most ${mib(b)} (${over(size, b, bytes)}): ${ADVICE}.`);
}
