/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { chromiumArgs, chromiumPath } from './tests/browser-launch.ts';

// One config for the app (vite dev/build) and for the two vitest tiers:
//   unit: plain Node, tests/**/*.test.ts (not *.gpu.test.ts)
//   gpu:  headless Chromium with WebGPU, tests/**/*.gpu.test.ts
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
          exclude: ['tests/**/*.gpu.test.ts', 'tests/e2e/**'],
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
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: lazyChromiumPath(), args: chromiumArgs() },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});

// The app build does not need Chromium; only resolve it when a browser tier actually runs.
function lazyChromiumPath(): string | undefined {
  try {
    return chromiumPath();
  } catch {
    return undefined;
  }
}
