// Tiny JSON-shape helpers shared by validation and the URL codec.

export type JsonObject = Record<string, unknown>;

/** A plain object as JSON.parse makes it (not null, not a list, not a class instance). */
export function isJsonObject(x: unknown): x is JsonObject {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `input` with the dotted `path` set to a copy of `value`: the objects along the path
 * are copied (or made, where missing or not objects); nothing else is shared with the result's
 * changed branch. How the UI's controls, the lessons' variants and the runner's --set edit configs.
 */
export function withPath(input: JsonObject, path: string, value: unknown): JsonObject {
  const [head, ...rest] = path.split('.');
  const out: JsonObject = { ...input };
  if (rest.length === 0) out[head!] = structuredClone(value);
  else {
    const inner = out[head!];
    out[head!] = withPath(isJsonObject(inner) ? inner : {}, rest.join('.'), value);
  }
  return out;
}
