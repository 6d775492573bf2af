// parseConfig: the one door through which outside input (URL hash, saved run, imported file,
// headless-runner argument) becomes an ExperimentConfig.
//
// It never throws. It answers either the complete config (defaults filled in) or every problem
// at once, each as { path: 'sparsity.target', message: 'must be a number between 0 and 0.999' },
// so the UI can mark each control and the runner can print a list. Order of work:
//   1. the input must be a JSON object;
//   1b. nesting deeper than any config → refused (no recursion meets a 5,000-deep file);
//   2. version: missing → refused, with the other fields' problems checked as the current
//      version; newer → refused ("made by a newer playground"); older →
//      migrated step by step through MIGRATIONS (refused if a step is missing);
//   3. the schema checks every single field (all of them, not the first failure); a section
//      without its tag (model without kind) is the default variant, as in a link;
//   4. when every field is valid, the cross-field rules (rules.ts) run.
import type { ZodError } from 'zod';
import type { JsonObject } from './json';
import { isJsonObject } from './json';
import type { ConfigError } from './rules';
import { crossFieldErrors } from './rules';
import { CONFIG_VERSION, ExperimentConfig, defaultConfig } from './schema';

export type { ConfigError } from './rules';

export type ParseResult = { ok: true; config: ExperimentConfig; migratedFrom?: number } | { ok: false; errors: ConfigError[] };

/** One step of the migration chain: turns a version-`from` object into a version-`to` one. */
export interface Migration {
  from: number;
  to: number;
  /** What changed, for the changelog in docs/CONFIG.md. */
  describe: string;
  up(old: JsonObject): JsonObject;
}

/** Version 1 is the first schema: nothing to migrate yet. Append a step with each new version. */
export const MIGRATIONS: readonly Migration[] = [];

export interface ParseOptions {
  /** Replaces MIGRATIONS (tests use it to exercise the chain). */
  migrations?: readonly Migration[];
}

type Migrated = { ok: true; value: JsonObject; from: number } | { ok: false; errors: ConfigError[] };

/** Brings an input to CONFIG_VERSION, or says why it cannot. */
export function migrate(input: JsonObject, migrations: readonly Migration[] = MIGRATIONS, current: number = CONFIG_VERSION): Migrated {
  const refuse = (message: string): Migrated => ({ ok: false, errors: [{ path: 'version', message }] });
  const version = input.version;
  if (version === undefined) return refuse(`missing: add "version": ${current} (a config must say which schema it was written for)`);
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return refuse(`must be a whole number from 1 to ${current}, got ${JSON.stringify(version)}`);
  if (version > current) return refuse(`made by a newer playground (version ${version}; this one reads versions up to ${current}): open it there, or reload this page to update it`);
  let value = input;
  let at = version;
  while (at < current) {
    const step = migrations.find((m) => m.from === at && m.to > at);
    if (step === undefined) return refuse(`version ${version} configs can no longer be read (no migration from version ${at})`);
    try {
      value = step.up(value);
    } catch (e) {
      return refuse(`migrating version ${version} to ${step.to} failed (${e instanceof Error ? e.message : String(e)})`);
    }
    at = step.to;
  }
  return { ok: true, value: { ...value, version: current }, from: version };
}

type Issue = ZodError['issues'][number];

const choices = (values: readonly unknown[]) => `must be one of ${values.map((v) => JSON.stringify(v)).join(' | ')}`;

/** zod's own wording for what the field builders (fields.ts) do not word themselves. */
function messageOf(issue: Issue): string {
  if (issue.code === 'invalid_union') {
    const options = (issue as { options?: unknown }).options;
    if (Array.isArray(options)) return choices(options);
  }
  if (issue.code === 'invalid_value') return choices(issue.values);
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    if (issue.expected === 'object') return 'must be an object of settings';
    if (issue.expected === 'array') return 'must be a list';
    return `must be a ${issue.expected}`;
  }
  return issue.message;
}

// An empty key ("" in a file) is shown as "" so the path still names it.
const dotted = (path: readonly PropertyKey[]) => path.map((k) => (k === '' ? '""' : String(k))).join('.');

