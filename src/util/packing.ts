// Byte packing shared by the dataset loaders (CPU side) and the GPU gather kernels.
// WGSL has no u8 storage type, so a byte tensor travels as array<u32>: word i holds bytes
// 4i..4i+3, byte 4i in the lowest 8 bits (little-endian, the order unpack4x8unorm uses).

/** Packs bytes into u32 words (zero-padded to a whole word). */
export function packU8(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let i = 0; i < bytes.length; i++) {
    words[i >>> 2]! |= bytes[i]! << ((i & 3) * 8);
  }
  return words;
}

/** Reads byte `i` back out of a packed word array. */
export function unpackU8(words: Uint32Array, i: number): number {
  return (words[i >>> 2]! >>> ((i & 3) * 8)) & 0xff;
}
