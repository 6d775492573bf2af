// What a lesson is made of: its preset and the variants it compares, its pages, and its claims:
// the statements its pages make about what the runs show, written as data so the lesson tier
// (tests/lessons) trains every run on three seeds and checks each one (src/state/lesson-claims.ts).
// A page's answer may quote a measured figure only where a claim checks it.

export interface LessonPage {
  title: string;
  body: string;
  /** The view to look at: its data-testid and a name for the "Show me" button. */
  watch?: { testId: string; view: string };
  /** A run to try: one click sets the preset with this variant's changes and resets. */
  apply?: { label: string; variant: string };
  question?: { ask: string; answer: string };
}

/** One run a lesson compares: the preset with some config fields (dotted paths) changed. */
export interface LessonVariant {
  id: string;
  /** What the learner calls it in the lesson's table of runs ("SET at 95 %"). */
  label: string;
  patch: [string, unknown][];
}

/** The figures a claim can be about; all are read off a finished run (src/ensemble/run-figures.ts). */
export type LessonFigure =
  /** Final test accuracy, mean over the models training (the accuracy the transport shows). */
  | 'testAccuracy'
  /** Share of maskable weights ever active (the ITOP line). */
  | 'itop'
  /** Mean training loss over the claim's `window` of the run (fractions of its steps). */
  | 'loss'
  /** Active connections of the first weight layer, and of all layers. */
  | 'firstLayerActive'
  | 'activeTotal'
  /** Ensembles: the test-set report of the member table. */
  | 'ensembleAccuracy'
  | 'ensembleGain'
  | 'disagreement'
  | 'kl'
  | 'maskDistance'
  | 'trainFlopsRatio';

/**
 * How the figure must relate: to a number, or to the same figure of another variant (`above` /
 * `below` by more than `by`; `notBelow`: at least as large).
 */
export type ClaimExpectation =
  | { atLeast: number }
  | { atMost: number }
  | { exactly: number }
  | { above: string; by: number }
  | { below: string; by: number }
  | { notBelow: string };

export interface LessonClaim {
  id: string;
  /** The lesson's words this claim backs. */
  says: string;
  figure: LessonFigure;
  /** The run the figure is read from: 'preset' or a variant id. */
  variant: string;
  /** For 'loss': the stretch of training, as fractions of the run's steps. */
  window?: [number, number];
  expect: ClaimExpectation;
}

export interface Lesson {
  id: string;
  title: string;
  summary: string;
  /** The preset: an experiment-config input (defaults fill the rest). */
  config: Record<string, unknown>;
  /** What the preset's run is called in the table of runs. */
  presetLabel: string;
  variants: LessonVariant[];
  pages: LessonPage[];
  claims: LessonClaim[];
}
