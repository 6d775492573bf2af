// Seeded 2-D classification datasets, the TensorFlow-Playground / sklearn staples: spiral
// (2-5 arms), two moons, circles, XOR and gaussian blobs (2-5 classes).
//
// Every generator returns { points: (n, 2) f32, labels: (n) u32, classes } with:
//  - range: the noise-free shapes lie inside [-0.9, 0.9]²; Gaussian noise is added unclipped
//    (as in TF Playground and sklearn), so at noise ≤ 0.1 at least 98% of points are inside
//    [-1, 1]² (tested), while at the maximum noise 0.5 some spill out (XOR keeps ~74%);
//  - exact balance: point i has label i % classes, so class sizes differ by at most one and
//    every prefix is balanced too;
//  - noise: isotropic Gaussian with std = noise × scale, where `scale` is the shape's natural
//    length (spiral: radial spacing between adjacent arms, moons: moon radius as in sklearn,
//    circles: gap between the rings, XOR: side of a quadrant's square, blobs: distance between
//    adjacent centres). So "noise 0.1" means one tenth of the gap that separates the classes;
//  - determinism: the same options (seed included) give bit-identical arrays on every machine.

import { mulberry32, type Rng } from '../util/rng';
import { check, checkInt, checkRange } from './errors';

export interface Dataset2D {
  points: Float32Array; // (n, 2) row-major: x = points[2i], y = points[2i + 1]
  labels: Uint32Array; // (n), each < classes
  classes: number;
}

export interface CommonOptions {
  /** Number of points, ≥ classes, ≤ MAX_POINTS. */
  n: number;
  /** Gaussian noise std as a fraction of the generator's scale, in [0, MAX_NOISE]. */
  noise: number;
  /** Unsigned 32-bit integer. */
  seed: number;
}
export interface SpiralOptions extends CommonOptions {
  /** Number of arms = number of classes, 2-5. */
  arms: number;
  /** Turns each arm makes from the centre to radius 0.9, in [0.25, 3]. */
  turns: number;
}
export type MoonsOptions = CommonOptions;
export type CirclesOptions = CommonOptions;
export type XorOptions = CommonOptions;
export interface BlobsOptions extends CommonOptions {
  /** Number of blobs = number of classes, 2-5. */
  classes: number;
}

export interface GeneratorSpec<O extends CommonOptions> {
  title: string;
  /** What noise = 1 means, for tooltips and docs. */
  noiseUnit: string;
  defaults: Readonly<O>;
  /** Noise std per unit of `noise`: the shape's natural length. */
  scale(o: O): number;
  generate(o: O): Dataset2D;
}

export const MAX_POINTS = 100_000;
export const MAX_2D_CLASSES = 5;
/** TF Playground's noise slider also stops at 50 %; beyond it the classes overlap heavily. */
export const MAX_NOISE = 0.5;
/** Outer radius of the noise-free shapes. */
const R = 0.9;
const TAU = 2 * Math.PI;

/**
 * Shared driver: validates, then for point i draws the noise-free sample of class i % classes
 * from `shape`, and adds N(0, (noise·scale)²) to each coordinate.
 */
function build(
  o: CommonOptions,
  classes: number,
  scale: number,
  shape: (c: number, i: number, rng: Rng) => [number, number],
  name: string,
): Dataset2D {
  checkInt(o.n, classes, MAX_POINTS, `${name}: n`);
  checkRange(o.noise, 0, MAX_NOISE, `${name}: noise`);
  checkInt(o.seed, 0, 0xffffffff, `${name}: seed`);
  const rng = mulberry32(o.seed);
  const sigma = o.noise * scale;
  const points = new Float32Array(o.n * 2);
  const labels = new Uint32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    const c = i % classes;
    const [x, y] = shape(c, i, rng);
    // Always draw the two normals, so noise 0 and noise > 0 consume the same stream.
    const nx = rng.normal();
    const ny = rng.normal();
    points[2 * i] = x + sigma * nx;
    points[2 * i + 1] = y + sigma * ny;
    labels[i] = c;
  }
  return { points, labels, classes };
}

/** Radial distance between adjacent arms of a spiral of outer radius 0.9. */
export function spiralArmSpacing(arms: number, turns: number): number {
  return R / (arms * turns);
}

/**
 * Arm k (class k) is the Archimedean spiral r = 0.9 t, θ = 2πk/arms + 2π·turns·t, t ~ U[0, 1].
 * Along any ray the arms are evenly spaced by spiralArmSpacing(arms, turns).
 */
function spiral(o: SpiralOptions): Dataset2D {
  checkInt(o.arms, 2, MAX_2D_CLASSES, 'spiral: arms');
  checkRange(o.turns, 0.25, 3, 'spiral: turns');
  return build(
    o,
    o.arms,
    spiralArmSpacing(o.arms, o.turns),
    (c, _i, rng) => {
      const t = rng.next();
      const theta = (TAU * c) / o.arms + TAU * o.turns * t;
      return [R * t * Math.cos(theta), R * t * Math.sin(theta)];
    },
    'spiral',
  );
}

