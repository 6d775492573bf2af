// Optimizers over a flat parameter range (all layers and members of one parameter buffer).
//   w, g, mask, state (n)   -- mask is 0/1; biases carry a mask of ones.
// Masked weights stay exactly +0: every update ends with apply_mask (a select, not a multiply,
// so a negative weight does not become -0 and a NaN cannot survive at an inactive position).
// flags: bit 0 nesterov (SGD), bit 1 dense state (SNFS: momentum from the unmasked gradient),
//        bit 2 decoupled weight decay (AdamW), bit 3 unmasked (the sparse storage's slots: every
//        slot is active, so no mask is read and the binding only fills the layout).
// SGD (PyTorch semantics, dampening 0):
//   g' = (dense ? g : g*mask) + wd*w;  buf = mu*buf + g';  d = nesterov ? g' + mu*buf : buf
//   w = (w - lr*d) masked
// Adam (PyTorch formula; bc1 = 1 - beta1^t, bc2 = 1 - beta2^t computed on the CPU per step):
//   g' = (dense ? g : g*mask) [+ wd*w unless decoupled];  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
//   w = w * (1 - lr*wd) if decoupled;  w = (w - lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)) masked
// reset_state zeroes the optimizer state at a list of flat indices (regrown connections).
// Dispatch: 1-D, folded into (x, y) past 65535 workgroups.

override WG: u32 = 256u;

const FLAG_NESTEROV: u32 = 1u;
const FLAG_DENSE_STATE: u32 = 2u;
const FLAG_DECOUPLED: u32 = 4u;
const FLAG_UNMASKED: u32 = 8u;

struct SgdParams {
  n: u32,
  flags: u32,
  lr: f32,
  momentum: f32,
  weight_decay: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

struct AdamParams {
  n: u32,
  flags: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  bc1: f32,
  bc2: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

struct ResetParams {
  count: u32,
  states: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> w: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> state1: array<f32>;  // momentum buffer | Adam m
@group(0) @binding(4) var<storage, read_write> state2: array<f32>;  // Adam v
@group(0) @binding(5) var<uniform> sgd_params: SgdParams;
@group(0) @binding(5) var<uniform> adam_params: AdamParams;

@group(0) @binding(0) var<storage, read> reset_indices: array<u32>;
@group(0) @binding(1) var<storage, read_write> reset_state1: array<f32>;
@group(0) @binding(2) var<storage, read_write> reset_state2: array<f32>;
@group(0) @binding(3) var<uniform> reset_params: ResetParams;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

fn apply_mask(value: f32, i: u32, flags: u32) -> f32 {
  if ((flags & FLAG_UNMASKED) != 0u) {
    return value;
  }
  return select(0.0, value, mask[i] != 0.0);
}

fn effective_grad(i: u32, flags: u32) -> f32 {
  if ((flags & (FLAG_DENSE_STATE | FLAG_UNMASKED)) != 0u) {
    return g[i];
  }
  return g[i] * mask[i];
}

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  let p = sgd_params;
  if (i >= p.n) {
    return;
  }
  let gi = effective_grad(i, p.flags) + p.weight_decay * w[i];
  let buf = p.momentum * state1[i] + gi;
  state1[i] = buf;
  var d = buf;
  if ((p.flags & FLAG_NESTEROV) != 0u) {
    d = gi + p.momentum * buf;
  }
  w[i] = apply_mask(w[i] - p.lr * d, i, p.flags);
}

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  let p = adam_params;
  if (i >= p.n) {
    return;
  }
  let decoupled = (p.flags & FLAG_DECOUPLED) != 0u;
  var wi = w[i];
  var gi = effective_grad(i, p.flags);
  if (!decoupled) {
    gi += p.weight_decay * wi;
  }
  let m = p.beta1 * state1[i] + (1.0 - p.beta1) * gi;
  let v = p.beta2 * state2[i] + (1.0 - p.beta2) * gi * gi;
  state1[i] = m;
  state2[i] = v;
  if (decoupled) {
    wi = wi * (1.0 - p.lr * p.weight_decay);
  }
  let denom = sqrt(v) / sqrt(p.bc2) + p.eps;
  w[i] = apply_mask(wi - (p.lr / p.bc1) * m / denom, i, p.flags);
}

@compute @workgroup_size(WG)
fn reset_state(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = flat_index(wg, nwg, lid);
  if (t >= reset_params.count) {
    return;
  }
  let i = reset_indices[t];
  reset_state1[i] = 0.0;
  if (reset_params.states > 1u) {
    reset_state2[i] = 0.0;
  }
}
