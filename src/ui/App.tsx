// The playground page: controls on the left; training controls, predictions and masks in the
// middle; charts below. Keyboard: space play/pause, → step, r reset, ? help.
import { useEffect, useState } from 'react';
import { Charts } from './Charts';
import { ComparePanel } from './ComparePanel';
import { Controls } from './Controls';
import { EnsemblePanel } from './EnsemblePanel';
import { ExportMenu } from './ExportMenu';
import { GpuStatusBadge } from './GpuStatusBadge';
import { LessonPanel } from './LessonPanel';
import { LessonsMenu } from './LessonsMenu';
import { MethodsHelp } from './MethodsHelp';
import { MaskPanel } from './MaskPanel';
import { PhaseTimeline } from './PhaseTimeline';
import { PredictionView } from './PredictionView';
import { RunsPanel } from './RunsPanel';
import { ThemeToggle } from './ThemeToggle';
import { Transport } from './Transport';
import { UnsupportedPage } from './UnsupportedPage';
import { useAppState } from './use-app-state';
import { appStore } from '../state';

function useShortcuts(toggleHelp: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const s = appStore.getState();
      if (e.key === ' ') {
        e.preventDefault();
        if (s.run.status === 'running') s.session?.pause();
        else s.session?.play();
      } else if (e.key === 'ArrowRight') {
        e.preventDefault();
        void s.session?.step();
      } else if (e.key === 'r' || e.key === 'R') {
        void s.session?.rebuild();
      } else if (e.key === '?') {
        toggleHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleHelp]);
}

function Help({ onClose }: { onClose: () => void }) {
  return (
    <div className="help" role="dialog" aria-modal="false" aria-labelledby="help-title">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <dl>
        <dt>Space</dt>
        <dd>play / pause</dd>
        <dt>→</dt>
        <dd>one training step</dd>
        <dt>R</dt>
        <dd>reset (same seed: the same run again)</dd>
        <dt>?</dt>
        <dd>show or hide this help</dd>
      </dl>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}

export function App() {
  const gpu = useAppState((s) => s.gpu);
  const notice = useAppState((s) => s.notice);
  const setNotice = useAppState((s) => s.setNotice);
  const [help, setHelp] = useState(false);
  const [dialog, setDialog] = useState<'lessons' | 'methods' | null>(null);
  const classroom = useAppState((s) => s.classroom);
  const setClassroom = useAppState((s) => s.setClassroom);
  useShortcuts(() => setHelp((h) => !h));
  if (gpu.phase === 'unsupported') return <UnsupportedPage problem={gpu.problem} />;
  return (
    <div className="app">
      <header className="app__header">
        <h1 className="app__title">Sparse Training Playground</h1>
        <p className="app__tagline">Train sparse networks on your GPU and watch their masks evolve.</p>
        <button type="button" className="app__help-button" onClick={() => setDialog(dialog === 'lessons' ? null : 'lessons')} data-testid="lessons-button">
          Lessons
        </button>
        <button type="button" className="app__help-button" onClick={() => setDialog(dialog === 'methods' ? null : 'methods')} data-testid="methods-button">
          Methods
        </button>
        <label className="app__classroom" title="Hide the advanced controls: for teaching">
          <input type="checkbox" checked={classroom} onChange={(e) => setClassroom(e.target.checked)} data-testid="classroom-toggle" /> Classroom mode
        </label>
        <ThemeToggle />
        <button type="button" className="app__help-button" onClick={() => setHelp((h) => !h)} aria-keyshortcuts="?">
          Shortcuts
        </button>
        <GpuStatusBadge />
      </header>
      {help ? <Help onClose={() => setHelp(false)} /> : null}
      {dialog === 'lessons' ? <LessonsMenu onClose={() => setDialog(null)} /> : null}
      {dialog === 'methods' ? <MethodsHelp onClose={() => setDialog(null)} /> : null}
      {notice ? (
        <div className="app__notice" role="status" data-testid="notice">
          {notice}{' '}
          <button type="button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {gpu.phase === 'failed' && gpu.problem ? (
        <div className="app__alert" role="alert">
          <strong>{gpu.problem.message}</strong>
          {gpu.problem.detail ? <pre>{gpu.problem.detail}</pre> : null}
          <button type="button" onClick={() => window.location.reload()}>
            Restart (keeps your settings)
          </button>
        </div>
      ) : null}
      <main className="app__body">
        <aside className="panel panel--controls" aria-label="Controls">
          <h2>Experiment</h2>
          <Controls />
        </aside>
        <section className="panel panel--viz" aria-label="Visualisation">
          <LessonPanel />
          <Transport />
          <PhaseTimeline />
          <div className="viz">
            <div className="viz__predictions">
              <h2>Predictions</h2>
              <PredictionView />
            </div>
            <div className="viz__masks">
              <h2>Masks</h2>
              <MaskPanel />
            </div>
          </div>
        </section>
        <EnsemblePanel />
        <section className="panel panel--charts" aria-label="Charts">
          <div className="charts__head">
            <h2>Training</h2>
            <ExportMenu />
          </div>
          <Charts />
          <RunsPanel />
          <ComparePanel />
        </section>
      </main>
    </div>
  );
}
