// The page layout that the UI issues fill in: controls on the left, the main visualisation in
// the middle, charts below. Until the engine lands, each region says what will appear there.
import { GpuStatusBadge } from './GpuStatusBadge';
import { UnsupportedPage } from './UnsupportedPage';
import { useAppState } from './use-app-state';

export function App() {
  const gpu = useAppState((s) => s.gpu);
  if (gpu.phase === 'unsupported') return <UnsupportedPage problem={gpu.problem} />;
  return (
    <div className="app">
      <header className="app__header">
        <h1 className="app__title">Sparse Training Playground</h1>
        <p className="app__tagline">Train sparse networks on your GPU and watch their masks evolve.</p>
        <GpuStatusBadge />
      </header>
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
          <p className="panel__placeholder">Dataset, model, sparsity and training controls arrive with the engine.</p>
        </aside>
        <section className="panel panel--viz" aria-label="Visualisation">
          <h2>Masks</h2>
          <p className="panel__placeholder">Live mask heatmaps and the decision boundary are drawn here.</p>
        </section>
        <section className="panel panel--charts" aria-label="Charts">
          <h2>Training</h2>
          <p className="panel__placeholder">Loss, accuracy, density and FLOPs charts appear here.</p>
        </section>
      </main>
    </div>
  );
}
