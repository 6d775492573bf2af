// The fused path for small MLPs (issue 18, item 2; docs/ARCHITECTURE.md §3): one dispatch trains
// `steps` whole training steps — gather, forward, softmax cross-entropy, metrics, backward and the
// optimizer — with one workgroup per ensemble member, so a 2-D demo's step costs one dispatch
// instead of about twenty. The layer path's kernels are the reference: every sum below runs in the
// order theirs does (the GEMM core's one fma chain over k ascending, bias_grad_dense's 64 lanes and
// tree, batch_metrics' tree, loss.wgsl's and optimizer.wgsl's formulas), so the floats agree with
// the layer path's (tests/gpu/engine/fused-parity.gpu.test.ts).
//
// Buffers (f32 unless said):
//   points (n, dim)   labels (n) u32   indices (members, index_stride) u32: the epoch's batch order
//   plan  u32: the layer table at [16·l ..] then one record of 16 words per step at step_base:
//     layer:  0 n_in  1 n_out  2 w_off  3 w_stride  4 b_off  5 b_stride  6 activation (0 none,
//             kind + 1: relu 1, tanh 2, swish 3, pswish 4)  7 x_at  8 z_at  9 y_at  10 wt_at (scratch offsets)
//     step:   0 index_offset  1 ring slot  2 lr  3 momentum  4 weight decay  5 beta1  6 beta2
//             7 eps  8 bc1  9 bc2  10 ToST smooth kind for ReLU layers (NONE: ReLU)  11 its beta
//             (floats as their bits)
//   st: five flat regions of `total` floats — params, grads, mask, state1, state2 (the network's
//     flat buffers, copied in before the dispatch and out after it) — then each member's scratch
//     (scratch_stride floats): x0 and every layer's z and y (batch, features) and its masked
//     weights transposed, (in, out) (so that neighbouring threads read neighbouring words), two gradient
//     buffers g0 / g1 (batch, widest layer), per-example loss and correct, labels as f32.
//   ring (slots, members, 2): per-step loss and correct sums, as reduce.batch_metrics writes them.
// Dispatch: (members, 1, 1), workgroup 64 (= reduce.wgsl's RED_WG, whose lanes and tree it repeats).

const WG: u32 = 64u;
const NONE: u32 = 0xffffffffu;
const FLAG_NESTEROV: u32 = 1u;
const FLAG_DECOUPLED: u32 = 4u;

struct FusedParams {
  steps: u32,
  layers: u32,
  batch: u32,
  dim: u32,
  classes: u32,
  members: u32,
  index_stride: u32,
  scratch_stride: u32,
  total: u32,
  step_base: u32,
  optimizer: u32,
  flags: u32,
  g0_at: u32,
  g1_at: u32,
  loss_at: u32,
  correct_at: u32,
  label_at: u32,
  mean: f32,
  inv_std: f32,
  alpha: f32,
  count: u32,   // eval_set: examples in the set (the last batch's padding is left out of the sums)
  mode: u32,    // eval_set: 1 loss and correct sums into ring (members, 2), 2 logits into ring
}

@group(0) @binding(0) var<storage, read> points: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read> plan: array<u32>;
@group(0) @binding(4) var<storage, read_write> st: array<f32>;
@group(0) @binding(5) var<storage, read_write> ring: array<f32>;
@group(0) @binding(6) var<uniform> params: FusedParams;

var<workgroup> sums: array<vec2f, WG>;

struct Layer {
  n_in: u32,
  n_out: u32,
  w: u32,     // member's first weight in the params region (out, in)
  b: u32,     // member's first bias
  act: u32,   // 0 none, else kind + 1
  x: u32,     // absolute offsets of the layer's input, z and y in st
  z: u32,
  y: u32,
  wt: u32,    // absolute offset of this step's masked weights, transposed (in, out)
}

