// When a view was computed, said on the view itself (reliability issue, item 5): a view measured
// only on pause, at the end and at a build (the image predictions and the confusion matrix over
// the whole test set, the ensemble's member table and reliability diagram) is greyed while the
// run has moved on, and says when it will be measured again. (The decision boundary follows
// training about once a second and just carries its step, in PredictionView.)
import type { ReactNode } from 'react';
import { useAppState } from './use-app-state';

interface Props {
  step: number;
  /** What the view shows, for the sentence: "Test-set predictions". */
  what: string;
  testId: string;
  /** Lay the children side by side (wrapping). */
  row?: boolean;
  children: ReactNode;
}

export function ViewStep({ step, what, testId, row = false, children }: Props) {
  const now = useAppState((s) => s.run.step);
  const stale = step !== now;
  return (
    <div className={`view-step ${row ? 'view-step--row' : ''} ${stale ? 'view-step--stale' : ''}`} data-testid={testId} data-step={step} data-stale={stale}>
      <p className="view-step__note">{stale ? `${what} from step ${step}; the run is at step ${now}. Measured again when you pause.` : `${what} at step ${step}.`}</p>
      <div className="view-step__body">{children}</div>
    </div>
  );
}
