// A training checkpoint: parameters, masks, optimizer state, the ITOP record and the counters the
// schedule depends on. Data order and random regrowth are functions of (seed, epoch, step), so
// the step is the whole RNG state: a restored run continues the same loss curve.

export interface Checkpoint {
  version: 1;
  step: number;
  lastUpdate: number;
  optimizerSteps: number;
  activeCounts: number[];
  targets: number[];
  flops: { total: number; steps: number };
  weights: Float32Array;
  mask: Float32Array;
  state1: Float32Array;
  state2: Float32Array;
  fired: Float32Array;
}
