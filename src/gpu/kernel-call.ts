// Binding a kernel to buffers: one uniform params block and one bind group, built once (per
// model, not per step), then encoded as often as needed with encodeKernel().
import { uniformBuffer } from './buffers';
import { packParams, type ParamValues } from './params';
import type { PipelineCache } from './pipelines';
import type { Grid, KernelName } from './registry';

export type KernelResource = GPUBuffer | GPUBufferBinding;

export interface BoundKernel {
  readonly name: KernelName;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly grid: Grid;
  /** The uniform params block; rewrite it with updateParams() (e.g. a new learning rate). */
  readonly paramsBuffer: GPUBuffer;
}

export interface BindArgs {
  /** Buffers by binding name (see the kernel's entry in registry.ts); 'params' is built here. */
  resources: Readonly<Record<string, KernelResource | undefined>>;
  params: ParamValues;
  /** Ensemble members covered by one dispatch (workgroup_id.z). */
  members: number;
  label?: string;
}

export function bindKernel(cache: PipelineCache, name: KernelName, args: BindArgs): BoundKernel {
  const kernel = cache.get(name);
  const { spec } = kernel;
  const label = args.label ?? name;
  const paramsBuffer = uniformBuffer(cache.device, `${label} params`, packParams(name, spec.params, args.params));
  const known = new Set(spec.bindings.map((b) => b.name));
  for (const key of Object.keys(args.resources)) {
    if (!known.has(key)) throw new Error(`${name}: unknown binding "${key}" (expected ${[...known].join(', ')})`);
  }
  const entries: GPUBindGroupEntry[] = spec.bindings.map((b) => {
    if (b.kind === 'uniform') return { binding: b.binding, resource: { buffer: paramsBuffer } };
    const r = args.resources[b.name];
    if (r === undefined) {
      if (!b.optional) throw new Error(`${name}: binding "${b.name}" is required`);
      return { binding: b.binding, resource: { buffer: cache.placeholder() } };
    }
    return { binding: b.binding, resource: 'buffer' in r ? r : { buffer: r } };
  });
  const bindGroup = cache.device.createBindGroup({ label, layout: kernel.layout, entries });
  return { name, pipeline: kernel.pipeline, bindGroup, grid: spec.grid(args.params, args.members), paramsBuffer };
}

/** Rewrites a bound kernel's params (takes effect for work submitted after this call). */
export function updateParams(cache: PipelineCache, k: BoundKernel, params: ParamValues): void {
  const spec = cache.get(k.name).spec;
  cache.device.queue.writeBuffer(k.paramsBuffer, 0, packParams(k.name, spec.params, params));
}

export function encodeKernel(pass: GPUComputePassEncoder, k: BoundKernel): void {
  pass.setPipeline(k.pipeline);
  pass.setBindGroup(0, k.bindGroup);
  pass.dispatchWorkgroups(k.grid[0], k.grid[1], k.grid[2]);
}

/** Encodes the kernels in order in one compute pass and submits them. */
export function submitKernels(device: GPUDevice, kernels: readonly BoundKernel[], label = 'kernels'): void {
  const encoder = device.createCommandEncoder({ label });
  const pass = encoder.beginComputePass({ label });
  for (const k of kernels) encodeKernel(pass, k);
  pass.end();
  device.queue.submit([encoder.finish()]);
}
