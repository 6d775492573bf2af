//!include gemm_core.wgsl
// Dense (fully connected) layer, forward and backward, for M members in one dispatch.
// Shapes (row-major, member first):
//   x (members, batch, n_in)   w, mask (members, n_out, n_in)   bias (members, n_out)
//   y, dy (members, batch, n_out)
// MODE 0 forward:   y  = x . (w*mask)^T + bias      rows=batch  cols=n_out depth=n_in
// MODE 1 dX:        dx = dy . (w*mask)              rows=batch  cols=n_in  depth=n_out
// MODE 2 dW:        dw = dy^T . x  [ * mask ]       rows=n_out  cols=n_in  depth=batch
// In MODE 2 with MASK_OUTPUT the gradient is restricted to active entries; without it the full
// dense gradient is produced (RigL scores inactive connections by it on mask-update steps).
// Only MODE 2 uses splits > 1 (partials (members, splits, n_out, n_in), summed by reduce.wgsl).
//
// Bindings (one layout for the family):     MODE 0      MODE 1      MODE 2
//   0 a     read                               x           dy          dy
//   1 b     read                               w           w           x
//   2 mask  read                               mask        mask        mask
//   3 bias  read                               bias        (unused)    (unused)
//   4 c     read_write                         y           dx          dw or partials
//   5 dims  uniform

override MODE: u32 = 0u;
override MASK_OUTPUT: bool = false;
override A_K_FAST: bool = MODE != 2u;
override B_K_FAST: bool = MODE == 0u;

struct DenseDims {
  batch: u32,
  n_in: u32,
  n_out: u32,
  splits: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<uniform> dims: DenseDims;

fn gemm_problem() -> vec4u {
  if (MODE == 0u) {
    return vec4u(dims.batch, dims.n_out, dims.n_in, 1u);
  }
  if (MODE == 1u) {
    return vec4u(dims.batch, dims.n_in, dims.n_out, 1u);
  }
  return vec4u(dims.n_out, dims.n_in, dims.batch, dims.splits);
}

fn weight_index(member: u32, o: u32, i: u32) -> u32 {
  return (member * dims.n_out + o) * dims.n_in + i;
}

fn load_a(member: u32, row: u32, k: u32) -> f32 {
  if (MODE == 0u) {
    return a[(member * dims.batch + row) * dims.n_in + k];   // x[row][k]
  }
  if (MODE == 1u) {
    return a[(member * dims.batch + row) * dims.n_out + k];  // dy[row][k]
  }
  return a[(member * dims.batch + k) * dims.n_out + row];    // dy[k][row] (transposed read)
}

fn load_b(member: u32, k: u32, col: u32) -> f32 {
  if (MODE == 0u) {
    let wi = weight_index(member, col, k);                   // w[col][k]
    return b[wi] * mask[wi];
  }
  if (MODE == 1u) {
    let wi = weight_index(member, k, col);                   // w[k][col]
    return b[wi] * mask[wi];
  }
  return b[(member * dims.batch + k) * dims.n_in + col];     // x[k][col]
}

fn store_c(member: u32, split: u32, splits: u32, row: u32, col: u32, value: f32) {
  if (MODE == 0u) {
    c[(member * dims.batch + row) * dims.n_out + col] = value + bias[member * dims.n_out + col];
    return;
  }
  if (MODE == 1u) {
    c[(member * dims.batch + row) * dims.n_in + col] = value;
    return;
  }
  if (splits > 1u) {
    c[((member * splits + split) * dims.n_out + row) * dims.n_in + col] = value;
    return;
  }
  let wi = weight_index(member, row, col);
  if (MASK_OUTPUT) {
    c[wi] = value * mask[wi];
  } else {
    c[wi] = value;
  }
}
