// Public API of the sparsity policy (docs/ARCHITECTURE.md §2: pure functions on plain arrays, no GPU;
// docs/METHODS.md §1 building blocks, §4 pruning at initialisation). Import from here.

export { denseFlopsPerExample, fanIn, fanOut, inOutChannels, numel } from './layers';
export type { FlopsLayer, LayerKind, MaskableLayer } from './layers';

export {
  DENSITY_RULES,
  activeCount,
  densityOfSparsity,
  activeCounts,
  allocateDensities,
  countsDensity,
  erRaw,
  erkRaw,
  overallDensity,
  solveErdosRenyi,
} from './densities';
export type { DensityAllocation, DensityRule, DensityRuleKind } from './densities';

export { popcount, randomMask, randomMasks } from './masks';

export {
  dropFraction,
  initialLastUpdate,
  isDynamic,
  isUpdateStep,
  optimizerStepOnUpdate,
  pruneGrowCounts,
  snfsIsUpdateStep,
  snfsPruneRate,
} from './schedule';
export type { DstSchedule, PruneGrowOptions, SparseMethod } from './schedule';

export { ItopTracker, itopRate, orInto } from './itop';

export { FlopsAccumulator, denseForwardFlops, sparseForwardFlops, stepFlopsPerExample, trainingFlopsPerStep } from './flops';
export type { TrainingFlopsInput } from './flops';

export {
  graspKeepScores,
  graspScores,
  hessianGradFiniteDiff,
  impActiveCounts,
  impDensity,
  keepTopK,
  magnitudeScores,
  snipScores,
  suggestedHvpEpsilon,
  synflowDensity,
  synflowScores,
} from './init-scores';
export type { ScoreArray, Scope } from './init-scores';

export { compactMask, layerGraphShape, layerSpectralGaps, ramanujanGap, topSingularValues, weightedSpectralGap } from './spectral';
export type { CompactMatrix, RamanujanGap, SpectralOptions, TopSingularValues, WeightedSpectralGap } from './spectral';
