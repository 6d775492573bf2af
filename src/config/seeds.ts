// Seeds for ensemble members and their random streams, all derived from the one `seed` of a config.
//
// Why derive instead of storing: a shared URL carries one seed, and member k of a 5-member
// ensemble must get the same initial weights, mask and batch order on every machine, whatever
// the other members do. Why separate streams: changing how the mask is drawn must not change
// the initial weights or the batch order (a "same mask, new init" control only changes `init`).
//
// Construction: `mix(a, b) = pcgHash(pcgHash(a) ^ b)` (pcgHash is the WGSL kernels' hash,
// src/util/rng.ts). pcgHash is a bijection on u32, so for a fixed `a` different `b` give
// different results, and for a fixed `b` different `a` do too. Each level is tagged with its
// own constant so a member seed can never equal a stream seed by construction:
//   memberSeed(seed, m)      = mix(mix(seed, MEMBER_TAG), m)
//   streamSeed(seed, m, s)   = mix(mix(memberSeed(seed, m), STREAM_TAG), STREAMS[s])
// Consequences (tested): deterministic; distinct across members for one seed; distinct across
// streams for one member; one flipped input bit flips about half of the output bits.
// The numbers in STREAMS and the tags are part of the config version: changing them changes
// every run a shared link reproduces.
import { assert } from '../util/assert';
import { pcgHash } from '../util/rng';

const MEMBER_TAG = 0x6d656d62; // 'memb'
const STREAM_TAG = 0x7374726d; // 'strm'

/** Independent random streams of one member. Values are fixed forever (see the header). */
export const STREAMS = {
  /** Initial weights (He/Glorot draws, GradInit batches). */
  init: 1,
  /** Initial mask and pruning-at-init scoring batches (random, SNIP, GraSP…, Prune-and-Tune children). */
  mask: 2,
  /** Order of training examples: the per-epoch shuffle of the index buffer. */
  'data-order': 3,
  /** Random choices at mask updates: SET/random regrowth, RigL tie-breaking noise, EDST exploration. */
  regrow: 4,
  /**
   * The lottery ticket's "same mask, new weights" control: its fresh weights. Not `init`: with
   * rewinding to step 0 the init stream would redraw the ticket's own starting weights.
   */
  reinit: 5,
} as const;
export type Stream = keyof typeof STREAMS;
export const STREAM_NAMES = Object.keys(STREAMS) as Stream[];

function mix(a: number, b: number): number {
  return pcgHash((pcgHash(a >>> 0) ^ b) >>> 0);
}

function checkU32(x: number, what: string): void {
  assert(Number.isInteger(x) && x >= 0 && x <= 0xffff_ffff, `${what} must be an integer in [0, 2^32), got ${x}`);
}

/** The seed of ensemble member `member` (0-based). A single run is member 0. */
export function memberSeed(seed: number, member: number): number {
  checkU32(seed, 'seed');
  checkU32(member, 'member');
  return mix(mix(seed, MEMBER_TAG), member);
}

/** The seed of one random stream of one member. */
export function streamSeed(seed: number, member: number, stream: Stream): number {
  const id = STREAMS[stream] as number | undefined;
  assert(id !== undefined, `unknown random stream "${String(stream)}"`);
  return mix(mix(memberSeed(seed, member), STREAM_TAG), id);
}

export type MemberSeeds = { member: number; seed: number } & Record<Stream, number>;

/** Every stream seed of members 0..members−1, for logs and the run summary. */
export function memberSeeds(seed: number, members: number): MemberSeeds[] {
  checkU32(members, 'members');
  return Array.from({ length: members }, (_, member) => {
    const streams = Object.fromEntries(STREAM_NAMES.map((s) => [s, streamSeed(seed, member, s)])) as Record<Stream, number>;
    return { member, seed: memberSeed(seed, member), ...streams };
  });
}
