// WGSL sources. The only importer of shaders/*.wgsl (docs/ARCHITECTURE.md §2): Vite inlines them as
// strings at build time, so the app fetches nothing at run time.
import activation from '../../shaders/activation.wgsl?raw';
import conv from '../../shaders/conv.wgsl?raw';
import data from '../../shaders/data.wgsl?raw';
import dense from '../../shaders/dense.wgsl?raw';
import fused from '../../shaders/fused.wgsl?raw';
import gemmCore from '../../shaders/gemm_core.wgsl?raw';
import loss from '../../shaders/loss.wgsl?raw';
import mask from '../../shaders/mask.wgsl?raw';
import maskCodes from '../../shaders/mask_codes.wgsl?raw';
import maskRender from '../../shaders/mask_render.wgsl?raw';
import optimizer from '../../shaders/optimizer.wgsl?raw';
import pcgHash from '../../shaders/pcg_hash.wgsl?raw';
import pool from '../../shaders/pool.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';
import sparse from '../../shaders/sparse.wgsl?raw';
import sparseBits from '../../shaders/sparse_bits.wgsl?raw';
import sparseIndex from '../../shaders/sparse_index.wgsl?raw';
import sparseSelect from '../../shaders/sparse_select.wgsl?raw';
import { composeShader } from './shader-include';

/** A family = one .wgsl file holding the forward and backward entry points of one kind of op. */
export const SHADER_FAMILIES = ['dense', 'conv', 'pool', 'activation', 'loss', 'optimizer', 'data', 'reduce', 'mask', 'sparse', 'sparse_select', 'sparse_index', 'fused'] as const;
export type ShaderFamily = (typeof SHADER_FAMILIES)[number];

const RAW: Record<ShaderFamily, string> = { dense, conv, pool, activation, loss, optimizer, data, reduce, mask, sparse, sparse_select: sparseSelect, sparse_index: sparseIndex, fused };
const INCLUDES: Record<string, string> = { 'gemm_core.wgsl': gemmCore, 'mask_codes.wgsl': maskCodes, 'sparse_bits.wgsl': sparseBits, 'pcg_hash.wgsl': pcgHash };

/** The complete WGSL of a family, with its `//!include` lines resolved. */
export function shaderSource(family: ShaderFamily): string {
  return composeShader(RAW[family], INCLUDES);
}

/** The mask heatmap's render pipeline (vertex + fragment, not a compute family). */
export const MASK_RENDER_SOURCE: string = composeShader(maskRender, INCLUDES);
