// When a view was computed, said on the view itself (reliability issue, item 5). A view that
// follows training (the decision boundary, about once a second) carries its step; one that is
// measured only on pause, at the end and at a build (the image predictions and the confusion
// matrix over the whole test set, the ensemble's member table and reliability diagram) is greyed
// while the run has moved on, and says when it will be measured again.
import type { ReactNode } from 'react';
import { useAppState } from './use-app-state';

interface Props {
  step: number;
  /** What the view shows, for the sentence: "Test-set predictions". */
  what: string;
  /** Follows training on its own: carries its step, never greyed. */
  live?: boolean;
  testId: string;
  /** Lay the children side by side (wrapping). */
  row?: boolean;
  children: ReactNode;
}

export function ViewStep({ step, what, live = false, testId, row = false, children }: Props) {
  const now = useAppState((s) => s.run.step);
  const stale = !live && step !== now;
  return (
    <div className={`view-step ${row ? 'view-step--row' : ''} ${stale ? 'view-step--stale' : ''}`} data-testid={testId} data-step={step} data-stale={stale}>
      <p className="view-step__note">{stale ? `${what} from step ${step}; the run is at step ${now}. Measured again when you pause.` : `${what} at step ${step}.`}</p>
      <div className="view-step__body">{children}</div>
    </div>
  );
}
