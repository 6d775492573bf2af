// Live GPU buffers, counted where every buffer of the app is made: the device's createBuffer,
// wrapped once per device by acquireGpu. A buffer is live from its creation until its destroy().
// `npm run soak` reads the counts through long runs and many rebuilds: a count that grows with
// them is a leak (a buffer only the garbage collector would free, if ever).

export interface BufferCounts {
  created: number;
  destroyed: number;
  live: number;
  liveBytes: number;
}

const COUNTS = new WeakMap<GPUDevice, BufferCounts>();

/** Starts counting `device`'s buffers (once; later calls do nothing). */
export function countBuffers(device: GPUDevice): void {
  if (COUNTS.has(device)) return;
  const c: BufferCounts = { created: 0, destroyed: 0, live: 0, liveBytes: 0 };
  COUNTS.set(device, c);
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = create(descriptor);
    c.created++;
    c.live++;
    c.liveBytes += buffer.size;
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) {
        destroyed = true;
        c.destroyed++;
        c.live--;
        c.liveBytes -= buffer.size;
      }
      destroy();
    };
    return buffer;
  };
}

/** A copy of `device`'s counts, or null when they are not counted. */
export function bufferCounts(device: GPUDevice): BufferCounts | null {
  const c = COUNTS.get(device);
  return c ? { ...c } : null;
}
