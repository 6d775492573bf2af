// Property tests (reliability issue, item 1), RUNS cases each (1,000 in CI) from a fixed SEED, both
// printed in the test names (STP_PROPERTY_RUNS / STP_PROPERTY_SEED change them; fast-check prints
// the seed and the shrunk case on a failure):
//   - random valid configs: encode → decode round-trips exactly, and parseConfig accepts its own output;
//   - random mutations of valid configs, of URL hashes, of saved-run files and of the runner's
//     --set arguments: parsing never throws, and either accepts or names at least one field;
//   - a checkpoint (the binary part of a save) damaged in any of the ways a file can be is refused,
//     and the check changes nothing it was given.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeConfig, encodeConfig, parseConfig, type ParseResult } from '../../../src/config';
import { MAX_ABS_WEIGHT, checkpointProblems, initialState, mlpLayers, setupLayout, type Checkpoint } from '../../../src/engine';
import { RUN_FORMAT, parseSavedRun, runFileText, type SavedRun } from '../../../src/state';
import { RUNS, SEED, mutate, mutations, options, repaired } from './arbitraries';

const valid = repaired(parseConfig);
const CATCH_ALL = /^could not read (the config|the link)/; // parseConfig/decodeConfig's own catch: a bug reached it

/** A refusal that names at least one field, and no message from a caught exception. */
function refusedByField(r: ParseResult): boolean {
  return !r.ok && r.errors.length > 0 && r.errors.some((e) => e.path !== '') && r.errors.every((e) => !CATCH_ALL.test(e.message));
}

const unpolluted = () => expect(Object.keys(Object.prototype)).toEqual([]);

describe(`configs (${RUNS} cases per property, seed ${SEED})`, () => {
  it('a random valid config round-trips through the URL hash exactly, and parseConfig accepts its own output', () => {
    fc.assert(
      fc.property(valid, (input) => {
        const r = parseConfig(input);
        if (!r.ok) return false;
        const back = decodeConfig(encodeConfig(r.config));
        return back.ok && JSON.stringify(back.config) === JSON.stringify(r.config) && JSON.stringify(parseConfig(r.config)) === JSON.stringify(r);
      }),
      options,
    );
  });

  it('a mutated config never throws: it is accepted, or refused naming a field', () => {
    fc.assert(
      fc.property(valid, mutations, (input, edits) => {
        const r = parseConfig(mutate(input, edits));
        return r.ok || refusedByField(r) || (!r.ok && r.errors[0]!.path === '' && r.errors[0]!.message === 'a config must be a JSON object');
      }),
      options,
    );
    unpolluted();
  });
});

describe(`URL hashes (${RUNS} cases per property, seed ${SEED})`, () => {
  const damage = fc.oneof(
    // A character changed, cut or added somewhere in a real link.
    fc.tuple(valid, fc.nat(), fc.constantFrom('cut', 'flip', 'insert', 'truncate'), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })).map(([input, at, how, text]) => {
      const r = parseConfig(input);
      const h = r.ok ? encodeConfig(r.config) : 'v1';
      const i = at % (h.length + 1);
      return how === 'cut' ? h.slice(0, i) + h.slice(i + 1) : how === 'flip' ? h.slice(0, i) + text + h.slice(i + 1) : how === 'insert' ? h.slice(0, i) + text + h.slice(i) : h.slice(0, i);
    }),
    // A well-formed link whose settings are a mutated config.
    fc.tuple(valid, mutations).map(([input, edits]) => `v1.${Buffer.from(JSON.stringify(mutate(input, edits))).toString('base64url')}`),
    // Anything at all, up to and past the length limit.
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom(`v1.${'A'.repeat(9000)}`, 'v999999999', 'v0', 'v1.', '#v1', 'v1.bnVsbA', 'v1.W10', 'v1.%%%'),
  );
  it('a damaged link never throws: it opens a config, or says what is wrong', () => {
    fc.assert(
      fc.property(damage, (hash) => {
        const r = decodeConfig(hash);
        return r.ok || (r.errors.length > 0 && r.errors.every((e) => typeof e.message === 'string' && e.message.length > 0 && !CATCH_ALL.test(e.message)));
      }),
      options,
    );
    unpolluted();
  });
});

const row = (step: number) => ({ step, epoch: 0, loss: 1, trainAccuracy: 0.5, testAccuracy: null, testLoss: null, lr: 0.1, density: 0.5, flopsRatio: 0.6, trainingFlops: 1, itop: null });

describe(`saved-run files (${RUNS} cases per property, seed ${SEED})`, () => {
  it('a mutated run file never throws: it opens, or each problem is named', () => {
    const file = fc.tuple(valid, fc.integer({ min: 0, max: 5 })).map(([input, rows]) => {
      const r = parseConfig(input);
      const run: SavedRun = { format: RUN_FORMAT, version: 1, name: 'run', savedAt: '2026-12-02T00:00:00Z', config: r.ok ? r.config : (parseConfig({ version: 1 }) as { config: SavedRun['config'] }).config, step: rows, history: Array.from({ length: rows }, (_, i) => row(i)) };
      return JSON.parse(runFileText(run)) as unknown;
    });
    fc.assert(
      fc.property(file, mutations, (f, edits) => {
        const r = parseSavedRun(mutate(f, edits));
        return r.ok || (r.errors.length > 0 && r.errors.every((e) => typeof e === 'string' && e.length > 0));
      }),
      options,
    );
    unpolluted();
  });
});

