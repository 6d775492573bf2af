// Tiny JSON-shape helpers shared by validation and the URL codec.

export type JsonObject = Record<string, unknown>;

/** A plain object as JSON.parse makes it (not null, not a list, not a class instance). */
export function isJsonObject(x: unknown): x is JsonObject {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}
