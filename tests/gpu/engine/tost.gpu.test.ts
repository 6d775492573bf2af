// ToST tricks on the GPU (issue 4): the ghost bypass and smooth activations are really applied
// (outputs and gradients match a CPU forward of the same network with them), and once annealed
// away the trained network is exactly the plain sparse one.
import { describe, expect, it } from 'vitest';
import { fractionSplit, generate2D } from '../../../src/data';
import { Trainer, denseGradient, mlpLayers, type TrainerSetup } from '../../../src/engine';
import type { LayerActivation } from '../../../src/engine/layers';
import { PipelineCache } from '../../../src/gpu';
import { sigmoid } from '../../../src/reference/activation';
import { useDevice } from '../harness';
import { pointsSetup } from '../points-setup';

const device = useDevice();
const data = generate2D('spiral', { n: 240, noise: 0.05, seed: 2, arms: 3, turns: 1 });
const split = fractionSplit(data.labels, { train: 0.75 }, 8);

function setup(over: Partial<TrainerSetup> = {}): TrainerSetup {
  return pointsSetup(data, split, {
    layers: mlpLayers(2, [12, 10], 3, 'relu'),
    members: 2,
    batch: 16,
    seed: 21,
    densityRule: { kind: 'uniform', denseFirst: false, denseLast: false },
    schedule: { deltaT: 10, alpha: 0.3, decay: 'cosine', tEnd: 45, beginStep: 0 },
    totalSteps: 60,
    stepsPerSubmit: 8,
    ...over,
  });
}

interface CpuNet {
  layers: { w: Float64Array; b: Float64Array; g: Float64Array | null; nIn: number; nOut: number; act: LayerActivation }[];
}

/** Member m's network from the flat arrays (weights already masked, as on the GPU). */
function cpuNet(t: Trainer, weights: ArrayLike<number>, m: number): CpuNet {
  return {
    layers: t.layout.layers.map((l) => {
      const spec = l.spec as Extract<typeof l.spec, { kind: 'dense' }>;
      const seg = (s: { offset: number; perMember: number }) => Float64Array.from({ length: s.perMember }, (_, i) => weights[s.offset + m * s.perMember + i]!);
      return { w: seg(l.weight), b: seg(l.bias), g: l.ghost ? seg(l.ghost.weight) : null, nIn: spec.nIn, nOut: spec.nOut, act: spec.activation };
    }),
  };
}

/** Logits of one input through the CPU network: z = W·a + b + α·G·a, then the activation. */
function cpuLogits(net: CpuNet, x: readonly number[], alpha: number, act: (z: number, kind: LayerActivation) => number): number[] {
  let a: number[] = [...x];
  for (const l of net.layers) {
    const z = Array.from({ length: l.nOut }, (_, o) => {
      let s = l.b[o]!;
      for (let i = 0; i < l.nIn; i++) s += l.w[o * l.nIn + i]! * a[i]! + (l.g ? alpha * l.g[o * l.nIn + i]! * a[i]! : 0);
      return s;
    });
    a = z.map((v) => act(v, l.act));
  }
  return a;
}

const plainAct = (z: number, kind: LayerActivation): number => (kind === 'relu' ? Math.max(z, 0) : kind === 'tanh' ? Math.tanh(z) : z);

function meanLoss(net: CpuNet, examples: Uint32Array, alpha: number): number {
  let sum = 0;
  for (const e of examples) {
    const z = cpuLogits(net, [data.points[e * 2]!, data.points[e * 2 + 1]!], alpha, plainAct);
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    sum += lse - z[data.labels[e]!]!;
  }
  return sum / examples.length;
}

const testPoint = (i: number): number[] => [data.points[split.test[i]! * 2]!, data.points[split.test[i]! * 2 + 1]!];

