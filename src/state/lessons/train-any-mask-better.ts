import { moons, sgdCosine, wide } from './presets';
import type { Lesson } from './types';

export const trainAnyMaskBetter: Lesson = {
  id: 'train-any-mask-better',
  title: 'Training any mask better',
  summary: 'Smooth activations and ghost skips rescue a very sparse random mask.',
  config: {
    version: 1,
    data: moons,
    model: wide,
    sparsity: { target: 0.99 },
    dst: { method: 'static' },
    training: sgdCosine(60),
    tost: { smoothActivation: { kind: 'pswish', reluFrom: 0.5 }, ghostSkip: { enabled: true, endFraction: 0.4 } },
  },
  presetLabel: 'static 99 %, with ToST',
  variants: [{ id: 'plain', label: 'static 99 %, plain', patch: [['tost.smoothActivation', { kind: 'off' }], ['tost.ghostSkip.enabled', false]] }],
  pages: [
    {
      title: 'Ghosts that disappear',
      body: 'This random mask keeps 1 % of the connections: 46 of 4,352. So few paths let little gradient through. ToST adds temporary help: smooth activations (swish, turning back into ReLU by half-way) and ghost skip connections (a bypass whose weight α(t) falls to 0 by 40 % of training). The timeline draws both schedules; after them the network is the plain sparse one.',
      watch: { testId: 'phase-timeline', view: 'the timeline' },
    },
    { title: 'Train with the ghosts', body: 'Press Play and watch the loss while the ghosts live, then the test accuracy at the end.', watch: { testId: 'charts', view: 'the loss' } },
    {
      title: 'Without them',
      body: 'Turn both tricks off and train again with the same mask and initial weights (same seed).',
      apply: { label: 'Turn the tricks off', variant: 'plain' },
      question: {
        ask: 'Which run\'s loss falls faster while the ghosts live, and which ends with the higher test accuracy?',
        answer: 'With the tricks, on both counts (on every seed we tested). The mean training loss over the first 40 % of training is lower by at least 0.2, and the test accuracy ends at 80 % or more, at least 15 points above the plain run, which ends at 75 % or less (a coin toss gets half of the moons right). The mask is the same: what changed is how gradients reach it early on (Jaiswal et al., 2022).',
      },
    },
  ],
  claims: [
    { id: 'budget', says: '46 of 4,352', figure: 'activeTotal', variant: 'preset', expect: { exactly: 46 } },
    { id: 'faster-start', says: 'the mean training loss over the first 40 % of training is lower by at least 0.2', figure: 'loss', window: [0, 0.4], variant: 'preset', expect: { below: 'plain', by: 0.2 } },
    { id: 'tost-learns', says: 'the test accuracy ends at 80 % or more', figure: 'testAccuracy', variant: 'preset', expect: { atLeast: 0.8 } },
    { id: 'plain-barely-trains', says: 'the plain run, which ends at 75 % or less', figure: 'testAccuracy', variant: 'plain', expect: { atMost: 0.75 } },
    { id: 'tost-better', says: 'at least 15 points above the plain run', figure: 'testAccuracy', variant: 'plain', expect: { below: 'preset', by: 0.15 } },
  ],
};
