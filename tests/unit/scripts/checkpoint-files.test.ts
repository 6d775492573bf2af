// scripts/checkpoint-files.mjs (the runner's checkpoint pair): a crash after any of the six file
// operations of a checkpoint leaves a whole one, the new or the previous, and the reader says
// when it fell back; a blob of the right size from another checkpoint is refused by its hash.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

interface Read {
  config: unknown;
  state: { step: number };
  bin: Buffer;
  note: string | null;
}
interface CheckpointFiles {
  writeCheckpoint(dir: string, fields: object, bin: Uint8Array, crashAfter?: (op: number) => void): void;
  readCheckpoint(dir: string): Read | null;
  removeCheckpoint(dir: string): void;
  hasCheckpoint(dir: string): boolean;
  checkpointFiles(dir: string): { current: { json: string; bin: string } };
}

let m: CheckpointFiles;
beforeAll(async () => {
  m = (await import(/* @vite-ignore */ pathToFileURL(resolve('scripts/checkpoint-files.mjs')).href)) as CheckpointFiles;
});

class Crash extends Error {}
const blob = (step: number) => Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 7 + step) % 251));
const fields = (step: number) => ({ config: { version: 1 }, state: { step } });

describe('checkpoint pairs', () => {
  it('a fresh directory has none; a written pair reads back whole, without a note', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stp-ckpt-'));
    expect(m.readCheckpoint(dir)).toBeNull();
    m.writeCheckpoint(dir, fields(10), blob(10));
    const r = m.readCheckpoint(dir)!;
    expect(r.state.step).toBe(10);
    expect(r.note).toBeNull();
    expect(Buffer.compare(r.bin, blob(10))).toBe(0);
  });

  for (let op = 1; op <= 6; op++) {
    it(`a crash after operation ${op} of the second checkpoint leaves the first or the second whole`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'stp-ckpt-'));
      m.writeCheckpoint(dir, fields(10), blob(10));
      expect(() =>
        m.writeCheckpoint(dir, fields(20), blob(20), (n) => {
          if (n === op) throw new Crash();
        }),
      ).toThrow(Crash);
      const r = m.readCheckpoint(dir)!;
      expect([10, 20]).toContain(r.state.step);
      // Whichever it is, the blob is that checkpoint's own.
      expect(Buffer.compare(r.bin, blob(r.state.step))).toBe(0);
      // Operations 1 (only a blob) and 6 (all done) leave the current pair whole, and say nothing.
      if (op === 1) expect(r).toMatchObject({ note: null, state: { step: 10 } });
      else if (op === 6) expect(r).toMatchObject({ note: null, state: { step: 20 } });
      else expect(r.note).toMatch(/not a whole pair .* so the newest whole checkpoint, at step (10|20), is resumed/);
      // The next checkpoint after the crash is written and read as usual.
      m.writeCheckpoint(dir, fields(30), blob(30));
      expect(m.readCheckpoint(dir)).toMatchObject({ note: null, state: { step: 30 } });
    });
  }

  it('a blob of the right size from another checkpoint is refused by its hash; the previous pair is resumed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stp-ckpt-'));
    m.writeCheckpoint(dir, fields(10), blob(10));
    m.writeCheckpoint(dir, fields(20), blob(20));
    writeFileSync(m.checkpointFiles(dir).current.bin, blob(30)); // same 64 bytes, other content
    const r = m.readCheckpoint(dir)!;
    expect(r.state.step).toBe(10);
    expect(r.note).toContain('its SHA-256 differs');
  });

  it('a damaged JSON with no whole pair left is refused naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stp-ckpt-'));
    m.writeCheckpoint(dir, fields(10), blob(10));
    writeFileSync(m.checkpointFiles(dir).current.json, '{"format": "sparse-');
    expect(() => m.readCheckpoint(dir)).toThrow(/checkpoint\.json is damaged \(not JSON/);
  });

  it('removeCheckpoint leaves no checkpoint file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stp-ckpt-'));
    m.writeCheckpoint(dir, fields(10), blob(10));
    expect(() => m.writeCheckpoint(dir, fields(20), blob(20), (n) => { if (n === 4) throw new Crash(); })).toThrow(Crash);
    expect(m.hasCheckpoint(dir)).toBe(true);
    m.removeCheckpoint(dir);
    expect(m.hasCheckpoint(dir)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });
});
