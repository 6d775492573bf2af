// Per-device pipeline cache. Pipelines are compiled asynchronously (createComputePipelineAsync)
// in prepare(), before first use; get() is synchronous and refuses a kernel that was not
// prepared, so the training loop never stalls on a compile. Bind-group layouts are explicit and
// shared between kernels with the same binding signature.
import { GpuError } from './errors';
import { KERNELS, kernelConstants, type BindingSpec, type KernelName, type KernelSpec } from './registry';
import { shaderSource, type ShaderFamily } from './shaders';

export interface PreparedKernel {
  readonly name: KernelName;
  readonly spec: KernelSpec;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

const caches = new WeakMap<GPUDevice, PipelineCache>();

export class PipelineCache {
  private readonly modules = new Map<ShaderFamily, Promise<GPUShaderModule>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly pending = new Map<KernelName, Promise<PreparedKernel>>();
  private readonly ready = new Map<KernelName, PreparedKernel>();
  private placeholderBuffer: GPUBuffer | null = null;

  private constructor(readonly device: GPUDevice) {}

  static for(device: GPUDevice): PipelineCache {
    let cache = caches.get(device);
    if (!cache) {
      cache = new PipelineCache(device);
      caches.set(device, cache);
    }
    return cache;
  }

  /** Compiles every named kernel not compiled yet; resolves when all can be used. */
  async prepare(names: readonly KernelName[]): Promise<void> {
    await Promise.all(names.map((n) => this.prepareOne(n)));
  }

  has(name: KernelName): boolean {
    return this.ready.has(name);
  }

  get(name: KernelName): PreparedKernel {
    const k = this.ready.get(name);
    if (!k) throw new Error(`kernel ${name} used before prepare(): compile pipelines before the first step`);
    return k;
  }

  /** A 16-byte storage buffer bound where a kernel leaves an optional binding unused. */
  placeholder(): GPUBuffer {
    this.placeholderBuffer ??= this.device.createBuffer({
      label: 'placeholder (unused binding)',
      size: 16,
      usage: GPUBufferUsage.STORAGE,
    });
    return this.placeholderBuffer;
  }

  private prepareOne(name: KernelName): Promise<PreparedKernel> {
    let p = this.pending.get(name);
    if (!p) {
      p = this.build(name).then((k) => {
        this.ready.set(name, k);
        return k;
      });
      this.pending.set(name, p);
      // A failed compile may be retried (after a fix in dev mode, say).
      p.catch(() => this.pending.delete(name));
    }
    return p;
  }

  private async build(name: KernelName): Promise<PreparedKernel> {
    const spec: KernelSpec = KERNELS[name];
    const module = await this.module(spec.family);
    const layout = this.layout(spec.bindings, spec.stepParams === true);
    try {
      const pipeline = await this.device.createComputePipelineAsync({
        label: name,
        layout: this.device.createPipelineLayout({ label: name, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: spec.entryPoint, constants: numericConstants(kernelConstants(spec)) },
      });
      return { name, spec, pipeline, layout };
    } catch (e) {
      throw new GpuError('shader-compile', `Could not build the GPU pipeline for ${name}.`, e instanceof Error ? e.message : String(e));
    }
  }

  private module(family: ShaderFamily): Promise<GPUShaderModule> {
    let m = this.modules.get(family);
    if (!m) {
      m = compileModule(this.device, family);
      this.modules.set(family, m);
    }
    return m;
  }

  private layout(bindings: readonly BindingSpec[], dynamicParams: boolean): GPUBindGroupLayout {
    const key = bindings.map((b) => `${b.binding}:${b.kind}`).join(',') + (dynamicParams ? ':dynamic' : '');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: `layout ${key}`,
        entries: bindings.map((b) => ({
          binding: b.binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: {
            type: b.kind === 'uniform' ? 'uniform' : b.kind === 'read' ? 'read-only-storage' : 'storage',
            hasDynamicOffset: b.kind === 'uniform' && dynamicParams,
          },
        })),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }
}

async function compileModule(device: GPUDevice, family: ShaderFamily): Promise<GPUShaderModule> {
  const code = shaderSource(family);
  const module = device.createShaderModule({ label: `${family}.wgsl`, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const detail = errors.map((m) => `${family}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
    throw new GpuError('shader-compile', `The ${family} shaders failed to compile.`, detail);
  }
  return module;
}

/** Pipeline-override constants are numbers in the WebGPU API (booleans as 0/1). */
function numericConstants(c: Record<string, number | boolean>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) out[k] = typeof v === 'boolean' ? Number(v) : v;
  return out;
}
