// What the UI knows about the GPU: plain data, filled in by the composition root (main.tsx) from
// src/gpu results. state never imports gpu (docs/ARCHITECTURE.md §2), so the shapes are restated here.

export interface AdapterView {
  label: string;
  vendor: string;
  architecture: string;
  description: string;
  software: boolean;
}

export interface GpuProblem {
  /** Machine-readable cause ('no-webgpu-api', 'no-adapter', 'device-lost', 'validation', ...). */
  reason: string;
  message: string;
  detail?: string;
}

export type GpuStatus =
  | { phase: 'detecting' }
  | { phase: 'unsupported'; problem: GpuProblem }
  | {
      phase: 'ready' | 'compiling' | 'failed';
      adapter: AdapterView;
      limits: Readonly<Record<string, number>>;
      features: readonly string[];
      kernels?: { count: number; millis: number };
      problem?: GpuProblem;
    };
