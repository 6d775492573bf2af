// The browser and the PyTorch package (python/sparse_playground, docs/SCALE-OUT.md) on the same config:
// * continuation: the headless runner trains a small MNIST RigL run in Chromium and keeps its
//   checkpoint at step 14 (--checkpoint-at); the Python package continues that checkpoint for 50
//   steps (four mask updates among them) and must give the browser's loss at every step to 1e-3
//   relative, the same active counts and the same test accuracy;
// * agreement: MNIST LeNet-300-100, RigL 90 % ERK, 5 epochs, from the seed on both sides: test
//   accuracy within 0.5 points after every epoch and identical active counts per layer (the table
//   in docs/SCALE-OUT.md);
// * a DST ensemble of two members: each member's and the ensemble's accuracy, NLL and disagreement;
// * SNIP with a global threshold: the same per-layer counts (the scores agree) and accuracy;
// * SNFS and the port-compatible RigL (dense momentum, steps on update steps): the same accuracy;
// * ToST's pswish schedule (back to ReLU mid-run), ghost skips, GradInit's learned layer scales
//   and a swish MLP from the seed: every step's loss;
// * an EDST ensemble (exploration, global exploration, two refinement phases): every step's loss,
//   the members and the ensemble.
// Both sides replay the same seeded initial network, batch order and random streams, so only the
// float summation order differs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { PYTHON_HINT, findPython } from '../../scripts/python.mjs';

const CONFIG = {
  version: 1,
  seed: 5,
  data: { dataset: 'mnist', trainLimit: 1024, validationSize: 200, testSize: 500 },
  model: { kind: 'mlp', hidden: [32] },
  sparsity: { target: 0.8 },
  dst: { method: 'rigl', deltaT: 10, tEndFraction: 0.9 },
  training: { epochs: 2, batchSize: 32, evalEvery: 1, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0.0001 } },
};

const PY_ENV = { ...process.env, STP_DATA: join(process.cwd(), 'public', 'data') };

/** The Python with torch and numpy, or a failed expectation that says what to install. */
function python(): string {
  const py = findPython(['torch', 'numpy']);
  expect(py, `no Python with torch and numpy: ${PYTHON_HINT}`).not.toBeNull();
  return py!;
}

/** step (0-based) → loss, from a history.csv whose `step` column is the given base. */
function losses(file: string, firstStepIs: 0 | 1): Map<number, number> {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  const at = (name: string) => cols.indexOf(name);
  return new Map(rows.map((r) => r.split(',')).map((c) => [Number(c[at('step')]) - firstStepIs, Number(c[at('loss')])]));
}

