// A JSON-like value with Float32Arrays inside (a training checkpoint, an ensemble's saved members)
// split into JSON text and one binary blob, and joined back: each Float32Array becomes
// {"$f32": [byteOffset, length]} in the JSON and its bytes go into the blob (little-endian, as
// every WebGPU platform stores f32), so a multi-megabyte state travels and is stored without base64.

const TAG = '$f32';

export interface BinaryJson {
  json: string;
  bin: Uint8Array<ArrayBuffer>;
}

/** Splits `value` into JSON text and the bytes of its Float32Arrays. */
export function packBinaryJson(value: unknown): BinaryJson {
  const arrays: Float32Array[] = [];
  let bytes = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Float32Array) {
      arrays.push(v);
      const ref = { [TAG]: [bytes, v.length] };
      bytes += v.byteLength;
      return ref;
    }
    return v;
  });
  const bin = new Uint8Array(bytes);
  let at = 0;
  for (const a of arrays) {
    bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return { json, bin };
}

/** The value packBinaryJson split; throws if a reference points outside the blob. */
export function unpackBinaryJson<T = unknown>(json: string, bin: Uint8Array): T {
  return JSON.parse(json, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && TAG in v) {
      const ref = (v as Record<string, unknown>)[TAG];
      if (!Array.isArray(ref) || ref.length !== 2 || !ref.every((n) => Number.isInteger(n) && n >= 0)) throw new Error(`a ${TAG} reference must be [byteOffset, length], got ${JSON.stringify(ref)}`);
      const [offset, length] = ref as [number, number];
      if (offset % 4 !== 0 || offset + length * 4 > bin.byteLength) throw new Error(`a ${TAG} reference [${offset}, ${length}] lies outside the ${bin.byteLength}-byte blob`);
      // Copy: the blob's buffer may be shared or unaligned.
      return new Float32Array(bin.slice(offset, offset + length * 4).buffer);
    }
    return v;
  }) as T;
}
