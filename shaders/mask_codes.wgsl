// The codes shared by the mask update and the mask views; the TypeScript twin is
// src/reference/mask-codes.ts, and a unit test holds the two equal.
// Event bits (select_k writes them, apply_update reads them):
const EV_PRUNED: u32 = 1u;
const EV_GROWN: u32 = 2u;
// What apply_update leaves in `events` for the views:
const CHANGE_NONE: u32 = 0u;
const CHANGE_GROWN: u32 = 1u;    // was inactive, starts at 0
const CHANGE_PRUNED: u32 = 2u;
const CHANGE_REGROWN: u32 = 3u;  // pruned and regrown in one update: keeps its value
// A heatmap cell's palette index:
const CELL_NEVER: u32 = 0u;
const CELL_DROPPED: u32 = 1u;
const CELL_ACTIVE: u32 = 2u;
const CELL_GROWN: u32 = 3u;
const CELL_PRUNED: u32 = 4u;
