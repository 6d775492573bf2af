// Mask heatmap of one weight layer, drawn by a render pass straight from the training buffers
// (src/gpu/mask-render.ts): one pixel per connection, row = output unit, column = input (·tap).
// A cell's colour follows src/state/views.ts maskCode: the last update's event first (1 grown,
// 2 pruned; 3 = pruned and regrown reads as unchanged), then the mask bit, then the ITOP record.
// Palette order = CELL codes: never active, dropped earlier, active, just grown, just pruned.

struct Params {
  cols: u32,       // connections per output unit (inputs · kernel taps)
  rows: u32,       // output units
  base: u32,       // the layer's first weight in the mask and fired buffers (member 0)
  _pad: u32,
  colors: array<vec4<f32>, 5>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mask: array<f32>;    // (members, totalFloats) 0/1
@group(0) @binding(2) var<storage, read> events: array<u32>;  // (members, rows·cols) of this layer
@group(0) @binding(3) var<storage, read> fired: array<f32>;   // (members, totalFloats) ever active

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
  let e = events[i];
  var code = 0u;
  if (e == 1u) {
    code = 3u;
  } else if (e == 2u) {
    code = 4u;
  } else if (mask[params.base + i] != 0.0) {
    code = 2u;
  } else if (fired[params.base + i] != 0.0) {
    code = 1u;
  }
  return params.colors[code];
}
