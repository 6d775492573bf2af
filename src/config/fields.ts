// Field builders for the experiment-config schema (schema.ts).
//
// Why a helper per kind of field: every number in the config has bounds and a default, and the
// message a person reads when a value is wrong should say the allowed range in plain words
// ("must be between 0 and 0.999"), not zod's generic "Too big: expected number to be <=0.999".
// Putting the range into the message here keeps schema.ts one line per field.
import { z } from 'zod';

// No compiled validators: zod would otherwise probe `new Function` once, which the built page's
// Content-Security-Policy forbids (tests/e2e/security.e2e.ts sees the violation). Set here, in
// the first module of src/config to build a schema, as zod decides per schema when it is built.
// Configs are parsed a few times a session: the interpreted path costs nothing a person notices.
z.config({ jitless: true });

/** Largest unsigned 32-bit integer: seeds are u32 so the WGSL kernels can hash them. */
export const U32_MAX = 0xffff_ffff;

/** A finite number in [min, max] with a default. */
export function num(min: number, max: number, def: number) {
  const range = `must be a number between ${min} and ${max}`;
  return z.number({ error: range }).min(min, { error: range }).max(max, { error: range }).default(def);
}

/** The same without a default, for list entries and optional fields. */
export function numIn(min: number, max: number) {
  const range = `must be a number between ${min} and ${max}`;
  return z.number({ error: range }).min(min, { error: range }).max(max, { error: range });
}

/** A whole number in [min, max] without a default. */
export function intIn(min: number, max: number) {
  const range = `must be a whole number between ${min} and ${max}`;
  return z.int({ error: range }).min(min, { error: range }).max(max, { error: range });
}

/** A whole number in [min, max] with a default. */
export function int(min: number, max: number, def: number) {
  return intIn(min, max).default(def);
}

/** A u32 seed. */
export function u32(def: number) {
  return int(0, U32_MAX, def);
}

/** true or false, with a default. */
export function bool(def: boolean) {
  return z.boolean({ error: 'must be true or false' }).default(def);
}

/** One of a fixed list of strings, with a default. The message lists the choices. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, def: T[number]) {
  return z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(' | ')}` }).default(def);
}

/** The same without a default: a discriminator value of a union variant. */
export function tag<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(' | ')}` });
}
