// Public API of src/data: 2-D generators and drawn points, the MNIST / Fashion-MNIST binary
// format and loader, seeded splits, and per-member epoch shuffles. See docs/DATA.md.

export { DataError } from './errors';
export {
  GENERATORS,
  GENERATOR_NAMES,
  MAX_2D_CLASSES,
  MAX_NOISE,
  MAX_POINTS,
  blobCenterSpacing,
  generate2D,
  spiralArmSpacing,
  type BlobsOptions,
  type CirclesOptions,
  type CommonOptions,
  type Dataset2D,
  type GeneratorName,
  type GeneratorSpec,
  type MoonsOptions,
  type OptionsOf,
  type SpiralOptions,
  type XorOptions,
} from './generators';
export { MAX_USER_POINTS, userDataset, type UserPoint } from './user';
export {
  IMAGE_DATASETS,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  defaultDataUrl,
  findDataset,
  loadImageDataset,
  loadManifest,
  parseManifest,
  sha256Hex,
  type DatasetManifest,
  type FetchLike,
  type FetchResponseLike,
  type ImageDataset,
  type ImageDatasetName,
  type LoadOptions,
  type ManifestDataset,
  type ManifestFile,
  type ManifestSource,
} from './binary';
export {
  DEFAULT_SPLITS,
  DEFAULT_SPLIT_SEED,
  defaultSplit,
  fractionSplit,
  stratifiedSplit,
  type Split,
  type SplitSizes,
} from './splits';
export { balancedBatch, epochIndices, epochSeed, stepsPerEpoch } from './shuffle';
