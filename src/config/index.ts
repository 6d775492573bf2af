// Public surface of src/config: the versioned experiment-config schema and everything that reads
// or writes it (validation, URL-hash codec, seed derivation, derived quantities).
// See docs/CONFIG.md for every field, its range, default and source.
export * from './schema';
export { parseConfig, migrate, formatErrors, issuesToErrors, MIGRATIONS, MAX_CONFIG_DEPTH } from './validate';
export type { ConfigError, Migration, ParseOptions, ParseResult } from './validate';
export { crossFieldErrors, RULES } from './rules';
export { encodeConfig, decodeConfig, MAX_HASH_LENGTH } from './codec';
export { applyPatch, diffFromDefaults, deepEqual } from './diff';
export { memberSeed, streamSeed, memberSeeds, STREAMS, STREAM_NAMES } from './seeds';
export type { MemberSeeds, Stream } from './seeds';
export { splitSizes, stepsPerEpoch, totalSteps, trainPerClass, lotteryPruneFraction, lotterySparsity, edstRefineEpochs, liveSparsityRefusal } from './derived';
export type { SplitSizes } from './derived';
export { isJsonObject, withPath } from './json';
export type { JsonObject } from './json';
export { U32_MAX } from './fields';
export { pythonRefusals } from './python-support';
