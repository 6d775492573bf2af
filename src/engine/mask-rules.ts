// Prune and regrow rules: which WGSL score kernel ranks the positions and which parameter buffer
// it reads. A new rule is one entry here plus its score entry point in shaders/mask.wgsl (keys:
// the k SMALLEST are selected, SENTINEL for non-candidates; see that file's header).
import type { KernelName } from '../gpu';
import type { SparseMethod } from '../sparsity';

/** The flat buffers of the network a score kernel can read (all laid out like the weights). */
export type ScoreSource = 'params' | 'grads' | 'state1';

export interface ScoreRule {
  kernel: KernelName;
  /** What the kernel's `src` binding reads (random scores ignore it but a buffer is bound). */
  source: ScoreSource;
  /** Whether an update step must compute the dense dW for this rule (RigL's growth scores). */
  denseGradient?: boolean;
  help: string;
}

export const PRUNE_RULES = {
  magnitude: { kernel: 'mask.score_prune', source: 'params', help: 'drop the active weights with the smallest |w|' },
} satisfies Record<string, ScoreRule>;

export const GROW_RULES = {
  gradient: {
    kernel: 'mask.score_grow_magnitude',
    source: 'grads',
    denseGradient: true,
    help: 'regrow where |dL/dw| of the current batch is largest (RigL; the dense gradient)',
  },
  momentum: {
    kernel: 'mask.score_grow_magnitude',
    source: 'state1',
    help: 'regrow where |momentum| is largest (SNFS; momentum kept for every weight)',
  },
  random: { kernel: 'mask.score_grow_random', source: 'grads', help: 'regrow uniformly at random among inactive positions (SET)' },
} satisfies Record<string, ScoreRule>;

export type PruneRuleName = keyof typeof PRUNE_RULES;
export type GrowRuleName = keyof typeof GROW_RULES;

/** The rules each DST method uses; null: the mask never changes. */
export const METHOD_RULES: Record<SparseMethod, { prune: PruneRuleName; grow: GrowRuleName } | null> = {
  dense: null,
  static: null,
  set: { prune: 'magnitude', grow: 'random' },
  rigl: { prune: 'magnitude', grow: 'gradient' },
  snfs: { prune: 'magnitude', grow: 'momentum' },
};
