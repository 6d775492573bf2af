/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
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

/**
 * The built page's Content-Security-Policy: scripts, styles, data and connections from this origin
 * only, no eval, no inline script, no plugins, no forms. Images may also be blob: and data: URLs
 * (chart PNG export, prediction thumbnails). Styles allow 'unsafe-inline' for the style attributes
 * React and recharts set; scripts never do. As a <meta> in the built index.html (any static host
 * serves it) and as a header from `vite preview` (npm start), which can also forbid framing.
 * Only the build: the dev server's hot reload injects an inline script.
 */
const CSP = ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "img-src 'self' data: blob:", "style-src 'self' 'unsafe-inline'", "worker-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'"].join('; ');

const contentSecurityPolicy = (): Plugin => ({
  name: 'stp-content-security-policy',
  apply: 'build',
  transformIndexHtml: (html) => html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
});

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  preview: { headers: { 'Content-Security-Policy': `${CSP}; frame-ancestors 'none'` } },
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
