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
