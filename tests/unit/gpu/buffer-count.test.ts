// The live-buffer count (src/gpu/buffer-count.ts) on a stand-in device: creations and
// destructions counted once each, bytes with them, the real methods still called.
import { describe, expect, it } from 'vitest';
import { bufferCounts, countBuffers } from '../../../src/gpu/buffer-count';

function fakeDevice() {
  const made: { size: number; destroyed: number }[] = [];
  const device = {
    createBuffer(d: { size: number }) {
      const b = { size: d.size, destroyed: 0, destroy() { b.destroyed++; } };
      made.push(b);
      return b;
    },
  };
  return { device: device as unknown as GPUDevice, made };
}

describe('bufferCounts', () => {
  it('counts each creation and the first destroy of each buffer, with their bytes', () => {
    const { device, made } = fakeDevice();
    expect(bufferCounts(device)).toBeNull();
    countBuffers(device);
    countBuffers(device); // a second call does not wrap twice
    const a = device.createBuffer({ size: 64, usage: 0 });
    const b = device.createBuffer({ size: 16, usage: 0 });
    expect(bufferCounts(device)).toEqual({ created: 2, destroyed: 0, live: 2, liveBytes: 80 });
    a.destroy();
    a.destroy();
    expect(bufferCounts(device)).toEqual({ created: 2, destroyed: 1, live: 1, liveBytes: 16 });
    expect(made[0]!.destroyed).toBe(2); // the device's own destroy still runs every time
    b.destroy();
    expect(bufferCounts(device)).toEqual({ created: 2, destroyed: 2, live: 0, liveBytes: 0 });
  });
});
