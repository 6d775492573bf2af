// Layer lists of the reference models (docs/METHODS.md §1.2, §7.2), shared by the tests.
import type { FlopsLayer } from '../../../src/sparsity/layers';

/** LeNet-300-100: 784 → 300 → 100 → 10, dense weights [out, in]. */
export const LENET_300_100: FlopsLayer[] = [
  { name: 'fc1', kind: 'dense', shape: [300, 784] },
  { name: 'fc2', kind: 'dense', shape: [100, 300] },
  { name: 'fc3', kind: 'dense', shape: [10, 100] },
];

/**
 * LeNet-5-Caffe on 28×28 input: conv 20@5×5 (valid) → 24×24 → pool 2 → 12×12 → conv 50@5×5 → 8×8
 * → pool 2 → 4×4·50 = 800 → fc 500 → fc 10.
 */
export const LENET5_CAFFE: FlopsLayer[] = [
  { name: 'conv1', kind: 'conv', shape: [20, 1, 5, 5], outH: 24, outW: 24 },
  { name: 'conv2', kind: 'conv', shape: [50, 20, 5, 5], outH: 8, outW: 8 },
  { name: 'fc3', kind: 'dense', shape: [500, 800] },
  { name: 'fc4', kind: 'dense', shape: [10, 500] },
];
