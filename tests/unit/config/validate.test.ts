// parseConfig: every wrong field at once with its dotted path, version handling, never throws.
import { describe, expect, it } from 'vitest';
import type { Migration } from '../../../src/config';
import { MAX_CONFIG_DEPTH, decodeConfig, formatErrors, migrate, parseConfig } from '../../../src/config';

const errorsOf = (input: unknown) => {
  const r = parseConfig(input);
  return r.ok ? [] : r.errors;
};

describe('parseConfig reports every wrong field', () => {
  it('lists all field errors of one input with exact paths and messages', () => {
    const errors = errorsOf({
      version: 1,
      seed: -1,
      data: { dataset: 'spiral', arms: 7, noise: '0.1' },
      model: { kind: 'mlp', hidden: [32, 0, 20000], activation: 'gelu' },
      sparsity: { target: 1.5, distribution: { kind: 'erk', powerScale: 3 }, mask: { kind: 'grasp', temperature: 'hot' } },
      dst: { method: 'rigl', deltaT: 0, dropFraction: 0.3, decay: 'linear', portCompatible: 'yes' },
      training: { batchSize: 32.5, schedule: { kind: 'multistep', milestones: [0.75, 0.5] } },
      ensemble: { mode: 'edst', exploreRate: 1.2 },
      tost: { labelSmoothing: -0.1, ghostSkip: { enabled: 1 } },
    });
    expect(errors).toEqual([
      { path: 'seed', message: 'must be a whole number between 0 and 4294967295' },
      { path: 'data.arms', message: 'must be a whole number between 2 and 5' },
      { path: 'data.noise', message: 'must be a number between 0 and 0.5' },
      { path: 'model.hidden.1', message: 'must be a whole number between 1 and 16384' },
      { path: 'model.hidden.2', message: 'must be a whole number between 1 and 16384' },
      { path: 'model.activation', message: 'must be one of "relu" | "tanh" | "swish" | "pswish"' },
      { path: 'sparsity.target', message: 'must be a number between 0 and 0.999' },
      { path: 'sparsity.distribution.powerScale', message: 'must be a number between 0 and 2' },
      { path: 'sparsity.mask.temperature', message: 'must be a number between 1 and 10000' },
      { path: 'dst.deltaT', message: 'must be a whole number between 1 and 100000' },
      { path: 'dst.decay', message: 'must be one of "cosine" | "constant"' },
      { path: 'dst.portCompatible', message: 'must be true or false' },
      { path: 'training.batchSize', message: 'must be a whole number between 1 and 4096' },
      { path: 'training.schedule.milestones', message: 'must increase strictly' },
      { path: 'ensemble.exploreRate', message: 'must be a number between 0 and 0.99' },
      { path: 'tost.ghostSkip.enabled', message: 'must be true or false' },
      { path: 'tost.labelSmoothing', message: 'must be a number between 0 and 0.5' },
    ]);
  });

  it('names unknown fields, the variant they do not belong to, unknown choices and wrong shapes', () => {
    expect(errorsOf({ version: 1, sparsity: { targt: 0.9 }, model: { kind: 'lenet5-caffe', hidden: [8] }, extra: true })).toEqual([
      { path: 'model.hidden', message: 'unknown field for model.kind "lenet5-caffe"' },
      { path: 'sparsity.targt', message: 'unknown field' },
      { path: 'extra', message: 'unknown field' },
    ]);
    // An optimizer without its kind is the default one (as in a link); a wrong kind is named.
    expect(errorsOf({ version: 1, data: { dataset: 'imagenet' }, training: { optimizer: { kind: 'rmsprop' } }, ensemble: 3, dst: [] })).toEqual([
      { path: 'data.dataset', message: 'must be one of "spiral" | "moons" | "circles" | "xor" | "blobs" | "user" | "mnist" | "fashion-mnist" | "cifar10" | "cifar100"' },
      { path: 'dst', message: 'must be an object of settings' },
      { path: 'training.optimizer.kind', message: 'must be one of "sgd" | "adam"' },
      { path: 'ensemble', message: 'must be an object of settings' },
    ]);
    expect(errorsOf({ version: 1, model: { kind: 'mlp', hidden: 32 } })).toEqual([{ path: 'model.hidden', message: 'must be a list of layer widths' }]);
  });

  it('refuses what is not a JSON object', () => {
    for (const input of [null, undefined, 42, 'v1', [], [{ version: 1 }], new Date()]) {
      expect(errorsOf(input)).toEqual([{ path: '', message: 'a config must be a JSON object' }]);
    }
  });

  it('never throws, whatever it is given', () => {
    const hostile = {
      version: 1,
      get seed(): number {
        throw new Error('boom');
      },
    };
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('nope'); } });
    const inputs: unknown[] = [hostile, proxy, { version: 1, data: { dataset: Symbol('x') } }, { version: 1, seed: 10n }, { version: 1, model: () => 1 }, JSON.parse('{"version":1,"__proto__":{"seed":5}}')];
    for (const input of inputs) {
      const r = parseConfig(input);
      expect(r.ok).toBe(false);
    }
    expect(errorsOf(hostile)).toEqual([{ path: '', message: 'could not read the config (boom)' }]);
    expect(errorsOf(JSON.parse('{"version":1,"__proto__":{"seed":5}}'))).toEqual([{ path: '__proto__', message: 'unknown field' }]);
  });

  it('formats errors one per line', () => {
    expect(formatErrors([{ path: 'sparsity.target', message: 'must be a number between 0 and 0.999' }, { path: '', message: 'x' }])).toBe('sparsity.target: must be a number between 0 and 0.999\nx');
  });
});

