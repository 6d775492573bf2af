// How every browser-driven tier (GPU tests, end-to-end tests, benchmarks) launches Chromium.
// Chromium is found through CHROME_PATH, then /usr/bin/chromium (README "Requirements").
import { existsSync } from 'node:fs';

export function chromiumPath(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  const debian = '/usr/bin/chromium';
  if (existsSync(debian)) return debian;
  throw new Error(
    'Chromium not found: set CHROME_PATH to a Chrome or Chromium binary, or install /usr/bin/chromium ' +
      '(Debian: apt-get install -y chromium).',
  );
}

/** Flags that quiet a machine without internet (no background fetches that get refused). */
const QUIET = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-sandbox',
];

/**
 * WebGPU flags. SwiftShader (software Vulkan, shipped inside Chrome) is the default so that tests
 * behave the same on every machine, GPU or not; STP_WEBGPU_ADAPTER=default uses the real GPU.
 */
export function webgpuArgs(): string[] {
  const adapter = process.env.STP_WEBGPU_ADAPTER ?? 'swiftshader';
  const args = ['--enable-unsafe-webgpu', '--enable-features=Vulkan'];
  if (adapter !== 'default') args.push(`--use-webgpu-adapter=${adapter}`);
  return args;
}

export function chromiumArgs(opts: { webgpu: boolean } = { webgpu: true }): string[] {
  return opts.webgpu ? [...QUIET, ...webgpuArgs()] : [...QUIET];
}
