// What several end-to-end files read off or do to the page: a link holding a config, waiting for
// a run to be ready, the step the transport shows, stepping one step at a time, training past
// some step then pausing (as a person pressing Play twice would), and the masks on the GPU.
import { expect, type Page } from '@playwright/test';
import { encodeConfig, parseConfig } from '../../src/config';

/** The page's link for a config (version 1 and `input`; defaults for the rest). */
export function link(input: Record<string, unknown>): string {
  const r = parseConfig({ version: 1, ...input });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return `/#${encodeConfig(r.config)}`;
}

export async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
}

export const stepOf = async (page: Page): Promise<number> => Number(/step (\d+)/.exec((await page.getByTestId('step-counter').textContent()) ?? '')?.[1] ?? NaN);

/** Presses Play, waits until the run is past `steps`, presses it again and waits for "paused". */
export async function trainPast(page: Page, steps: number): Promise<void> {
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(steps);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
}

/** Presses Step `n` times, each time waiting for the counter to show the next step. */
export async function stepTimes(page: Page, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await page.getByTestId('step').click();
    await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBe(i);
  }
}

export type GpuMasks = { name: string; mask: number[]; events: number[] }[];

/** Every weight layer's mask and last-update codes, read from the GPU (the page's window.stp). */
export const gpuMasks = (page: Page): Promise<GpuMasks> => page.evaluate(() => (window as unknown as { stp: { gpuMasks(): Promise<GpuMasks> } }).stp.gpuMasks());
