// The ensemble panel: how the members drift apart while they train. Pairwise heatmaps of
// prediction disagreement, KL and mask distance at the latest snapshot; divergence and spectral
// gaps over time; function-space trajectories; each member's decision boundary and mask with
// their overlap; and, on pause or at the end, the member table and the reliability diagram.
import { DivergenceCharts } from './ensemble/DivergenceCharts';
import { MemberBoundaries } from './ensemble/MemberBoundaries';
import { MemberMasks } from './ensemble/MemberMasks';
import { MemberTable } from './ensemble/MemberTable';
import { PairHeatmap } from './ensemble/PairHeatmap';
import { Reliability } from './ensemble/Reliability';
import { Trajectories } from './ensemble/Trajectories';
import { useAppState } from './use-app-state';
import { ViewStep } from './ViewStep';

export function EnsemblePanel() {
  const e = useAppState((s) => s.views.ensemble);
  const mode = useAppState((s) => s.config.ensemble.mode);
  const layerNames = useAppState((s) => s.run.layerNames);
  if (!e) return null;
  const last = e.snapshots.at(-1);
  const members = last?.labels.length ?? 0;
  return (
    <section className="panel panel--ensemble" aria-label="Ensemble" data-testid="ensemble-panel">
      <h2>Ensemble</h2>
      <p className="panel__note" data-testid="ensemble-status">
        {members === 0
          ? mode === 'edst'
            ? 'EDST is exploring: the first member is taken from the first refinement phase.'
            : 'Waiting for the first snapshot…'
          : `${members} member${members === 1 ? '' : 's'} at step ${last!.step} (${last!.phase})${last!.accuracy !== null ? `: probe accuracy ${(last!.accuracy * 100).toFixed(1)} % for the ensemble, ${last!.memberAccuracy.map((a) => `${(a * 100).toFixed(1)} %`).join(', ')} for the members` : ''}.`}
      </p>
      {last && members > 1 ? (
        <div className="ensemble__heatmaps">
          <PairHeatmap title="Prediction disagreement" labels={last.labels} matrix={last.disagreementMatrix} max={1} testId="heatmap-disagreement" />
          <PairHeatmap title="KL divergence (row → column)" labels={last.labels} matrix={last.klMatrix} testId="heatmap-kl" />
          {last.maskMatrix.length > 0 ? <PairHeatmap title="Mask distance (Jaccard)" labels={last.labels} matrix={last.maskMatrix} max={1} testId="heatmap-mask" /> : null}
        </div>
      ) : null}
      {e.boundaries ? <MemberBoundaries labels={e.boundaries.labels} views={e.boundaries.views} /> : null}
      <div className="ensemble__row">
        {e.trajectories ? <Trajectories view={e.trajectories} edst={mode === 'edst'} /> : null}
        {e.result ? (
          <ViewStep step={e.result.step} what="Member table and reliability diagram (test set)" testId="ensemble-result-step" row>
            <Reliability bins={e.result.reliability} ece={e.result.ensemble.ece} />
            <MemberTable result={e.result} />
          </ViewStep>
        ) : (
          <p className="panel__note">The member table and reliability diagram are measured on the test set when you pause and at the end.</p>
        )}
      </div>
      {e.snapshots.length > 1 ? <DivergenceCharts snapshots={e.snapshots} layerNames={layerNames} /> : null}
      {e.memberMasks ? <MemberMasks view={e.memberMasks} /> : null}
    </section>
  );
}