fn layer_at(l: u32, member: u32, scratch: u32) -> Layer {
  let t = l * 16u;
  return Layer(plan[t], plan[t + 1u], plan[t + 2u] + member * plan[t + 3u], plan[t + 4u] + member * plan[t + 5u], plan[t + 6u], scratch + plan[t + 7u], scratch + plan[t + 8u], scratch + plan[t + 9u], scratch + plan[t + 10u]);
}

fn rec_f32(k: u32, field: u32) -> f32 {
  return bitcast<f32>(plan[params.step_base + k * 16u + field]);
}

fn rec_u32(k: u32, field: u32) -> u32 {
  return plan[params.step_base + k * 16u + field];
}

// Stable for any |z| (activation.wgsl's).
fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) {
    return 1.0 / (1.0 + exp(-z));
  }
  let e = exp(z);
  return e / (1.0 + e);
}

// kind 0 relu, 1 tanh, 2 swish, 3 pswish; beta as activation.wgsl's slope().
fn activate(kind: u32, beta: f32, v: f32) -> f32 {
  switch kind {
    case 0u: { return max(v, 0.0); }
    case 1u: { return tanh(v); }
    default: { return v * sigmoid(select(beta, 1.0, kind == 2u) * v); }
  }
}

fn derivative(kind: u32, beta: f32, v: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, 1.0, v > 0.0); }
    case 1u: { let t = tanh(v); return 1.0 - t * t; }
    default: {
      let b = select(beta, 1.0, kind == 2u);
      let s = sigmoid(b * v);
      return s + b * v * s * (1.0 - s);
    }
  }
}

// What a layer computes at step k: its own kind, or ToST's smooth activation in place of ReLU.
fn kind_of(lay: Layer, k: u32) -> vec2f {
  let tost = rec_u32(k, 10u);
  if (lay.act == 1u && tost != NONE) {
    return vec2f(f32(tost), rec_f32(k, 11u));
  }
  return vec2f(f32(lay.act - 1u), 1.0);
}

// A register-blocked product, as in gemm_core.wgsl: a thread owns a 4×4 block of
// C[r][c] = Σ_k A(r, k)·B(k, c) (A(r, k) = st[a + r·a_r + k·a_k], B(k, c) = st[b + k·b_k + c·b_c]),
// each entry one fma chain from 0 over k ascending (the layer path's order), with 8 loads per 16
// fmas instead of 2 per fma. Rows and columns past the edge read a clamped index; not stored.
struct Operand {
  at: u32,
  row: u32,   // A: stride of r; B: stride of k
  col: u32,   // A: stride of k; B: stride of c
}

fn block(r0: u32, c0: u32, rows: u32, cols: u32, depth: u32, A: Operand, B: Operand) -> array<vec4f, 4> {
  var acc: array<vec4f, 4>;
  var ar: vec4u;
  var bc: vec4u;
  for (var j = 0u; j < 4u; j++) {
    ar[j] = A.at + min(r0 + j, rows - 1u) * A.row;
    bc[j] = B.at + min(c0 + j, cols - 1u) * B.col;
  }
  for (var k = 0u; k < depth; k++) {
    let ak = k * A.col;
    let bk = k * B.row;
    let bv = vec4f(st[bc.x + bk], st[bc.y + bk], st[bc.z + bk], st[bc.w + bk]);
    acc[0] = fma(vec4f(st[ar.x + ak]), bv, acc[0]);
    acc[1] = fma(vec4f(st[ar.y + ak]), bv, acc[1]);
    acc[2] = fma(vec4f(st[ar.z + ak]), bv, acc[2]);
    acc[3] = fma(vec4f(st[ar.w + ak]), bv, acc[3]);
  }
  return acc;
}

fn blocks(rows: u32, cols: u32) -> u32 {
  return ((rows + 3u) / 4u) * ((cols + 3u) / 4u);
}

