import { moons, sgdCosine, wide } from './presets';
import type { Lesson } from './types';

export const lotteryTickets: Lesson = {
  id: 'lottery-tickets',
  title: 'Lottery tickets',
  summary: 'The winning ticket against the same mask re-initialised.',
  config: { version: 1, data: moons, model: wide, sparsity: { target: 0.98, mask: { kind: 'lottery', rounds: 2, rewindStep: 0 } }, dst: { method: 'static' }, training: sgdCosine(40) },
  presetLabel: 'winning ticket',
  variants: [{ id: 'reinit', label: 'same mask, new weights', patch: [['sparsity.mask.reinitControl', true]] }],
  pages: [
    {
      title: 'Finding a ticket',
      body: 'Iterative magnitude pruning trains the dense network, keeps its largest weights, rewinds them to their starting values, and repeats: 2 rounds here, while the page says "lottery round", down to 2 % of the weights. The mask found, with its original initial weights, is the "winning ticket".',
      watch: { testId: 'masks', view: 'the masks' },
    },
    { title: 'Train the ticket', body: 'Press Play: the ticket trains from its original initial weights. Note how fast the loss falls and the test accuracy at the end.', watch: { testId: 'charts', view: 'the loss' } },
    {
      title: 'Same mask, new weights',
      body: 'Now keep the mask but draw fresh initial weights (the ticket is found again first, then re-initialised).',
      apply: { label: 'Re-initialise the ticket', variant: 'reinit' },
      question: {
        ask: 'Does the re-initialised mask train as well as the winning ticket?',
        answer: 'Not as well (on every seed we tested): its loss falls more slowly, with a mean over the first third of training higher by at least 0.05, and it never ends above the ticket, which reaches 95 % or more. The ticket\'s mask and its initial weights were found together: that is the lottery ticket hypothesis (Frankle & Carbin, 2019). On larger networks it needs rewinding to an early step rather than to 0 (Frankle et al., 2020).',
      },
    },
  ],
  claims: [
    { id: 'ticket-learns', says: 'the ticket, which reaches 95 % or more', figure: 'testAccuracy', variant: 'preset', expect: { atLeast: 0.95 } },
    { id: 'ticket-faster', says: 'a mean over the first third of training higher by at least 0.05', figure: 'loss', window: [0, 1 / 3], variant: 'reinit', expect: { above: 'preset', by: 0.05 } },
    { id: 'ticket-not-beaten', says: 'it never ends above the ticket', figure: 'testAccuracy', variant: 'preset', expect: { notBelow: 'reinit' } },
  ],
};
