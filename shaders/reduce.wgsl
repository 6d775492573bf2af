// Deterministic reductions (fixed summation order, no float atomics).
//
// bias_grad: db[m][c] = sum_b sum_p dy[m][b][c][p]   dy (members, batch, channels, pixels),
//   pixels = 1 for dense layers, out_h*out_w for convolutions. One workgroup per (channel,
//   member): strided partial sums, then a tree in workgroup memory.
//   Dispatch: (channels, 1, members).
// sum_splits: out[m][i] = (sum_s partials[m][s][i]) [* mask[m][i]]   partials (members, splits, n),
//   the second stage of a split-K GEMM (conv and dense dW). Dispatch: 1-D over n folded, z = member.

const RED_WG: u32 = 64u;
override WG: u32 = 256u;

struct BiasGradDims {
  batch: u32,
  channels: u32,
  pixels: u32,
  _pad: u32,
}

struct SplitDims {
  n: u32,
  splits: u32,
  masked: u32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> db: array<f32>;
@group(0) @binding(2) var<uniform> bias_dims: BiasGradDims;

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read> split_mask: array<f32>;
@group(0) @binding(2) var<storage, read_write> split_out: array<f32>;
@group(0) @binding(3) var<uniform> split_dims: SplitDims;

var<workgroup> scratch: array<f32, RED_WG>;

@compute @workgroup_size(RED_WG)
fn bias_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let channel = wg.x;
  let member = wg.z;
  let d = bias_dims;
  let count = d.batch * d.pixels;
  var sum = 0.0;
  for (var j = li; j < count; j += RED_WG) {
    let b = j / d.pixels;
    let p = j % d.pixels;
    sum += dy[((member * d.batch + b) * d.channels + channel) * d.pixels + p];
  }
  scratch[li] = sum;
  workgroupBarrier();
  for (var stride = RED_WG / 2u; stride > 0u; stride /= 2u) {
    if (li < stride) {
      scratch[li] += scratch[li + stride];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    db[member * d.channels + channel] = scratch[0];
  }
}

// The same sums for dense layers (pixels = 1), one thread per (channel, member) and no barriers:
// the thread replays bias_grad's exact order (RED_WG strided partials, then the halving tree), so
// both give the same floats; a workgroup per channel cost more in barriers than in additions.
// Dispatch: 1-D over channels folded, z = member.
@compute @workgroup_size(WG)
fn bias_grad_dense(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let channel = (wg.y * nwg.x + wg.x) * WG + lid.x;
  let d = bias_dims;
  if (channel >= d.channels) {
    return;
  }
  let member = wg.z;
  var part: array<f32, RED_WG>;
  for (var li = 0u; li < RED_WG; li++) {
    var sum = 0.0;
    for (var b = li; b < d.batch; b += RED_WG) {
      sum += dy[(member * d.batch + b) * d.channels + channel];
    }
    part[li] = sum;
  }
  for (var stride = RED_WG / 2u; stride > 0u; stride /= 2u) {
    for (var li = 0u; li < stride; li++) {
      part[li] += part[li + stride];
    }
  }
  db[member * d.channels + channel] = part[0];
}

@compute @workgroup_size(WG)
fn sum_splits(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wg.y * nwg.x + wg.x) * WG + lid.x;
  let d = split_dims;
  if (i >= d.n) {
    return;
  }
  let member = wg.z;
  var sum = 0.0;
  for (var s = 0u; s < d.splits; s++) {
    sum += partials[(member * d.splits + s) * d.n + i];
  }
  if (d.masked != 0u) {
    sum *= split_mask[member * d.n + i];
  }
  split_out[member * d.n + i] = sum;
}

// batch_metrics: ring[slot][m] = (sum_{b<count} loss[m][b], sum_{b<count} correct[m][b]) — per-step
// training loss and accuracy stay on the GPU; the trainer reads the ring back every N steps.
// count <= batch leaves out padding rows (evaluation's last partial batch); with accumulate = 1
// the sums are added to the slot (evaluation over many batches).
// One workgroup per member, fixed-order tree: deterministic. Dispatch: (1, 1, members).
struct MetricsDims {
  batch: u32,
  slot: u32,
  members: u32,
  accumulate: u32,
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> metric_loss: array<f32>;
@group(0) @binding(1) var<storage, read> metric_correct: array<f32>;
@group(0) @binding(2) var<storage, read_write> metric_ring: array<f32>;
@group(0) @binding(3) var<uniform> metric_dims: MetricsDims;

var<workgroup> scratch2: array<vec2f, RED_WG>;

@compute @workgroup_size(RED_WG)
fn batch_metrics(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let d = metric_dims;
  let member = wg.z;
  var sum = vec2f(0.0);
  for (var b = li; b < min(d.count, d.batch); b += RED_WG) {
    let i = member * d.batch + b;
    sum += vec2f(metric_loss[i], metric_correct[i]);
  }
  scratch2[li] = sum;
  workgroupBarrier();
  for (var stride = RED_WG / 2u; stride > 0u; stride /= 2u) {
    if (li < stride) {
      scratch2[li] += scratch2[li + stride];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    let o = (d.slot * d.members + member) * 2u;
    var total = scratch2[0];
    if (d.accumulate != 0u) {
      total += vec2f(metric_ring[o], metric_ring[o + 1u]);
    }
    metric_ring[o] = total.x;
    metric_ring[o + 1u] = total.y;
  }
}
