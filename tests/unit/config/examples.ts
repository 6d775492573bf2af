// Example configs shared by the config tests and quoted in docs/CONFIG.md (keep them in sync:
// docs.test.ts checks that each one appears there verbatim as JSON).

/** FreeTickets EDST (docs/METHODS.md §2.2) at browser scale on Fashion-MNIST. */
export const EDST_FASHION = {
  version: 1,
  seed: 18,
  data: { dataset: 'fashion-mnist' },
  model: { kind: 'lenet-300-100' },
  sparsity: { target: 0.8 },
  dst: { method: 'rigl', deltaT: 1000, tEndFraction: 1 },
  training: {
    epochs: 30,
    batchSize: 128,
    optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.0005 },
    schedule: { kind: 'constant' },
  },
  ensemble: { mode: 'edst', members: 3, explorationEpochs: 12, exploreRate: 0.8, drop: 'constant-0.5' },
} as const;

/** Lottery ticket with rewinding (§4.3): 5 rounds of 20 % per layer, then the ticket trains. */
export const LOTTERY_MNIST = {
  version: 1,
  data: { dataset: 'mnist' },
  model: { kind: 'lenet-300-100', init: 'glorot' },
  sparsity: {
    target: 0.672,
    distribution: { kind: 'uniform', denseFirst: false },
    mask: { kind: 'lottery', scope: 'per-layer', rounds: 5, pruneFraction: 0.2, rewindStep: 200, reinitControl: false },
  },
  dst: { method: 'static' },
  training: { epochs: 10, batchSize: 60, optimizer: { kind: 'adam', lr: 0.0012 }, schedule: { kind: 'constant' } },
} as const;
