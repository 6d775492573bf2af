// The `data` section of the experiment config: which dataset, its generator options, the split
// and the normalisation, plus the facts about the datasets that the rules need (image counts,
// classes). Kept apart from schema.ts so each file stays short; the numbers mirror src/data
// (docs/DATA.md), which config may not import (docs/ARCHITECTURE.md §2).
import { z } from 'zod';
import { bool, int, num, oneOf, tag, u32 } from './fields';

export const DATASETS_2D = ['spiral', 'moons', 'circles', 'xor', 'blobs'] as const;
export const IMAGE_DATASETS = ['mnist', 'fashion-mnist'] as const;
/** 32×32 colour images the Python package reads (its own loader, or torchvision's download); not the browser. */
export const CIFAR_DATASETS = ['cifar10', 'cifar100'] as const;
/** CIFAR's official training and test images (Krizhevsky 2009). */
export const CIFAR_TRAIN = 50_000;
export const CIFAR_TEST = 10_000;
export const DATASETS = [...DATASETS_2D, 'user', ...IMAGE_DATASETS, ...CIFAR_DATASETS] as const;
export type Dataset = (typeof DATASETS)[number];

// Sources: docs/METHODS.md §0; TF Playground's canned 2-D datasets, noise and train/test ratio;
// docs/DATA.md for what src/data generates, counts and splits.
/** Images per dataset as built by scripts/build-datasets.mjs (docs/DATA.md §2, after de-duplication). */
export const IMAGE_TOTALS = { mnist: 10000, 'fashion-mnist': 69945 } as const;
/** src/data's DEFAULT_SPLIT_SEED: every image experiment sees the same held-out images by default. */
export const IMAGE_SPLIT_SEED = 20_240_601;

const normalize = oneOf(['none', 'standardize'], 'standardize');
const generated = {
  points: int(20, 10000, 600),
  noise: num(0, 0.5, 0.1), // Gaussian std as a fraction of the shape's scale (DATA.md §1)
  validation: num(0, 0.5, 0.1), // fraction of all points
  test: num(0, 0.5, 0.2), // fraction of all points; training gets the rest
  seed: u32(1), // generator + split seed, separate from the run seed (a reset keeps the data: TF Playground issue 25)
  normalize,
};
const drawn = { validation: num(0, 0.5, 0.1), test: num(0, 0.5, 0.2), seed: u32(1), normalize };
const images = <N extends keyof typeof IMAGE_TOTALS>(name: N, held: number, maxHeld: number) =>
  z.strictObject({
    dataset: tag([name]),
    validationSize: int(0, maxHeld, held),
    testSize: int(0, maxHeld, held),
    trainLimit: int(0, IMAGE_TOTALS[name], 0), // 0 = every image not held out
    seed: u32(IMAGE_SPLIT_SEED),
    normalize,
  });
const cifar = <N extends (typeof CIFAR_DATASETS)[number]>(name: N) =>
  z.strictObject({
    dataset: tag([name]),
    validationSize: int(0, 25000, 5000),
    trainLimit: int(0, CIFAR_TRAIN, 0), // 0 = every training image not held out
    augment: bool(true),
    seed: u32(IMAGE_SPLIT_SEED),
    normalize,
  });
export const DataSchema = z
  .discriminatedUnion('dataset', [
    z.strictObject({ dataset: tag(['spiral']), arms: int(2, 5, 3), turns: num(0.25, 3, 1.5), ...generated }),
    z.strictObject({ dataset: tag(['moons', 'circles', 'xor']), ...generated }),
    z.strictObject({ dataset: tag(['blobs']), classes: int(2, 5, 3), ...generated }),
    z.strictObject({ dataset: tag(['user']), classes: int(2, 5, 2), ...drawn }),
    images('mnist', 1000, 5000),
    images('fashion-mnist', 5000, 30000),
    // CIFAR: the official 50,000 training and 10,000 test images; validationSize of the training
    // images are held out (FreeTickets: 10 %). augment: 4-pixel padded random crops and horizontal flips.
    cifar('cifar10'),
    cifar('cifar100'),
  ])
  .prefault({ dataset: 'spiral' });

export type DataConfig = z.output<typeof DataSchema>;

export function isImageDataset(d: Dataset): d is (typeof IMAGE_DATASETS)[number] {
  return (IMAGE_DATASETS as readonly string[]).includes(d);
}

/** Classes of a dataset (the width of the model's output layer). */
export function classCount(data: DataConfig): number {
  switch (data.dataset) {
    case 'spiral':
      return data.arms;
    case 'blobs':
    case 'user':
      return data.classes;
    case 'mnist':
    case 'fashion-mnist':
    case 'cifar10':
      return 10;
    case 'cifar100':
      return 100;
    default:
      return 2;
  }
}
