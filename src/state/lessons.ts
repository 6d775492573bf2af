// Guided lessons: each sets a preset, says in plain words what to watch and why, points at the
// view that shows it, offers the changes to try (one click each), and asks a question the learner
// answers by playing, with what they should see. Budgets are short: every lesson runs in about a
// minute on a laptop GPU (and on the test machine's software renderer). A lesson opens from its
// URL (#lesson/<id>); leaving keeps its page and settings, so it resumes where it was left.

export interface LessonPage {
  title: string;
  body: string;
  /** The view to look at: its data-testid and a name for the "Show me" button. */
  watch?: { testId: string; view: string };
  /** A change to try: config fields (dotted paths) and their new values. */
  apply?: { label: string; patch: [string, unknown][] };
  question?: { ask: string; answer: string };
}

export interface Lesson {
  id: string;
  title: string;
  summary: string;
  /** The preset: an experiment-config input (defaults fill the rest). */
  config: Record<string, unknown>;
  pages: LessonPage[];
}

const spiral = { dataset: 'spiral' };
const short = { epochs: 30 };

export const LESSONS: readonly Lesson[] = [
  {
    id: 'what-is-sparse',
    title: 'What is a sparse network?',
    summary: 'Most weights are exactly zero, and the network still learns.',
    config: { version: 1, data: spiral, sparsity: { target: 0.8 }, dst: { method: 'rigl', deltaT: 50 }, training: short },
    pages: [
      { title: 'Four connections in five are missing', body: 'This network is 80 % sparse: only one possible connection in five exists. Each mask heatmap is one layer, a row per unit and a column per input; a coloured cell is a connection that exists, an empty one is a weight fixed at zero.', watch: { testId: 'masks', view: 'the masks' } },
      { title: 'Train it', body: 'Press Play. The decision boundary takes the shape of the spiral although most weights are zero: a sparse network can represent it.', watch: { testId: 'boundary', view: 'the decision boundary' } },
      { title: 'Make it sparser while it trains', body: 'Drag the sparsity slider to 95 %. At the next mask update every layer drops connections to reach its new target exactly: watch the density and the count of active connections fall.', watch: { testId: 'mask-summary', view: 'the mask summary' }, apply: { label: 'Set 95 % and reset', patch: [['sparsity.target', 0.95]] } },
      { title: 'How far can it go?', body: 'Reset and train at a few sparsities.', question: { ask: 'At which sparsity does the spiral stop being learned: 90 %, 95 % or 98 %?', answer: 'At 90 % it is still learned well. Near 98 % the hidden layers keep only a few dozen connections and the test accuracy drops: past some sparsity the network lacks the capacity, however it is trained.' } },
    ],
  },
  {
    id: 'static-vs-dynamic',
    title: 'Static against dynamic sparsity',
    summary: 'A fixed random mask, or one that keeps changing?',
    config: { version: 1, data: spiral, sparsity: { target: 0.9 }, dst: { method: 'static' }, training: short },
    pages: [
      { title: 'A fixed random mask', body: 'Static sparse training picks a random mask at the start and never changes it. Press Play and note the test accuracy at the end.', watch: { testId: 'accuracy', view: 'the accuracy' } },
      { title: 'Let the mask move', body: 'SET drops the weakest connections every ΔT steps and grows as many new ones at random. The mask view marks just-grown cells in green and just-pruned ones in orange.', watch: { testId: 'masks', view: 'the masks' }, apply: { label: 'Switch to SET', patch: [['dst.method', 'set'], ['dst.deltaT', 25]] } },
      { title: 'Connections ever tried', body: 'The "ever active (ITOP)" line counts the connections that have existed at any point. A static mask stays at its density; a dynamic one explores far beyond it.', watch: { testId: 'charts', view: 'the charts' }, question: { ask: 'Which reaches the higher test accuracy at 90 % sparsity, and which has the higher ITOP rate?', answer: 'SET: by trying many connections over the run (its ITOP rate climbs well above 10 %) it finds a better one-in-ten than a random draw. This is the in-time over-parameterisation argument.' } },
    ],
  },
  {
    id: 'set-vs-rigl',
    title: 'SET against RigL',
    summary: 'Grow at random, or where the gradient is largest?',
    config: { version: 1, data: spiral, sparsity: { target: 0.95 }, dst: { method: 'set', deltaT: 25 }, training: short },
    pages: [
      { title: 'Random growth', body: 'SET regrows connections at random positions. Press Play and watch the ITOP rate and the test accuracy.', watch: { testId: 'charts', view: 'the charts' } },
      { title: 'Gradient growth', body: 'RigL regrows where the gradient of the loss is largest: the connections that would lower the loss fastest if they existed.', apply: { label: 'Switch to RigL', patch: [['dst.method', 'rigl']] }, watch: { testId: 'masks', view: 'the masks' } },
      { title: 'Compare', body: 'Train both to the end (same seed, so the same data and first mask).', question: { ask: 'Which one tries more connections (higher ITOP), and which reaches the higher accuracy at 95 %?', answer: 'SET explores more: random growth keeps trying new places, so its ITOP rises faster. RigL usually reaches the higher accuracy: its new connections are chosen to matter. Exploring more is not the same as exploring well.' } },
    ],
  },
  {
    id: 'why-erk',
    title: 'Why ERK?',
    summary: 'How the sparsity is split across layers matters.',
    config: { version: 1, data: spiral, sparsity: { target: 0.95, distribution: { kind: 'uniform', denseFirst: false } }, dst: { method: 'rigl', deltaT: 25 }, training: short },
    pages: [
      { title: 'Uniform: every layer 95 % sparse', body: 'The first layer has only 2 × 32 = 64 weights. At 5 % density it keeps 3 of them: two inputs feed 32 units through 3 connections. Look at its density and press Play.', watch: { testId: 'masks', view: 'the layer densities' } },
      { title: 'ERK', body: 'Erdős–Rényi-Kernel gives each layer a density proportional to (fan-in + fan-out) / (fan-in × fan-out): small layers stay dense, the big middle layer gets sparser, and the total stays 5 %.', apply: { label: 'Switch to ERK', patch: [['sparsity.distribution', { kind: 'erk' }]] }, watch: { testId: 'masks', view: 'the layer densities' } },
      { title: 'Compare', body: 'Train both.', question: { ask: 'How many active weights does the first layer keep under uniform, and under ERK? Which trains better?', answer: 'Uniform keeps 3, ERK keeps all 64 (its density for a 2-input layer is above 1, capped at dense). With uniform the first layer is a bottleneck and the spiral is not learned; ERK spends the same budget where it is needed.' } },
    ],
  },
  {
    id: 'free-tickets',
    title: 'Free tickets: an ensemble from one run',
    summary: 'EDST turns one sparse run into several different members.',
    config: { version: 1, data: spiral, sparsity: { target: 0.8 }, dst: { method: 'rigl', deltaT: 26 }, training: { epochs: 30, schedule: { kind: 'constant' } }, ensemble: { mode: 'edst', members: 3, explorationEpochs: 12, exploreRate: 0.8 } },
    pages: [
      { title: 'One run, three phases', body: 'The timeline shows EDST: an exploration phase, then three refinement phases at lower learning rates; the best checkpoint of each becomes a member. Before phases 2 and 3 (dashed lines) a global exploration prunes 80 % of every layer\'s weights and regrows as many.', watch: { testId: 'phase-timeline', view: 'the timeline' } },
      { title: 'Watch them part', body: 'Press Play. In function space the run jumps at each global exploration, and each member settles somewhere else. The heatmaps compare the members: how often they disagree, and how different their masks are.', watch: { testId: 'ensemble-panel', view: 'the ensemble panel' } },
      { title: 'Without the jumps', body: 'Set the global exploration rate to 0: the members are then snapshots of one run.', apply: { label: 'Set q = 0', patch: [['ensemble.exploreRate', 0]] }, question: { ask: 'With q = 0, is the mask distance between members larger or smaller than with q = 0.8? What happens to the ensemble\'s gain over its members?', answer: 'Smaller: without the big prune-and-regrow the members share most of their connections and disagree less, so averaging them helps less. Diversity is what an ensemble is made of.' } },
    ],
  },
  {
    id: 'train-any-mask-better',
    title: 'Training any mask better',
    summary: 'Smooth activations and ghost skips help a very sparse network start.',
    config: { version: 1, data: spiral, sparsity: { target: 0.95 }, dst: { method: 'static' }, training: short, tost: { smoothActivation: { kind: 'pswish', reluFrom: 0.5 }, ghostSkip: { enabled: true, endFraction: 0.4 } } },
    pages: [
      { title: 'Ghosts that disappear', body: 'At 95 % sparsity a random mask leaves few paths for the gradient. ToST adds temporary help: smooth activations (swish, turning back into ReLU) and ghost skip connections (a bypass whose weight α(t) falls to 0). The timeline draws both schedules; after them the network is the plain sparse one.', watch: { testId: 'phase-timeline', view: 'the timeline' } },
      { title: 'Train with the ghosts', body: 'Press Play and watch the loss in the first third of training.', watch: { testId: 'charts', view: 'the loss' } },
      { title: 'Without them', body: 'Turn both tricks off and train again with the same mask (same seed).', apply: { label: 'Turn the tricks off', patch: [['tost.smoothActivation', { kind: 'off' }], ['tost.ghostSkip.enabled', false]] }, question: { ask: 'Which run\'s loss falls faster early on, and which ends with the higher test accuracy?', answer: 'With the ghosts the loss usually falls faster early: gradients reach more weights. Whether the final accuracy is higher depends on the mask and seed; the paper reports gains at extreme sparsity. Try another seed.' } },
    ],
  },
  {
    id: 'lottery-tickets',
    title: 'Lottery tickets',
    summary: 'The winning ticket against the same mask re-initialised.',
    config: { version: 1, data: spiral, model: { kind: 'mlp', hidden: [32, 32] }, sparsity: { target: 0.8, mask: { kind: 'lottery', rounds: 2, rewindStep: 0 } }, dst: { method: 'static' }, training: { epochs: 15 } },
    pages: [
      { title: 'Finding a ticket', body: 'Iterative magnitude pruning trains the dense network, keeps its largest weights, rewinds them to their starting values, and repeats (2 rounds here, while the page says "lottery round"). The mask found with its original initial weights is the "winning ticket".', watch: { testId: 'masks', view: 'the masks' } },
      { title: 'Train the ticket', body: 'Press Play and note the test accuracy at the end.', watch: { testId: 'accuracy', view: 'the accuracy' } },
      { title: 'Same mask, new weights', body: 'Now keep the mask but draw fresh initial weights.', apply: { label: 'Re-initialise the ticket', patch: [['sparsity.mask.reinitControl', true]] }, question: { ask: 'Does the re-initialised mask train as well as the winning ticket?', answer: 'Usually not as well: the ticket\'s mask and its initial weights were found together. That is the lottery ticket hypothesis; on larger networks it needs rewinding to an early step rather than to 0.' } },
    ],
  },
];

export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}

/** The lesson a URL hash opens ("lesson/<id>"), null for other hashes. */
export function lessonIdFromHash(hash: string): string | null {
  const m = /^#?lesson\/([a-z0-9-]+)$/.exec(hash.trim());
  return m ? m[1]! : null;
}
