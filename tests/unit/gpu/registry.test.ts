// The kernel registry must agree with the WGSL it points at: entry points exist, params structs
// have the same fields in the same order, bindings have the declared access, override constants
// exist, and every include resolves. Read straight from shaders/*.wgsl, so it runs in Node.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILY_WORKGROUP, GEMM_TILE, KERNELS, KERNEL_NAMES, fold, kernelConstants, type KernelSpec } from '../../../src/gpu/registry';
import { SHADER_FAMILIES } from '../../../src/gpu/shaders';
import { CELL, CHANGE, EV_GROWN, EV_PRUNED } from '../../../src/reference/mask-codes';
import { composeShader, listIncludes } from '../../../src/gpu/shader-include';

const SHADERS = resolve(__dirname, '../../../shaders');
const read = (file: string): string => readFileSync(join(SHADERS, file), 'utf8');

function familySource(family: string): string {
  const raw = read(`${family}.wgsl`);
  const includes = Object.fromEntries(listIncludes(raw).map((n) => [n, read(n)]));
  return composeShader(raw, includes);
}

function structFields(src: string, name: string): [string, string][] {
  const code = src.replace(/\/\/.*$/gm, ''); // field comments may hold ',' and ':'
  const m = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(code);
  if (!m) return [];
  return m[1]!
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const [n, t] = f.split(':').map((s) => s.trim());
      return [n!, t!];
    });
}

/** Access of every variable declared at @group(0) @binding(n): 'read' | 'read_write' | 'uniform'. */
function bindingAccess(src: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  const re = /@group\(0\)\s*@binding\((\d+)\)\s*var<(uniform|storage,\s*(read|read_write))>/g;
  for (const m of src.matchAll(re)) {
    const access = m[2] === 'uniform' ? 'uniform' : m[3]!;
    const set = out.get(Number(m[1])) ?? new Set<string>();
    set.add(access);
    out.set(Number(m[1]), set);
  }
  return out;
}

/** `const NAME: u32 = 12u;` declarations of a WGSL source, as numbers. */
function wgslConsts(src: string): Record<string, number> {
  return Object.fromEntries([...src.matchAll(/^const\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u\s*;/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe('kernel registry vs shaders/*.wgsl', () => {
  it.each(KERNEL_NAMES)('%s', (name) => {
    const spec: KernelSpec = KERNELS[name];
    const src = familySource(spec.family);
    expect(src, `entry point ${spec.entryPoint}`).toMatch(new RegExp(`@compute[^{]*fn\\s+${spec.entryPoint}\\s*\\(`));
    const wgslFields = structFields(src, spec.paramsStruct);
    expect(wgslFields.length, `struct ${spec.paramsStruct} found`).toBeGreaterThan(0);
    expect(spec.params.map(([n, t]) => [n, t])).toEqual(wgslFields);
    const access = bindingAccess(src);
    for (const b of spec.bindings) {
      expect([...(access.get(b.binding) ?? [])], `binding ${b.binding} (${b.name})`).toContain(b.kind);
    }
    expect(spec.bindings.filter((b) => b.kind === 'uniform')).toHaveLength(1);
    for (const c of Object.keys(kernelConstants(spec))) expect(src).toMatch(new RegExp(`override\\s+${c}\\b`));
  });

  it('sets every workgroup-size override a family declares (its grid divides by the same value)', () => {
    for (const family of SHADER_FAMILIES) {
      const declares = /override\s+WG\b/.test(familySource(family));
      expect(FAMILY_WORKGROUP[family] !== undefined, `${family}: override WG declared ${declares}`).toBe(declares);
    }
    expect(kernelConstants(KERNELS['loss.softmax_xent'])).toEqual({ WG: 64 });
    expect(KERNELS['loss.softmax_xent'].grid({ batch: 65 }, 2)).toEqual([2, 1, 2]);
    expect(kernelConstants(KERNELS['dense.forward'])).toEqual({ MODE: 0, MASK_OUTPUT: false });
  });

  it('agrees with the GEMM core on the output tile', () => {
    const core = read('gemm_core.wgsl');
    expect(wgslConsts(core)).toMatchObject({ TILE_M: GEMM_TILE, TILE_N: GEMM_TILE });
  });

  it('shares the mask codes with src/reference/mask-codes.ts (mask_codes.wgsl, included by both mask shaders)', () => {
    const codes = wgslConsts(read('mask_codes.wgsl'));
    const upper = (o: Record<string, number>, prefix: string) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}_${k.toUpperCase()}`, v]));
    expect(codes).toEqual({ EV_PRUNED, EV_GROWN, ...upper(CHANGE, 'CHANGE'), ...upper(CELL, 'CELL') });
    for (const file of ['mask.wgsl', 'mask_render.wgsl']) {
      const raw = read(file);
      expect(listIncludes(raw), file).toContain('mask_codes.wgsl');
      // No code is spelled as a bare number: what apply_update writes and cell_code returns are names.
      expect(raw.replace(/\/\/.*$/gm, ''), file).not.toMatch(/(code\s*=|return)\s*[0-9]+u/);
    }
  });

  it('finds a mismatch when a field is renamed (the check can fail)', () => {
    const src = familySource('dense').replace('n_in: u32', 'inputs: u32');
    expect(structFields(src, 'DenseDims').map(([n]) => n)).not.toEqual(KERNELS['dense.forward'].params.map(([n]) => n));
  });

  it('uses no float atomics and no early return before a barrier in the GEMM core', () => {
    for (const family of ['dense', 'conv', 'pool', 'activation', 'loss', 'optimizer', 'data', 'reduce', 'mask']) {
      expect(familySource(family), family).not.toMatch(/atomic<f32>/);
    }
    const core = read('gemm_core.wgsl');
    const code = core.replace(/\/\/.*$/gm, ''); // comments may say "return"
    const body = code.slice(code.indexOf('fn gemm('));
    expect(body.slice(0, body.lastIndexOf('workgroupBarrier'))).not.toMatch(/\breturn\b/);
    expect(body).toMatch(/workgroupBarrier/);
  });
});

describe('dispatch grids', () => {
  it('fold keeps every dimension within 65535 and covers all workgroups', () => {
    for (const groups of [1, 65535, 65536, 300_000, 5_000_000]) {
      const [x, y, z] = fold(groups, 3);
      expect(x).toBeLessThanOrEqual(65535);
      expect(y).toBeLessThanOrEqual(65535);
      expect(x * y).toBeGreaterThanOrEqual(groups);
      expect(z).toBe(3);
    }
  });

  it('GEMM grids tile the output and put members (times splits) in z', () => {
    const dims = { batch: 33, n_in: 40, n_out: 17, splits: 3 };
    expect(KERNELS['dense.forward'].grid(dims, 2)).toEqual([1, 2, 2]);
    expect(KERNELS['dense.backward_input'].grid(dims, 2)).toEqual([2, 2, 2]);
    expect(KERNELS['dense.backward_weight'].grid(dims, 2)).toEqual([2, 1, 6]);
    const conv = { batch: 64, cin: 1, in_h: 28, in_w: 28, cout: 20, kh: 5, kw: 5, out_h: 24, out_w: 24, pad_top: 0, pad_left: 0, splits: 8 };
    expect(KERNELS['conv.forward'].grid(conv, 1)).toEqual([1, Math.ceil((64 * 24 * 24) / 32), 1]);
    expect(KERNELS['conv.backward_weight'].grid(conv, 1)).toEqual([1, 1, 8]);
  });
});
