// 2x2 max-pool, stride 2, for M members in one dispatch. Output is floor(in_h/2) x floor(in_w/2).
//   x, dx (members, batch, channels, in_h, in_w)   y, dy (members, batch, channels, out_h, out_w)
//   argmax (members, batch, channels, out_h, out_w): winning window position dy*2+dx in 0..3
//   (first maximum in the order (0,0),(0,1),(1,0),(1,1) wins ties).
// Backward is a gather (one thread per input element), so it needs no atomics.
// Dispatch: 1-D over the elements of one member, folded into (x, y) when it passes 65535
// workgroups; z = member.

override WG: u32 = 256u;

struct PoolDims {
  batch: u32,
  channels: u32,
  in_h: u32,
  in_w: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;          // x (forward) | dy (backward)
@group(0) @binding(1) var<storage, read_write> argmax: array<u32>; // written forward, read backward
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;    // y (forward) | dx (backward)
@group(0) @binding(3) var<uniform> dims: PoolDims;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

@compute @workgroup_size(WG)
fn max2_forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let out_h = dims.in_h / 2u;
  let out_w = dims.in_w / 2u;
  let per_member = dims.batch * dims.channels * out_h * out_w;
  let i = flat_index(wg, nwg, lid);
  if (i >= per_member) {
    return;
  }
  let member = wg.z;
  let ox = i % out_w;
  let oy = (i / out_w) % out_h;
  let plane = member * dims.batch * dims.channels + i / (out_w * out_h);
  let base = (plane * dims.in_h + oy * 2u) * dims.in_w + ox * 2u;
  var best = src[base];
  var which = 0u;
  let candidates = array<u32, 3>(base + 1u, base + dims.in_w, base + dims.in_w + 1u);
  for (var t = 0u; t < 3u; t++) {
    let v = src[candidates[t]];
    if (v > best) {
      best = v;
      which = t + 1u;
    }
  }
  let o = member * per_member + i;
  dst[o] = best;
  argmax[o] = which;
}

@compute @workgroup_size(WG)
fn max2_backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let out_h = dims.in_h / 2u;
  let out_w = dims.in_w / 2u;
  let per_member = dims.batch * dims.channels * dims.in_h * dims.in_w;
  let i = flat_index(wg, nwg, lid);
  if (i >= per_member) {
    return;
  }
  let member = wg.z;
  let x = i % dims.in_w;
  let y = (i / dims.in_w) % dims.in_h;
  let plane = member * dims.batch * dims.channels + i / (dims.in_w * dims.in_h);
  let oy = y / 2u;
  let ox = x / 2u;
  var g = 0.0;
  if (oy < out_h && ox < out_w) {
    let o = (plane * out_h + oy) * out_w + ox;
    if (argmax[o] == (y % 2u) * 2u + (x % 2u)) {
      g = src[o];
    }
  }
  dst[member * per_member + i] = g;
}
