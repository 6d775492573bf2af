// The URL-hash form of a config: short, URL-safe, versioned, and safe to read from anyone.
//
// Format:  v<version>[.<payload>]      e.g.  v1   (the defaults)
//                                            v1.eyJzcGFyc2l0eSI6eyJ0YXJnZXQiOjAuOX19
// payload = base64url (RFC 4648 §5, no padding) of the UTF-8 JSON of the fields that differ
// from that version's defaults (diff.ts). The version sits outside the payload so that a newer
// link is recognised, and refused, without guessing at its contents.
//
// Why a diff: TF Playground's hash lists every control; ours has ~80 fields, and a teacher's
// link should stay short enough to paste in a chat. Why base64url of JSON rather than
// key=value pairs: nested sections and lists need no escaping rules of their own, and no
// library is needed (btoa/atob and TextEncoder exist in browsers and Node ≥ 16).
//
// Decoding: the diff is laid over the defaults *of the link's version* and handed to
// parseConfig, so a link made by an older playground is migrated like any saved run. That
// is why defaults are frozen per version (DEFAULTS_BY_VERSION): when version 2 changes a
// default, version 1's defaults move here as a literal object. decodeConfig never throws.
import { applyPatch, diffFromDefaults } from './diff';
import type { JsonObject } from './json';
import { isJsonObject } from './json';
import type { ExperimentConfig } from './schema';
import { CONFIG_VERSION, defaultConfig } from './schema';
import type { ParseResult } from './validate';
import { parseConfig } from './validate';

/** Longest hash we try to read; real ones are far shorter. */
export const MAX_HASH_LENGTH = 8192;

/** Defaults each readable version's diffs are relative to. */
const DEFAULTS_BY_VERSION: Readonly<Record<number, () => JsonObject>> = {
  1: () => defaultConfig(),
};

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The decoded text, or null when `s` is not base64url of UTF-8. */
function fromBase64Url(s: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  try {
    const binary = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The hash for a config (without the leading '#'). The defaults encode as `v1`. */
export function encodeConfig(config: ExperimentConfig): string {
  const patch = diffFromDefaults(config);
  const head = `v${CONFIG_VERSION}`;
  return Object.keys(patch).length === 0 ? head : `${head}.${toBase64Url(JSON.stringify(patch))}`;
}

const fail = (message: string, path = ''): ParseResult => ({ ok: false, errors: [{ path, message }] });

/** Reads a hash (with or without '#') back into a config, or says what is wrong. Never throws. */
export function decodeConfig(hash: string): ParseResult {
  try {
    if (typeof hash !== 'string') return fail('a config link must be text');
    const text = hash.trim().replace(/^#/, '');
    if (text.length > MAX_HASH_LENGTH) return fail(`the link's settings are too long (${text.length} characters; at most ${MAX_HASH_LENGTH})`);
    const m = /^v(\d{1,9})(?:\.(.*))?$/.exec(text);
    if (m === null) return fail('not a playground config link (expected "v1" or "v1.<settings>")');
    const version = Number(m[1]);
    const defaults = DEFAULTS_BY_VERSION[version];
    if (defaults === undefined) return parseConfig({ version }); // newer or unknown: parseConfig words the refusal
    const payload = m[2] ?? '';
    let patch: unknown = {};
    if (payload !== '') {
      const json = fromBase64Url(payload);
      if (json === null) return fail('the link is damaged: its settings are not valid base64url');
      try {
        patch = JSON.parse(json);
      } catch {
        return fail('the link is damaged: its settings are not valid JSON');
      }
    }
    if (!isJsonObject(patch)) return fail("the link is damaged: its settings must be a JSON object");
    const merged = applyPatch(defaults(), patch);
    merged.version = version; // the prefix is authoritative
    return parseConfig(merged);
  } catch (e) {
    return fail(`could not read the link (${e instanceof Error ? e.message : String(e)})`);
  }
}
