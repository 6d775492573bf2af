// Uniform parameter blocks: each kernel names the fields of its WGSL params struct in order, and
// packParams lays out the values exactly as WGSL does for a struct of 4-byte scalars (offsets
// 0, 4, 8, ...; size rounded up to 16). A Node test checks these lists against the .wgsl files.

export type ParamType = 'u32' | 'i32' | 'f32';
export type ParamField = readonly [name: string, type: ParamType];
export type ParamValues = Readonly<Record<string, number>>;

export function paramsByteSize(fields: readonly ParamField[]): number {
  return Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
}

/** Packs `values` into a uniform block. Fields whose names start with '_' are padding (0). */
export function packParams(kernel: string, fields: readonly ParamField[], values: ParamValues): ArrayBuffer {
  const bytes = new ArrayBuffer(paramsByteSize(fields));
  const view = new DataView(bytes);
  const known = new Set<string>();
  fields.forEach(([name, type], i) => {
    known.add(name);
    if (name.startsWith('_')) return;
    const v = values[name];
    if (v === undefined || !Number.isFinite(v)) {
      throw new Error(`${kernel}: parameter "${name}" is missing or not finite (got ${v})`);
    }
    if (type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new Error(`${kernel}: parameter "${name}" must be a u32, got ${v}`);
      }
      view.setUint32(i * 4, v, true);
    } else if (type === 'i32') {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new Error(`${kernel}: parameter "${name}" must be an i32, got ${v}`);
      }
      view.setInt32(i * 4, v, true);
    } else {
      view.setFloat32(i * 4, v, true);
    }
  });
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new Error(`${kernel}: unknown parameter "${name}"`);
  }
  return bytes;
}
