import { wide } from './presets';
import type { Lesson } from './types';

export const freeTickets: Lesson = {
  id: 'free-tickets',
  title: 'Free tickets: an ensemble from one run',
  summary: 'EDST turns one sparse run into several different members.',
  // 1,200 points so the test set (360) resolves differences of a fraction of a point.
  config: {
    version: 1,
    data: { dataset: 'spiral', points: 1200, test: 0.3 },
    model: wide,
    sparsity: { target: 0.9 },
    dst: { method: 'rigl', deltaT: 25 },
    training: { epochs: 100, optimizer: { kind: 'sgd', lr: 0.1 }, schedule: { kind: 'constant' } },
    ensemble: { mode: 'edst', members: 3, explorationEpochs: 40, exploreRate: 0.8 },
  },
  presetLabel: 'EDST, q = 0.8',
  variants: [{ id: 'q0', label: 'EDST, q = 0', patch: [['ensemble.exploreRate', 0]] }],
  pages: [
    {
      title: 'One run, three phases',
      body: 'The timeline shows EDST (Liu et al., 2022): an exploration phase, then three refinement phases at lower learning rates; the best checkpoint of each becomes a member. Before phases 2 and 3 (dashed lines) a global exploration prunes 80 % of every layer\'s active weights and regrows as many elsewhere.',
      watch: { testId: 'phase-timeline', view: 'the timeline' },
    },
    {
      title: 'Watch them part',
      body: 'Press Play. In function space the run jumps at each global exploration, and each member settles somewhere else. The heatmaps compare the members: how often they disagree, and how different their masks are. When it ends, the member table gives each member\'s test accuracy, the ensemble\'s, and what the whole ensemble cost to train.',
      watch: { testId: 'ensemble-panel', view: 'the ensemble panel' },
    },
    {
      title: 'Without the jumps',
      body: 'Set the global exploration rate q to 0: the members are then snapshots of one run that only keeps its regular RigL updates.',
      apply: { label: 'Set q = 0', variant: 'q0' },
      question: {
        ask: 'With q = 0, is the mask distance between members larger or smaller than with q = 0.8? Do they disagree more or less?',
        answer: 'Smaller, and less (on every seed we tested): without the big prune-and-regrow the members share more of their connections (the mask distance drops by at least 0.05 from 0.25 or more) and disagree on fewer test points. The ensemble here is right on 97 % of the test points or more, so averaging adds little, though it never ended below its members\' mean; on harder problems that diversity is what an ensemble is made of. All three members together cost under 0.15 of the training FLOPs of one dense model.',
      },
    },
  ],
  claims: [
    { id: 'ensemble-learns', says: 'the ensemble here is right on 97 % of the test points or more', figure: 'ensembleAccuracy', variant: 'preset', expect: { atLeast: 0.97 } },
    { id: 'members-differ', says: 'from 0.25 or more', figure: 'maskDistance', variant: 'preset', expect: { atLeast: 0.25 } },
    { id: 'jumps-part-masks', says: 'the mask distance drops by at least 0.05', figure: 'maskDistance', variant: 'q0', expect: { below: 'preset', by: 0.05 } },
    { id: 'jumps-part-functions', says: 'disagree on fewer test points', figure: 'disagreement', variant: 'q0', expect: { below: 'preset', by: 0 } },
    { id: 'averaging-never-hurts', says: 'averaging adds little, though it never ended below its members\' mean', figure: 'ensembleGain', variant: 'preset', expect: { atLeast: 0 } },
    { id: 'cheap', says: 'all three members together cost under 0.15 of the training FLOPs of one dense model', figure: 'trainFlopsRatio', variant: 'preset', expect: { atMost: 0.15 } },
  ],
};