// The batch at `offset` of the member's index row.
fn gather(member: u32, li: u32, offset: u32, scratch: u32) {
  let dim = params.dim;
  let first = member * params.index_stride + offset;
  for (var e = li; e < params.batch * dim; e += WG) {
    let b = e / dim;
    let d = e % dim;
    let sample = indices[first + b];
    st[scratch + e] = (points[sample * dim + d] - params.mean) * params.inv_std;
    if (d == 0u) {
      st[scratch + params.label_at + b] = f32(labels[sample]);
    }
  }
}

// wt[i][o] = w[o][i]·mask[o][i]: the same products dense.wgsl's load_b forms.
fn transpose_weights(lay: Layer, li: u32) {
  let mk = 2u * params.total;
  for (var e = li; e < lay.n_out * lay.n_in; e += WG) {
    let i = e / lay.n_out;
    let o = e % lay.n_out;
    let wi = lay.w + o * lay.n_in + i;
    st[lay.wt + e] = st[wi] * st[mk + wi];
  }
}

// z = x·(w⊙mask)ᵀ + b and y = f(z), (batch, n_out): dense.wgsl MODE 0's fma chain.
fn forward(lay: Layer, li: u32, k: u32) {
  let kb = kind_of(lay, k);
  let rows = params.batch;
  let cols = lay.n_out;
  let col_blocks = (cols + 3u) / 4u;
  for (var t = li; t < blocks(rows, cols); t += WG) {
    let r0 = (t / col_blocks) * 4u;
    let c0 = (t % col_blocks) * 4u;
    let acc = block(r0, c0, rows, cols, lay.n_in, Operand(lay.x, lay.n_in, 1u), Operand(lay.wt, cols, 1u));
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        let b = r0 + i;
        let o = c0 + j;
        if (b < rows && o < cols) {
          let e = b * cols + o;
          let z = acc[i][j] + st[lay.b + o];
          st[lay.z + e] = z;
          if (lay.act != 0u) {
            st[lay.y + e] = activate(u32(kb.x), kb.y, z);
          }
        }
      }
    }
  }
}

// loss.wgsl's softmax_xent at temperature 1, one thread per example: dlogits into g0.
fn loss(last: Layer, li: u32, scratch: u32) {
  let classes = params.classes;
  for (var b = li; b < params.batch; b += WG) {
    let base = last.z + b * classes;
    let label = u32(st[scratch + params.label_at + b]);
    var best = st[base];
    var best_class = 0u;
    for (var c = 1u; c < classes; c++) {
      let z = st[base + c];
      if (z > best) {
        best = z;
        best_class = c;
      }
    }
    var sum_exp = 0.0;
    for (var c = 0u; c < classes; c++) {
      sum_exp += exp(st[base + c] - best);
    }
    let log_sum = log(sum_exp);
    let off = params.alpha / f32(classes - 1u);
    let on = 1.0 - params.alpha;
    let grad_scale = 1.0 / f32(params.batch);
    var row_loss = 0.0;
    let g = scratch + params.g0_at + b * classes;
    for (var c = 0u; c < classes; c++) {
      let shifted = st[base + c] - best;
      let goal = select(off, on, c == label);
      row_loss += goal * (log_sum - shifted);
      st[g + c] = (exp(shifted) / sum_exp - goal) * grad_scale;
    }
    st[scratch + params.loss_at + b] = row_loss;
    st[scratch + params.correct_at + b] = select(0.0, 1.0, best_class == label);
  }
}

// reduce.batch_metrics: the same lanes and tree, over the first `count` rows, into ring[o], [o + 1]
// (added to what is there when `accumulate`).
fn metrics(li: u32, o: u32, count: u32, accumulate: bool, scratch: u32) {
  var sum = vec2f(0.0);
  for (var b = li; b < min(count, params.batch); b += WG) {
    sum += vec2f(st[scratch + params.loss_at + b], st[scratch + params.correct_at + b]);
  }
  sums[li] = sum;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (li < stride) {
      sums[li] += sums[li + stride];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    var total = sums[0];
    if (accumulate) {
      total += vec2f(ring[o], ring[o + 1u]);
    }
    ring[o] = total.x;
    ring[o + 1u] = total.y;
  }
}

