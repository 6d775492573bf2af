// Elementwise activations, forward and backward, over a flat range of n elements (all members
// and the batch at once: the tensors are (members, batch, features) flattened).
//   kind 0 relu        f = max(x, 0)                 f' = x > 0 ? 1 : 0
//   kind 1 tanh        f = tanh(x)                   f' = 1 - f^2
//   kind 2 swish       f = x * sigmoid(x)            (parametric with beta = 1)
//   kind 3 pswish      f = x * sigmoid(beta * x)     f' = s + beta * x * s * (1 - s), s = sigmoid(beta x)
// beta lives in the params so that ToST can anneal it towards ReLU without a new pipeline.
// Backward takes the pre-activation x (not the output) and dy, and writes dx = dy * f'(x).
// Dispatch: 1-D, folded into (x, y) past 65535 workgroups.

override WG: u32 = 256u;

struct ActParams {
  n: u32,
  kind: u32,
  beta: f32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;        // backward only
@group(0) @binding(2) var<storage, read_write> out: array<f32>; // y (forward) | dx (backward)
@group(0) @binding(3) var<uniform> params: ActParams;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

// Stable for any |z|: exp never overflows.
fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) {
    return 1.0 / (1.0 + exp(-z));
  }
  let e = exp(z);
  return e / (1.0 + e);
}

fn slope(kind: u32) -> f32 {
  if (kind == 2u) {
    return 1.0;
  }
  return params.beta;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= params.n) {
    return;
  }
  let v = x[i];
  switch params.kind {
    case 0u: { out[i] = max(v, 0.0); }
    case 1u: { out[i] = tanh(v); }
    default: { out[i] = v * sigmoid(slope(params.kind) * v); }
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= params.n) {
    return;
  }
  let v = x[i];
  var d = 0.0;
  switch params.kind {
    case 0u: { d = select(0.0, 1.0, v > 0.0); }
    case 1u: { let t = tanh(v); d = 1.0 - t * t; }
    default: {
      let beta = slope(params.kind);
      let s = sigmoid(beta * v);
      d = s + beta * v * s * (1.0 - s);
    }
  }
  out[i] = dy[i] * d;
}

// out = alpha * x + beta * out over a flat range (all members). The ToST ghost bypass uses it to
// add alpha(t)·(ghost output) into a pre-activation (beta = 1), to scale the gradient that flows
// into the bypass (beta = 0), and to add the bypass's input gradient (alpha = beta = 1). alpha
// changes every step (annealed to 0), so these params take a per-step slot.
struct ScaleAddParams {
  n: u32,
  _pad: u32,
  alpha: f32,
  beta: f32,
}

@group(0) @binding(3) var<uniform> scale_params: ScaleAddParams;

@compute @workgroup_size(WG)
fn scale_add(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wg.y * nwg.x + wg.x) * WG + lid.x;
  if (i >= scale_params.n) {
    return;
  }
  // beta = 0 must not read out (it may hold NaN garbage from another use of the buffer).
  var keep = 0.0;
  if (scale_params.beta != 0.0) {
    keep = scale_params.beta * out[i];
  }
  out[i] = scale_params.alpha * x[i] + keep;
}
