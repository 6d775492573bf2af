// SynFlow's data-free gradient against its closed form on a two-layer network: with an all-ones
// input, R = 1ᵀ|W2||W1|1, so dR/dW1[j][i] = Σ_k |W2[k][j]| and dR/dW2[k][j] = Σ_i |W1[j][i]|.
import { describe, expect, it } from 'vitest';
import { mlpLayers, type LayerSpec } from '../../../src/engine/layers';
import { synflowGradients } from '../../../src/engine/synflow';

describe('synflowGradients', () => {
  it('matches the closed form of a 3-4-2 network, masked entries counting as 0', () => {
    const specs = mlpLayers(3, [4], 2, 'relu');
    const w1 = Float32Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.1 + i / 10)); // (4, 3)
    const w2 = Float32Array.from({ length: 8 }, (_, i) => (i % 2 ? 1 : -1) * (0.5 + i / 8)); // (2, 4)
    const m1 = new Float32Array(12).fill(1);
    m1[5] = 0;
    const m2 = new Float32Array(8).fill(1);
    m2[2] = 0;
    const [g1, g2] = synflowGradients(specs, [w1, w2], [m1, m2]);
    const a1 = (j: number, i: number): number => (m1[j * 3 + i] ? Math.abs(w1[j * 3 + i]!) : 0);
    const a2 = (k: number, j: number): number => (m2[k * 4 + j] ? Math.abs(w2[k * 4 + j]!) : 0);
    for (let j = 0; j < 4; j++) for (let i = 0; i < 3; i++) expect(g1![j * 3 + i]).toBeCloseTo(a2(0, j) + a2(1, j), 5);
    for (let k = 0; k < 2; k++) for (let j = 0; j < 4; j++) expect(g2![k * 4 + j]).toBeCloseTo(a1(j, 0) + a1(j, 1) + a1(j, 2), 5);
  });

  it('runs through convolutions and pools (the gradient of a conv kernel is positive everywhere)', () => {
    const specs: LayerSpec[] = [
      { kind: 'conv', cin: 1, inH: 6, inW: 6, cout: 2, k: 3, padding: 'valid', activation: 'relu' },
      { kind: 'maxpool2', channels: 2, inH: 4, inW: 4 },
      { kind: 'dense', nIn: 8, nOut: 3, activation: 'none' },
    ];
    const w = [Float32Array.from({ length: 18 }, (_, i) => Math.sin(i + 1)), Float32Array.from({ length: 24 }, (_, i) => Math.cos(i))];
    const masks = w.map((x) => new Float32Array(x.length).fill(1));
    const [gConv, gFc] = synflowGradients(specs, w, masks);
    expect(gConv).toHaveLength(18);
    expect(gFc).toHaveLength(24);
    for (const v of gConv!) expect(v).toBeGreaterThan(0);
  });
});
