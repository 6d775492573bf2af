// The lesson tier: every lesson's preset and variants trained to the end with the engine, on the
// lesson's own seed and (with STP_LESSON_SEEDS=3, `npm run test:lessons -- --seeds 3`) two more,
// and every claim its pages make checked against what the runs show (src/state/lesson-claims.ts).
// Each (lesson, seed) writes its figures to test-results/lessons/ (paths are from the project root)
// for docs/LESSONS.md.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commands } from 'vitest/browser';
import type { RunFigures } from '../../src/ensemble';
import { PipelineCache, acquireGpu } from '../../src/gpu';
import { LESSONS, checkClaim, claimVariants, lessonRunInput, lessonRuns, lessonSeed } from '../../src/state';
import { trainLessonRun } from './train-run';

declare module 'vitest' {
  export interface ProvidedContext {
    lessonSeeds: number;
  }
}

let cache: PipelineCache;
beforeAll(async () => {
  const gpu = await acquireGpu();
  if (!gpu.ok) throw new Error(`no WebGPU: ${gpu.message}`);
  cache = PipelineCache.for(gpu.gpu.device);
});

const seedCount = inject('lessonSeeds');

for (const lesson of LESSONS) {
  const own = lessonSeed(lesson);
  const seeds = Array.from({ length: seedCount }, (_, k) => own + k);
  for (const seed of seeds) {
    describe(`lesson "${lesson.id}", seed ${seed}`, () => {
      const runs: Record<string, RunFigures & { seconds: number }> = {};
      // Only the runs some claim reads (every lesson's claims read all of its runs today).
      const needed = lessonRuns(lesson).filter((r) => lesson.claims.some((c) => claimVariants(c).includes(r.id)));
      beforeAll(async () => {
        for (const r of needed) runs[r.id] = await trainLessonRun(cache, lessonRunInput(lesson, r.id, seed));
      }, 600_000);
      afterAll(async () => {
        const claims = lesson.claims.map((c) => ({ id: c.id, ...(({ holds, value, other, detail }) => ({ holds, value, other, detail }))(checkClaim(c, runs)) }));
        const figures = Object.fromEntries(Object.entries(runs).map(([id, f]) => [id, { ...f, losses: undefined }]));
        await commands.writeFile(`test-results/lessons/${lesson.id}-seed${seed}.json`, JSON.stringify({ lesson: lesson.id, order: LESSONS.indexOf(lesson), seed, own: seed === own, claims, figures }, null, 1));
      });
      for (const claim of lesson.claims) {
        it(`${claim.id}: ${claim.says}`, () => {
          const r = checkClaim(claim, runs);
          expect(r.holds, r.detail).toBe(true);
        });
      }
    });
  }
}
