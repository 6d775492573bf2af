// A training checkpoint: parameters, masks, optimizer state, the ITOP record and the counters the
// schedule depends on. Data order and random regrowth are functions of (seed, epoch, step), so
// the step is the whole RNG state: a restored run continues the same loss curve.
import type { ReadbackPool } from '../gpu';
import type { StorageKind } from './layer-storage';
import type { Network } from './network';
import type { ParamLayout } from './param-layout';

export interface Checkpoint {
  version: 1;
  step: number;
  lastUpdate: number;
  optimizerSteps: number;
  activeCounts: number[];
  targets: number[];
  flops: { total: number; steps: number };
  /**
   * The storage each weight layer trained with (layer-storage.ts). The arrays below are in
   * position space whatever the storage, so a checkpoint restores into either.
   */
  storages?: StorageKind[];
  weights: Float32Array;
  mask: Float32Array;
  state1: Float32Array;
  state2: Float32Array;
  fired: Float32Array;
}

/** The network's flat (totalFloats) buffers a checkpoint holds, read back from the GPU. */
export type NetworkState = Pick<Checkpoint, 'storages' | 'weights' | 'mask' | 'state1' | 'state2' | 'fired'>;

/** The flat buffers in the host layout (sparse layers' segments from their slots) and the storage of each layer. */
export async function readNetworkState(readback: ReadbackPool, net: Network): Promise<NetworkState> {
  const [weights, mask, state1, state2, fired] = await Promise.all((['params', 'mask', 'state1', 'state2', 'fired'] as const).map((b) => net.readHost(b, readback)));
  return { storages: net.storages.map((s) => s.kind), weights: weights!, mask: mask!, state1: state1!, state2: state2!, fired: fired! };
}

/** Throws, naming the first array that differs, when `c` was saved from another model than `layout`. */
export function checkCheckpointShape(c: Checkpoint, layout: ParamLayout): void {
  const n = layout.totalFloats;
  for (const [name, a] of Object.entries({ weights: c.weights, mask: c.mask, state1: c.state1, state2: c.state2, fired: c.fired })) {
    if (a.length !== n) throw new Error(`checkpoint ${name} has ${a.length} values, this model needs ${n}: it was saved from a different model`);
  }
  if (c.activeCounts.length !== layout.layers.length) throw new Error('checkpoint has a different number of layers');
}
