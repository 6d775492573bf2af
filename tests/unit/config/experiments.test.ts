// The example experiments in experiments/ (one per method and ensemble mode): each is a valid
// config, and for generated data the ensemble adapter builds its run without error. The
// reproduction configs follow docs/REPRODUCTION.md's protocol, and its table generator works.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config';
import { generatedData } from '../../../src/engine/from-config';
import { ensembleSetupFromConfig } from '../../../src/ensemble/from-config';

const DIR = resolve(__dirname, '../../../experiments');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('experiments/', () => {
  it('has an example for every DST method and every ensemble mode', () => {
    const configs = files.map((f) => parseConfig(JSON.parse(readFileSync(join(DIR, f), 'utf8'))));
    const ok = configs.flatMap((c) => (c.ok ? [c.config] : []));
    expect(new Set(ok.map((c) => c.dst.method))).toEqual(new Set(['dense', 'static', 'set', 'rigl', 'snfs']));
    expect(new Set(ok.map((c) => c.ensemble.mode))).toEqual(new Set(['none', 'dst', 'dense', 'edst', 'prune-and-tune']));
  });
  it.each(files)('%s is a valid config that the adapter can build', (f) => {
    const r = parseConfig(JSON.parse(readFileSync(join(DIR, f), 'utf8')));
    if (!r.ok) throw new Error(`${f}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    const d = r.config.data.dataset;
    if (d === 'mnist' || d === 'fashion-mnist' || d === 'user') return; // needs the loaded images
    const { setup } = ensembleSetupFromConfig(r.config, generatedData(r.config));
    expect(setup.mode).toBe(r.config.ensemble.mode);
    expect(setup.base.totalSteps).toBeGreaterThan(0);
  });
});

const REPRO = join(DIR, 'reproduction');
const repro = readdirSync(REPRO).filter((f) => f.endsWith('.json'));

describe('experiments/reproduction/ (docs/REPRODUCTION.md)', () => {
  it.each(repro)('%s is valid and follows the report\'s protocol', (f) => {
    const r = parseConfig(JSON.parse(readFileSync(join(REPRO, f), 'utf8')));
    if (!r.ok) throw new Error(`${f}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    const c = r.config;
    if (f.startsWith('wide-')) {
      // Section 4: LeNet-300-100's 266,200 weights active, dense at 300-100 or ERK over W-W.
      expect(c.data).toMatchObject(f.startsWith('wide-fashion-') ? { dataset: 'fashion-mnist', trainLimit: 10000, testSize: 2000 } : { dataset: 'mnist', validationSize: 0, testSize: 2000 });
      expect(c.training).toMatchObject({ epochs: 5, batchSize: 100 });
      if (c.model.kind !== 'mlp') throw new Error(`${f}: an mlp`);
      const dims = [784, ...c.model.hidden, 10];
      const dense = dims.slice(1).reduce((a, out, i) => a + out * dims[i]!, 0);
      expect(Math.abs(dense * (1 - c.sparsity.target) - 266_200)).toBeLessThan(30);
      expect(c.model.hidden).toEqual(c.dst.method === 'dense' ? [300, 100] : [c.model.hidden[0], c.model.hidden[0]]);
    } else if (f.startsWith('fashion-')) {
      expect(c.data).toMatchObject({ dataset: 'fashion-mnist', trainLimit: 10000, validationSize: 5000, testSize: 10000 });
      expect(c.model).toMatchObject({ kind: 'mlp', hidden: [100, 100] });
      // EDST runs 1.8x the 20 dense epochs (450/250 on CIFAR); everything else 20.
      expect(c.training.epochs).toBe(c.ensemble.mode === 'edst' ? 36 : 20);
      if (c.ensemble.mode === 'edst') expect(c.ensemble).toMatchObject({ members: 3, explorationEpochs: 12, exploreRate: 0.8 });
    } else {
      expect(c.data).toMatchObject({ dataset: 'mnist', validationSize: 0, testSize: 2000 });
      expect(c.model.kind).toBe('lenet-300-100');
      expect(c.training.epochs).toBe(10);
    }
  });

  it('the report generator fills every table from results, and says what has not run', async () => {
    const { writeReport } = await import('../../../scripts/reproduction-report.mjs');
    const tmp = mkdtempSync(join(tmpdir(), 'stp-repro-'));
    const report = join(tmp, 'REPRODUCTION.md');
    copyFileSync(resolve(__dirname, '../../../docs/REPRODUCTION.md'), report);
    const member = (accuracy: number) => ({ accuracy, nll: 0.4, ece: 0.02, itop: 0.3, layers: [] });
    const result = (members: number[], ensemble: number, trainFlops: number) => ({
      adapter: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader' },
      seconds: 60,
      final: { ensemble: { accuracy: ensemble, nll: 0.3, ece: 0.01 }, members: members.map(member), disagreement: 0.1, kl: 0.2, maskDistance: 0.5, trainFlops, denseTrainFlops: 100 },
    });
    const put = (name: string, r: unknown) => {
      mkdirSync(join(tmp, 'results', name), { recursive: true });
      writeFileSync(join(tmp, 'results', name, 'results.json'), JSON.stringify(r));
    };
    put('fashion-dense-ensemble', result([0.8, 0.82, 0.84], 0.85, 300));
    put('mnist-set-90', result([0.97], 0.97, 40));
    put('wide-mnist-300-dense', result([0.96], 0.96, 400));
    put('wide-mnist-3000-rigl', result([0.97], 0.97, 100));
    const out = writeReport(join(tmp, 'results'), { report, summary: join(tmp, 'summary.json') });
    expect(out).toMatchObject({ done: 4, total: repro.length });
    const text = readFileSync(report, 'utf8');
    expect(text).toContain('| 0 | single dense (the dense ensemble\'s 3 members: 3 seeds) | 1 | 82.00 ± 2.00 | 0.400 ± 0.000 | 0.020 ± 0.000 | — | — | 1.00 |');
    expect(text).toContain('| 0 | dense ensemble | 3 | 85.00 | 0.300 | 0.010 | 0.100 | 0.200 | 3.00 |');
    expect(text).toContain('| 80 % | DST ensemble | 3 | not run yet |');
    expect(text).toContain('| SET | 97.00 (ref 98.39) | not run yet (ref 98.14)');
    expect(text).toContain('1 runs, 1.0 min of training and evaluation in total, on SwiftShader.');
    expect(text).toContain('| 3000-3000 | rigl | 97.66 % | 266,225 | 97.00 | 0.300 | 0.25 | 1.0 | wide-mnist-3000-rigl |');
    expect(text).toContain('| 6000-6000 | set | 99.35 % | 266,189 | not run yet |');
    expect(Object.keys(JSON.parse(readFileSync(join(tmp, 'summary.json'), 'utf8')))).toEqual(['fashion-dense-ensemble', 'mnist-set-90', 'wide-mnist-300-dense', 'wide-mnist-3000-rigl']);
    // Regenerating keeps one copy of each table.
    writeReport(join(tmp, 'results'), { report, summary: join(tmp, 'summary.json') });
    expect(readFileSync(report, 'utf8')).toBe(text);
    // A fresh clone has no results folder: the committed summary keeps the rows, and those runs count as done.
    const { finishedRuns } = await import('../../../scripts/reproduction-report.mjs');
    rmSync(join(tmp, 'results'), { recursive: true });
    const finished = finishedRuns(join(tmp, 'results'), join(tmp, 'summary.json'));
    expect(finished.has('mnist-set-90')).toBe(true);
    expect(finished.has('mnist-set-95')).toBe(false);
    writeReport(join(tmp, 'results'), { report, summary: join(tmp, 'summary.json') });
    expect(readFileSync(report, 'utf8')).toBe(text);
  });
});
