// Diff and patch of config objects against the defaults, for short URL hashes (codec.ts).
//
// diffFromDefaults keeps only what differs from defaultConfig(); applyPatch puts a diff back on
// top of a defaults object. Plain objects are compared key by key, lists and numbers as a whole.
// The one subtlety is a discriminated union whose variant changed (model.kind mlp → lenet5-caffe,
// training.optimizer.kind sgd → adam, data.dataset, ensemble.mode): the old variant's fields must
// not leak into the new one, so
//   - applyPatch replaces the whole object when the patch names another variant (the schema then
//     fills that variant's own defaults);
//   - diffFromDefaults writes the new variant's tag plus only the fields that differ from *that
//     variant's* defaults (found by parsing a config with just that tag set).
// Invariant (tested): parse(applyPatch(defaults, diffFromDefaults(c))) deep-equals c.
import type { ExperimentConfig } from './schema';
import { ExperimentConfig as Schema, defaultConfig } from './schema';
import type { JsonObject } from './json';
import { isJsonObject } from './json';

/** Keys that name the variant of a discriminated union in the schema. */
const DISCRIMINATORS = ['kind', 'dataset', 'mode'] as const;

const own = (o: JsonObject, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/** Sets a key as an own property, even `__proto__` (so it is reported as unknown, never obeyed). */
function put(o: JsonObject, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The discriminator key whose value differs between the two objects, if any. */
function switchedVariant(value: JsonObject, base: JsonObject): string | undefined {
  return DISCRIMINATORS.find((d) => own(value, d) !== undefined && own(base, d) !== undefined && own(value, d) !== own(base, d));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], own(b, k)));
  }
  return false;
}

/** Defaults of the section at `path` when its discriminator `key` is set to `tag`. */
function variantDefaults(path: readonly string[], key: string, tag: unknown): JsonObject {
  let input: JsonObject = { [key]: tag };
  for (let i = path.length - 1; i >= 0; i--) input = { [path[i]!]: input };
  const parsed = Schema.safeParse(input);
  if (!parsed.success) return {};
  let at: unknown = parsed.data;
  for (const k of path) at = isJsonObject(at) ? own(at, k) : undefined;
  return isJsonObject(at) ? at : {};
}

function diff(value: unknown, base: unknown, path: readonly string[]): unknown {
  if (!isJsonObject(value) || !isJsonObject(base)) return deepEqual(value, base) ? undefined : value;
  const out: JsonObject = {};
  let ref = base;
  const switched = switchedVariant(value, base);
  if (switched !== undefined) {
    ref = variantDefaults(path, switched, value[switched]);
    out[switched] = value[switched];
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === switched) continue;
    const d = diff(v, own(ref, k), [...path, k]);
    if (d !== undefined) out[k] = d;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The fields of `config` that differ from the defaults (without `version`); {} when none. */
export function diffFromDefaults(config: ExperimentConfig, defaults: ExperimentConfig = defaultConfig()): JsonObject {
  const d = diff({ ...config, version: defaults.version }, defaults, []);
  return isJsonObject(d) ? d : {};
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch) || !isJsonObject(base) || switchedVariant(patch, base) !== undefined) return patch;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(base)) put(out, k, v);
  for (const [k, v] of Object.entries(patch)) put(out, k, merge(own(base, k), v));
  return out;
}

/** `base` with `patch` laid over it (a new object; neither input is modified). */
export function applyPatch(base: JsonObject, patch: JsonObject): JsonObject {
  const merged = merge(base, patch);
  return isJsonObject(merged) ? merged : {};
}
