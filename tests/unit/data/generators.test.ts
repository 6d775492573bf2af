// 2-D generators: determinism, exact class balance, the documented range, noise measured in
// each generator's own scale (spiral: arm spacing), spiral arm geometry, option validation.
import { describe, expect, it } from 'vitest';
import {
  GENERATORS,
  GENERATOR_NAMES,
  generate2D,
  spiralArmSpacing,
  type Dataset2D,
  type GeneratorName,
} from '../../../src/data';

const counts = (d: Dataset2D): number[] => {
  const c = new Array<number>(d.classes).fill(0);
  for (const l of d.labels) c[l]!++;
  return c;
};

/** Residual std of noisy − noise-free points (both consume the same RNG stream). */
function noiseStd<K extends GeneratorName>(name: K, noise: number, extra: object = {}): number {
  const clean = generate2D(name, { ...extra, n: 4000, noise: 0, seed: 7 });
  const noisy = generate2D(name, { ...extra, n: 4000, noise, seed: 7 });
  let ss = 0;
  for (let i = 0; i < clean.points.length; i++) ss += (noisy.points[i]! - clean.points[i]!) ** 2;
  return Math.sqrt(ss / clean.points.length);
}

describe('2-D generators', () => {
  it.each(GENERATOR_NAMES)('%s: same seed → identical output, other seed → different', (name) => {
    const a = generate2D(name, { seed: 42, n: 301 });
    const b = generate2D(name, { seed: 42, n: 301 });
    const c = generate2D(name, { seed: 43, n: 301 });
    expect(a.points).toEqual(b.points);
    expect(a.labels).toEqual(b.labels);
    expect(a.points).not.toEqual(c.points);
    expect(a.points).toHaveLength(602);
    expect(a.labels).toHaveLength(301);
  });

  it.each(GENERATOR_NAMES)('%s: classes balanced to within one point, labels < classes', (name) => {
    for (const n of [100, 101, 503]) {
      const d = generate2D(name, { n });
      const c = counts(d);
      expect(c.reduce((x, y) => x + y, 0)).toBe(n);
      expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
    }
  });

  it.each(GENERATOR_NAMES)('%s: noise-free inside [-0.9, 0.9]², noise 0.1 keeps ≥ 98%% inside [-1, 1]²', (name) => {
    const clean = generate2D(name, { n: 2000, noise: 0 });
    for (const v of clean.points) expect(Math.abs(v)).toBeLessThanOrEqual(0.9 + 1e-6);
    const noisy = generate2D(name, { n: 2000, noise: 0.1 });
    let inside = 0;
    for (let i = 0; i < 2000; i++) {
      if (Math.abs(noisy.points[2 * i]!) <= 1 && Math.abs(noisy.points[2 * i + 1]!) <= 1) inside++;
    }
    expect(inside / 2000).toBeGreaterThanOrEqual(0.98);
  });

  it.each(GENERATOR_NAMES)('%s: noise std = noise × the generator scale', (name) => {
    const spec = GENERATORS[name];
    const scale = spec.scale(spec.defaults as never);
    expect(noiseStd(name, 0.1) / (0.1 * scale)).toBeCloseTo(1, 1);
  });

  it('class counts follow the arms / classes option (2-5)', () => {
    for (const k of [2, 3, 4, 5]) {
      expect(generate2D('spiral', { arms: k }).classes).toBe(k);
      expect(generate2D('blobs', { classes: k }).classes).toBe(k);
    }
    for (const name of ['moons', 'circles', 'xor'] as const) expect(generate2D(name).classes).toBe(2);
  });

  it('spiral: noise-free points lie on their own Archimedean arm', () => {
    const arms = 3;
    const turns = 1.5;
    const d = generate2D('spiral', { arms, turns, noise: 0, n: 900 });
    for (let i = 0; i < 900; i++) {
      const x = d.points[2 * i]!;
      const y = d.points[2 * i + 1]!;
      const t = Math.hypot(x, y) / 0.9;
      const theta = (2 * Math.PI * d.labels[i]!) / arms + 2 * Math.PI * turns * t;
      expect(Math.hypot(x - 0.9 * t * Math.cos(theta), y - 0.9 * t * Math.sin(theta))).toBeLessThan(1e-5);
    }
  });

  it('spiral: 3 arms, noise 0.1 of the arm spacing → residual std 0.1 × spacing and arms separable', () => {
    const arms = 3;
    const turns = 1.5;
    const spacing = spiralArmSpacing(arms, turns);
    expect(spacing).toBeCloseTo(0.9 / 4.5, 12);
    expect(noiseStd('spiral', 0.1, { arms, turns }) / (0.1 * spacing)).toBeCloseTo(1, 1);

    // Nearest arm (of a densely sampled noise-free curve) recovers the label for nearly all points.
    const d = generate2D('spiral', { arms, turns, noise: 0.1, n: 600, seed: 3 });
    const curve = (k: number, t: number): [number, number] => {
      const th = (2 * Math.PI * k) / arms + 2 * Math.PI * turns * t;
      return [0.9 * t * Math.cos(th), 0.9 * t * Math.sin(th)];
    };
    let right = 0;
    for (let i = 0; i < 600; i++) {
      const p = [d.points[2 * i]!, d.points[2 * i + 1]!];
      let best = -1;
      let bestDist = Infinity;
      for (let k = 0; k < arms; k++) {
        for (let s = 0; s <= 2000; s++) {
          const [cx, cy] = curve(k, s / 2000);
          const dist = Math.hypot(p[0]! - cx, p[1]! - cy);
          if (dist < bestDist) [bestDist, best] = [dist, k];
        }
      }
      if (best === d.labels[i]) right++;
    }
    expect(right / 600).toBeGreaterThan(0.97);
  });

  it('xor: class 0 in quadrants (+,+)/(−,−), class 1 in (+,−)/(−,+), all four used', () => {
    const d = generate2D('xor', { noise: 0, n: 400 });
    const quadrants = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const sx = Math.sign(d.points[2 * i]!);
      const sy = Math.sign(d.points[2 * i + 1]!);
      expect(sx * sy).toBe(d.labels[i] === 0 ? 1 : -1);
      quadrants.add(`${sx},${sy}`);
    }
    expect(quadrants.size).toBe(4);
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => generate2D('spiral', { arms: 6 })).toThrow(/spiral: arms must be an integer in \[2, 5\], got 6/);
    expect(() => generate2D('blobs', { classes: 1 })).toThrow(/blobs: classes/);
    expect(() => generate2D('moons', { noise: -0.1 })).toThrow(/moons: noise/);
    expect(() => generate2D('moons', { noise: 0.6 })).toThrow(/moons: noise must be a number in \[0, 0.5\], got 0.6/);
    expect(() => generate2D('circles', { n: 1 })).toThrow(/circles: n must be an integer in \[2, 100000\], got 1/);
    expect(() => generate2D('xor', { seed: 1.5 })).toThrow(/xor: seed/);
    expect(() => generate2D('nope' as GeneratorName)).toThrow(/unknown 2-D dataset "nope"/);
  });
});
