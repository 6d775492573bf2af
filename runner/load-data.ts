// The dataset a config names, for the headless pages (experiment runner, training benchmark):
// the built-in image files served by Vite, or the generated 2-D points.
import type { ExperimentConfig } from '../src/config';
import { loadImageDataset } from '../src/data';
import { generatedData, type DatasetInput } from '../src/engine';

export async function loadData(config: ExperimentConfig): Promise<DatasetInput> {
  const d = config.data.dataset;
  if (d === 'mnist' || d === 'fashion-mnist') {
    const img = await loadImageDataset(d);
    return { kind: 'images', images: img.images, labels: img.labels, width: img.width, height: img.height, classes: img.classes, pixelMean: img.pixelMean, pixelStd: img.pixelStd };
  }
  if (d === 'user') throw new Error('the "user" dataset is drawn in the playground: the runner needs a generated or image dataset');
  return generatedData(config);
}
