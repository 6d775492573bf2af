// URL-hash codec: round trips, short links, variant switches, and malformed hashes that give
// errors instead of exceptions.
import { describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../../src/config';
import { MAX_HASH_LENGTH, applyPatch, decodeConfig, defaultConfig, diffFromDefaults, encodeConfig, parseConfig } from '../../../src/config';
import { EDST_FASHION, LOTTERY_MNIST } from './examples';

const valid = (input: Record<string, unknown>): ExperimentConfig => {
  const r = parseConfig({ version: 1, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
};
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const errorsOf = (hash: string) => {
  const r = decodeConfig(hash);
  return r.ok ? [] : r.errors;
};

const SAMPLES: Record<string, Record<string, unknown>> = {
  default: {},
  seed: { seed: 4294967295 },
  sparse90: { sparsity: { target: 0.9, distribution: { kind: 'uniform', denseLast: true } } },
  moons: { data: { dataset: 'moons', noise: 0.3, points: 1000 }, model: { kind: 'mlp', hidden: [8, 8, 8], activation: 'tanh' } },
  adam: { training: { optimizer: { kind: 'adam' }, schedule: { kind: 'onecycle', pctStart: 0.1, div: 100 } } },
  grasp: { sparsity: { mask: { kind: 'grasp', temperature: 100, scope: 'per-layer' } }, dst: { method: 'static' } },
  er: { sparsity: { distribution: { kind: 'er', epsilon: 13 } }, dst: { method: 'set', portCompatible: true } },
  pat: { dst: { method: 'dense' }, ensemble: { mode: 'prune-and-tune', members: 4, includeParent: true } },
  tost: { tost: { smoothActivation: { kind: 'pswish', betaEnd: 80 }, ghostSkip: { enabled: true }, labelSmoothing: 0.1, layerRescaledInit: { kind: 'gradinit', iters: 50 } } },
  edst: EDST_FASHION,
  lottery: LOTTERY_MNIST,
};

describe('encodeConfig / decodeConfig', () => {
  it('encode the defaults as just the version', () => {
    expect(encodeConfig(defaultConfig())).toBe('v1');
    for (const hash of ['v1', '#v1', 'v1.', 'v1.e30', ' v1 ']) expect(decodeConfig(hash)).toEqual({ ok: true, config: defaultConfig() });
  });

  it.each(Object.entries(SAMPLES))('round-trip %s exactly, in URL-safe characters', (_, input) => {
    const config = valid(input);
    const hash = encodeConfig(config);
    expect(hash).toMatch(/^v1(\.[A-Za-z0-9_-]+)?$/);
    expect(decodeConfig(hash)).toEqual({ ok: true, config });
    expect(decodeConfig(`#${hash}`)).toEqual({ ok: true, config });
  });

  it('keep one-setting links short', () => {
    expect(encodeConfig(valid({ sparsity: { target: 0.9 } }))).toBe(`v1.${b64url('{"sparsity":{"target":0.9}}')}`);
    expect(encodeConfig(valid({ seed: 7 })).length).toBeLessThan(20);
    expect(encodeConfig(valid(EDST_FASHION)).length).toBeLessThan(420); // 11 changed fields, 301 chars of JSON
  });

  it('store a switched variant as its tag plus what differs from that variant’s defaults', () => {
    expect(diffFromDefaults(valid({ training: { optimizer: { kind: 'adam' } } }))).toEqual({ training: { optimizer: { kind: 'adam' } } });
    expect(diffFromDefaults(valid({ training: { optimizer: { kind: 'adam', lr: 0.01 } } }))).toEqual({ training: { optimizer: { kind: 'adam', lr: 0.01 } } });
    expect(diffFromDefaults(valid({ model: { kind: 'lenet5-caffe' }, data: { dataset: 'mnist' } }))).toEqual({ data: { dataset: 'mnist' }, model: { kind: 'lenet5-caffe' } });
    expect(diffFromDefaults(valid({ data: { dataset: 'blobs' } }))).toEqual({ data: { dataset: 'blobs' } });
  });

  it('lay a patch over the defaults without touching either, and replace a switched variant whole', () => {
    const base = defaultConfig();
    const merged = applyPatch(base, { model: { kind: 'lenet5-caffe' }, sparsity: { target: 0.9 } });
    expect(merged.model).toEqual({ kind: 'lenet5-caffe' });
    expect(merged.sparsity).toEqual({ ...base.sparsity, target: 0.9 });
    expect(base).toEqual(defaultConfig());
  });

  it('reject malformed hashes with errors, never an exception', () => {
    const root = (message: string) => [{ path: '', message }];
    expect(errorsOf('')).toEqual(root('not a playground config link (expected "v1" or "v1.<settings>")'));
    expect(errorsOf('spiral&lr=0.1')).toEqual(root('not a playground config link (expected "v1" or "v1.<settings>")'));
    expect(errorsOf('v1.!!!')).toEqual(root('the link is damaged: its settings are not valid base64url'));
    expect(errorsOf('v1.abcde')).toEqual(root('the link is damaged: its settings are not valid base64url'));
    expect(errorsOf(`v1.${Buffer.from([0xff, 0xfe, 0x41]).toString('base64url')}`)).toEqual(root('the link is damaged: its settings are not valid base64url'));
    expect(errorsOf(`v1.${b64url('{"sparsity":')}`)).toEqual(root('the link is damaged: its settings are not valid JSON'));
    for (const json of ['[1,2]', '"text"', '42', 'null']) expect(errorsOf(`v1.${b64url(json)}`)).toEqual(root('the link is damaged: its settings must be a JSON object'));
    expect(errorsOf(`v1.${'A'.repeat(MAX_HASH_LENGTH)}`)[0]!.message).toMatch(/too long/);
  });

  it('report wrong types inside a link by field path', () => {
    const hash = `v1.${b64url('{"seed":"abc","sparsity":{"target":2},"model":{"kind":"mlp","hidden":"wide"},"training":{"optimizer":{"kind":"rmsprop"}},"nope":1}')}`;
    expect(errorsOf(hash)).toEqual([
      { path: 'seed', message: 'must be a whole number between 0 and 4294967295' },
      { path: 'model.hidden', message: 'must be a list of layer widths' },
      { path: 'sparsity.target', message: 'must be a number between 0 and 0.999' },
      { path: 'training.optimizer.kind', message: 'must be one of "sgd" | "adam"' },
      { path: 'nope', message: 'unknown field' },
    ]);
    expect(errorsOf(`v1.${b64url('{"__proto__":{"seed":5},"constructor":{"x":1}}')}`).map((e) => e.path)).toEqual(['__proto__', 'constructor']);
    expect(errorsOf(`v1.${b64url('{"dst":{"method":"dense"}}')}`)).toEqual([{ path: 'sparsity.target', message: expect.stringMatching(/^dst.method dense trains every weight/) as unknown as string }]);
  });

  it('refuse links from a newer playground and unknown versions', () => {
    expect(errorsOf('v2.e30')[0]).toMatchObject({ path: 'version', message: expect.stringMatching(/^made by a newer playground \(version 2/) as unknown as string });
    expect(errorsOf('v0')[0]!.path).toBe('version');
    expect(errorsOf('v999999999')[0]!.message).toMatch(/newer playground/);
  });

  it('take the version from the prefix, not from the payload', () => {
    const r = decodeConfig(`v1.${b64url('{"version":7,"seed":3}')}`);
    expect(r.ok && r.config.version === 1 && r.config.seed === 3).toBe(true);
  });

  it('survive random corruption of real links', () => {
    const hash = encodeConfig(valid(EDST_FASHION));
    let state = 12345;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/{}"';
    for (let i = 0; i < 500; i++) {
      const chars = hash.split('');
      const edits = 1 + rand(4);
      for (let e = 0; e < edits; e++) chars[rand(chars.length)] = alphabet[rand(alphabet.length)]!;
      const cut = rand(3) === 0 ? rand(chars.length) : chars.length;
      const r = decodeConfig(chars.slice(0, cut).join(''));
      if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
    }
  });
});
