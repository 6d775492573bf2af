// Binding a kernel to buffers: one uniform params block and one bind group, built once (per
// model, not per step), then encoded as often as needed with encodeKernel().
// Kernels with per-step params (registry `stepParams`) get `slots` 256-byte params slots in one
// buffer, selected at encode time by a dynamic offset: slot i holds step i of a chunk.
import { alignTo } from './buffers';
import { checkBufferBytes, checkWorkgroups } from './limit-check';
import { packParams, paramsByteSize, type ParamValues } from './params';
import type { PipelineCache } from './pipelines';
import type { Grid, KernelName } from './registry';

export type KernelResource = GPUBuffer | GPUBufferBinding;

/** minUniformBufferOffsetAlignment is at most 256 on every adapter. */
export const PARAM_SLOT_BYTES = 256;

export interface BoundKernel {
  readonly name: KernelName;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly grid: Grid;
  /** The uniform params block(s); rewrite with updateParams() (e.g. a new learning rate). */
  readonly paramsBuffer: GPUBuffer;
  /** Number of per-step slots (1 for kernels without step params). */
  readonly slots: number;
  readonly dynamic: boolean;
}

export interface BindArgs {
  /** Buffers by binding name (see the kernel's entry in registry.ts); 'params' is built here. */
  resources: Readonly<Record<string, KernelResource | undefined>>;
  params: ParamValues;
  /** Ensemble members covered by one dispatch (workgroup_id.z). */
  members: number;
  /** Per-step params slots (kernels with stepParams only); every slot starts as `params`. */
  slots?: number;
  label?: string;
}

export function bindKernel(cache: PipelineCache, name: KernelName, args: BindArgs): BoundKernel {
  const kernel = cache.get(name);
  const { spec } = kernel;
  const label = args.label ?? name;
  const dynamic = spec.stepParams === true;
  const slots = dynamic ? Math.max(1, args.slots ?? 1) : 1;
  if (!dynamic && (args.slots ?? 1) > 1) throw new Error(`${name} has no per-step params: slots must be 1`);
  const block = packParams(name, spec.params, args.params);
  const slotBytes = dynamic ? PARAM_SLOT_BYTES : alignTo(block.byteLength, 16);
  const paramsBuffer = cache.device.createBuffer({
    label: `${label} params`,
    size: slotBytes * slots,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  const mapped = new Uint8Array(paramsBuffer.getMappedRange());
  for (let s = 0; s < slots; s++) mapped.set(new Uint8Array(block), s * slotBytes);
  paramsBuffer.unmap();

  const known = new Set(spec.bindings.map((b) => b.name));
  for (const key of Object.keys(args.resources)) {
    if (!known.has(key)) throw new Error(`${name}: unknown binding "${key}" (expected ${[...known].join(', ')})`);
  }
  const entries: GPUBindGroupEntry[] = spec.bindings.map((b) => {
    if (b.kind === 'uniform') {
      return { binding: b.binding, resource: { buffer: paramsBuffer, size: paramsByteSize(spec.params) } };
    }
    const r = args.resources[b.name];
    if (r === undefined) {
      if (!b.optional) throw new Error(`${name}: binding "${b.name}" is required`);
      return { binding: b.binding, resource: { buffer: cache.placeholder() } };
    }
    const binding = 'buffer' in r ? r : { buffer: r };
    checkBufferBytes(cache.device.limits, `${label} (${b.name})`, binding.size ?? binding.buffer.size - (binding.offset ?? 0), true);
    return { binding: b.binding, resource: binding };
  });
  // The grid is fixed from here on: a dispatch too large for this GPU fails now, before any submit.
  const grid = spec.grid(args.params, args.members);
  checkWorkgroups(cache.device.limits, label, grid);
  const bindGroup = cache.device.createBindGroup({ label, layout: kernel.layout, entries });
  return { name, pipeline: kernel.pipeline, bindGroup, grid, paramsBuffer, slots, dynamic };
}

/** Rewrites a bound kernel's params in one slot (takes effect for work submitted after this). */
export function updateParams(cache: PipelineCache, k: BoundKernel, params: ParamValues, slot = 0): void {
  if (slot < 0 || slot >= k.slots) throw new Error(`${k.name}: params slot ${slot} out of range (0..${k.slots - 1})`);
  const spec = cache.get(k.name).spec;
  cache.device.queue.writeBuffer(k.paramsBuffer, slot * (k.dynamic ? PARAM_SLOT_BYTES : 0), packParams(k.name, spec.params, params));
}

/** Writes consecutive slots from `firstSlot` in one queue write (a chunk's per-step params). */
export function updateParamSlots(cache: PipelineCache, k: BoundKernel, slots: readonly ParamValues[], firstSlot = 0): void {
  if (!k.dynamic) throw new Error(`${k.name} has no per-step params`);
  if (firstSlot < 0 || firstSlot + slots.length > k.slots) throw new Error(`${k.name}: params slots ${firstSlot}..${firstSlot + slots.length - 1} out of range (0..${k.slots - 1})`);
  const spec = cache.get(k.name).spec;
  const bytes = new Uint8Array(slots.length * PARAM_SLOT_BYTES);
  slots.forEach((p, i) => bytes.set(new Uint8Array(packParams(k.name, spec.params, p)), i * PARAM_SLOT_BYTES));
  cache.device.queue.writeBuffer(k.paramsBuffer, firstSlot * PARAM_SLOT_BYTES, bytes);
}

export function encodeKernel(pass: GPUComputePassEncoder, k: BoundKernel, slot = 0): void {
  pass.setPipeline(k.pipeline);
  if (k.dynamic) pass.setBindGroup(0, k.bindGroup, [slot * PARAM_SLOT_BYTES]);
  else pass.setBindGroup(0, k.bindGroup);
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
