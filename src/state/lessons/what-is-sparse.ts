import { sgdCosine, spiral, wide } from './presets';
import type { Lesson } from './types';

export const whatIsSparse: Lesson = {
  id: 'what-is-sparse',
  title: 'What is a sparse network?',
  summary: 'Most weights are exactly zero, and the network still learns.',
  config: { version: 1, data: spiral, model: wide, sparsity: { target: 0.9 }, dst: { method: 'rigl', deltaT: 50 }, training: sgdCosine(150) },
  presetLabel: 'RigL at 90 %',
  variants: [{ id: 'sparse98', label: 'RigL at 98 %', patch: [['sparsity.target', 0.98]] }],
  pages: [
    {
      title: 'Nine connections in ten are missing',
      body: 'This network has 2 inputs, two hidden layers of 64 units and 3 outputs: 4,416 possible connections. It is 90 % sparse, so only 443 of them exist. Each mask heatmap is one layer, a row per unit and a column per input; a coloured cell is a connection that exists, an empty one is a weight fixed at zero.',
      watch: { testId: 'masks', view: 'the masks' },
    },
    { title: 'Train it', body: 'Press Play. The decision boundary takes the shape of the three spiral arms although nine weights in ten are zero.', watch: { testId: 'boundary', view: 'the decision boundary' } },
    {
      title: 'How far can it go?',
      body: 'Now train the same network at 98 % sparsity: 90 connections in all. The table of runs keeps the 90 % run beside it.',
      apply: { label: 'Train at 98 %', variant: 'sparse98' },
      question: {
        ask: 'Is the spiral still learned at 98 %?',
        answer: 'No. At 90 % the test accuracy ended at 95 % or more; at 98 % it ends at least 15 points lower (on every seed we tested). With 90 connections for three arms the network lacks the capacity, however well it is trained: sparsity is free only up to a point.',
      },
    },
    {
      title: 'Make it sparser while it trains',
      body: 'Press Reset and Play, and while it trains drag the sparsity slider to 95 %. At the next mask update every layer drops connections to reach its new target exactly: watch the density and the count of active connections fall. A run changed while it trains is yours, not the lesson\'s: it does not join the table of runs.',
      watch: { testId: 'mask-summary', view: 'the mask summary' },
    },
  ],
  claims: [
    { id: 'active-at-90', says: 'only 443 of them exist', figure: 'activeTotal', variant: 'preset', expect: { exactly: 443 } },
    { id: 'learns-at-90', says: 'at 90 % the test accuracy ended at 95 % or more', figure: 'testAccuracy', variant: 'preset', expect: { atLeast: 0.95 } },
    { id: 'active-at-98', says: '98 % sparsity: 90 connections in all', figure: 'activeTotal', variant: 'sparse98', expect: { exactly: 90 } },
    { id: 'fails-at-98', says: 'at 98 % it ends at least 15 points lower', figure: 'testAccuracy', variant: 'sparse98', expect: { below: 'preset', by: 0.15 } },
  ],
};
