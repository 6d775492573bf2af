// Mask heatmap of one weight layer, drawn by a render pass straight from the training buffers
// (src/viz/mask-heatmaps.ts): one pixel per connection, row = output unit, column = input (·tap).
// A cell's colour is params.colors[cell_code], as maskCell() in src/reference/mask-codes.ts: the
// last update's CHANGE code first (pruned and regrown reads as unchanged), then the mask bit, then
// the ITOP record. The codes are shared with mask.wgsl through mask_codes.wgsl.
// Two fragment entry points, one per storage (src/engine/layer-storage.ts MaskLayerBuffers):
// `fs` reads the masked storage's flat buffers, `fs_bits` the sparse storage's bitmaps.

//!include mask_codes.wgsl

struct Params {
  cols: u32,       // connections per output unit (inputs · kernel taps)
  rows: u32,       // output units
  base: u32,       // the layer's first weight in the mask and fired buffers (member 0)
  _pad: u32,
  colors: array<vec4<f32>, 5>,
}

// mask and fired are the whole flat parameter buffers (totalFloats: every layer, every member,
// src/engine/param-layout.ts); this layer's member 0 is rows·cols floats from params.base.
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mask: array<f32>;    // (totalFloats) 0/1
@group(0) @binding(2) var<storage, read> events: array<u32>;  // (members, rows·cols) CHANGE codes of this layer
@group(0) @binding(3) var<storage, read> fired: array<f32>;   // (totalFloats) 1 where ever active

// One triangle covering the target: (-1,-1), (3,-1), (-1,3).
@vertex
fn vs(@builtin(vertex_index) v: u32) -> @builtin(position) vec4<f32> {
  let x = f32((v << 1u) & 2u) * 2.0 - 1.0;
  let y = f32(v & 2u) * 2.0 - 1.0;
  return vec4<f32>(x, y, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  // Framebuffer y runs down from the top: pixel (x, y) is connection (row y, column x).
  let i = u32(pos.y) * params.cols + u32(pos.x);
  return params.colors[cell_code(events[i], mask[params.base + i] != 0.0, fired[params.base + i] != 0.0)];
}

// ---- The sparse storage: bitmaps (members, rows, words) u32, member 0 first; bit c % 32 of word
// row·words + c / 32. The CHANGE code from the bitmaps the last update left, as
// src/engine/sparse-host.ts changeCodes: grown = active now and not before, pruned = active before
// and not kept (pruned and regrown when active again). A layer too large for one pixel per
// connection draws one pixel per block × block connections: the mean of its cells' colours, so a
// block's shade is its density with its grown and pruned shares (src/state/views.ts blockImage).
struct BitsParams {
  cols: u32,
  rows: u32,
  words: u32,
  block: u32,      // connections per pixel along each side (1: one pixel per connection)
  colors: array<vec4<f32>, 5>,
}

@group(0) @binding(0) var<uniform> bparams: BitsParams;
@group(0) @binding(1) var<storage, read> occ: array<u32>;
@group(0) @binding(2) var<storage, read> old_occ: array<u32>;  // the update's snapshot: occ before it (its first region)
@group(0) @binding(3) var<storage, read> kept: array<u32>;
@group(0) @binding(4) var<storage, read> fired_bits: array<u32>;

@fragment
fn fs_bits(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  let b = max(bparams.block, 1u);
  let r0 = u32(pos.y) * b;
  let c0 = u32(pos.x) * b;
  let r1 = min(r0 + b, bparams.rows);
  let c1 = min(c0 + b, bparams.cols);
  var sum = vec4<f32>(0.0);
  for (var r = r0; r < r1; r++) {
    for (var c = c0; c < c1; c++) {
      sum += bparams.colors[bits_cell(r, c)];
    }
  }
  return sum / f32((r1 - r0) * (c1 - c0));
}

fn bits_cell(r: u32, c: u32) -> u32 {
  let w = r * bparams.words + c / 32u;
  let bit = 1u << (c % 32u);
  let now = (occ[w] & bit) != 0u;
  let was = (old_occ[w] & bit) != 0u;
  var change = CHANGE_NONE;
  if (now && !was) {
    change = CHANGE_GROWN;
  } else if (was && (kept[w] & bit) == 0u) {
    change = select(CHANGE_PRUNED, CHANGE_REGROWN, now);
  }
  return cell_code(change, now, (fired_bits[w] & bit) != 0u);
}

fn cell_code(change: u32, is_active: bool, was_active: bool) -> u32 {
  if (change == CHANGE_GROWN) {
    return CELL_GROWN;
  }
  if (change == CHANGE_PRUNED) {
    return CELL_PRUNED;
  }
  if (is_active) {
    return CELL_ACTIVE;
  }
  return select(CELL_NEVER, CELL_DROPPED, was_active);
}
