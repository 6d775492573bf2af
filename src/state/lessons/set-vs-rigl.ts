import { sgdCosine, spiral, wide } from './presets';
import type { Lesson } from './types';

export const setVsRigl: Lesson = {
  id: 'set-vs-rigl',
  title: 'SET against RigL',
  summary: 'Grow at random, or where the gradient is largest?',
  config: { version: 1, data: spiral, model: wide, sparsity: { target: 0.95 }, dst: { method: 'set', deltaT: 25 }, training: sgdCosine(150) },
  presetLabel: 'SET at 95 %',
  variants: [{ id: 'rigl', label: 'RigL at 95 %', patch: [['dst.method', 'rigl']] }],
  pages: [
    { title: 'Random growth', body: 'SET regrows connections at random positions. Press Play and watch the ITOP rate and the test accuracy.', watch: { testId: 'charts', view: 'the charts' } },
    {
      title: 'Gradient growth',
      body: 'RigL regrows where the gradient of the loss is largest: the connections that would lower the loss fastest if they existed. Same seed, so the same data and the same first mask.',
      apply: { label: 'Switch to RigL', variant: 'rigl' },
      watch: { testId: 'masks', view: 'the masks' },
    },
    {
      title: 'Compare',
      body: 'Train both to the end; the table of runs puts their figures side by side.',
      question: {
        ask: 'Which one tries more connections (higher ITOP), and which reaches the higher accuracy at 95 %?',
        answer: 'SET explores more: random growth keeps trying new places, so its ITOP rate ends at least 10 points above RigL\'s, and it learns most of the spiral (70 % or more). RigL reaches the higher accuracy, 90 % or more and above SET\'s (on every seed we tested): its new connections are the ones the gradient says matter. Exploring more is not the same as exploring well.',
      },
    },
  ],
  claims: [
    { id: 'set-explores-more', says: 'its ITOP rate ends at least 10 points above RigL\'s', figure: 'itop', variant: 'preset', expect: { above: 'rigl', by: 0.1 } },
    { id: 'rigl-learns', says: 'RigL reaches the higher accuracy, 90 % or more', figure: 'testAccuracy', variant: 'rigl', expect: { atLeast: 0.9 } },
    { id: 'rigl-better', says: 'and above SET\'s', figure: 'testAccuracy', variant: 'rigl', expect: { above: 'preset', by: 0.02 } },
    { id: 'set-learns', says: 'it learns most of the spiral (70 % or more)', figure: 'testAccuracy', variant: 'preset', expect: { atLeast: 0.7 } },
  ],
};
