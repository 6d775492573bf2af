// Manifest parser (each malformed field named) and the loader against a fake fetch: the happy
// path, and size / checksum / label / HTTP / JSON problems reported with the file's name.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  defaultDataUrl,
  loadImageDataset,
  parseManifest,
  type FetchLike,
  type ManifestDataset,
} from '../../../src/data';

// A tiny 3-image, 2×2, 2-class dataset.
const images = Uint8Array.from([0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252]);
const labels = Uint8Array.from([1, 0, 1]);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function entry(): ManifestDataset {
  return {
    name: 'tiny',
    count: 3,
    width: 2,
    height: 2,
    classes: 2,
    classNames: ['a', 'b'],
    classCounts: [1, 2],
    pixelMean: 0.5,
    pixelStd: 0.4,
    images: { file: 'tiny.images.bin', bytes: 12, sha256: sha(images) },
    labels: { file: 'tiny.labels.bin', bytes: 3, sha256: sha(labels) },
    source: { package: 'tiny', version: '1.0.0', entries: 3, emptySkipped: 0, duplicatesDropped: 0, conflictingDropped: 0 },
  };
}
const manifest = (d: object = entry()): object => ({ format: 1, datasets: [d] });

/** Serves `files` (name → bytes or JSON) under /base/; anything else is a 404. */
function fakeFetch(files: Record<string, Uint8Array | object>): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const f = async (url: string) => {
    urls.push(url);
    const name = url.replace(/^\/base\//, '');
    const body = files[name];
    const bytes = body instanceof Uint8Array ? body : body ? new TextEncoder().encode(JSON.stringify(body)) : null;
    return {
      ok: bytes !== null,
      status: bytes ? 200 : 404,
      statusText: bytes ? 'OK' : 'Not Found',
      arrayBuffer: async () => (bytes ?? new Uint8Array()).slice().buffer,
    };
  };
  return Object.assign(f, { urls });
}
const serve = (over: Record<string, Uint8Array | object> = {}) =>
  fakeFetch({ 'datasets.json': manifest(), 'tiny.images.bin': images, 'tiny.labels.bin': labels, ...over });

describe('parseManifest', () => {
  it('accepts a valid manifest', () => {
    expect(parseManifest(manifest()).datasets[0]!.name).toBe('tiny');
  });

  it.each<[string, (d: Record<string, unknown>) => unknown, RegExp]>([
    ['wrong byte size', (d) => ((d.images as { bytes: number }).bytes = 11), /datasets\[0\]\.images\.bytes is 11 but count × width × height = 12/],
    ['label bytes', (d) => ((d.labels as { bytes: number }).bytes = 4), /labels\.bytes is 4 but count = 3/],
    ['class names', (d) => (d.classNames = ['a']), /classNames must be an array of 2, got 1 entries/],
    ['class counts sum', (d) => (d.classCounts = [1, 1]), /classCounts sum to 2, not count = 3/],
    ['count', (d) => (d.count = 0), /count must be an integer ≥ 1, got 0/],
    ['checksum', (d) => ((d.images as { sha256: string }).sha256 = 'abc'), /images\.sha256 must be a string matching/],
    ['file name', (d) => ((d.images as { file: string }).file = '../x.bin'), /images\.file must be a string matching/],
    ['pixel mean', (d) => (d.pixelMean = 2), /pixelMean must be a number in \[0, 1\], got 2/],
    ['source', (d) => delete d.source, /datasets\[0\]\.source must be an object/],
    ['classes', (d) => (d.classes = 300), /at most 256/],
  ])('names the problem: %s', (_what, mutate, message) => {
    const d = entry() as unknown as Record<string, unknown>;
    mutate(d);
    expect(() => parseManifest(manifest(d))).toThrow(message);
  });

  it('checks the top level: format, datasets, duplicates', () => {
    expect(() => parseManifest(null)).toThrow(/datasets\.json must be an object/);
    expect(() => parseManifest({ format: 2, datasets: [] })).toThrow(/format 2 is not the supported format 1/);
    expect(() => parseManifest({ format: 1, datasets: [] })).toThrow(/datasets must be a non-empty array/);
    expect(() => parseManifest({ format: 1, datasets: [entry(), entry()] })).toThrow(/"tiny" is listed twice/);
    expect(() => parseManifest({ format: 1 })).toThrow(DataError);
  });
});

