// Composition root: acquires the GPU, compiles every kernel ahead of first use, reports both to
// the store, and mounts the React UI. The only module that wires gpu to state.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { KERNEL_NAMES, PipelineCache, acquireGpu, type GpuError } from './gpu';
import { appStore } from './state';
import { App } from './ui/App';
import './ui/app.css';

async function startGpu(): Promise<void> {
  const actions = appStore.getState();
  const result = await acquireGpu();
  if (!result.ok) {
    actions.gpuUnsupported({ reason: result.reason, message: result.message, detail: result.detail });
    return;
  }
  const { gpu } = result;
  const report = (e: GpuError): void => actions.gpuFailed({ reason: e.kind, message: e.message, detail: e.detail });
  gpu.onError(report);
  actions.gpuCompiling(gpu.adapter, { ...gpu.limits }, [...gpu.featureNames]);
  const t0 = performance.now();
  try {
    await PipelineCache.for(gpu.device).prepare(KERNEL_NAMES);
    actions.gpuReady({ count: KERNEL_NAMES.length, millis: performance.now() - t0 });
  } catch (e) {
    report(e as GpuError);
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void startGpu();
