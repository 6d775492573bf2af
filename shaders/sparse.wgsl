// The sparse storage of a dense layer (docs/ARCHITECTURE.md §7): only the active connections, as
// slots in CSR order, for M members in one dispatch (workgroup_id.z = member). CPU reference:
// src/reference/sparse.ts. Per member m (cap = slots per member, the layer's largest active count):
//   row_ptr (members, n_out+1) u32   row o holds slots row_ptr[o] .. row_ptr[o+1]-1; row_ptr[n_out] = nnz
//   col, row (members, cap)    u32   input and output unit of each slot (col ascending within a row)
//   val, grad, optimizer state (members, cap) f32
//   t_ptr (members, n_in+1)    u32   transposed index: column i holds entries t_ptr[i] .. t_ptr[i+1]-1
//   t_slot, t_row (members, cap) u32 slot and output unit of each transposed entry (rows ascending)
// Slots past a member's nnz are padding: never read by forward or dX, gradient 0.
//
// Summation order is the masked GEMM's (gemm_core.wgsl: one fma chain from 0 over k ascending,
// then + bias): an inactive weight adds fma(x, 0, acc) = acc there, so the sums over the active
// entries in ascending order give the same floats (the parity tests compare exactly).
//
// The index itself is built from the occupancy bitmap (sparse_index.wgsl); only the scan of its
// per-line counts lives here.

override WG: u32 = 256u;

struct SparseDims {
  batch: u32,
  n_in: u32,
  n_out: u32,
  cap: u32,
}

struct LineDims {
  lines: u32,        // rows (n_out) or columns (n_in)
  length: u32,       // positions per line
  line_stride: u32,  // distance between the first positions of two lines
  step: u32,         // distance between two positions of a line
}

@group(0) @binding(0) var<storage, read> s_in0: array<f32>;    // x | dy
@group(0) @binding(1) var<storage, read> s_in1: array<f32>;    // val | x
@group(0) @binding(2) var<storage, read> s_idx0: array<u32>;   // col | t_slot | row
@group(0) @binding(3) var<storage, read> s_idx1: array<u32>;   // row_ptr | t_row | col
@group(0) @binding(4) var<storage, read> s_idx2: array<u32>;   // (unused) | t_ptr | row_ptr
@group(0) @binding(5) var<storage, read> s_bias: array<f32>;
@group(0) @binding(6) var<storage, read_write> s_out: array<f32>;
@group(0) @binding(7) var<uniform> dims: SparseDims;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

fn nnz_of(row_ptr_base: u32) -> u32 {
  return s_idx2[row_ptr_base + dims.n_out];
}

// The per-step kernels read their activations feature-major, transposed by `transpose` first
// (SparseProp's layout): xT (members, n_in, bp), dyT (members, n_out, bp), where bp = the batch
// rounded up to 4 and the padding rows stay 0. Forward and dX run one thread per (unit, 4 batch
// rows), the batch fastest across threads: neighbouring threads walk the same slot list (uniform
// loop bounds) and each slot costs one index, one value and one vec4 load for 4 fmas. SDDMM reads
// two contiguous rows per slot, 4 floats a load. Every output still sums its slots (its batch
// rows) in ascending order from 0, so the floats do not change; a padding row adds fma(0, 0, acc).

fn padded_batch() -> u32 {
  return (dims.batch + 3u) / 4u * 4u;
}

@group(0) @binding(0) var<storage, read> s_in0v: array<vec4f>;  // xT | dyT as vec4 rows
@group(0) @binding(1) var<storage, read> s_in1v: array<vec4f>;  // xT (SDDMM)

// out[m][f][b] = in[m][b][f]: (members, batch, features) -> (members, features, bp). Thread per element.
// Bindings: s_in0 in, s_out out; dims.n_in = features.
@compute @workgroup_size(WG)
fn transpose(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = flat_index(wg, nwg, lid);
  let d = dims;
  if (t >= d.batch * d.n_in) {
    return;
  }
  let m = wg.z;
  let b = t / d.n_in;
  let f = t % d.n_in;
  s_out[(m * d.n_in + f) * padded_batch() + b] = s_in0[(m * d.batch + b) * d.n_in + f];
}

// y[m][b][o] = Σ_{s in row o} val[s]·xT[m][col[s]][b] + bias[m][o]. Thread per (o, 4 batch rows).
// Bindings: s_in0 xT, s_in1 val, s_idx0 col, s_idx1 row_ptr, s_bias bias, s_out y.
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = flat_index(wg, nwg, lid);
  let d = dims;
  let quads = padded_batch() / 4u;
  if (t >= quads * d.n_out) {
    return;
  }
  let m = wg.z;
  let o = t / quads;
  let q = t % quads;
  let rp = m * (d.n_out + 1u) + o;
  var acc = vec4f(0.0);
  for (var s = s_idx1[rp]; s < s_idx1[rp + 1u]; s++) {
    let x = s_in0v[(m * d.n_in + s_idx0[m * d.cap + s]) * quads + q];
    acc = fma(x, vec4f(s_in1[m * d.cap + s]), acc);
  }
  let bias = s_bias[m * d.n_out + o];
  for (var j = 0u; j < 4u; j++) {
    let b = q * 4u + j;
    if (b < d.batch) {
      s_out[(m * d.batch + b) * d.n_out + o] = acc[j] + bias;
    }
  }
}

