// Composition root: reads the config from the URL hash, acquires the GPU, compiles every kernel
// ahead of first use, reports both to the store, starts the training session, and mounts the
// React UI. The only module that wires gpu to state, and the store's config to the URL.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { decodeConfig, defaultConfig, encodeConfig } from './config';
import { loadImageDataset } from './data';
import { KERNEL_NAMES, PipelineCache, acquireGpu, type GpuError } from './gpu';
import { TrainingSession, appStore } from './state';
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
    return;
  }
  const session = new TrainingSession(appStore, {
    cache: PipelineCache.for(gpu.device),
    loadImages: async (name) => {
      const d = await loadImageDataset(name);
      return { kind: 'images', images: d.images, labels: d.labels, width: d.width, height: d.height, classes: d.classes, pixelMean: d.pixelMean, pixelStd: d.pixelStd };
    },
  });
  gpu.onError(() => session.pause());
  appStore.getState().attachSession(session);
  // For the end-to-end tests: the GPU's own mask buffers (to compare with the mask view's
  // pixels), and a device loss as a driver reset would cause one (GPUDevice.destroy directly, not
  // our destroy(), so it reaches the app as a lost device).
  (window as unknown as { stp: unknown }).stp = { gpuMasks: () => session.gpuMasks(), simulateDeviceLoss: () => gpu.device.destroy() };
  await session.rebuild();
}

/** The config in the URL hash; a hash that cannot be read gives the defaults and says so. */
function readHash(): void {
  const hash = window.location.hash.replace(/^#/, '');
  const s = appStore.getState();
  if (hash === '') return;
  const r = decodeConfig(hash);
  if (r.ok) {
    s.setNotice(null);
    s.setConfig(r.config);
  } else {
    s.setNotice(`The link's settings could not be read (${r.errors.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; ')}), so the defaults are shown.`);
    s.setConfig(defaultConfig());
  }
}

readHash();
// A hash typed or pasted into the address bar of an open playground: read it and rebuild.
window.addEventListener('hashchange', () => {
  if (window.location.hash.replace(/^#/, '') === encodeConfig(appStore.getState().config)) return;
  readHash();
  void appStore.getState().session?.rebuild();
});
// Every config change is mirrored into the hash (replaceState: no history entry per slider move).
appStore.subscribe((s, prev) => {
  if (s.config !== prev.config) window.history.replaceState(null, '', `#${encodeConfig(s.config)}`);
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void startGpu();
