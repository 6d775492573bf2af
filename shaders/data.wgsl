// Batch gather: copies one batch per member out of a dataset that lives on the GPU, through an
// index buffer (each member may draw its own batch order), normalising on the way.
//   images: packed u8, 4 bytes per u32 word, little-endian (src/util/packing.ts), (n, dim) bytes
//   points: f32 (n, dim)
//   labels: u32 (n)
//   indices: u32 (members, index_stride); member m's batch is indices[m][index_offset ..+ batch]
//   x_out: f32 (members, batch, dim)      y_out: u32 (members, batch)
// x = (value - mean) * inv_std, value = byte / 255 for images.
// An index PAD (0xffffffff) is a padding slot (a partial last chunk of a scoring batch): x = 0 and
// y = PAD, which the loss ignores (loss.wgsl).
// Dispatch: 1-D over batch*dim per member, folded into (x, y); z = member.

override WG: u32 = 256u;
const PAD: u32 = 0xffffffffu;

struct GatherParams {
  batch: u32,
  dim: u32,
  index_stride: u32,
  index_offset: u32,
  mean: f32,
  inv_std: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> images: array<u32>;
@group(0) @binding(0) var<storage, read> points: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read_write> x_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> y_out: array<u32>;
@group(0) @binding(5) var<uniform> params: GatherParams;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

// (sample, feature) for this thread, or sample = batch when out of range.
struct Slot {
  valid: bool,
  row: u32,      // member * batch + b
  sample: u32,   // dataset index
  d: u32,
}

fn slot(member: u32, i: u32) -> Slot {
  if (i >= params.batch * params.dim) {
    return Slot(false, 0u, 0u, 0u);
  }
  let b = i / params.dim;
  let sample = indices[member * params.index_stride + params.index_offset + b];
  return Slot(true, member * params.batch + b, sample, i % params.dim);
}

fn pad_slot(s: Slot) {
  x_out[s.row * params.dim + s.d] = 0.0;
  if (s.d == 0u) {
    y_out[s.row] = PAD;
  }
}

@compute @workgroup_size(WG)
fn gather_u8(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = slot(wg.z, flat_index(wg, nwg, lid));
  if (!s.valid) {
    return;
  }
  if (s.sample == PAD) {
    pad_slot(s);
    return;
  }
  let byte_index = s.sample * params.dim + s.d;
  let byte = (images[byte_index / 4u] >> ((byte_index % 4u) * 8u)) & 0xffu;
  x_out[s.row * params.dim + s.d] = (f32(byte) / 255.0 - params.mean) * params.inv_std;
  if (s.d == 0u) {
    y_out[s.row] = labels[s.sample];
  }
}

@compute @workgroup_size(WG)
fn gather_f32(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = slot(wg.z, flat_index(wg, nwg, lid));
  if (!s.valid) {
    return;
  }
  if (s.sample == PAD) {
    pad_slot(s);
    return;
  }
  x_out[s.row * params.dim + s.d] = (points[s.sample * params.dim + s.d] - params.mean) * params.inv_std;
  if (s.d == 0u) {
    y_out[s.row] = labels[s.sample];
  }
}
