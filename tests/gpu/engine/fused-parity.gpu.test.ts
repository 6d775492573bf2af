// The fused small-MLP path (shaders/fused.wgsl) against the layer path: from the same seed, the
// same losses, accuracies, masks, weights and optimizer state (bit for bit) over at least three
// mask updates, M = 1 and 3, and the same held-out evaluation and logits; and the setups it cannot run keep the layer path, saying why.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { mlpLayers, Trainer, type TrainerSetup } from '../../../src/engine';
import { PipelineCache } from '../../../src/gpu';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  const data = generate2D('spiral', { n: 300, noise: 0.1, seed: 4, arms: 3 });
  const split = fractionSplit(data.labels, { train: 0.8 }, 2);
  return pointsSetup(data, split, {
    layers: mlpLayers(2, [40, 24], 3, 'relu'),
    batch: 20,
    seed: 11,
    schedule: { deltaT: 10, alpha: 0.3, decay: 'cosine', tEnd: 60, beginStep: 0 },
    lr: { kind: 'cosine', lr: 0.1 },
    totalSteps: 80,
    ...over,
  });
}

const make = (s: TrainerSetup): Promise<Trainer> => Trainer.create(PipelineCache.for(device().device), s);

async function compare(s: TrainerSetup, chunks: number, chunk: number): Promise<void> {
  const [layer, fused] = await Promise.all([make({ ...s, fused: 'off' }), make({ ...s, fused: 'auto' })]);
  expect(fused.fusedRefusal).toBeNull();
  expect(layer.net.fused).toBeNull();
  let updates = 0;
  for (let c = 0; c < chunks; c++) {
    const [ra, rb] = await Promise.all([layer.train(chunk), fused.train(chunk)]);
    expect(rb.map((r) => r.step)).toEqual(ra.map((r) => r.step));
    // Bit for bit: the fused kernel sums in the layer kernels' order.
    expect(rb.map((r) => r.loss), `losses, chunk ${c}`).toEqual(ra.map((r) => r.loss));
    expect(rb.map((r) => r.accuracy), `accuracies, chunk ${c}`).toEqual(ra.map((r) => r.accuracy));
    updates += ra.filter((r) => r.maskUpdate).length;
    const [ma, mb] = await Promise.all([layer.readMask(), fused.readMask()]);
    expect(mb.join(''), `masks after step ${layer.currentStep}`).toBe(ma.join(''));
    // Evaluation and predictions: one fused dispatch each against the layer kernels, batch by batch.
    const [ea, eb] = await Promise.all([layer.evaluate('test'), fused.evaluate('test')]);
    expect(eb, `test evaluation after step ${layer.currentStep}`).toEqual(ea);
    const [pa, pb] = await Promise.all([layer.predictLogits('test'), fused.predictLogits('test')]);
    expect(pb.map((p) => Array.from(p)), `test logits after step ${layer.currentStep}`).toEqual(pa.map((p) => Array.from(p)));
  }
  if (s.method !== 'static' && s.method !== 'dense') expect(updates, 'mask updates compared').toBeGreaterThanOrEqual(3);
  const [wa, wb, ga, gb] = await Promise.all([layer.readWeights(), fused.readWeights(), layer.readGrads(), fused.readGrads()]);
  expect(Array.from(wb), 'weights').toEqual(Array.from(wa));
  expect(Array.from(gb), 'the last step\'s gradients').toEqual(Array.from(ga));
  const [ca, cb] = await Promise.all([layer.checkpoint(), fused.checkpoint()]);
  // The layers' optimizer state (a removed ghost bypass keeps stale momentum the layer path decays
  // and the fused one leaves: its weights are +0 under a zero mask either way).
  const own = (a: Float32Array): number[] => layer.layout.layers.flatMap((l) => [l.weight, l.bias].flatMap((g) => Array.from(a.subarray(g.offset, g.offset + g.perMember * g.members))));
  expect(own(cb.state1), 'optimizer state').toEqual(own(ca.state1));
  expect(own(cb.state2), 'optimizer state 2').toEqual(own(ca.state2));
  layer.destroy();
  fused.destroy();
}

describe('fused path = layer path', () => {
  it.each([1, 3])('RigL, SGD momentum, cosine lr, M = %i', async (members) => {
    await compare(setup({ members }), 4, 20);
  });

  it('SET with Adam (decoupled), label smoothing, tanh, M = 3', async () => {
    await compare(setup({ members: 3, method: 'set', layers: mlpLayers(2, [40, 24], 3, 'tanh'), labelSmoothing: 0.1, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4, decoupled: true }, lr: { kind: 'constant', lr: 0.01 } }), 4, 20);
  });

  it('ToST: pswish annealed towards ReLU, and the ghost bypass (the fused path takes over once it is removed), M = 2', async () => {
    const tost = { smooth: { kind: 'pswish', betaStart: 1, betaEnd: 50, reluFrom: 0.5 }, ghost: { initScale: 0.05, endFraction: 0.3 } } as const;
    await compare(setup({ members: 2, tost }), 4, 20);
  });

  it('keeps the layer path where the fused one cannot run, and says why', async () => {
    const cases: [Partial<TrainerSetup>, RegExp][] = [
      [{ method: 'snfs' }, /dense weight gradient every step/],
      [{ storage: 'sparse', density: 0.2 }, /sparse storage/],
      [{ fused: 'off' }, /turned off/],
      [{ layers: mlpLayers(2, [160, 120], 3, 'relu') }, /parameters per member, more than/],
    ];
    for (const [over, why] of cases) {
      const t = await make(setup(over));
      expect(t.net.fused, JSON.stringify(over)).toBeNull();
      expect(t.fusedRefusal).toMatch(why);
      expect((await t.train(3)).length).toBe(3);
      t.destroy();
    }
    // storage 'auto' keeps a network the fused path takes on the masked storage, even when sparse.
    const auto = await make(setup({ storage: 'auto', density: 0.2 }));
    expect(auto.net.storages.map((st) => st.kind)).toEqual(['masked', 'masked', 'masked']);
    expect(auto.net.fused).not.toBeNull();
    auto.destroy();
  });
});
