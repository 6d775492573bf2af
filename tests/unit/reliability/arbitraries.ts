// fast-check arbitraries for the property tests: configs drawn from the committed JSON Schema
// (python/sparse_playground/experiment-config.schema.json, the zod schema's own export, so a new
// field is drawn as soon as `npm run schema` has run), and the mutations a damaged input shows.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';

/** Cases per property in CI, and the seed (printed in the test names; fast-check prints it on failure too). */
export const RUNS = Number(process.env.STP_PROPERTY_RUNS ?? 1000);
export const SEED = Number(process.env.STP_PROPERTY_SEED ?? 20261202);
export const options = { numRuns: RUNS, seed: SEED };

type Node = {
  type?: string;
  oneOf?: Node[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: Node;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Node>;
  required?: string[];
};

const SCHEMA = JSON.parse(readFileSync(resolve('python/sparse_playground/experiment-config.schema.json'), 'utf8')) as Node;

/** Values of `node`: every field optional (its default then applies), within the schema's ranges. */
function fromSchema(node: Node): fc.Arbitrary<unknown> {
  if (node.oneOf) return fc.oneof(...node.oneOf.map(fromSchema));
  if ('const' in node) return fc.constant(node.const);
  if (node.enum) return fc.constantFrom(...node.enum);
  const min = node.minimum ?? -1e6;
  const max = node.maximum ?? 1e6;
  switch (node.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      // fc.integer stops at 2³¹ − 1; seeds go to 2³² − 1.
      return fc.oneof(fc.constantFrom(min, max), fc.double({ min, max, noNaN: true }).map((v) => Math.min(max, Math.max(min, Math.round(v)))));
    case 'number':
      return fc.oneof(fc.constantFrom(min, max), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
    case 'array':
      return fc.array(fromSchema(node.items ?? {}), { minLength: node.minItems ?? 0, maxLength: Math.min(node.maxItems ?? 4, 8) });
    case 'object': {
      const props = node.properties ?? {};
      const keys = Object.keys(props).filter((k) => k !== 'version');
      return fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(props[k]!)])), { requiredKeys: (node.required ?? []).filter((k) => k !== 'version' && keys.includes(k)) });
    }
    default:
      return fc.constant(undefined);
  }
}

/** A config as a person might write one: some sections given, drawn within the schema. */
export const configInput: fc.Arbitrary<Record<string, unknown>> = fromSchema(SCHEMA).map((c) => ({ version: 1, ...(c as object) }));

/** Values a damaged or hostile input puts where a field belongs. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -1, -1000, 0, 1e9, '', 'NaN', '1e30', null, true, [], {}, '__proto__'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1, max: 60 }).map((depth) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = { x: v };
    return v;
  }),
);

/** A key a damaged input might hold: a real field name, a misspelling, or one that reaches a prototype. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'kind', 'mode', 'dataset', 'version', 'model', 'sparsity', 'training', 'hidden', 'target', 'members', 'seed'),
  fc.string({ maxLength: 12 }),
);

export type Mutation = { path: string[]; value: unknown } | { path: string[]; remove: true };

/** One to five edits at random paths (existing keys or new ones). */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({ path: fc.array(hostileKey, { minLength: 1, maxLength: 4 }), value: hostileValue, remove: fc.boolean() }).map((m): Mutation => (m.remove ? { path: m.path, remove: true } : { path: m.path, value: m.value })),
  { minLength: 1, maxLength: 5 },
);

/** `input` with `edits` applied to a deep copy; own properties only (defineProperty), so a key of
 * "__proto__" is data, as JSON.parse makes it. */
export function mutate(input: unknown, edits: readonly Mutation[]): unknown {
  const root: unknown = structuredClone(input);
  for (const e of edits) {
    let node = root as Record<string, unknown>;
    for (const k of e.path.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(node, k) ? node[k] : undefined;
      if (typeof next !== 'object' || next === null) {
        const fresh = {};
        Object.defineProperty(node, k, { value: fresh, enumerable: true, writable: true, configurable: true });
        node = fresh as Record<string, unknown>;
      } else node = next as Record<string, unknown>;
    }
    const last = e.path.at(-1)!;
    if ('remove' in e) delete node[last];
    else Object.defineProperty(node, last, { value: e.value, enumerable: true, writable: true, configurable: true });
  }
  return root;
}

/**
 * Valid configs: a drawn config whose refused fields are dropped (their defaults then apply) until
 * parseConfig accepts it. Most draws break a cross-field rule somewhere (a LeNet on the spiral),
 * so this keeps the draw's other choices rather than discarding it.
 */
export function repaired(parse: (x: unknown) => { ok: boolean; errors?: { path: string }[] }): fc.Arbitrary<Record<string, unknown>> {
  return configInput.map((input) => {
    const c = structuredClone(input);
    for (let round = 0; round < 12; round++) {
      const r = parse(c);
      if (r.ok) return c;
      // A default can itself break a rule (rigl at sparsity 0): then the sections that set the
      // method go too.
      if (round >= 8) for (const k of ['ensemble', 'dst', 'sparsity']) delete (c as Record<string, unknown>)[k];
      for (const e of r.errors ?? []) {
        // First the field's own setting (two levels), then, if that is not enough, its section.
        const path = e.path.split('.').slice(0, round < 4 ? 2 : 1);
        let node = c as Record<string, unknown>;
        for (const k of path.slice(0, -1)) node = (node[k] as Record<string, unknown>) ?? {};
        delete node[path.at(-1)!];
      }
    }
    return { version: 1 };
  });
}
