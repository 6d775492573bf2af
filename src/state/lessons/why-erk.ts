import { sgdCosine, spiral, wide } from './presets';
import type { Lesson } from './types';

export const whyErk: Lesson = {
  id: 'why-erk',
  title: 'Why ERK?',
  summary: 'How the sparsity is split across layers matters.',
  config: { version: 1, data: spiral, model: wide, sparsity: { target: 0.95, distribution: { kind: 'uniform', denseFirst: false } }, dst: { method: 'rigl', deltaT: 25 }, training: sgdCosine(150) },
  presetLabel: 'uniform 95 %',
  variants: [{ id: 'erk', label: 'ERK 95 %', patch: [['sparsity.distribution', { kind: 'erk' }]] }],
  pages: [
    {
      title: 'Uniform: every layer 95 % sparse',
      body: 'The first layer has 2 × 64 = 128 weights. At 5 % density it keeps 7 of them: the two inputs reach only a handful of the 64 hidden units. Look at its density, press Play, and expect this run to fall short.',
      watch: { testId: 'masks', view: 'the layer densities' },
    },
    {
      title: 'ERK',
      body: 'Erdős–Rényi-Kernel gives each layer a density proportional to (fan-in + fan-out) / (fan-in × fan-out): small layers stay denser, the big middle layer gets sparser, and the total stays 5 %.',
      apply: { label: 'Switch to ERK', variant: 'erk' },
      watch: { testId: 'masks', view: 'the layer densities' },
    },
    {
      title: 'Compare',
      body: 'Train both; the table of runs puts them side by side.',
      question: {
        ask: 'How many active weights does the first layer keep under uniform, and under ERK? Which trains better?',
        answer: 'Uniform keeps 7 of the first layer\'s 128 weights, ERK 56, from the same total of 222. Under uniform the first layer is a bottleneck and the spiral is learned only in part (70 % or less); with ERK the test accuracy ends at 90 % or more, at least 25 points higher (on every seed we tested): the same budget, spent where it is needed.',
      },
    },
  ],
  claims: [
    { id: 'uniform-first-layer', says: 'uniform keeps 7 of the first layer\'s 128 weights', figure: 'firstLayerActive', variant: 'preset', expect: { exactly: 7 } },
    { id: 'erk-first-layer', says: 'ERK 56', figure: 'firstLayerActive', variant: 'erk', expect: { exactly: 56 } },
    { id: 'uniform-budget', says: 'the same total of 222', figure: 'activeTotal', variant: 'preset', expect: { exactly: 222 } },
    { id: 'erk-budget', says: 'the same total of 222', figure: 'activeTotal', variant: 'erk', expect: { exactly: 222 } },
    { id: 'uniform-falls-short', says: 'the spiral is learned only in part (70 % or less)', figure: 'testAccuracy', variant: 'preset', expect: { atMost: 0.7 } },
    { id: 'erk-learns', says: 'with ERK the test accuracy ends at 90 % or more', figure: 'testAccuracy', variant: 'erk', expect: { atLeast: 0.9 } },
    { id: 'erk-better', says: 'at least 25 points higher', figure: 'testAccuracy', variant: 'erk', expect: { above: 'preset', by: 0.25 } },
  ],
};
