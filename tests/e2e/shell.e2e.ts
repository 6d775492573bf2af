// A person opening the playground: with WebGPU they see which adapter is training and that the
// kernels compiled; without it they get a page that explains what to do, never a blank screen.
import { expect, test } from '@playwright/test';
import { collectConsoleErrors } from './console';


test('loads with no console errors and shows the WebGPU adapter in use', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sparse Training Playground' })).toBeVisible();
  const adapter = page.getByTestId('adapter-label');
  await expect(adapter).toContainText('WebGPU:');
  // The test browser runs SwiftShader unless STP_WEBGPU_ADAPTER says otherwise.
  if ((process.env.STP_WEBGPU_ADAPTER ?? 'swiftshader') === 'swiftshader') {
    await expect(adapter).toContainText(/swiftshader/i);
    await expect(adapter).toContainText('software rendering');
  }
  // Every kernel pipeline compiles in the real app, not only in the GPU test tier.
  await expect(page.getByTestId('kernel-state')).toContainText(/\d+ kernels ready/, { timeout: 90_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('shell.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('a browser without WebGPU gets the clear "unsupported" page', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'WebGPU is not available' })).toBeVisible();
  await expect(page.getByTestId('unsupported')).toContainText('does not expose WebGPU');
  await expect(page.getByRole('rowheader', { name: 'Chrome / Edge 113+' })).toBeVisible();
  await expect(page.getByTestId('unsupported')).toContainText('enable-unsafe-webgpu');
  await page.getByText('Technical details').click();
  await expect(page.getByTestId('unsupported-reason')).toContainText('no-webgpu-api');
  expect(errors).toEqual([]);
});

test('WebGPU without an adapter explains that the GPU is unavailable', async ({ page }) => {
  await page.addInitScript(() => {
    const gpu = navigator.gpu;
    if (gpu) Object.defineProperty(gpu, 'requestAdapter', { value: async () => null });
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'WebGPU is not available' })).toBeVisible();
  await expect(page.getByTestId('unsupported')).toContainText('no GPU adapter is available');
  await page.getByText('Technical details').click();
  await expect(page.getByTestId('unsupported-reason')).toContainText('no-adapter');
});