/** sklearn's make_moons, centred and scaled by 0.6: x in [-0.9, 0.9], y in [-0.45, 0.45]. */
const MOON_RADIUS = 0.6;
function moons(o: MoonsOptions): Dataset2D {
  return build(
    o,
    2,
    MOON_RADIUS,
    (c, _i, rng) => {
      const t = Math.PI * rng.next();
      const [x, y] = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      return [(x - 0.5) * MOON_RADIUS, (y - 0.25) * MOON_RADIUS];
    },
    'moons',
  );
}

/** Class 0 on the circle of radius 0.45, class 1 on radius 0.9 (sklearn make_circles, factor 0.5). */
function circles(o: CirclesOptions): Dataset2D {
  return build(
    o,
    2,
    R / 2,
    (c, _i, rng) => {
      const a = TAU * rng.next();
      const r = c === 0 ? R / 2 : R;
      return [r * Math.cos(a), r * Math.sin(a)];
    },
    'circles',
  );
}

/**
 * Four squares [0.1, 0.9]² mirrored into the quadrants; class 0 = (+,+) and (−,−), class 1 =
 * (+,−) and (−,+). The 0.1 padding leaves a gap along the axes, as TF Playground does.
 */
const XOR_PAD = 0.1;
function xor(o: XorOptions): Dataset2D {
  const side = R - XOR_PAD;
  return build(
    o,
    2,
    side,
    (c, i, rng) => {
      // Each class alternates between its two quadrants: points 0-1 unflipped, 2-3 flipped, ...
      const flip = Math.floor(i / 2) % 2 === 1;
      const x = XOR_PAD + side * rng.next();
      const y = XOR_PAD + side * rng.next();
      const sx = flip ? -1 : 1;
      const sy = c === 0 ? sx : -sx;
      return [sx * x, sy * y];
    },
    'xor',
  );
}

/** Blob centres: on the circle of radius 0.5, the first at 45°. */
const BLOB_RING = 0.5;
export function blobCenterSpacing(classes: number): number {
  return 2 * BLOB_RING * Math.sin(Math.PI / classes);
}

/** Noise-free: uniform disc of radius 0.25 × centre spacing around each centre. */
function blobs(o: BlobsOptions): Dataset2D {
  checkInt(o.classes, 2, MAX_2D_CLASSES, 'blobs: classes');
  const spacing = blobCenterSpacing(o.classes);
  return build(
    o,
    o.classes,
    spacing,
    (c, _i, rng) => {
      const a = Math.PI / 4 + (TAU * c) / o.classes;
      const r = 0.25 * spacing * Math.sqrt(rng.next());
      const phi = TAU * rng.next();
      return [BLOB_RING * Math.cos(a) + r * Math.cos(phi), BLOB_RING * Math.sin(a) + r * Math.sin(phi)];
    },
    'blobs',
  );
}

const common: CommonOptions = { n: 500, noise: 0.1, seed: 1 };

export const GENERATORS = {
  spiral: {
    title: 'Spiral',
    noiseUnit: 'radial spacing between adjacent arms',
    defaults: { ...common, arms: 2, turns: 1.5 },
    scale: (o) => spiralArmSpacing(o.arms, o.turns),
    generate: spiral,
  } satisfies GeneratorSpec<SpiralOptions>,
  moons: {
    title: 'Two moons',
    noiseUnit: 'moon radius (sklearn make_moons convention)',
    defaults: common,
    scale: () => MOON_RADIUS,
    generate: moons,
  } satisfies GeneratorSpec<MoonsOptions>,
  circles: {
    title: 'Circles',
    noiseUnit: 'gap between the two rings',
    defaults: common,
    scale: () => R / 2,
    generate: circles,
  } satisfies GeneratorSpec<CirclesOptions>,
  xor: {
    title: 'XOR',
    noiseUnit: "side of a quadrant's square",
    defaults: common,
    scale: () => R - XOR_PAD,
    generate: xor,
  } satisfies GeneratorSpec<XorOptions>,
  blobs: {
    title: 'Gaussian blobs',
    noiseUnit: 'distance between adjacent blob centres',
    defaults: { ...common, classes: 3 },
    scale: (o) => blobCenterSpacing(o.classes),
    generate: blobs,
  } satisfies GeneratorSpec<BlobsOptions>,
};

export type GeneratorName = keyof typeof GENERATORS;
export type OptionsOf<K extends GeneratorName> = Parameters<(typeof GENERATORS)[K]['generate']>[0];
export const GENERATOR_NAMES = Object.keys(GENERATORS) as GeneratorName[];

/** Generates dataset `name`, filling options it does not give from the generator's defaults. */
export function generate2D<K extends GeneratorName>(name: K, options: Partial<OptionsOf<K>> = {}): Dataset2D {
  const spec = GENERATORS[name] as unknown as GeneratorSpec<OptionsOf<K>> | undefined;
  check(spec !== undefined, `unknown 2-D dataset "${String(name)}" (known: ${GENERATOR_NAMES.join(', ')})`);
  return spec.generate({ ...spec.defaults, ...options });
}
