// The headless runner (`npm run experiment`): runs an example config end to end in headless
// Chromium and writes the results JSON (docs/EXPERIMENTS.md fields) and the history CSV; a config
// with a wrong field is refused, the field named, and nothing runs; a run stopped by Ctrl-C and
// resumed from its checkpoint ends with the history of an uninterrupted run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

function runner(args: string[]) {
  return spawnSync('node', ['scripts/experiment.mjs', ...args], { encoding: 'utf8', timeout: 110_000 });
}

test('npm run experiment: a short RigL run on the spiral writes results.json and history.csv', () => {
  const out = mkdtempSync(join(tmpdir(), 'stp-exp-'));
  const r = runner(['experiments/spiral-rigl.json', '--out', out, '--set', 'training.epochs=4', '--set', 'dst.deltaT=10', '--set', 'training.evalEvery=13']);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/\[#+\] 52\/52 100% .* ETA/);
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  expect(res.config.training.epochs).toBe(4);
  expect(Object.keys(res.adapter).sort()).toEqual(['architecture', 'description', 'vendor']);
  expect(res.seconds).toBeGreaterThan(0);
  expect(res.history.map((h: { step: number }) => h.step)).toEqual([13, 26, 39, 52]);
  expect(Object.keys(res.history[0]).sort()).toEqual(['epoch', 'loss', 'members', 'step', 'testAccuracy', 'trainAccuracy']);
  expect(Object.keys(res.history[0].members[0]).sort()).toEqual(['itop', 'loss', 'testAccuracy', 'trainAccuracy']);
  const f = res.final;
  expect(f.ensemble.accuracy).toBeGreaterThan(0.3);
  expect(f.members).toHaveLength(1);
  expect(f.members[0].layers.map((l: { name: string }) => l.name)).toEqual(['dense1', 'dense2', 'dense3']);
  expect(f.disagreement).toBeNull(); // one model
  expect(f.trainFlops / f.denseTrainFlops).toBeGreaterThan(0.4);
  expect(f.trainFlops / f.denseTrainFlops).toBeLessThan(0.7);
  const csv = readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('step,epoch,loss,trainAccuracy,testAccuracy,member1_loss,member1_trainAccuracy,member1_testAccuracy,member1_itop');
  expect(csv).toHaveLength(5);
});

test('npm run experiment: a wrong field is refused, named, and nothing runs', () => {
  const out = mkdtempSync(join(tmpdir(), 'stp-exp-'));
  const r = runner(['experiments/spiral-rigl.json', '--out', out, '--set', 'sparsity.target=2', '--set', 'training.batchSize=0']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('the config was refused, nothing ran');
  expect(r.stderr).toContain('sparsity.target');
  expect(r.stderr).toContain('training.batchSize');
  expect(() => readFileSync(join(out, 'results.json'))).toThrow();
});

test('npm run experiment: a command the GPU rejects mid-run fails the run, exit 1, and no results are written', () => {
  const out = mkdtempSync(join(tmpdir(), 'stp-exp-'));
  const r = runner(['experiments/spiral-rigl.json', '--out', out, '--set', 'training.epochs=4', '--set', 'dst.deltaT=10', '--simulate-gpu-error-at', '20']);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/experiment FAILED: the GPU rejected this run's work by step \d+ \(.*\); no results are written/);
  expect(existsSync(join(out, 'results.json'))).toBe(false);
  expect(existsSync(join(out, 'history.csv'))).toBe(false);
});

test('npm run experiment: a run too big for the GPU is refused by the pre-flight, naming the limit, and nothing runs', () => {
  const out = mkdtempSync(join(tmpdir(), 'stp-exp-'));
  const r = runner(['experiments/spiral-rigl.json', '--out', out, '--set', 'model.hidden=[1024,1024,1024,1024]', '--set', 'ensemble={"mode":"dst","members":8}', '--set', 'data.points=10000', '--set', 'training.batchSize=2048', '--memory-budget', '64']);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/the run does not fit this GPU, nothing ran: This run needs about [\d,]+ MiB of GPU memory, [\d.]+× the 64 MiB a run may take here/);
  expect(existsSync(join(out, 'results.json'))).toBe(false);
});

const readResults = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

test('npm run experiment: Ctrl-C saves a checkpoint, --resume continues the same curve', async () => {
  test.setTimeout(200_000);
  const args = ['experiments/spiral-rigl.json', '--set', 'training.epochs=30', '--set', 'dst.deltaT=10', '--set', 'training.evalEvery=13'];
  const full = mkdtempSync(join(tmpdir(), 'stp-exp-'));
  const straight = runner([...args, '--out', full]);
  expect(straight.status, straight.stderr).toBe(0);
  expect(existsSync(join(full, 'checkpoint.json'))).toBe(false); // a finished run leaves no checkpoint

  const out = mkdtempSync(join(tmpdir(), 'stp-exp-'));
  const child = spawn('node', ['scripts/experiment.mjs', ...args, '--out', out, '--checkpoint-every', '0.02']);
  let stderr = '';
  let signalled = false;
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    // Ctrl-C once a few history rows are in (the bar shows step/total).
    const steps = [...stderr.matchAll(/\] (\d+)\/390 /g)].map((m) => Number(m[1]));
    if (!signalled && steps.some((s) => s >= 52)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  expect(code, stderr).toBe(130);
  expect(stderr).toContain('saving a checkpoint');
  const partial = readResults(out);
  expect(partial.interrupted).toBe(true);
  expect(partial.final).toBeNull();
  const ckpt = JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8'));
  expect(ckpt.state.step).toBeGreaterThanOrEqual(52);
  expect(ckpt.state.step).toBeLessThan(390);
  expect(readFileSync(join(out, 'checkpoint.bin')).byteLength).toBe(ckpt.binBytes);

  const resumed = runner(['--resume', out]);
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(resumed.stderr).toContain(`resuming ${out} at step ${ckpt.state.step}`);
  const a = readResults(full);
  const b = readResults(out);
  expect(b.history).toEqual(a.history);
  expect(b.final).toEqual(a.final);
  expect(b.config).toEqual(a.config);
  expect(existsSync(join(out, 'checkpoint.json'))).toBe(false);
  // Resuming a finished run says so.
  const again = runner(['--resume', out]);
  expect(again.status).toBe(1);
  expect(again.stderr).toContain('the run finished');
});