// dx[m][b][i] = Σ_{t in column i} dyT[m][t_row[t]][b]·val[t_slot[t]]. Thread per (i, 4 batch rows).
// Bindings: s_in0 dyT, s_in1 val, s_idx0 t_slot, s_idx1 t_row, s_idx2 t_ptr, s_out dx.
@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = flat_index(wg, nwg, lid);
  let d = dims;
  let quads = padded_batch() / 4u;
  if (t >= quads * d.n_in) {
    return;
  }
  let m = wg.z;
  let i = t / quads;
  let q = t % quads;
  let tp = m * (d.n_in + 1u) + i;
  var acc = vec4f(0.0);
  for (var e = s_idx2[tp]; e < s_idx2[tp + 1u]; e++) {
    let dy = s_in0v[(m * d.n_out + s_idx1[m * d.cap + e]) * quads + q];
    acc = fma(dy, vec4f(s_in1[m * d.cap + s_idx0[m * d.cap + e]]), acc);
  }
  for (var j = 0u; j < 4u; j++) {
    let b = q * 4u + j;
    if (b < d.batch) {
      s_out[(m * d.batch + b) * d.n_in + i] = acc[j];
    }
  }
}

// SDDMM: grad[m][s] = Σ_b dyT[m][row[s]][b]·xT[m][col[s]][b] at the slots only; padding slots get 0.
// Bindings: s_in0 dyT, s_in1 xT, s_idx0 row, s_idx1 col, s_idx2 row_ptr, s_out grad.
@compute @workgroup_size(WG)
fn weight_grad(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = flat_index(wg, nwg, lid);
  let d = dims;
  if (s >= d.cap) {
    return;
  }
  let m = wg.z;
  var acc = 0.0;
  if (s < nnz_of(m * (d.n_out + 1u))) {
    let quads = padded_batch() / 4u;
    let dy0 = (m * d.n_out + s_idx0[m * d.cap + s]) * quads;
    let x0 = (m * d.n_in + s_idx1[m * d.cap + s]) * quads;
    for (var q = 0u; q < quads; q++) {
      let dy = s_in0v[dy0 + q];
      let x = s_in1v[x0 + q];
      acc = fma(dy.x, x.x, acc);
      acc = fma(dy.y, x.y, acc);
      acc = fma(dy.z, x.z, acc);
      acc = fma(dy.w, x.w, acc);
    }
  }
  s_out[m * d.cap + s] = acc;
}

// ---- Prune over the slots (the mask update's first selection) ----

// keys[m][s] = bits(|val[s]|) for the member's slots, SENTINEL past its nnz: mask.wgsl select_k
// then picks the k smallest over the slots, ties to the lower slot, which is the lower position
// (slots are in position order), so the same connections as the masked storage's prune over
// every position. Bindings: s_in0 val, s_idx2 row_ptr, s_out keys (u32 bits). Thread per (m, slot).
@group(0) @binding(6) var<storage, read_write> s_out_u: array<u32>;

@compute @workgroup_size(WG)
fn score_prune(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = flat_index(wg, nwg, lid);
  let d = dims;
  if (s >= d.cap) {
    return;
  }
  let m = wg.z;
  let in_use = s < nnz_of(m * (d.n_out + 1u));
  s_out_u[m * d.cap + s] = select(0xffffffffu, bitcast<u32>(s_in0[m * d.cap + s]) & 0x7fffffffu, in_use);
}

// ---- Offsets from per-line counts (sparse_index.wgsl merge_count and count_cols write them) ----

@group(0) @binding(1) var<storage, read_write> line_ptr: array<u32>;  // (members, lines+1)
@group(0) @binding(2) var<uniform> line_dims: LineDims;

var<workgroup> partial: array<u32, 256>;

// Inclusive prefix sum of ptr[m][1..lines] in place, one workgroup of 256 threads per member: each
// thread sums a contiguous chunk, thread 0 scans the 256 chunk sums, then each chunk is rewritten.
// Dispatch (1, 1, members).
@compute @workgroup_size(256)
fn scan_lines(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let d = line_dims;
  let base = wg.z * (d.lines + 1u) + 1u;
  let chunk = (d.lines + 255u) / 256u;
  let begin = min(li * chunk, d.lines);
  let end = min(begin + chunk, d.lines);
  var sum = 0u;
  for (var k = begin; k < end; k++) {
    sum += line_ptr[base + k];
  }
  partial[li] = sum;
  workgroupBarrier();
  if (li == 0u) {
    var run = 0u;
    for (var k = 0u; k < 256u; k++) {
      let v = partial[k];
      partial[k] = run;
      run += v;
    }
  }
  workgroupBarrier();
  var run = partial[li];
  for (var k = begin; k < end; k++) {
    run += line_ptr[base + k];
    line_ptr[base + k] = run;
  }
}