describe('version handling', () => {
  it('refuses a missing version with the fix in the message', () => {
    expect(errorsOf({ sparsity: { target: 0.9 } })).toEqual([{ path: 'version', message: 'missing: add "version": 1 (a config must say which schema it was written for)' }]);
  });

  it('refuses a newer version as made by a newer playground', () => {
    const errors = errorsOf({ version: 2, futureField: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('version');
    expect(errors[0]!.message).toMatch(/^made by a newer playground \(version 2; this one reads versions up to 1\)/);
  });

  it('refuses versions that are not whole numbers from 1', () => {
    for (const version of [0, -1, 1.5, '1', null]) {
      expect(errorsOf({ version })).toEqual([{ path: 'version', message: `must be a whole number from 1 to 1, got ${JSON.stringify(version)}` }]);
    }
  });

  it('accepts the current version without marking it migrated', () => {
    const r = parseConfig({ version: 1, seed: 7 });
    expect(r.ok && r.config.seed).toBe(7);
    expect(r.ok && 'migratedFrom' in r).toBe(false);
  });

  it('migrates older versions step by step, and refuses a gap or a failing step', () => {
    const chain: Migration[] = [
      { from: 1, to: 2, describe: 'rename lr → learningRate', up: ({ lr, ...rest }) => ({ ...rest, learningRate: lr }) },
      { from: 2, to: 3, describe: 'learningRate moves into training', up: ({ learningRate, ...rest }) => ({ ...rest, training: { lr: learningRate } }) },
    ];
    expect(migrate({ version: 1, lr: 0.5, seed: 3 }, chain, 3)).toEqual({ ok: true, value: { seed: 3, training: { lr: 0.5 }, version: 3 }, from: 1 });
    expect(migrate({ version: 2, learningRate: 0.2 }, chain, 3)).toEqual({ ok: true, value: { training: { lr: 0.2 }, version: 3 }, from: 2 });
    expect(migrate({ version: 1 }, chain.slice(1), 3)).toEqual({ ok: false, errors: [{ path: 'version', message: 'version 1 configs can no longer be read (no migration from version 1)' }] });
    const broken: Migration[] = [{ from: 1, to: 2, describe: 'x', up: () => { throw new Error('bad input'); } }];
    expect(migrate({ version: 1 }, broken, 2)).toEqual({ ok: false, errors: [{ path: 'version', message: 'migrating version 1 to 2 failed (bad input)' }] });
    expect(migrate({ version: 3 }, chain, 2).ok).toBe(false);
  });
});

describe('the CIFAR models and data are the Python package’s', () => {
  it('are valid schema values that the browser refuses by name, pointing to the package', () => {
    const r = parseConfig({ version: 1, data: { dataset: 'cifar10' }, model: { kind: 'resnet18' } });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors.map((e) => e.path)).toEqual(['data.dataset', 'model.kind']);
    expect(errors[0]!.message).toContain('cifar10 is trained by the Python package only');
    expect(errors[1]!.message).toContain('resnet18 is trained by the Python package only');
  });

  it('a CIFAR model needs CIFAR data', () => {
    const r = parseConfig({ version: 1, data: { dataset: 'mnist' }, model: { kind: 'vgg16' } });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toContain('vgg16 takes 32×32 colour images: choose data.dataset cifar10 or cifar100');
  });
});

describe('one reading for a file and a link', () => {
  const link = (patch: object) => `v1.${btoa(JSON.stringify(patch)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
  // Sections without their tag: a link lays them over the defaults, so a file reads them alike.
  const partials = [
    { model: { hidden: [10] } },
    { data: { points: 100 }, training: { optimizer: { lr: 0.05 }, schedule: { milestones: [0.3, 0.6] } } },
    { sparsity: { target: 0.8, distribution: {}, mask: {} }, ensemble: {} },
    { tost: { smoothActivation: {} }, model: { kind: 'lenet-300-100' }, data: { dataset: 'mnist' } },
  ];
  for (const p of partials) {
    it(`reads ${JSON.stringify(p)} the same from a file and from a link`, () => {
      const file = parseConfig({ version: 1, ...p });
      const fromLink = decodeConfig(link(p));
      expect(file.ok, JSON.stringify(file)).toBe(true);
      expect(file).toEqual(fromLink);
    });
  }
  it('refuses a field of another variant alike from a file and from a link', () => {
    const p = { sparsity: { mask: { scope: 'per-layer' } } }; // scope belongs to the scored masks
    const file = parseConfig({ version: 1, ...p });
    expect(file).toEqual({ ok: false, errors: [{ path: 'sparsity.mask.scope', message: 'unknown field for sparsity.mask.kind "random"' }] });
    expect(decodeConfig(link(p))).toEqual(file);
  });
  it('never changes the input it completes', () => {
    const input = { version: 1, model: { hidden: [10] } };
    parseConfig(input);
    expect(input).toEqual({ version: 1, model: { hidden: [10] } });
  });
});

describe('refusals a person fixes in one pass', () => {
  it('a missing version is named together with every other problem, checked as the current version', () => {
    const r = parseConfig({ sparsity: { target: 2 }, training: { batchSize: 0 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(['version', 'sparsity.target', 'training.batchSize']);
    expect(r.errors[0]!.message).toContain('missing: add "version": 1');
  });
  it('a config nested thousands of levels deep is refused by path, without recursion', () => {
    let deep: object = {};
    for (let i = 0; i < 5000; i++) deep = { x: deep };
    expect(parseConfig({ version: 1, model: deep })).toEqual({ ok: false, errors: [{ path: 'model.x.x.x', message: `nested deeper than ${MAX_CONFIG_DEPTH} levels: no config field is, so this is not a config` }] });
    let shallow: object = {};
    for (let i = 0; i < MAX_CONFIG_DEPTH - 2; i++) shallow = { x: shallow };
    expect(errorsOf({ version: 1, model: shallow })).toEqual([{ path: 'model.x', message: 'unknown field for model.kind "mlp"' }]);
  });
});
