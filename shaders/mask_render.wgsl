// Mask heatmap of one weight layer, drawn by a render pass straight from the training buffers
// (src/viz/mask-heatmaps.ts): one pixel per connection, row = output unit, column = input (·tap).
// A cell's colour is params.colors[cell_code], as maskCell() in src/reference/mask-codes.ts: the
// last update's CHANGE code first (pruned and regrown reads as unchanged), then the mask bit, then
// the ITOP record. The codes are shared with mask.wgsl through mask_codes.wgsl.

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
