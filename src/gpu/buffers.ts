// Buffer helpers: every buffer gets a label (it appears in WebGPU error messages) and a size
// rounded up to a multiple of 4 bytes (WebGPU's copy alignment), and one larger than the GPU
// allows is refused with its name before WebGPU sees it.
import { checkBufferBytes } from './limit-check';

export type TypedData = Float32Array | Uint32Array | Int32Array;

/** Storage buffers we read back and write: a function, so importing this module needs no WebGPU (Node tests, the headless runner's CLI). */
export const storageUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export function alignTo(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** A labelled buffer; one larger than this GPU allows is refused here, naming it (limit-check.ts). */
export function createBuffer(device: GPUDevice, label: string, byteSize: number, usage: number): GPUBuffer {
  const size = Math.max(4, alignTo(byteSize, 4));
  checkBufferBytes(device.limits, label, size, (usage & GPUBufferUsage.STORAGE) !== 0);
  return device.createBuffer({ label, size, usage });
}

/** A zero-filled storage buffer that can be copied to and from. */
export function storageBuffer(device: GPUDevice, label: string, byteSize: number): GPUBuffer {
  return createBuffer(device, label, byteSize, storageUsage());
}

/** A storage buffer holding `data` (written at creation, no staging copy). */
export function uploadBuffer(device: GPUDevice, label: string, data: TypedData, usage: number = storageUsage()): GPUBuffer {
  const size = Math.max(4, alignTo(data.byteLength, 4));
  checkBufferBytes(device.limits, label, size, (usage & GPUBufferUsage.STORAGE) !== 0);
  const buffer = device.createBuffer({ label, size, usage, mappedAtCreation: true });
  const Ctor = data.constructor as new (b: ArrayBuffer) => TypedData;
  new Ctor(buffer.getMappedRange()).set(data);
  buffer.unmap();
  return buffer;
}

/** A uniform buffer holding `bytes`, writable later with queue.writeBuffer. */
export function uniformBuffer(device: GPUDevice, label: string, bytes: ArrayBuffer): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: alignTo(Math.max(16, bytes.byteLength), 16),
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(bytes));
  buffer.unmap();
  return buffer;
}