describe('ToST ghost skip connections', () => {
  it('the bypass is in the forward pass: logits match z = W·x + b + G·x at step 0 and differ from the plain network', async () => {
    const cache = PipelineCache.for(device().device);
    const ghost = await Trainer.create(cache, setup({ tost: { ghost: { initScale: 0.05, endFraction: 0.5 } } }));
    const plain = await Trainer.create(cache, setup());
    try {
      const [g, p, w] = await Promise.all([ghost.predictLogits(), plain.predictLogits(), ghost.readWeights()]);
      for (let m = 0; m < 2; m++) {
        const net = cpuNet(ghost, w, m);
        for (let i = 0; i < 10; i++) {
          const want = cpuLogits(net, testPoint(i), 1, plainAct);
          for (let c = 0; c < 3; c++) expect(g[m]![i * 3 + c]!).toBeCloseTo(want[c]!, 4);
        }
      }
      // Same seed, same masked weights: the only difference is the bypass.
      const diff = Math.max(...g[0]!.map((v, i) => Math.abs(v - p[0]![i]!)));
      expect(diff).toBeGreaterThan(1e-3);
    } finally {
      ghost.destroy();
      plain.destroy();
    }
  });

  it('gradients through the bypass (dG and the extra dx) match finite differences of the CPU loss', async () => {
    const cache = PipelineCache.for(device().device);
    const s = setup({ layers: mlpLayers(2, [6, 5], 3, 'tanh'), members: 1, method: 'dense', density: 1, tost: { ghost: { initScale: 0.2, endFraction: 0.5 } } });
    const t = await Trainer.create(cache, s);
    try {
      const examples = split.train.subarray(0, 16);
      const grads = await denseGradient(t, t.initial.weights, examples);
      const w = Float64Array.from(t.initial.weights);
      const loss = (arr: Float64Array): number => meanLoss(cpuNet(t, arr, 0), examples, 1);
      const check = (idx: number, what: string): void => {
        const h = 1e-4;
        const up = Float64Array.from(w);
        const down = Float64Array.from(w);
        up[idx]! += h;
        down[idx]! -= h;
        const fd = (loss(up) - loss(down)) / (2 * h);
        expect(grads[idx]!, `${what} (index ${idx})`).toBeCloseTo(fd, 3);
      };
      for (const [li, l] of t.layout.layers.entries()) {
        for (const i of [0, 3, l.ghost!.numel - 1]) check(l.ghost!.weight.offset + i, `layer ${li} ghost`);
        for (const i of [1, l.numel - 2]) check(l.weight.offset + i, `layer ${li} weight`); // dx through the bypass reaches lower layers
      }
    } finally {
      t.destroy();
    }
  });

  it('once annealed away, the trained network computes exactly the plain sparse network', async () => {
    const cache = PipelineCache.for(device().device);
    const ghost = await Trainer.create(cache, setup({ tost: { ghost: { initScale: 1e-4, endFraction: 0.5 } } }));
    const plainRun = await Trainer.create(cache, setup());
    try {
      const early = await ghost.train(30);
      await plainRun.train(30);
      await ghost.train(30);
      await plainRun.train(30);
      expect(early.at(-1)!.flopsRatio).toBeGreaterThan(0); // the bypass FLOPs are charged
      const [w, mask] = await Promise.all([ghost.readWeights(), ghost.readMask()]);
      for (const l of ghost.layout.layers) {
        const g = l.ghost!.weight;
        for (let i = g.offset; i < g.offset + g.perMember * g.members; i++) {
          expect(w[i], 'ghost weight removed').toBe(0);
          expect(mask[i], 'ghost mask removed').toBe(0);
        }
      }
      // The same weights and masks in a network that never had a bypass.
      const plain = await Trainer.create(cache, setup());
      const n = plain.layout.totalFloats;
      plain.loadMask(w.slice(0, n), mask.slice(0, n), ghost.activeCounts);
      const [a, b] = await Promise.all([ghost.predictLogits(), plain.predictLogits()]);
      for (let m = 0; m < 2; m++) for (let i = 0; i < a[m]!.length; i++) expect(Math.abs(a[m]![i]! - b[m]![i]!)).toBeLessThanOrEqual(1e-5);
      // ...and the bypass did change training: the weights differ from the run without it.
      const other = await plainRun.readWeights();
      const moved = Math.max(...Array.from({ length: n }, (_, i) => Math.abs(w[i]! - other[i]!)));
      expect(moved).toBeGreaterThan(1e-4);
      plain.destroy();
    } finally {
      ghost.destroy();
      plainRun.destroy();
    }
  });
});

describe('ToST smooth activations', () => {
  it('ReLU layers run parametric swish with beta(t) early, and exact ReLU after reluFrom', async () => {
    const cache = PipelineCache.for(device().device);
    const tost = { smooth: { kind: 'pswish', betaStart: 1, betaEnd: 50, reluFrom: 0.5 } } as const;
    const smooth = await Trainer.create(cache, setup({ tost }));
    try {
      const [g, w] = await Promise.all([smooth.predictLogits(), smooth.readWeights()]);
      const pswish = (beta: number) => (z: number, kind: LayerActivation) => (kind === 'relu' ? z * sigmoid(beta * z) : plainAct(z, kind));
      const net = cpuNet(smooth, w, 1);
      for (let i = 0; i < 10; i++) {
        const want = cpuLogits(net, testPoint(i), 0, pswish(1));
        const relu = cpuLogits(net, testPoint(i), 0, plainAct);
        for (let c = 0; c < 3; c++) expect(g[1]![i * 3 + c]!).toBeCloseTo(want[c]!, 4);
        if (i === 0) expect(Math.max(...want.map((v, c) => Math.abs(v - relu[c]!)))).toBeGreaterThan(1e-3);
      }
      await smooth.train(60);
      const [after, w2, mask] = await Promise.all([smooth.predictLogits(), smooth.readWeights(), smooth.readMask()]);
      const plain = await Trainer.create(cache, setup());
      plain.loadMask(w2, mask, smooth.activeCounts);
      const b = await plain.predictLogits();
      for (let i = 0; i < after[0]!.length; i++) expect(after[0]![i]).toBe(b[0]![i]);
      plain.destroy();
    } finally {
      smooth.destroy();
    }
  });
});
