// The runner's `--set path.to.field=value`: one config field overridden from the command line.
// Its own module so the unit tier's property tests can drive it without starting a run.

/** Sets `path` (dots) in a JSON object; objects along the way are created. */
export function applySet(config, assignment) {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set needs path=value, got "${assignment}"`);
  const path = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  // Not a field of any config, and on a plain object these reach Object.prototype itself.
  if (path.includes('')) throw new Error(`--set ${assignment}: a field name is empty (write path.to.field=value)`);
  const bad = path.find((k) => k === '__proto__' || k === 'constructor' || k === 'prototype');
  if (bad !== undefined) throw new Error(`--set ${assignment}: "${bad}" is not a config field (docs/CONFIG.md lists them)`);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error(`--set ${assignment}: the config is not a JSON object, so it has no fields to set`);
  let node = config;
  for (const k of path.slice(0, -1)) {
    if (node[k] === undefined) node[k] = {};
    if (node[k] === null || typeof node[k] !== 'object') throw new Error(`--set ${assignment}: ${k} is not an object`);
    node = node[k];
  }
  node[path.at(-1)] = value;
  return config;
}
