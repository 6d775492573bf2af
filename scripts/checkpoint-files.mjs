// The runner's checkpoint on disk: DIR/checkpoint.json (config, step, history) and
// DIR/checkpoint.bin (the drivers' binary state), written as a pair that cannot be half-written.
//
// Why a hash: the JSON names the blob's SHA-256, so a blob from another checkpoint (a crash
// between the two renames, whose sizes may well agree) is recognised as not this JSON's.
// Why a previous pair: before the new pair goes in, the current one is renamed to
// checkpoint-prev.*. With the hash, any JSON and any blob it names form a whole checkpoint, so a
// crash after any operation below leaves the new one or the previous one whole, and
// readCheckpoint resumes from the newest whole one, saying so when it is not the current pair.
//
// Order of the file operations (each numbered: a test crashes after each one in turn):
//   1 write checkpoint.bin.tmp   2 write checkpoint.json.tmp
//   3 checkpoint.json → checkpoint-prev.json   4 checkpoint.bin → checkpoint-prev.bin
//   5 checkpoint.bin.tmp → checkpoint.bin      6 checkpoint.json.tmp → checkpoint.json
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const CHECKPOINT_FORMAT = 'sparse-training-playground/experiment-checkpoint';

const pairIn = (dir, stem) => ({ json: resolve(dir, `${stem}.json`), bin: resolve(dir, `${stem}.bin`) });
/** The current pair, the previous one, and the new one while it is being written. */
export const checkpointFiles = (dir) => ({ current: pairIn(dir, 'checkpoint'), previous: pairIn(dir, 'checkpoint-prev'), tmp: pairIn(dir, 'checkpoint.tmp') });

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes the pair { format, version, savedAt, ...fields, binBytes, binSha256 } + `bin` into DIR.
 * `crashAfter(n)` is called after operation n (tests throw there to stop the write mid-way).
 */
export function writeCheckpoint(dir, fields, bin, crashAfter = () => {}) {
  const f = checkpointFiles(dir);
  const text = JSON.stringify({ format: CHECKPOINT_FORMAT, version: 1, savedAt: new Date().toISOString(), ...fields, binBytes: bin.byteLength, binSha256: sha256(bin) });
  writeFileSync(f.tmp.bin, bin);
  crashAfter(1);
  writeFileSync(f.tmp.json, text);
  crashAfter(2);
  if (existsSync(f.current.json)) renameSync(f.current.json, f.previous.json);
  crashAfter(3);
  if (existsSync(f.current.bin)) renameSync(f.current.bin, f.previous.bin);
  crashAfter(4);
  renameSync(f.tmp.bin, f.current.bin);
  crashAfter(5);
  renameSync(f.tmp.json, f.current.json);
  crashAfter(6);
}

/** A checkpoint JSON file: its content, or the reason it cannot be read. */
function readJson(file) {
  if (!existsSync(file)) return { problem: `${file} is missing` };
  try {
    const c = JSON.parse(readFileSync(file, 'utf8'));
    if (c === null || typeof c !== 'object' || c.format !== CHECKPOINT_FORMAT || c.version !== 1) return { problem: `${file} is not a version 1 experiment checkpoint` };
    return { c };
  } catch (e) {
    return { problem: `${file} is damaged (not JSON: ${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Whether `bin` is the blob checkpoint `c` was written with (older checkpoints name only a size). */
const binds = (c, bin) => bin.byteLength === c.binBytes && (c.binSha256 === undefined || sha256(bin) === c.binSha256);

/** Why the current pair is not whole, or null when it is. */
function currentProblem(pair) {
  const j = readJson(pair.json);
  if (j.problem) return j.problem;
  if (!existsSync(pair.bin)) return `${pair.bin} is missing`;
  const bin = readFileSync(pair.bin);
  if (bin.byteLength !== j.c.binBytes) return `${pair.bin} has ${bin.byteLength} bytes, ${pair.json} expects ${j.c.binBytes}`;
  return binds(j.c, bin) ? null : `${pair.bin} is not the blob ${pair.json} was written with (its SHA-256 differs)`;
}

/**
 * DIR's newest whole checkpoint: { config, state, bin, note }, or null when DIR has none at all.
 * Any JSON with any blob it names by hash is whole, so every crash point of writeCheckpoint
 * leaves one (the new or the previous); `note` says so when it is not the current pair.
 * Throws, naming the files, when checkpoint files exist but none is whole.
 */
export function readCheckpoint(dir) {
  const f = checkpointFiles(dir);
  const pairs = [f.current, f.tmp, f.previous];
  const jsons = pairs.map((p) => ({ file: p.json, ...readJson(p.json) })).filter((j) => !j.problem);
  const bins = pairs.filter((p) => existsSync(p.bin)).map((p) => readFileSync(p.bin));
  const whole = jsons.flatMap((j) => bins.filter((b) => binds(j.c, b)).slice(0, 1).map((bin) => ({ ...j, bin })));
  // The newest step; on a tie, the current pair (listed first).
  const best = whole.reduce((a, b) => (a === null || b.c.state.step > a.c.state.step ? b : a), null);
  const problem = currentProblem(f.current);
  if (best === null) {
    if (!pairs.some((p) => existsSync(p.json))) return null;
    throw new Error(`${dir} holds no whole checkpoint to resume: ${problem ?? 'no checkpoint file matches its blob'}`);
  }
  const note = problem === null && best.file === f.current.json ? null : `the latest checkpoint files are not a whole pair (${problem ?? `${f.tmp.json} is newer`}: the run stopped while writing one), so the newest whole checkpoint, at step ${best.c.state.step}, is resumed`;
  return { config: best.c.config, state: best.c.state, bin: best.bin, note };
}

/** Removes every checkpoint file in DIR (a finished run has nothing to resume). */
export function removeCheckpoint(dir) {
  for (const pair of Object.values(checkpointFiles(dir))) for (const file of Object.values(pair)) rmSync(file, { force: true });
}

/** Whether DIR holds any checkpoint to continue from. */
export const hasCheckpoint = (dir) => Object.values(checkpointFiles(dir)).some((p) => existsSync(p.json));
