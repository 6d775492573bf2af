// Export › PyTorch in the playground (issue 16): a config the Python package cannot train (the
// default spiral) is refused there field by field before anything downloads; an MNIST run gives
// its config file, the commands, and after a few steps its checkpoint, which the package continues.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { encodeConfig, parseConfig } from '../../src/config';
import { PYTHON_HINT, findPython } from '../../scripts/python.mjs';
import { collectConsoleErrors } from './console';
import { stepOf } from './page';

const MNIST = { version: 1, seed: 2, data: { dataset: 'mnist', trainLimit: 1024 }, model: { kind: 'mlp', hidden: [16] }, sparsity: { target: 0.8 }, dst: { method: 'rigl', deltaT: 5 }, training: { epochs: 2, batchSize: 32 } };

async function save(page: Page, click: () => Promise<void>, dir: string): Promise<string> {
  const download = page.waitForEvent('download');
  await click();
  const d = await download;
  const file = join(dir, d.suggestedFilename());
  await d.saveAs(file);
  return file;
}

test('Export › PyTorch: refusals named for the spiral; config, commands and a checkpoint the package continues for MNIST', async ({ page }, info) => {
  const errors = collectConsoleErrors(page);
  await page.goto('/');
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  await page.getByTestId('export-pytorch').click();
  await expect(page.getByTestId('python-refusals')).toContainText('data.dataset');
  await expect(page.getByTestId('python-refusals')).toContainText('"spiral" is generated or drawn in the browser');
  await expect(page.getByTestId('python-export-config')).toHaveCount(0);
  await page.getByTestId('python-export').getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('python-export')).toHaveCount(0);

  const r = parseConfig(MNIST);
  if (!r.ok) throw new Error('bad test config');
  await page.goto(`/#${encodeConfig(r.config)}`);
  await expect(page.getByTestId('run-status')).toContainText('ready', { timeout: 90_000 });
  for (let i = 1; i <= 6; i++) {
    await page.getByTestId('step').click();
    await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBe(i);
  }
  await page.getByTestId('export-pytorch').click();
  const dialog = page.getByTestId('python-export');
  await expect(dialog).toContainText('torchrun --nproc_per_node=N -m sparse_playground experiment.json');
  await expect(dialog).toContainText('python -m sparse_playground --continue experiment-checkpoint.json');
  await page.screenshot({ path: info.outputPath('pytorch-export.png'), fullPage: true });

  const dir = mkdtempSync(join(tmpdir(), 'stp-pyexport-'));
  const configFile = await save(page, () => page.getByTestId('python-export-config').click(), dir);
  expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual(r.config);
  const downloads: string[] = [];
  page.on('download', (d) => void d.saveAs(join(dir, d.suggestedFilename())).then(() => downloads.push(d.suggestedFilename())));
  await page.getByTestId('python-export-checkpoint').click();
  await expect(page.getByTestId('python-export-saved')).toContainText('checkpoint at step 6');
  await expect.poll(() => downloads.sort(), { timeout: 10_000 }).toEqual(['experiment-checkpoint.bin', 'experiment-checkpoint.json']);

  const python = findPython(['torch', 'numpy']);
  expect(python, `no Python with torch and numpy: ${PYTHON_HINT}`).not.toBeNull();
  const p = spawnSync(python!, ['-m', 'sparse_playground', '--continue', join(dir, 'experiment-checkpoint.json'), '--max-steps', '10', '--out', join(dir, 'python')], { encoding: 'utf8', timeout: 120_000, cwd: 'python', env: { ...process.env, STP_DATA: join(process.cwd(), 'public', 'data') } });
  expect(p.status, p.stderr).toBe(0);
  const res = JSON.parse(readFileSync(join(dir, 'python', 'results.json'), 'utf8'));
  expect(res.steps).toBe(16);
  expect(res.updates.map((u: { step: number }) => u.step)).toEqual([10, 15]);
  expect(errors).toEqual([]);
});
