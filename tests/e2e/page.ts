// What several end-to-end files read off or do to the page: the step the transport shows, and
// training past some step then pausing, as a person pressing Play twice would.
import { expect, type Page } from '@playwright/test';

export const stepOf = async (page: Page): Promise<number> => Number(/step (\d+)/.exec((await page.getByTestId('step-counter').textContent()) ?? '')?.[1] ?? NaN);

/** Presses Play, waits until the run is past `steps`, presses it again and waits for "paused". */
export async function trainPast(page: Page, steps: number): Promise<void> {
  await page.getByTestId('play').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(steps);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toContainText('paused');
}
