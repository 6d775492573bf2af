// Composition root: reads the config from the URL hash, acquires the GPU, compiles every kernel
// ahead of first use, reports both to the store, starts the training session, and mounts the
// React UI. The only module that wires gpu to state, and the store's config to the URL.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { decodeConfig, defaultConfig, encodeConfig } from './config';
import { loadImageDataset } from './data';
import { KERNEL_NAMES, PipelineCache, acquireGpu, bufferCounts, type GpuError } from './gpu';
import { CELL_COLORS, TrainingSession, appStore, lessonById, lessonConfig, lessonIdFromHash, loadLessonProgress, saveLessonProgress, type AppState } from './state';
import { App } from './ui/App';
import { renderMaskImages } from './viz';
import { clip, listed } from './util/text';
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
    renderHeatmaps: (buffers) => renderMaskImages(buffers, CELL_COLORS),
    deviceLost: gpu.lost,
  });
  // A GPU error or a lost device stops the run on screen at once.
  gpu.onError((e) => (e.kind === 'device-lost' ? session.deviceLost(e.message) : session.gpuFailed(e.message)));
  appStore.getState().attachSession(session);
  // For the end-to-end tests: the GPU's own mask buffers (to compare with the mask view's
  // pixels), the points the decision boundary drew (to read its pixels under the test points), a
  // device loss as a driver reset would cause one (GPUDevice.destroy directly, not our destroy(),
  // so it reaches the app as a lost device), and a command the GPU rejects (a buffer of no usage
  // is a validation error, reported as any rejected command of a run would be).
  (window as unknown as { stp: unknown }).stp = {
    gpuMasks: () => session.gpuMasks(),
    boundaryPoints,
    simulateDeviceLoss: () => gpu.device.destroy(),
    simulateGpuError: () => void gpu.device.createBuffer({ label: 'simulated rejected command', size: 4, usage: 0 }),
    // For `npm run soak`: the GPU buffers alive now (created minus destroyed).
    bufferCounts: () => bufferCounts(gpu.device),
  };
  await session.rebuild();
}

/** The decision boundary's grid and the points it drew (data coordinates, labels, test or not), or null. */
function boundaryPoints(): { grid: { x0: number; x1: number; y0: number; y1: number }; points: { x: number; y: number; label: number; test: boolean }[] } | null {
  const b = appStore.getState().views.boundary;
  if (!b) return null;
  return { grid: b.grid, points: Array.from(b.points.test, (t, i) => ({ x: b.points.x[i]!, y: b.points.y[i]!, label: b.points.label[i]!, test: t === 1 })) };
}

/** localStorage, or nothing where the browser refuses it (private modes): lessons then do not resume. */
const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
})();

/** What the URL hash says now: the open lesson ("lesson/<id>"), or the config. */
const hashOf = (s: AppState): string => (s.lesson ? `lesson/${s.lesson.id}` : encodeConfig(s.config));

/**
 * The URL hash: a lesson ("#lesson/<id>", resumed where it was left) or a config ("#v1.…"),
 * read at load and when one is typed or pasted into an open playground. Returns whether the
 * settings changed. A hash that cannot be read says why and changes nothing the user has: at
 * load the defaults are shown; later the run on screen is kept and the address goes back to it.
 */
function readHash(atLoad: boolean): boolean {
  const hash = window.location.hash.replace(/^#/, '');
  const s = appStore.getState();
  if (hash === '') return false;
  const refuse = (why: string): boolean => {
    s.setNotice(`${why}, so ${atLoad ? 'the defaults are shown' : 'the run on screen is unchanged'}.`);
    if (atLoad) {
      s.setLesson(null);
      s.setConfig(defaultConfig());
      return true;
    }
    window.history.replaceState(null, '', `${window.location.search}#${hashOf(s)}`);
    return false;
  };
  const lessonId = lessonIdFromHash(hash);
  if (lessonId !== null) {
    const lesson = lessonById(lessonId);
    if (!lesson) return refuse(`There is no lesson "${clip(lessonId, 60)}" (the Lessons menu lists them all)`);
    const progress = storage ? loadLessonProgress(storage, lessonId) : null;
    s.setConfig(progress?.config ?? lessonConfig(lessonId));
    s.setLesson({ id: lessonId, page: progress?.page ?? 0 });
    s.setNotice(progress && progress.page > 0 ? `Welcome back: "${lesson.title}" resumes at page ${progress.page + 1} with your settings.` : null);
    return true;
  }
  const r = decodeConfig(hash);
  if (!r.ok) return refuse(`The link's settings could not be read (${listed(r.errors.map((e) => `${e.path ? `${clip(e.path)}: ` : ''}${e.message}`))})`);
  s.setLesson(null);
  s.setNotice(null);
  s.setConfig(r.config);
  return true;
}

// Classroom mode: from the link (?classroom=1, a teacher's link) or as the learner left it.
const classroomQuery = new URLSearchParams(window.location.search).get('classroom');
appStore.getState().setClassroom(classroomQuery !== null ? classroomQuery !== '0' : storage?.getItem('stp.classroom') === '1');
readHash(true);
// A hash typed or pasted into the address bar of an open playground: read it and rebuild.
window.addEventListener('hashchange', () => {
  if (window.location.hash.replace(/^#/, '') === hashOf(appStore.getState())) return;
  if (readHash(false)) void appStore.getState().session?.rebuild();
});
// Every config or lesson change is mirrored into the hash (replaceState: no history entry per
// slider move); in a lesson, its page and settings are saved so it resumes where it was left.
appStore.subscribe((s, prev) => {
  if (s.config !== prev.config || s.lesson !== prev.lesson) {
    window.history.replaceState(null, '', `${window.location.search}#${hashOf(s)}`);
    if (s.lesson && storage) saveLessonProgress(storage, s.lesson.id, { page: s.lesson.page, config: s.config });
  }
  if (s.classroom !== prev.classroom) storage?.setItem('stp.classroom', s.classroom ? '1' : '0');
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void startGpu();
