// Chunked wall-clock timing (docs/ARCHITECTURE.md §5): N iterations per
// chunk with one wait at the end, R chunks after warm-up, median per iteration. N is chosen so
// that one chunk takes about `targetMs`, or fixed with --iters.

export interface TimingOptions {
  /** Wanted wall-clock length of one measured chunk. */
  targetMs: number;
  /** Measured chunks (after warm-up). */
  reps: number;
  /** Iterations per chunk; null = adaptive. */
  fixedIters: number | null;
  minIters: number;
  maxIters: number;
}

export interface Timing {
  /** Median over the measured chunks of (chunk ms / iterations). */
  msPerIter: number;
  msPerIterMin: number;
  itersPerChunk: number;
  reps: number;
  /** Warm-up and calibration chunks run before measuring. */
  warmupChunks: number;
  /** Per-iteration ms of each measured chunk, in run order. */
  samplesMs: number[];
}

/** Runs `iterations` iterations and resolves once they have all completed. */
export type ChunkRunner = (iterations: number) => Promise<void>;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function measure(run: ChunkRunner, o: TimingOptions): Promise<Timing> {
  const time = async (n: number): Promise<number> => {
    const t0 = performance.now();
    await run(n);
    return performance.now() - t0;
  };
  const clamp = (n: number): number => Math.min(o.maxIters, Math.max(o.minIters, Math.round(n)));

  // Warm-up 1: a single iteration, not used for calibration (it includes first-use costs such as
  // tfjs compiling its shaders).
  await time(1);
  let warmupChunks = 1;
  let iters: number;
  if (o.fixedIters !== null) {
    iters = o.fixedIters;
    await time(iters); // warm-up 2 at the measured size
    warmupChunks++;
  } else {
    // Calibrate: grow the chunk until it is long enough that submit latency no longer dominates.
    let n = 1;
    let t = await time(1);
    warmupChunks++;
    while (t < o.targetMs / 8 && n < o.maxIters) {
      n = Math.min(o.maxIters, n * 8);
      t = await time(n);
      warmupChunks++;
    }
    iters = clamp(o.targetMs / (t / n));
  }
  const samplesMs: number[] = [];
  for (let r = 0; r < o.reps; r++) samplesMs.push((await time(iters)) / iters);
  return {
    msPerIter: median(samplesMs),
    msPerIterMin: Math.min(...samplesMs),
    itersPerChunk: iters,
    reps: o.reps,
    warmupChunks,
    samplesMs,
  };
}

