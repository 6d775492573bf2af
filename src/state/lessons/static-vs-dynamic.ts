import { sgdCosine, spiral, wide } from './presets';
import type { Lesson } from './types';

export const staticVsDynamic: Lesson = {
  id: 'static-vs-dynamic',
  title: 'Static against dynamic sparsity',
  summary: 'A fixed random mask, or one that keeps changing?',
  config: { version: 1, data: spiral, model: wide, sparsity: { target: 0.95 }, dst: { method: 'static', deltaT: 25 }, training: sgdCosine(150) },
  presetLabel: 'static at 95 %',
  variants: [{ id: 'set', label: 'SET at 95 %', patch: [['dst.method', 'set']] }],
  pages: [
    {
      title: 'A fixed random mask',
      body: 'Static sparse training draws a random mask at the start and never changes it. This one keeps 5 % of the connections (222 of 4,416). Press Play and note the test accuracy at the end: at this sparsity a fixed random mask is expected to fall short of the spiral.',
      watch: { testId: 'accuracy', view: 'the accuracy' },
    },
    {
      title: 'Let the mask move',
      body: 'SET drops the weakest connections every 25 steps and grows as many new ones at random places. The mask view marks just-grown cells in green and just-pruned ones in orange. Same seed, so the same data and the same first mask.',
      watch: { testId: 'masks', view: 'the masks' },
      apply: { label: 'Switch to SET', variant: 'set' },
    },
    {
      title: 'Connections ever tried',
      body: 'The "ever active (ITOP)" line counts the connections that have existed at any point. A static mask stays at its density; a dynamic one explores far beyond it.',
      watch: { testId: 'charts', view: 'the charts' },
      question: {
        ask: 'Which reaches the higher test accuracy at 95 % sparsity, and which has the higher ITOP rate?',
        answer: 'SET, on both counts (on every seed we tested). Its ITOP rate climbs at least 15 points above the static mask\'s 5 %, and its test accuracy ends at least 15 points higher, at 70 % or more. By trying many connections during the run it finds a far better one-in-twenty than a random draw: the in-time over-parameterisation argument (Liu et al., 2021).',
      },
    },
  ],
  claims: [
    { id: 'budget', says: '222 of 4,416', figure: 'activeTotal', variant: 'preset', expect: { exactly: 222 } },
    { id: 'static-itop', says: 'a static mask stays at its density ... the static mask\'s 5 %', figure: 'itop', variant: 'preset', expect: { atMost: 0.051 } },
    { id: 'set-explores', says: 'its ITOP rate climbs at least 15 points above the static mask\'s', figure: 'itop', variant: 'set', expect: { above: 'preset', by: 0.15 } },
    { id: 'set-better', says: 'its test accuracy ends at least 15 points higher', figure: 'testAccuracy', variant: 'set', expect: { above: 'preset', by: 0.15 } },
    { id: 'static-falls-short', says: 'a fixed random mask is expected to fall short of the spiral', figure: 'testAccuracy', variant: 'preset', expect: { atMost: 0.65 } },
    { id: 'set-learns', says: 'at 70 % or more', figure: 'testAccuracy', variant: 'set', expect: { atLeast: 0.7 } },
  ],
};