/** "unknown field", naming the variant when the field belongs to another one (model.hidden on a LeNet). */
function unknownField(input: unknown, path: readonly PropertyKey[]): string {
  let at = input;
  for (const k of path) at = isJsonObject(at) && Object.prototype.hasOwnProperty.call(at, k) ? at[String(k)] : undefined;
  if (!isJsonObject(at)) return 'unknown field';
  const tag = ['kind', 'dataset', 'mode'].find((d) => typeof at[d] === 'string');
  return tag === undefined ? 'unknown field' : `unknown field for ${dotted([...path, tag])} "${String(at[tag])}"`;
}

/** Flattens zod issues to one error per wrong field (one per unknown key, too). */
export function issuesToErrors(issues: readonly Issue[], input?: unknown): ConfigError[] {
  const out: ConfigError[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, message });
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) add(dotted([...issue.path, k]), unknownField(input, issue.path));
    } else {
      add(dotted(issue.path), messageOf(issue));
    }
  }
  return out;
}

/** Deeper than any config can be (the schema nests three levels): refused before anything recurses. */
export const MAX_CONFIG_DEPTH = 16;

/** Where `input` nests deeper than MAX_CONFIG_DEPTH, found without recursion (a 5,000-deep file). */
function tooDeep(input: unknown): string | null {
  const stack: [unknown, string[]][] = [[input, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (path.length > MAX_CONFIG_DEPTH) return path.slice(0, 4).join('.');
    if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) stack.push([v, [...path, k]]);
  }
  return null;
}

const TAGS = ['kind', 'dataset', 'mode'] as const;

/**
 * A section given without its variant's tag (a model without `kind`) is the default variant:
 * the rule a link already follows, as its diff is laid over the defaults, so a file reads alike.
 * Returns a copy where tags were added; `input` is never changed.
 */
function withDefaultTags(input: JsonObject, defaults: JsonObject): JsonObject {
  let out = input;
  for (const [k, d] of Object.entries(defaults)) {
    const given = input[k];
    if (!isJsonObject(d) || !isJsonObject(given)) continue;
    let section = withDefaultTags(given, d);
    const tag = TAGS.find((t) => typeof d[t] === 'string');
    if (tag !== undefined && !(tag in section)) section = { [tag]: d[tag], ...section };
    if (section !== given) out = { ...out, [k]: section };
  }
  return out;
}

function parseUnsafe(input: unknown, options: ParseOptions): ParseResult {
  if (!isJsonObject(input)) return { ok: false, errors: [{ path: '', message: 'a config must be a JSON object' }] };
  const deep = tooDeep(input);
  if (deep !== null) return { ok: false, errors: [{ path: deep, message: `nested deeper than ${MAX_CONFIG_DEPTH} levels: no config field is, so this is not a config` }] };
  const migrated = migrate(input, options.migrations ?? MIGRATIONS);
  if (!migrated.ok) {
    // A missing version: the rest is checked as the current version, so one pass fixes the file.
    if (input.version !== undefined) return migrated;
    const rest = parseUnsafe({ ...input, version: CONFIG_VERSION }, options);
    return rest.ok ? migrated : { ok: false, errors: [...migrated.errors, ...rest.errors] };
  }
  const tagged = withDefaultTags(migrated.value, defaultConfig());
  const parsed = ExperimentConfig.safeParse(tagged);
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues, tagged) };
  const errors = crossFieldErrors(parsed.data);
  if (errors.length > 0) return { ok: false, errors };
  return migrated.from === CONFIG_VERSION ? { ok: true, config: parsed.data } : { ok: true, config: parsed.data, migratedFrom: migrated.from };
}

/** Checks and completes an experiment config. Never throws. */
export function parseConfig(input: unknown, options: ParseOptions = {}): ParseResult {
  try {
    return parseUnsafe(input, options);
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `could not read the config (${e instanceof Error ? e.message : String(e)})` }] };
  }
}

/** One line per error, for the headless runner and logs: `sparsity.target: must be …`. */
export function formatErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('\n');
}
