// Seeded RNG with explicit state: the same seed gives the same stream on every machine.
// mulberry32 for floats/ints, and the PCG hash that the WGSL kernels use (shaders/*.wgsl
// `pcg_hash`), so CPU and GPU draw identical random keys from (seed, step, member, layer, index).

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** The internal state, so a run can be saved and resumed exactly. */
  state(): number;
}

export function mulberry32(seed: number): Rng {
  let s = seed >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    state: () => s,
  };
}

/** PCG hash (Jarzynski & Olano 2020), bit-identical to `pcg_hash` in the WGSL kernels. */
export function pcgHash(input: number): number {
  const state = (Math.imul(input >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Fisher-Yates shuffle of 0..n-1 driven by `rng`. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * Deterministic test and benchmark data: n floats uniform in [-scale, scale) from a xorshift32
 * stream (cheap, and the same on every machine). Not for training randomness: use mulberry32.
 */
export function uniformArray(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** A 0/1 mask with each entry active with probability about `density` (count not exact). */
export function bernoulliMask(n: number, seed: number, density: number): Float32Array {
  return uniformArray(n, seed).map((v) => ((v + 1) / 2 < density ? 1 : 0));
}
