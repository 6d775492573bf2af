// The app store: a zustand vanilla store (no React here), so the training loop and the headless
// runner can use it without a DOM. React components subscribe through src/ui/use-app-state.ts.
import { createStore } from 'zustand/vanilla';
import type { AdapterView, GpuProblem, GpuStatus } from './gpu-status';

export interface AppState {
  gpu: GpuStatus;
}

export interface AppActions {
  gpuUnsupported(problem: GpuProblem): void;
  gpuCompiling(adapter: AdapterView, limits: Record<string, number>, features: string[]): void;
  gpuReady(kernels: { count: number; millis: number }): void;
  /** A failure after the device existed (lost device, validation or compile error). */
  gpuFailed(problem: GpuProblem): void;
}

export type AppStore = ReturnType<typeof createAppStore>;

export function createAppStore() {
  return createStore<AppState & AppActions>()((set, get) => ({
    gpu: { phase: 'detecting' },
    gpuUnsupported: (problem) => set({ gpu: { phase: 'unsupported', problem } }),
    gpuCompiling: (adapter, limits, features) => set({ gpu: { phase: 'compiling', adapter, limits, features } }),
    gpuReady: (kernels) => {
      const g = get().gpu;
      if (g.phase === 'compiling') set({ gpu: { ...g, phase: 'ready', kernels } });
    },
    gpuFailed: (problem) => {
      const g = get().gpu;
      if (g.phase === 'detecting' || g.phase === 'unsupported') set({ gpu: { phase: 'unsupported', problem } });
      else set({ gpu: { ...g, phase: 'failed', problem } });
    },
  }));
}

/** The one store of the tab. */
export const appStore = createAppStore();
