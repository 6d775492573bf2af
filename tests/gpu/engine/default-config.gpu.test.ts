// The experiment a first-time user gets: the default config, through the config adapter, trained
// to the end of its schedule on the GPU; its held-out test accuracy is what the page would show.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config';
import { Trainer, generatedData, trainerSetupFromConfig } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';

const device = useDevice();

describe('the default experiment', () => {
  it('trains end to end from the default config and generalises', async () => {
    const parsed = parseConfig({ version: 1 });
    if (!parsed.ok) throw new Error('the default config does not parse');
    const { setup } = trainerSetupFromConfig(parsed.config, generatedData(parsed.config));
    const trainer = await Trainer.create(PipelineCache.for(device().device), setup);
    const t0 = performance.now();
    const rows = await trainer.train(setup.totalSteps);
    const seconds = (performance.now() - t0) / 1000;
    const test = await trainer.evaluate();
    const last = rows.at(-1)!;
    console.log(
      `default config (3-arm spiral, MLP 2-32-32-3, 50% ERK, RigL, SGD): test accuracy ${(test.accuracy[0]! * 100).toFixed(1)}% ` +
        `on ${setup.evalIdx.length} held-out points, ${rows.length} steps in ${seconds.toFixed(1)} s, ` +
        `${rows.filter((r) => r.maskUpdate).length} mask updates, training FLOPs ${last.flopsRatio.toFixed(3)}x dense`,
    );
    expect(rows).toHaveLength(setup.totalSteps);
    expect(test.accuracy[0]!).toBeGreaterThanOrEqual(0.9);
    trainer.destroy();
  });
});
