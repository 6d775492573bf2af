// How much GPU memory a trainer setup asks for, before anything is allocated, so a model too big
// for the adapter gets a clear explanation instead of a failed allocation. Counts the buffers
// Network creates (network.ts): six flat parameter-sized buffers (weights, gradients, mask, two
// optimizer states, ITOP; without the weights of sparse-storage layers), activations and their gradients per layer, the dataset, the
// mask-update scratch, the sparse storage's slots, the fused path's state and the held-out
// predictions. Buffers are also checked one by one when they
// are created (src/gpu/limit-check.ts); this estimate is what a run is refused by before that.
import { inFeatures, outFeatures } from './layers';
import { bitmapSizes } from './sparse-update-plan';
import type { TrainerSetup } from './trainer-setup';
import { gpuLayoutOf, setupLayout, type ParamLayout } from './param-layout';
import { METHOD_RULES } from './mask-rules';
import { allocateDensities, activeCount } from '../sparsity';
import { maskableLayers } from './init';
import { chooseStorages, maskedTooLarge } from './storage-choice';
import { chooseTrainingPath } from './fused-steps';
import { fusedScratch, fusedStateFloats } from './fused-layout';
import { needsDenseState } from './trainer-setup';

export interface MemoryEstimate {
  /** Bytes of the largest single buffer, and what it holds. */
  largest: { bytes: number; what: string };
  total: number;
}

/** Each weight layer's starting active count, and the path and storages a trainer of `setup` takes. */
function trainingPathOf(setup: TrainerSetup, layout: ParamLayout): { counts: number[]; path: ReturnType<typeof chooseTrainingPath> } {
  const layers = maskableLayers(layout);
  const densities = setup.method === 'dense' ? layers.map(() => 1) : allocateDensities(layers, setup.density, setup.densityRule).densities;
  const counts = layout.layers.map((l, i) => activeCount(l.numel, densities[i]!));
  const storage = setup.storage ?? 'masked';
  const fusedSetup = { specs: setup.layers, layout, dataKind: setup.data.kind, denseState: needsDenseState(setup) };
  return { counts, path: chooseTrainingPath(setup.fused ?? 'auto', storage, fusedSetup, chooseStorages(storage, setup, layout, counts)) };
}

