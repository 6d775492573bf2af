// The data a run trains on, as the session loads it: MNIST and Fashion-MNIST once per tab (their
// checksums verified by the loader), generated 2-D sets from the config, and the points the
// learner drew on the plane (their own dataset, or extra training points of a generated one).
import type { ExperimentConfig } from '../config';
import { generatedData, type DatasetInput } from '../engine';
import type { AppStore } from './store';

export type ImageLoader = (name: 'mnist' | 'fashion-mnist') => Promise<DatasetInput & { kind: 'images' }>;

export class SessionData {
  private readonly images = new Map<string, Promise<DatasetInput>>();

  constructor(
    private readonly store: AppStore,
    private readonly loadImages: ImageLoader,
  ) {}

  async load(config: ExperimentConfig): Promise<DatasetInput> {
    const d = config.data.dataset;
    if (d === 'mnist' || d === 'fashion-mnist') {
      // Loaded (and its checksum verified) once per tab: opening a run checks it, then builds on it.
      const cached = this.images.get(d) ?? this.loadImages(d);
      this.images.set(d, cached);
      cached.catch(() => this.images.delete(d));
      return cached;
    }
    const drawn = this.store.getState().drawn;
    const points = Float32Array.from(drawn.flatMap((p) => [p.x, p.y]));
    const labels = Uint32Array.from(drawn, (p) => p.label);
    if (d === 'user') {
      const need = Math.ceil(config.training.batchSize / (1 - config.data.validation - config.data.test));
      if (drawn.length < need) throw new Error(`Click on the plane to draw at least ${need} points (${drawn.length} so far): with batch size ${config.training.batchSize}, fewer leave no full training batch.`);
      return { kind: 'points', points, labels, classes: config.data.classes };
    }
    const g = generatedData(config);
    if (g.kind !== 'points' || drawn.length === 0) return g;
    // Drawn points join the generated ones, all in the training split.
    return { ...g, points: Float32Array.from([...g.points, ...points]), labels: Uint32Array.from([...g.labels, ...labels]), extraTrain: drawn.length };
  }
}
