// The codes a mask update and the mask views share, in one place. The WGSL twin is
// shaders/mask_codes.wgsl (included by mask.wgsl and mask_render.wgsl); a unit test
// (tests/unit/gpu/registry.test.ts) holds the two equal.
//
//   event bits  written by select_k, read by apply_update:  EV_PRUNED | EV_GROWN
//   CHANGE      what apply_update leaves in `events` for the views (0 unchanged, 1 grown: was
//               inactive and starts at 0, 2 pruned, 3 pruned and regrown in one update: keeps
//               its value)
//   CELL        a heatmap cell's colour index (palette order)

export const EV_PRUNED = 1;
export const EV_GROWN = 2;

export const CHANGE = { none: 0, grown: 1, pruned: 2, regrown: 3 } as const;

export const CELL = { never: 0, dropped: 1, active: 2, grown: 3, pruned: 4 } as const;

/**
 * A cell's CELL code from its mask bit, the last update's CHANGE code and the ITOP record: the
 * last update first (pruned-and-regrown reads as unchanged: to the eye nothing happened), then
 * the mask bit, then whether the connection was ever active. mask_render.wgsl's `cell_code`.
 */
export function maskCell(active: boolean, change: number, fired: boolean): number {
  if (change === CHANGE.grown) return CELL.grown;
  if (change === CHANGE.pruned) return CELL.pruned;
  if (active) return CELL.active;
  return fired ? CELL.dropped : CELL.never;
}