export function memoryEstimate(setup: TrainerSetup): MemoryEstimate {
  const M = setup.members;
  const B = setup.batch;
  const layout = setupLayout(setup);
  const buffers: { bytes: number; what: string }[] = [];
  const add = (floats: number, what: string, count = 1) => {
    for (let i = 0; i < count; i++) buffers.push({ bytes: floats * 4, what });
  };
  add(M * B * inFeatures(setup.layers[0]!), 'one batch of inputs');
  setup.layers.forEach((l, i) => {
    const act = l.kind !== 'maxpool2' && l.activation !== 'none';
    add(M * B * outFeatures(l), `layer ${i + 1}'s activations for one batch`, act ? 4 : 2);
  });
  // Layers on the sparse storage (storage-choice.ts, at the starting densities): the feature-major
  // input and dz, the slots (values, gradients, 4 index arrays, optimizer states) and the update's
  // slot scratch (prune keys and bits, copies of values and states, the carry map), the bitmaps
  // (occ, base, kept, grown, ties, ITOP fired and the snapshot of occ, base and row_ptr) and, for
  // RigL, the dense dW its growth scores read. A masked layer has its CHANGE codes and its
  // update's key scratch per position.
  const { counts, path } = trainingPathOf(setup, layout);
  const bp = Math.ceil(B / 4) * 4;
  // The fused path's state buffer (five parameter-sized regions and each member's scratch).
  if (path.fused) add(fusedStateFloats(fusedScratch(setup.layers, layout, B, inFeatures(setup.layers[0]!)), layout), 'the fused path\'s state');
  const gpuLayout = gpuLayoutOf(setup.layers, layout, path.storages.map((k) => k === 'sparse'));
  add(gpuLayout.totalFloats, 'the parameters of all members', 6);
  const states = setup.optimizer.kind === 'adam' ? 2 : 1;
  const growScores = METHOD_RULES[setup.method]?.grow === 'gradient';
  path.storages.forEach((kind, i) => {
    const l = layout.layers[i]!;
    if (kind !== 'sparse') return add(M * l.numel, `${l.name}'s mask-update scratch`, 2);
    if (growScores) add(M * l.numel, `${l.name}'s dense gradient (RigL's growth scores)`);
    add(M * bp * l.fanIn, `${l.name}'s feature-major input`);
    add(M * bp * l.outChannels, `${l.name}'s feature-major output gradient`);
    add(M * counts[i]!, `${l.name}'s sparse slots`, 6 + states + 4 + states);
    const { bitmap, old } = bitmapSizes({ members: M, nIn: l.fanIn, nOut: l.outChannels });
    add(bitmap, `${l.name}'s occupancy bitmaps`, 6);
    add(old, `${l.name}'s update snapshot`);
  });
  const values = setup.data.values;
  add(values instanceof Uint8Array ? Math.ceil(values.length / 4) : values.length, 'the dataset');
  // Held-out evaluation: the predictions of every member on the largest split (the test set, the
  // grid of a 2-D run's decision boundary), padded to whole batches.
  const classes = outFeatures(setup.layers.at(-1)!);
  const rows = Math.max(setup.evalIdx.length, setup.valIdx?.length ?? 0, setup.gridIdx?.length ?? 0);
  add(M * Math.ceil(rows / B) * B * classes, 'the predictions of all members on the test set');
  const largest = buffers.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { largest, total: buffers.reduce((a, b) => a + b.bytes, 0) };
}

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;

/** A sentence for a person when the setup does not fit the limits (or a layer the masked storage); null when it fits. */
export function tooBigForAdapter(setup: TrainerSetup, limits: { maxStorageBufferBindingSize: number; maxBufferSize: number }): string | null {
  const layout = setupLayout(setup);
  const { counts, path } = trainingPathOf(setup, layout);
  const masked = maskedTooLarge(layout, path.storages, counts);
  if (masked) return masked;
  const e = memoryEstimate(setup);
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (e.largest.bytes <= cap) return null;
  return `This model needs a ${mib(e.largest.bytes)} buffer for ${e.largest.what}, but this GPU allows at most ${mib(cap)} in one buffer. Use narrower or fewer layers, a smaller batch, or fewer ensemble members.`;
}

/**
 * Position-space copies of the parameters the page keeps on the CPU at a time: the starting
 * weights and mask (a reset), the initialisation's weights, dense weights and mask, and the views'
 * reads of mask, weights, ITOP record and CHANGE codes (network-host.ts converts a sparse layer's
 * slots to these). A rough count, for the budget below.
 */
export const HOST_COPIES = 8;
/** What the host arrays of one trainer may take in a tab. */
export const HOST_BUDGET = 2 * 2 ** 30;

/** A sentence for a person when the host arrays of `setup` would not fit a tab; null when they do. */
export function tooBigForHost(setup: TrainerSetup): string | null {
  const layout = setupLayout(setup);
  const bytes = layout.totalFloats * 4 * HOST_COPIES;
  if (bytes <= HOST_BUDGET) return null;
  const fit = Math.floor(HOST_BUDGET / 4 / HOST_COPIES / 1e6);
  return `This network has ${layout.totalFloats.toLocaleString('en-US')} weights over all members, and the page keeps about ${HOST_COPIES} copies of every weight position on the CPU (a reset's start, checkpoints, masks at initialisation, the views), ${mib(bytes)}, over the ${mib(HOST_BUDGET)} a tab may take: the sparse storage keeps only the active connections on the GPU, but the host side does not yet. Use narrower or fewer layers, or fewer ensemble members (about ${fit} million weights in all fit).`;
}
