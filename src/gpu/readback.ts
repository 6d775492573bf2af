// Pooled readback: MAP_READ staging buffers are reused by size class instead of being created
// per read. Used for metrics every N steps and by tests, never inside a training step.

export class ReadbackPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly all: GPUBuffer[] = [];

  constructor(
    private readonly device: GPUDevice,
    private readonly label = 'readback',
  ) {}

  /** Copies `size` bytes of `src` from `offset` and resolves with a private copy of them. */
  async read(src: GPUBuffer, offset = 0, size = src.size - offset): Promise<ArrayBuffer> {
    const sizeClass = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(4, size))));
    const staging = this.take(sizeClass);
    const encoder = this.device.createCommandEncoder({ label: `${this.label}: copy ${src.label}` });
    encoder.copyBufferToBuffer(src, offset, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
      const copy = staging.getMappedRange(0, size).slice(0);
      staging.unmap();
      return copy;
    } finally {
      this.give(sizeClass, staging);
    }
  }

  async readF32(src: GPUBuffer, offset = 0, count?: number): Promise<Float32Array> {
    return new Float32Array(await this.read(src, offset, count === undefined ? undefined : count * 4));
  }

  async readU32(src: GPUBuffer, offset = 0, count?: number): Promise<Uint32Array> {
    return new Uint32Array(await this.read(src, offset, count === undefined ? undefined : count * 4));
  }

  /** Number of staging buffers created so far (tests check that reads reuse them). */
  get created(): number {
    return this.all.length;
  }

  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.length = 0;
    this.free.clear();
  }

  private take(sizeClass: number): GPUBuffer {
    const pooled = this.free.get(sizeClass)?.pop();
    if (pooled) return pooled;
    const buffer = this.device.createBuffer({
      label: `${this.label} staging ${sizeClass} B`,
      size: sizeClass,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.all.push(buffer);
    return buffer;
  }

  private give(sizeClass: number, buffer: GPUBuffer): void {
    if (buffer.mapState === 'mapped') buffer.unmap();
    const list = this.free.get(sizeClass) ?? [];
    list.push(buffer);
    this.free.set(sizeClass, list);
  }
}