// gz = gy·f'(z) in place (activation.wgsl backward).
fn activation_backward(lay: Layer, li: u32, k: u32, g: u32) {
  let kb = kind_of(lay, k);
  for (var e = li; e < params.batch * lay.n_out; e += WG) {
    st[g + e] = st[g + e] * derivative(u32(kb.x), kb.y, st[lay.z + e]);
  }
}

// dW = (gzᵀ·x)⊙mask (dense.wgsl MODE 2 with MASK_OUTPUT), db (reduce.bias_grad_dense's lanes and tree).
fn weight_grads(lay: Layer, li: u32, g: u32) {
  let gr = params.total;
  let mk = 2u * params.total;
  let batch = params.batch;
  let rows = lay.n_out;
  let cols = lay.n_in;
  let col_blocks = (cols + 3u) / 4u;
  for (var t = li; t < blocks(rows, cols); t += WG) {
    let r0 = (t / col_blocks) * 4u;
    let c0 = (t % col_blocks) * 4u;
    let acc = block(r0, c0, rows, cols, batch, Operand(g, 1u, rows), Operand(lay.x, cols, 1u));
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        if (r0 + i < rows && c0 + j < cols) {
          let wi = lay.w + (r0 + i) * cols + c0 + j;
          st[gr + wi] = acc[i][j] * st[mk + wi];
        }
      }
    }
  }
  for (var o = li; o < lay.n_out; o += WG) {
    var part: array<f32, WG>;
    for (var lane = 0u; lane < WG; lane++) {
      var sum = 0.0;
      for (var b = lane; b < batch; b += WG) {
        sum += st[g + b * lay.n_out + o];
      }
      part[lane] = sum;
    }
    for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
      for (var lane = 0u; lane < stride; lane++) {
        part[lane] += part[lane + stride];
      }
    }
    st[gr + lay.b + o] = part[0];
  }
}

// dx = gz·(w⊙mask), (batch, n_in) into gx (dense.wgsl MODE 1): B(k = o, c = i) = wt[i][o].
fn input_grads(lay: Layer, li: u32, g: u32, gx: u32) {
  let rows = params.batch;
  let cols = lay.n_in;
  let col_blocks = (cols + 3u) / 4u;
  for (var t = li; t < blocks(rows, cols); t += WG) {
    let r0 = (t / col_blocks) * 4u;
    let c0 = (t % col_blocks) * 4u;
    let acc = block(r0, c0, rows, cols, lay.n_out, Operand(g, lay.n_out, 1u), Operand(lay.wt, 1u, lay.n_out));
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        if (r0 + i < rows && c0 + j < cols) {
          st[gx + (r0 + i) * cols + c0 + j] = acc[i][j];
        }
      }
    }
  }
}

// optimizer.wgsl's sgd / adam over n parameters from flat index `first` (masked, not dense state).
fn optimize(first: u32, n: u32, li: u32, k: u32) {
  let T = params.total;
  let lr = rec_f32(k, 2u);
  let wd = rec_f32(k, 4u);
  let flags = params.flags;
  for (var e = li; e < n; e += WG) {
    let i = first + e;
    let m = st[2u * T + i];
    if (params.optimizer == 0u) {
      let mu = rec_f32(k, 3u);
      let gi = st[T + i] * m + wd * st[i];
      let buf = mu * st[3u * T + i] + gi;
      st[3u * T + i] = buf;
      var d = buf;
      if ((flags & FLAG_NESTEROV) != 0u) {
        d = gi + mu * buf;
      }
      st[i] = select(0.0, st[i] - lr * d, m != 0.0);
    } else {
      let b1 = rec_f32(k, 5u);
      let b2 = rec_f32(k, 6u);
      let decoupled = (flags & FLAG_DECOUPLED) != 0u;
      var wi = st[i];
      var gi = st[T + i] * m;
      if (!decoupled) {
        gi += wd * wi;
      }
      let mo = b1 * st[3u * T + i] + (1.0 - b1) * gi;
      let v = b2 * st[4u * T + i] + (1.0 - b2) * gi * gi;
      st[3u * T + i] = mo;
      st[4u * T + i] = v;
      if (decoupled) {
        wi = wi * (1.0 - lr * wd);
      }
      let denom = sqrt(v) / sqrt(rec_f32(k, 9u)) + rec_f32(k, 7u);
      st[i] = select(0.0, wi - (lr / rec_f32(k, 8u)) * mo / denom, m != 0.0);
    }
  }
}