describe(`the binary part of a save (${RUNS} cases, seed ${SEED})`, () => {
  const layout = setupLayout({ layers: mlpLayers(2, [8, 6], 3, 'relu'), members: 2 });
  const TOTAL = 100;
  const good = (): Checkpoint => {
    const s = initialState(layout, { seed: 4, density: 0.5, rule: { kind: 'uniform', denseFirst: false, denseLast: false }, scheme: 'he', sparseAwareInit: false });
    return { version: 1, step: 40, lastUpdate: 20, optimizerSteps: 40, activeCounts: [...s.activeCounts], targets: [...s.activeCounts], flops: { total: 1e6, steps: 40 }, weights: s.weights, mask: s.mask, state1: new Float32Array(layout.totalFloats), state2: new Float32Array(layout.totalFloats), fired: s.mask.slice() };
  };
  const parts = ['weights', 'mask', 'state1', 'state2', 'fired'] as const;
  const isF32 = (a: unknown): a is Float32Array => a instanceof Float32Array;
  const weightSlot = fc.tuple(fc.nat(layout.layers.length - 1), fc.nat(1), fc.nat()).map(([l, m, i]) => {
    const L = layout.layers[l]!;
    return L.weight.offset + m * L.weight.perMember + (i % L.numel);
  });
  // Each damage always makes the state impossible for this model.
  const damage = fc.oneof(
    fc.tuple(fc.constantFrom(...parts), fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0)).map(([part, d]) => (c: Checkpoint) => {
      const a = c[part];
      if (!(a instanceof Float32Array)) return; // already replaced by a wrong type
      (c as unknown as Record<string, unknown>)[part] = d < 0 ? a.slice(0, Math.max(0, a.length + d)) : Float32Array.from([...a, ...new Array<number>(d).fill(0)]);
    }),
    fc.tuple(fc.constantFrom('weights', 'state1', 'state2') as fc.Arbitrary<'weights' | 'state1' | 'state2'>, fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity)).map(([part, i, v]) => (c: Checkpoint) => void (isF32(c[part]) && (c[part][i % c[part].length] = v))),
    fc.tuple(weightSlot, fc.double({ min: MAX_ABS_WEIGHT * 2, max: 3e38, noNaN: true })).map(([i, v]) => (c: Checkpoint) => void (isF32(c.weights) && (c.weights[i] = v))),
    fc.tuple(weightSlot, fc.constantFrom(7, -1, 0.5, 2)).map(([i, v]) => (c: Checkpoint) => void (isF32(c.mask) && (c.mask[i] = v))),
    fc.tuple(fc.nat(layout.layers.length - 1), fc.nat(1), fc.nat()).map(([l, m, i]) => (c: Checkpoint) => {
      // An active connection switched off but its weight kept: the counts no longer agree, and a
      // masked weight is not 0. (One direction only, so two draws cannot undo each other.)
      if (!isF32(c.mask) || !isF32(c.weights) || c.mask.length !== layout.totalFloats) return;
      const L = layout.layers[l]!;
      const base = L.weight.offset + m * L.weight.perMember;
      for (let k = 0; k < L.numel; k++) {
        const j = base + ((i + k) % L.numel);
        if (c.mask[j] === 1 && c.weights[j] !== 0) return void (c.mask[j] = 0);
      }
    }),
    fc.tuple(fc.nat(layout.layers.length - 1), fc.integer({ min: 1, max: 5 })).map(([l, d]) => (c: Checkpoint) => void (Array.isArray(c.activeCounts) && (c.activeCounts[l]! += d))),
    fc.oneof(fc.integer({ min: -1e9, max: -1 }), fc.integer({ min: TOTAL + 1, max: 2e9 }), fc.constantFrom(0.5, NaN)).map((s) => (c: Checkpoint) => void (c.step = s)),
    fc.tuple(fc.constantFrom(...parts, 'activeCounts', 'targets', 'flops'), fc.constantFrom('AAAA', null, [1, 2], 5, {})).map(([part, v]) => (c: Checkpoint) => void ((c as unknown as Record<string, unknown>)[part] = v)),
  );
  it('a checkpoint damaged in any way is refused with a named part, and the check changes nothing', () => {
    expect(checkpointProblems(good(), layout, TOTAL)).toEqual([]);
    fc.assert(
      fc.property(fc.array(damage, { minLength: 1, maxLength: 3 }), (ds) => {
        const c = good();
        for (const d of ds) d(c);
        const before = JSON.stringify(c, (_, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v));
        const problems = checkpointProblems(c, layout, TOTAL);
        const after = JSON.stringify(c, (_, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v));
        return problems.length > 0 && problems.every((p) => p.startsWith('the checkpoint: ')) && before === after;
      }),
      options,
    );
  });
});

describe(`the runner's --set (${RUNS} cases, seed ${SEED})`, () => {
  let applySet: (config: unknown, assignment: string) => unknown;
  beforeAll(async () => {
    ({ applySet } = (await import(/* @vite-ignore */ pathToFileURL(resolve('scripts/config-set.mjs')).href)) as { applySet: typeof applySet });
  });
  const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'model', 'hidden', 'sparsity', 'target', 'training', 'epochs', 'kind', 'toString'), fc.string({ maxLength: 8 }));
  const assignment = fc.tuple(fc.array(key, { minLength: 0, maxLength: 4 }), fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 20 }))).map(([path, value]) => `${path.join('.')}=${value}`);
  it('random --set arguments never pollute a prototype or throw anything but a sentence; the result is accepted or refused by field', () => {
    fc.assert(
      fc.property(valid, fc.array(assignment, { minLength: 1, maxLength: 4 }), (input, sets) => {
        const config = structuredClone(input) as unknown;
        try {
          for (const s of sets) applySet(config, s);
        } catch (e) {
          return e instanceof Error && e.constructor === Error && e.message.startsWith('--set');
        }
        const r = parseConfig(config);
        return r.ok || refusedByField(r);
      }),
      options,
    );
    unpolluted();
  });
});
