// Softmax cross-entropy with label smoothing, forward and gradient fused; one thread per example.
//   logits, dlogits (members, batch, classes)   labels (members, batch) u32
//   loss, correct (members, batch)
// target_c = 1 - alpha on the true class and alpha / (classes - 1) on every other class.
// loss = logsumexp(z) - sum_c target_c z_c   (row max subtracted first: stable)
// dlogits = (softmax(z) - target) / batch    (gradient of the mean loss over the batch)
// With temperature T the loss sees z / T (GraSP scores with T = 200): the softmax is of z / T and
// dlogits gains a factor 1 / T. Correctness does not depend on T.
// correct = 1 when the first maximal logit is the label, else 0.
// label = PAD (0xffffffff, a padding row of a scoring batch, data.wgsl): loss, correct and dlogits 0.
// Dispatch: (ceil(batch / WG), 1, members).

override WG: u32 = 64u;

struct LossParams {
  batch: u32,
  classes: u32,
  alpha: f32,
  temperature: f32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> correct: array<f32>;
@group(0) @binding(5) var<uniform> params: LossParams;

@compute @workgroup_size(WG)
fn softmax_xent(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let row_in_member = gid.x;
  if (row_in_member >= params.batch) {
    return;
  }
  let row = wg.z * params.batch + row_in_member;
  let classes = params.classes;
  let base = row * classes;
  let label = labels[row];
  if (label == 0xffffffffu) {
    for (var c = 0u; c < classes; c++) {
      dlogits[base + c] = 0.0;
    }
    loss[row] = 0.0;
    correct[row] = 0.0;
    return;
  }

  let inv_t = 1.0 / params.temperature;
  var best = logits[base] * inv_t;
  var best_class = 0u;
  for (var c = 1u; c < classes; c++) {
    let z = logits[base + c] * inv_t;
    if (z > best) {
      best = z;
      best_class = c;
    }
  }
  var sum_exp = 0.0;
  for (var c = 0u; c < classes; c++) {
    sum_exp += exp(logits[base + c] * inv_t - best);
  }
  let log_sum = log(sum_exp);

  let off = params.alpha / f32(classes - 1u);
  let on = 1.0 - params.alpha;
  let grad_scale = inv_t / f32(params.batch);
  var row_loss = 0.0;
  for (var c = 0u; c < classes; c++) {
    let shifted = logits[base + c] * inv_t - best;
    let goal = select(off, on, c == label);  // "target" is reserved in WGSL
    row_loss += goal * (log_sum - shifted);   // -goal * log softmax
    dlogits[base + c] = (exp(shifted) / sum_exp - goal) * grad_scale;
  }
  loss[row] = row_loss;
  correct[row] = select(0.0, 1.0, best_class == label);
}