describe('loadImageDataset', () => {
  it('default base URL is Vite\'s BASE_URL + data/, and importing it in Node is safe', () => {
    expect(defaultDataUrl()).toBe(`${import.meta.env.BASE_URL}data/`);
  });

  it('loads and verifies a dataset through the given fetch and base URL', async () => {
    const fetchFn = serve();
    const d = await loadImageDataset('tiny', fetchFn, '/base/');
    expect(fetchFn.urls.sort()).toEqual(['/base/datasets.json', '/base/tiny.images.bin', '/base/tiny.labels.bin']);
    expect(d.images).toEqual(images);
    expect(d.labels).toEqual(labels);
    expect([d.count, d.width, d.height, d.classes]).toEqual([3, 2, 2, 2]);
    expect(d.classNames).toEqual(['a', 'b']);
    await expect(loadImageDataset('tiny', serve(), '/base')).resolves.toMatchObject({ count: 3 }); // no trailing slash
  });

  it('size mismatch → error naming the file and both sizes', async () => {
    const p = loadImageDataset('tiny', serve({ 'tiny.images.bin': images.slice(0, 8) }), '/base/');
    await expect(p).rejects.toThrow(/tiny\.images\.bin: expected 12 bytes \(from datasets\.json\) but got 8; .*npm run data/);
  });

  it('checksum mismatch → error; skipped with verifyChecksum: false', async () => {
    const changed = images.slice();
    changed[0] = 99;
    await expect(loadImageDataset('tiny', serve({ 'tiny.images.bin': changed }), '/base/')).rejects.toThrow(
      /tiny\.images\.bin: sha256 [0-9a-f]{64} does not match datasets\.json/,
    );
    const d = await loadImageDataset('tiny', serve({ 'tiny.images.bin': changed }), '/base/', { verifyChecksum: false });
    expect(d.images[0]).toBe(99);
  });

  it('labels out of range or miscounted → error', async () => {
    const opts = { verifyChecksum: false };
    await expect(loadImageDataset('tiny', serve({ 'tiny.labels.bin': Uint8Array.from([1, 2, 1]) }), '/base/', opts)).rejects.toThrow(
      /tiny\.labels\.bin: label 2 at index 1 is not < classes \(2\)/,
    );
    await expect(loadImageDataset('tiny', serve({ 'tiny.labels.bin': Uint8Array.from([1, 1, 1]) }), '/base/', opts)).rejects.toThrow(
      /class counts \[0, 3\] do not match datasets\.json \[1, 2\]/,
    );
  });

  it('missing files, unknown names, bad JSON and network errors are reported', async () => {
    await expect(loadImageDataset('tiny', fakeFetch({}), '/base/')).rejects.toThrow(/could not fetch \/base\/datasets\.json: HTTP 404 Not Found/);
    await expect(loadImageDataset('mnist', serve(), '/base/')).rejects.toThrow(/has no dataset "mnist" \(it has: tiny\)/);
    await expect(loadImageDataset('tiny', serve({ 'tiny.labels.bin': undefined as never }), '/base/')).rejects.toThrow(/tiny\.labels\.bin: HTTP 404/);
    await expect(loadImageDataset('tiny', serve({ 'datasets.json': new TextEncoder().encode('{oops') }), '/base/')).rejects.toThrow(
      /datasets\.json is not valid JSON/,
    );
    const offline: FetchLike = () => Promise.reject(new Error('Failed to fetch'));
    await expect(loadImageDataset('tiny', offline, '/base/')).rejects.toThrow(/could not fetch \/base\/datasets\.json: Failed to fetch/);
  });
});
