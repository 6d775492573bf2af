// Which storage each weight layer gets (docs/ARCHITECTURE.md §7): the `storage` setting is
// 'masked', 'sparse' or 'auto'. Sparse serves dense (fully connected) layers only (conv layers
// stay masked) and cannot run a method that keeps state for every weight (SNFS's dense momentum,
// the port-compatible style's dense dW every step): such a request is refused by name. 'auto'
// takes sparse for a dense layer whose starting density is below AUTO_SPARSE_BELOW, the density
// under which the benchmark (npm run bench, docs/BENCHMARKS.md) finds the sparse storage faster
// on the reference machine, and masked otherwise (ERK leaves small layers nearly dense).
import type { StorageKind } from './layer-storage';
import type { ParamLayout } from './param-layout';

export type StorageSetting = 'auto' | StorageKind;
export const STORAGE_SETTINGS: readonly StorageSetting[] = ['auto', 'masked', 'sparse'];

/** Starting density under which 'auto' picks the sparse storage for a dense layer. */
export const AUTO_SPARSE_BELOW = 0.5;

/** Why the sparse storage cannot serve this setup (null: it can). */
export function sparseStorageRefusal(s: { method: string; portCompatible: boolean }): string | null {
  if (s.method === 'snfs') return 'SNFS keeps momentum for every weight (a dense state updated every step), which the sparse storage does not hold';
  if (s.portCompatible) return 'the port-compatible style computes the dense weight gradient every step, which the sparse storage does not hold';
  return null;
}

/**
 * The storage of each weight layer of `layout` for `setting`, given each layer's starting active
 * count. Throws, naming the reason, when 'sparse' is asked for a setup it cannot serve.
 */
export function chooseStorages(setting: StorageSetting, s: { method: string; portCompatible: boolean }, layout: ParamLayout, activeCounts: readonly number[]): StorageKind[] {
  if (setting === 'masked') return layout.layers.map(() => 'masked');
  const refusal = sparseStorageRefusal(s);
  if (refusal && setting === 'sparse') throw new Error(`storage "sparse" cannot run this setup: ${refusal}. Use storage "masked" (or "auto", which picks it).`);
  return layout.layers.map((l, i) => {
    if (refusal || l.spec.kind !== 'dense') return 'masked';
    if (setting === 'sparse') return 'sparse';
    return activeCounts[i]! / l.numel < AUTO_SPARSE_BELOW ? 'sparse' : 'masked';
  });
}

/** The most connections a layer on the masked storage holds per member: a 1,024 × 1,024 layer (config rules.ts MASKED_MAX_WIDTH). */
export const MASKED_MAX_CONNECTIONS = 1024 * 1024;

/** Why a layer the choice left masked is too large for it (null: none is), naming the layer and the fix. */
export function maskedTooLarge(layout: ParamLayout, storages: readonly StorageKind[], activeCounts: readonly number[]): string | null {
  const i = layout.layers.findIndex((l, li) => storages[li] === 'masked' && l.numel > MASKED_MAX_CONNECTIONS);
  if (i < 0) return null;
  const l = layout.layers[i]!;
  const density = activeCounts[i]! / l.numel;
  const why = l.spec.kind !== 'dense' ? 'conv layers stay on the masked storage' : density >= AUTO_SPARSE_BELOW ? `training.storage auto keeps a layer masked from a starting density of ${AUTO_SPARSE_BELOW * 100} %, and this one starts at ${(density * 100).toFixed(1)} %` : 'training.storage is masked';
  return `${l.name} has ${l.numel.toLocaleString('en-US')} connections (${l.fanIn} → ${l.outChannels}) and would stay on the masked storage (${why}), which holds at most ${MASKED_MAX_CONNECTIONS.toLocaleString('en-US')} connections a layer because it keeps every one of them. Raise sparsity.target, or set training.storage to sparse.`;
}
