// The optimizer over the flat parameter buffers (shaders/optimizer.wgsl): one dispatch per
// contiguous range of segments, every member at once. The network passes one range, the whole
// buffers: they hold every parameter but a sparse-storage layer's weights, whose slots have their
// own optimizer dispatch (sparse-storage.ts).
import { encodeKernel, updateParamSlots, type bindKernel, type BoundKernel, type KernelName } from '../gpu';

export interface FlatBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
  mask: GPUBuffer;
  state1: GPUBuffer;
  state2: GPUBuffer;
}

export class FlatOptimizer {
  private readonly kernels: { k: BoundKernel; n: number }[];

  constructor(
    bind: (name: KernelName, args: Parameters<typeof bindKernel>[2]) => BoundKernel,
    b: FlatBuffers,
    ranges: readonly [number, number][],
    private readonly kind: 'sgd' | 'adam',
    private readonly flags: number,
    slots: number,
  ) {
    this.kernels = ranges.map(([offset, n]) => {
      const r = (buffer: GPUBuffer): GPUBufferBinding => ({ buffer, offset: offset * 4, size: n * 4 });
      const state = { w: r(b.params), g: r(b.grads), mask: r(b.mask), state1: r(b.state1) };
      const k =
        kind === 'sgd'
          ? bind('optimizer.sgd', { resources: state, params: { n, flags, lr: 0, momentum: 0, weight_decay: 0 }, members: 1, slots, label: `optimizer ${offset}..` })
          : bind('optimizer.adam', { resources: { ...state, state2: r(b.state2) }, params: { n, flags, lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, bc1: 1, bc2: 1 }, members: 1, slots, label: `optimizer ${offset}..` });
      return { k, n };
    });
  }

  /** The per-step values of optimizer.wgsl's params struct, less n (each dispatch adds its own). */
  stepValues(p: { lr: number; momentum: number; weightDecay: number; beta1: number; beta2: number; eps: number; bc1: number; bc2: number }): Record<string, number> {
    return this.kind === 'sgd'
      ? { flags: this.flags, lr: p.lr, momentum: p.momentum, weight_decay: p.weightDecay }
      : { flags: this.flags, lr: p.lr, beta1: p.beta1, beta2: p.beta2, eps: p.eps, weight_decay: p.weightDecay, bc1: p.bc1, bc2: p.bc2 };
  }

  write(cache: Parameters<typeof updateParamSlots>[0], steps: readonly Record<string, number>[]): void {
    for (const { k, n } of this.kernels) updateParamSlots(cache, k, steps.map((v) => ({ ...v, n })));
  }

  get dispatches(): number {
    return this.kernels.length;
  }

  encode(pass: GPUComputePassEncoder, slot: number): void {
    for (const { k } of this.kernels) encodeKernel(pass, k, slot);
  }
}
