//!include gemm_core.wgsl
// 2-D convolution, stride 1, as implicit GEMM (im2col indices computed on the fly, never stored),
// forward and backward, for M members in one dispatch.
// Shapes (row-major, member first):
//   x (members, batch, cin, in_h, in_w)      w, mask (members, cout, cin, kh, kw)
//   bias (members, cout)                      y, dy (members, batch, cout, out_h, out_w)
// Padding is given as pad_top/pad_left (valid: 0; same: (k-1)/2; negative: a centre crop);
// out-of-range input reads 0.
// MODE 0 forward: y[b][co][oy][ox] = bias[co] + sum_{ci,ky,kx} x[b][ci][oy+ky-pt][ox+kx-pl] w[co][ci][ky][kx]
//                 rows = batch*out_h*out_w, cols = cout, depth = cin*kh*kw
// MODE 1 dX:      dx[b][ci][y][x] = sum_{co,ky,kx} dy[b][co][y-ky+pt][x-kx+pl] w[co][ci][ky][kx]
//                 rows = batch*in_h*in_w,   cols = cin,  depth = cout*kh*kw
// MODE 2 dW:      dw[co][ci][ky][kx] = sum_{b,oy,ox} dy[b][co][oy][ox] x[b][ci][oy+ky-pt][ox+kx-pl]
//                 rows = cout, cols = cin*kh*kw, depth = batch*out_h*out_w. The reduction is long
//                 and the output tiny, so it is split over batch x pixels (splits > 1: partials
//                 (members, splits, cout, cin*kh*kw), summed in fixed order by reduce.wgsl).
// Weights enter as w*mask in MODE 0 and 1; MODE 2 multiplies the result by mask with MASK_OUTPUT.
//
// Bindings:   0 a (x | dy | dy)  1 b (w | w | x)  2 mask  3 bias (MODE 0 only)  4 c  5 dims

override MODE: u32 = 0u;
override MASK_OUTPUT: bool = false;
override A_K_FAST: bool = MODE == 2u;
override B_K_FAST: bool = MODE == 0u;