@compute @workgroup_size(WG)
fn train_steps(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let member = wg.x;
  let scratch = 5u * params.total + member * params.scratch_stride;
  let L = params.layers;
  // Every loop bound below comes from the uniform params or the read-only plan: uniform control
  // flow, so the barriers are valid; threads stride over each phase's outputs.
  for (var k = 0u; k < params.steps; k++) {
    gather(member, li, rec_u32(k, 0u), scratch);
    for (var l = 0u; l < L; l++) {
      transpose_weights(layer_at(l, member, scratch), li);
    }
    storageBarrier();
    for (var l = 0u; l < L; l++) {
      forward(layer_at(l, member, scratch), li, k);
      storageBarrier();
    }
    loss(layer_at(L - 1u, member, scratch), li, scratch);
    storageBarrier();
    metrics(li, (rec_u32(k, 1u) * params.members + member) * 2u, params.batch, false, scratch);
    var g = scratch + params.g0_at;
    var gx = scratch + params.g1_at;
    for (var j = 0u; j < L; j++) {
      let l = L - 1u - j;
      let lay = layer_at(l, member, scratch);
      if (lay.act != 0u) {
        activation_backward(lay, li, k, g);
      }
      storageBarrier();
      weight_grads(lay, li, g);
      if (l > 0u) {
        input_grads(lay, li, g, gx);
      }
      storageBarrier();
      let t = g;
      g = gx;
      gx = t;
    }
    for (var l = 0u; l < L; l++) {
      let lay = layer_at(l, member, scratch);
      optimize(lay.w, lay.n_in * lay.n_out, li, k);
      optimize(lay.b, lay.n_out, li, k);
    }
    storageBarrier();
  }
}

// A held-out set through the network, `steps` batches of `batch` examples (the set's index rows
// padded by repeating the last example), with the forward settings of the one record at
// step_base: mode 1 sums loss and correct over the set's first `count` examples into ring
// (members, 2), as eval-programs.ts's gather, forward, loss and accumulating batch_metrics do;
// mode 2 writes the logits, ring (members, steps · batch, classes), as Network.encodePredict does.
@compute @workgroup_size(WG)
fn eval_set(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let member = wg.x;
  let scratch = 5u * params.total + member * params.scratch_stride;
  let L = params.layers;
  let classes = params.classes;
  for (var l = 0u; l < L; l++) {
    transpose_weights(layer_at(l, member, scratch), li);
  }
  storageBarrier();
  for (var bt = 0u; bt < params.steps; bt++) {
    gather(member, li, bt * params.batch, scratch);
    storageBarrier();
    for (var l = 0u; l < L; l++) {
      forward(layer_at(l, member, scratch), li, 0u);
      storageBarrier();
    }
    let last = layer_at(L - 1u, member, scratch);
    if (params.mode == 1u) {
      loss(last, li, scratch);
      storageBarrier();
      metrics(li, member * 2u, params.count - bt * params.batch, bt > 0u, scratch);
    } else {
      let rows = (member * params.steps + bt) * params.batch * classes;
      for (var e = li; e < params.batch * classes; e += WG) {
        ring[rows + e] = st[last.z + e];
      }
    }
    storageBarrier();
  }
}
