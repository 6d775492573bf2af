/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { chromiumArgs, chromiumPath } from './tests/browser-launch.ts';

// One config for the app (vite dev/build) and for the three vitest tiers:
//   unit:    plain Node, tests/**/*.test.ts (not *.gpu.test.ts, not the lessons)
//   gpu:     headless Chromium with WebGPU, tests/**/*.gpu.test.ts
//   lessons: headless Chromium, tests/lessons/*.lessons.test.ts: every lesson's runs trained to the
//            end and its claims checked, on STP_LESSON_SEEDS seeds (default 1: the lesson's own)
// A fresh object per project: vitest names the browser instances after their project.
const browser = () => ({
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: playwright({
    launchOptions: { executablePath: lazyChromiumPath(), args: chromiumArgs() },
  }),
  instances: [{ browser: 'chromium' as const }],
});

export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022', sourcemap: true },
  server: { port: 5173 },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.gpu.test.ts', 'tests/e2e/**', 'tests/lessons/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['tests/**/*.gpu.test.ts'],
          // SwiftShader is slow and single-device: one file at a time, generous timeouts.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          browser: browser(),
        },
      },
      {
        extends: true,
        test: {
          name: 'lessons',
          include: ['tests/lessons/**/*.lessons.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 900_000,
          provide: { lessonSeeds: lessonSeeds() },
          browser: browser(),
        },
      },
    ],
  },
});

/** Seeds per lesson for the lesson tier: the lesson's own, and more with STP_LESSON_SEEDS. */
function lessonSeeds(): number {
  const n = Number(process.env.STP_LESSON_SEEDS ?? 1);
  if (!Number.isInteger(n) || n < 1 || n > 10) throw new Error(`STP_LESSON_SEEDS must be a whole number from 1 to 10, got "${process.env.STP_LESSON_SEEDS}"`);
  return n;
}

// The app build does not need Chromium; only resolve it when a browser tier actually runs.
function lazyChromiumPath(): string | undefined {
  try {
    return chromiumPath();
  } catch {
    return undefined;
  }
}
