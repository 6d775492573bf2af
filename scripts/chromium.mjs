// Chromium lookup and launch flags for the Node scripts (bench, experiment runner): the same as
// tests/browser-launch.ts, which these .mjs scripts cannot import without a TypeScript loader.
import { existsSync } from 'node:fs';

export function chromiumPath() {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  throw new Error('Chromium not found: set CHROME_PATH to a Chrome or Chromium binary, or install /usr/bin/chromium.');
}

export function chromiumArgs() {
  const adapter = process.env.STP_WEBGPU_ADAPTER ?? 'swiftshader';
  const args = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
  args.push('--no-first-run', '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan');
  if (adapter !== 'default') args.push(`--use-webgpu-adapter=${adapter}`);
  return args;
}
