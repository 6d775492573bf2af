// How many steps the page trains in one chunk of the run loop. By time, not by a fixed count:
// as many steps as fill about TARGET_CHUNK_MS of the GPU's time, measured on the chunks so far,
// so a small network is not held back by a few steps per frame and a large one still hands the
// browser a frame every tenth of a second. The speed slider caps it (steps per frame, for
// watching updates one by one); at SPEED_MAX it does not. A chunk also ends where the run's
// phase does, so a new EDST phase is seen (and snapshotted) as it begins.

/** The speed slider's top value: no cap, as fast as the chunk budget allows. */
export const SPEED_MAX = 65;
/** Wall time one chunk aims at: about the store's 10 Hz publishing rate. */
export const TARGET_CHUNK_MS = 100;
const FIRST_CHUNK = 4;
const MAX_CHUNK = 2048;

export class ChunkPacer {
  /** Milliseconds per step, smoothed over the last chunks (0 until the first is measured). */
  private msPerStep = 0;

  /** The next chunk's size for a speed setting (1..SPEED_MAX) and the steps left in this phase. */
  size(speed: number, phaseLeft: number): number {
    const byTime = this.msPerStep > 0 ? Math.floor(TARGET_CHUNK_MS / this.msPerStep) : FIRST_CHUNK;
    const cap = speed >= SPEED_MAX ? MAX_CHUNK : speed;
    return Math.max(1, Math.min(byTime, cap, MAX_CHUNK, Math.max(1, phaseLeft)));
  }

  /** Records how long a chunk of `steps` steps took to train. */
  record(steps: number, ms: number): void {
    if (steps <= 0 || !(ms >= 0)) return;
    const per = ms / steps;
    this.msPerStep = this.msPerStep === 0 ? per : 0.7 * this.msPerStep + 0.3 * per;
  }
}