struct ConvDims {
  batch: u32,
  cin: u32,
  in_h: u32,
  in_w: u32,
  cout: u32,
  kh: u32,
  kw: u32,
  out_h: u32,
  out_w: u32,
  pad_top: i32,  // negative: a centre crop (a ToST ghost 1x1 conv beside a 'valid' conv)
  pad_left: i32,
  splits: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<uniform> dims: ConvDims;

fn gemm_problem() -> vec4u {
  let taps = dims.kh * dims.kw;
  if (MODE == 0u) {
    return vec4u(dims.batch * dims.out_h * dims.out_w, dims.cout, dims.cin * taps, 1u);
  }
  if (MODE == 1u) {
    return vec4u(dims.batch * dims.in_h * dims.in_w, dims.cin, dims.cout * taps, 1u);
  }
  return vec4u(dims.cout, dims.cin * taps, dims.batch * dims.out_h * dims.out_w, dims.splits);
}

// x[member][b][ci][iy][ix] with iy, ix as signed coordinates; 0 outside the image (padding).
fn input_at(member: u32, b_: u32, ci: u32, iy: i32, ix: i32) -> f32 {
  if (iy < 0 || ix < 0 || iy >= i32(dims.in_h) || ix >= i32(dims.in_w)) {
    return 0.0;
  }
  let plane = (member * dims.batch + b_) * dims.cin + ci;
  return a_or_b_input((plane * dims.in_h + u32(iy)) * dims.in_w + u32(ix));
}

// The input image is binding a in MODE 0 and binding b in MODE 2.
fn a_or_b_input(i: u32) -> f32 {
  if (MODE == 0u) {
    return a[i];
  }
  return b[i];
}

// dy[member][b][co][oy][ox] (binding a in MODE 1 and 2); 0 outside the output.
fn grad_out_at(member: u32, b_: u32, co: u32, oy: i32, ox: i32) -> f32 {
  if (oy < 0 || ox < 0 || oy >= i32(dims.out_h) || ox >= i32(dims.out_w)) {
    return 0.0;
  }
  let plane = (member * dims.batch + b_) * dims.cout + co;
  return a[(plane * dims.out_h + u32(oy)) * dims.out_w + u32(ox)];
}

fn masked_weight(member: u32, co: u32, ci: u32, tap: u32) -> f32 {
  let wi = ((member * dims.cout + co) * dims.cin + ci) * dims.kh * dims.kw + tap;
  return b[wi] * mask[wi];
}

fn load_a(member: u32, row: u32, k: u32) -> f32 {
  let taps = dims.kh * dims.kw;
  if (MODE == 0u) {
    // row -> (b, oy, ox), k -> (ci, ky, kx)
    let ox = row % dims.out_w;
    let oy = (row / dims.out_w) % dims.out_h;
    let b_ = row / (dims.out_w * dims.out_h);
    let tap = k % taps;
    let ci = k / taps;
    let iy = i32(oy + tap / dims.kw) - dims.pad_top;
    let ix = i32(ox + tap % dims.kw) - dims.pad_left;
    return input_at(member, b_, ci, iy, ix);
  }
  if (MODE == 1u) {
    // row -> (b, y, x), k -> (co, ky, kx)
    let x = row % dims.in_w;
    let y = (row / dims.in_w) % dims.in_h;
    let b_ = row / (dims.in_w * dims.in_h);
    let tap = k % taps;
    let co = k / taps;
    let oy = i32(y) + dims.pad_top - i32(tap / dims.kw);
    let ox = i32(x) + dims.pad_left - i32(tap % dims.kw);
    return grad_out_at(member, b_, co, oy, ox);
  }
  // MODE 2: row = co, k -> (b, oy, ox)
  let ox = k % dims.out_w;
  let oy = (k / dims.out_w) % dims.out_h;
  let b_ = k / (dims.out_w * dims.out_h);
  return grad_out_at(member, b_, row, i32(oy), i32(ox));
}

fn load_b(member: u32, k: u32, col: u32) -> f32 {
  let taps = dims.kh * dims.kw;
  if (MODE == 0u) {
    return masked_weight(member, col, k / taps, k % taps);   // k = (ci, tap), col = co
  }
  if (MODE == 1u) {
    return masked_weight(member, k / taps, col, k % taps);   // k = (co, tap), col = ci
  }
  // MODE 2: k -> (b, oy, ox), col -> (ci, ky, kx)
  let ox = k % dims.out_w;
  let oy = (k / dims.out_w) % dims.out_h;
  let b_ = k / (dims.out_w * dims.out_h);
  let tap = col % taps;
  let ci = col / taps;
  let iy = i32(oy + tap / dims.kw) - dims.pad_top;
  let ix = i32(ox + tap % dims.kw) - dims.pad_left;
  return input_at(member, b_, ci, iy, ix);
}

fn store_c(member: u32, split: u32, splits: u32, row: u32, col: u32, value: f32) {
  if (MODE == 0u) {
    let pixels = dims.out_h * dims.out_w;
    let b_ = row / pixels;
    let pixel = row % pixels;
    let i = ((member * dims.batch + b_) * dims.cout + col) * pixels + pixel;
    c[i] = value + bias[member * dims.cout + col];
    return;
  }
  if (MODE == 1u) {
    let pixels = dims.in_h * dims.in_w;
    let b_ = row / pixels;
    let pixel = row % pixels;
    c[((member * dims.batch + b_) * dims.cin + col) * pixels + pixel] = value;
    return;
  }
  let per_filter = dims.cin * dims.kh * dims.kw;
  if (splits > 1u) {
    c[((member * splits + split) * dims.cout + row) * per_filter + col] = value;
    return;
  }
  let wi = (member * dims.cout + row) * per_filter + col;
  if (MASK_OUTPUT) {
    c[wi] = value * mask[wi];
  } else {
    c[wi] = value;
  }
}
