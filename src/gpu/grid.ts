// Workgroup counts of a dispatch: a kernel's grid and the folding of long 1-D grids.
export type Grid = readonly [number, number, number];

export const MAX_WORKGROUPS_PER_DIM = 65535;

/** A 1-D count of workgroups folded into (x, y) so neither passes the per-dimension limit. */
export function fold(groups: number, members: number): Grid {
  const y = Math.max(1, Math.ceil(groups / MAX_WORKGROUPS_PER_DIM));
  return [Math.max(1, Math.ceil(groups / y)), y, members];
}

export const div = (a: number, b: number): number => Math.ceil(a / b);

/** Threads per workgroup of the element-wise families (FAMILY_WORKGROUP in registry.ts). */
export const ELEMENTWISE_WG = 256;