test('a runner checkpoint continues in PyTorch with the browser’s losses, masks and accuracy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stp-continue-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify(CONFIG));
  const browserOut = join(dir, 'browser');
  const b = spawnSync('node', ['scripts/experiment.mjs', config, '--out', browserOut, '--checkpoint-at', '14', '--checkpoint-every', '0'], { encoding: 'utf8', timeout: 120_000 });
  expect(b.status, b.stderr).toBe(0);

  const pyOut = join(dir, 'python');
  const p = spawnSync(python(), ['-m', 'sparse_playground', '--continue', join(browserOut, 'checkpoint-step-14'), '--max-steps', '50', '--out', pyOut], { encoding: 'utf8', timeout: 120_000, cwd: 'python', env: PY_ENV });
  expect(p.status, p.stderr).toBe(0);

  const browser = losses(join(browserOut, 'history.csv'), 1); // the runner's row `step` counts steps done
  const torch = losses(join(pyOut, 'history.csv'), 0);
  expect([...torch.keys()]).toEqual(Array.from({ length: 50 }, (_, i) => 14 + i));
  const worst = Math.max(...[...torch].map(([t, loss]) => Math.abs(loss - browser.get(t)!) / Math.abs(browser.get(t)!)));
  console.log(`[continue] 50 steps after a browser checkpoint: largest relative loss difference ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(1e-3);

  const br = JSON.parse(readFileSync(join(browserOut, 'results.json'), 'utf8'));
  const pr = JSON.parse(readFileSync(join(pyOut, 'results.json'), 'utf8'));
  expect(pr.updates.map((u: { step: number }) => u.step)).toEqual([20, 30, 40, 50]);
  const browserCounts = Object.fromEntries(br.final.members[0].layers.map((l: { name: string; active: number }) => [l.name, l.active]));
  expect(pr.activeCounts).toEqual(browserCounts);
  expect(Math.abs(pr.testAccuracy - br.final.ensemble.accuracy)).toBeLessThanOrEqual(0.004); // two of 500 test images
});

test('MNIST LeNet-300-100, RigL 90 % ERK, 5 epochs: PyTorch agrees with the browser runner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stp-agree-'));
  const config = join(process.cwd(), 'experiments', 'mnist-lenet300-rigl-90.json');
  const sets = ['--set', 'training.epochs=5', '--set', 'training.evalEvery=62'];
  const t0 = Date.now();
  const b = spawnSync('node', ['scripts/experiment.mjs', config, '--out', join(dir, 'browser'), ...sets, '--checkpoint-every', '0'], { encoding: 'utf8', timeout: 240_000 });
  expect(b.status, b.stderr).toBe(0);
  const t1 = Date.now();
  const p = spawnSync(python(), ['-m', 'sparse_playground', config, ...sets, '--out', join(dir, 'python')], { encoding: 'utf8', timeout: 240_000, cwd: 'python', env: PY_ENV });
  expect(p.status, p.stderr).toBe(0);
  const br = JSON.parse(readFileSync(join(dir, 'browser', 'results.json'), 'utf8'));
  const pr = JSON.parse(readFileSync(join(dir, 'python', 'results.json'), 'utf8'));
  const browserAcc = br.history.map((h: { testAccuracy: number }) => h.testAccuracy);
  const torchAcc = pr.evals.map((e: { testAccuracy: number }) => e.testAccuracy);
  console.log(`[agreement] test accuracy per epoch, browser ${browserAcc.join(' ')} · PyTorch ${torchAcc.join(' ')} · ${((t1 - t0) / 1000).toFixed(0)} s and ${pr.seconds.toFixed(0)} s`);
  expect(torchAcc).toHaveLength(5);
  torchAcc.forEach((a: number, i: number) => expect(Math.abs(a - browserAcc[i]), `epoch ${i + 1}`).toBeLessThanOrEqual(0.005));
  const browserCounts = Object.fromEntries(br.final.members[0].layers.map((l: { name: string; active: number }) => [l.name, l.active]));
  expect(pr.activeCounts).toEqual(browserCounts);
  expect(pr.activeCounts).toEqual({ dense1: 18715, dense2: 6906, dense3: 1000 });
});

test('a DST ensemble of two sparse MLPs: PyTorch gives the browser runner’s members and ensemble', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stp-ens-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ version: 1, seed: 3, data: { dataset: 'mnist', trainLimit: 2048 }, model: { kind: 'mlp', hidden: [64] }, sparsity: { target: 0.9 }, dst: { method: 'rigl', deltaT: 20 }, ensemble: { mode: 'dst', members: 2 }, training: { epochs: 3, batchSize: 64, evalEvery: 32, optimizer: { kind: 'sgd', lr: 0.05 } } }));
  const b = spawnSync('node', ['scripts/experiment.mjs', config, '--out', join(dir, 'browser'), '--checkpoint-every', '0'], { encoding: 'utf8', timeout: 120_000 });
  expect(b.status, b.stderr).toBe(0);
  const p = spawnSync(python(), ['-m', 'sparse_playground', config, '--out', join(dir, 'python')], { encoding: 'utf8', timeout: 120_000, cwd: 'python', env: PY_ENV });
  expect(p.status, p.stderr).toBe(0);
  const br = JSON.parse(readFileSync(join(dir, 'browser', 'results.json'), 'utf8')).final;
  const pr = JSON.parse(readFileSync(join(dir, 'python', 'results.json'), 'utf8'));
  console.log(`[ensemble] browser ${br.ensemble.accuracy} (members ${br.members.map((m: { accuracy: number }) => m.accuracy).join(', ')}) · PyTorch ${pr.ensemble.ensemble.accuracy} (members ${pr.ensemble.members.map((m: { accuracy: number }) => m.accuracy).join(', ')})`);
  expect(Math.abs(pr.ensemble.ensemble.accuracy - br.ensemble.accuracy)).toBeLessThanOrEqual(0.005);
  pr.ensemble.members.forEach((m: { accuracy: number }, i: number) => expect(Math.abs(m.accuracy - br.members[i].accuracy), `member ${i + 1}`).toBeLessThanOrEqual(0.005));
  expect(Math.abs(pr.ensemble.ensemble.nll - br.ensemble.nll)).toBeLessThan(0.01);
  expect(Math.abs(pr.ensemble.disagreement - br.disagreement)).toBeLessThanOrEqual(0.01);
});

test('SNIP at 95 % (global scope) chooses the browser’s masks in PyTorch: the same counts and accuracy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stp-snip-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ version: 1, seed: 7, data: { dataset: 'mnist', trainLimit: 2048 }, model: { kind: 'mlp', hidden: [64] }, sparsity: { target: 0.95, mask: { kind: 'snip', scope: 'global' } }, dst: { method: 'static' }, training: { epochs: 3, batchSize: 64, evalEvery: 32, optimizer: { kind: 'sgd', lr: 0.05 } } }));
  const b = spawnSync('node', ['scripts/experiment.mjs', config, '--out', join(dir, 'browser'), '--checkpoint-every', '0'], { encoding: 'utf8', timeout: 120_000 });
  expect(b.status, b.stderr).toBe(0);
  const p = spawnSync(python(), ['-m', 'sparse_playground', config, '--out', join(dir, 'python')], { encoding: 'utf8', timeout: 120_000, cwd: 'python', env: PY_ENV });
  expect(p.status, p.stderr).toBe(0);
  const br = JSON.parse(readFileSync(join(dir, 'browser', 'results.json'), 'utf8'));
  const pr = JSON.parse(readFileSync(join(dir, 'python', 'results.json'), 'utf8'));
  const counts = Object.fromEntries(br.final.members[0].layers.map((l: { name: string; active: number }) => [l.name, l.active]));
  console.log(`[snip] counts browser ${JSON.stringify(counts)} · PyTorch ${JSON.stringify(pr.activeCounts)}; accuracy ${br.history.map((h: { testAccuracy: number }) => h.testAccuracy).join(' ')} · ${pr.evals.map((e: { testAccuracy: number }) => e.testAccuracy).join(' ')}`);
  expect(pr.activeCounts).toEqual(counts); // a global threshold: the split between layers shows the scores agree
  br.history.forEach((h: { testAccuracy: number }, i: number) => expect(Math.abs(pr.evals[i].testAccuracy - h.testAccuracy), `eval ${i + 1}`).toBeLessThanOrEqual(0.005));
});

test('SNFS and the port-compatible RigL: PyTorch gives the browser runner’s accuracy and counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stp-snfs-'));
  const base = { version: 1, seed: 11, data: { dataset: 'mnist', trainLimit: 2048 }, model: { kind: 'mlp', hidden: [64] }, sparsity: { target: 0.9 }, training: { epochs: 3, batchSize: 64, evalEvery: 32, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 } } };
  for (const [name, dst] of [['snfs', { method: 'snfs' }], ['port', { method: 'rigl', deltaT: 20, portCompatible: true }]] as const) {
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify({ ...base, dst }));
    const b = spawnSync('node', ['scripts/experiment.mjs', config, '--out', join(dir, `${name}-browser`), '--checkpoint-every', '0'], { encoding: 'utf8', timeout: 120_000 });
    expect(b.status, b.stderr).toBe(0);
    const p = spawnSync(python(), ['-m', 'sparse_playground', config, '--out', join(dir, `${name}-python`)], { encoding: 'utf8', timeout: 120_000, cwd: 'python', env: PY_ENV });
    expect(p.status, p.stderr).toBe(0);
    const br = JSON.parse(readFileSync(join(dir, `${name}-browser`, 'results.json'), 'utf8'));
    const pr = JSON.parse(readFileSync(join(dir, `${name}-python`, 'results.json'), 'utf8'));
    const acc = { browser: br.history.map((h: { testAccuracy: number }) => h.testAccuracy), torch: pr.evals.map((e: { testAccuracy: number }) => e.testAccuracy) };
    console.log(`[${name}] test accuracy browser ${acc.browser.join(' ')} · PyTorch ${acc.torch.join(' ')}`);
    acc.browser.forEach((a: number, i: number) => expect(Math.abs(acc.torch[i] - a), `${name} eval ${i + 1}`).toBeLessThanOrEqual(0.005));
    expect(pr.activeCounts).toEqual(Object.fromEntries(br.final.members[0].layers.map((l: { name: string; active: number }) => [l.name, l.active])));
  }
});

test('ToST smooth activations, ghost skips, GradInit and a swish MLP: PyTorch gives the browser runner’s loss at every step from the seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stp-tost-'));
  // pswish: β rises 1 → 50 and every ReLU is exact ReLU again from step 32 (reluFrom 0.5 of 64), RigL updates every 10 steps.
  const cases = {
    pswish: { ...CONFIG, tost: { smoothActivation: { kind: 'pswish', betaStart: 1, betaEnd: 50, reluFrom: 0.5 } } },
    'swish-mlp': { ...CONFIG, seed: 6, model: { kind: 'mlp', hidden: [32], activation: 'swish' } },
    // ghost skips beside every layer, removed at step 32, with swish until step 45 (their effect on the loss is large: 0.75 against 0.57 at step 20)
    ghost: { ...CONFIG, tost: { ghostSkip: { enabled: true, initScale: 0.01, endFraction: 0.5 }, smoothActivation: { kind: 'swish', reluFrom: 0.7 } } },
    // GradInit's learned layer scales (γ = 100: its normalised-step branch throughout), then RigL from them
    gradinit: { ...CONFIG, tost: { layerRescaledInit: { kind: 'gradinit', iters: 10, eta: 0.5, gamma: 100, lr: 0.05 } } },
  };
  for (const [name, c] of Object.entries(cases)) {
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify(c));
    const b = spawnSync('node', ['scripts/experiment.mjs', config, '--out', join(dir, `${name}-browser`), '--checkpoint-every', '0'], { encoding: 'utf8', timeout: 120_000 });
    expect(b.status, b.stderr).toBe(0);
    const p = spawnSync(python(), ['-m', 'sparse_playground', config, '--out', join(dir, `${name}-python`)], { encoding: 'utf8', timeout: 120_000, cwd: 'python', env: PY_ENV });
    expect(p.status, p.stderr).toBe(0);
    const browser = losses(join(dir, `${name}-browser`, 'history.csv'), 1);
    const torch = losses(join(dir, `${name}-python`, 'history.csv'), 0);
    expect(torch.size).toBe(browser.size);
    expect([...torch.keys()]).toEqual([...browser.keys()]);
    const worst = Math.max(...[...torch].map(([t, loss]) => Math.abs(loss - browser.get(t)!) / Math.abs(browser.get(t)!)));
    const br = JSON.parse(readFileSync(join(dir, `${name}-browser`, 'results.json'), 'utf8'));
    const pr = JSON.parse(readFileSync(join(dir, `${name}-python`, 'results.json'), 'utf8'));
    console.log(`[tost ${name}] ${torch.size} steps from the seed: largest relative loss difference ${worst.toExponential(2)}; test accuracy browser ${br.final.ensemble.accuracy} · PyTorch ${pr.testAccuracy}`);
    expect(worst).toBeLessThan(1e-3);
    expect(pr.activeCounts).toEqual(Object.fromEntries(br.final.members[0].layers.map((l: { name: string; active: number }) => [l.name, l.active])));
    expect(Math.abs(pr.testAccuracy - br.final.ensemble.accuracy)).toBeLessThanOrEqual(0.004);
  }
});

test('an EDST ensemble: PyTorch gives the browser runner’s loss at every step, its members and the ensemble', () => {
  // 2 epochs exploring at lr 0.1, two refinement phases of 2 epochs (0.01 then 0.001), a global
  // exploration (q = 0.8) before the second, RigL every 10 steps at a constant 0.5: 96 steps.
  const dir = mkdtempSync(join(tmpdir(), 'stp-edst-'));
  const config = join(dir, 'edst.json');
  writeFileSync(config, JSON.stringify({ ...CONFIG, data: { ...CONFIG.data, trainLimit: 512 }, dst: { method: 'rigl', deltaT: 10 }, ensemble: { mode: 'edst', members: 2, explorationEpochs: 2, exploreRate: 0.8 }, training: { epochs: 6, batchSize: 32, evalEvery: 1, schedule: { kind: 'constant' }, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 } } }));
  const b = spawnSync('node', ['scripts/experiment.mjs', config, '--out', join(dir, 'browser'), '--checkpoint-every', '0'], { encoding: 'utf8', timeout: 120_000 });
  expect(b.status, b.stderr).toBe(0);
  const p = spawnSync(python(), ['-m', 'sparse_playground', config, '--out', join(dir, 'python')], { encoding: 'utf8', timeout: 120_000, cwd: 'python', env: PY_ENV });
  expect(p.status, p.stderr).toBe(0);
  const browser = losses(join(dir, 'browser', 'history.csv'), 1);
  const torch = losses(join(dir, 'python', 'history.csv'), 0);
  expect([...torch.keys()]).toEqual(Array.from({ length: 96 }, (_, i) => i));
  const worst = Math.max(...[...torch].map(([t, loss]) => Math.abs(loss - browser.get(t)!) / Math.abs(browser.get(t)!)));
  const br = JSON.parse(readFileSync(join(dir, 'browser', 'results.json'), 'utf8')).final;
  const pr = JSON.parse(readFileSync(join(dir, 'python', 'results.json'), 'utf8'));
  console.log(`[edst] 96 steps: largest relative loss difference ${worst.toExponential(2)}; ensemble browser ${br.ensemble.accuracy} (members ${br.members.map((m: { accuracy: number }) => m.accuracy).join(', ')}) · PyTorch ${pr.ensemble.ensemble.accuracy} (members ${pr.ensemble.members.map((m: { accuracy: number }) => m.accuracy).join(', ')}, after steps ${pr.members.map((m: { step: number }) => m.step + 1).join(', ')})`);
  expect(worst).toBeLessThan(1e-3);
  expect(pr.members).toHaveLength(2);
  expect(Math.abs(pr.ensemble.ensemble.accuracy - br.ensemble.accuracy)).toBeLessThanOrEqual(0.004);
  pr.ensemble.members.forEach((m: { accuracy: number }, i: number) => expect(Math.abs(m.accuracy - br.members[i].accuracy), `member ${i + 1}`).toBeLessThanOrEqual(0.004));
  expect(Math.abs(pr.ensemble.disagreement - br.disagreement)).toBeLessThanOrEqual(0.01);
});
