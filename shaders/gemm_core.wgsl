// Tiled GEMM core, shared by dense.wgsl and conv.wgsl (the shader loader in src/gpu/shaders.ts
// prepends this file where a family says `//!include gemm_core.wgsl`).
//
// C[row][col] = sum_k A(row, k) * B(k, col) for one member. The including family supplies:
//   fn gemm_problem() -> vec4u         (rows, cols, depth, splits)
//   fn load_a(member, row, k) -> f32    A element (the caller has bounds-checked row and k)
//   fn load_b(member, k, col) -> f32    B element (bounds-checked)
//   fn store_c(member, split, splits, row, col, value)   epilogue and store
//   override A_K_FAST / B_K_FAST: bool  whether consecutive k are adjacent in memory, so that
//                                       neighbouring threads load neighbouring addresses.
//
// Workgroup: 8x8 threads, each owning a 4x4 block of a 32x32 output tile; K advances 16 at a
// time through two tiles in workgroup memory (2 x 16 x 32 f32 = 4 KiB).
// Dispatch: (ceil(cols/32), ceil(rows/32), members * splits). With splits > 1 each workgroup
// reduces one contiguous chunk of K and store_c writes a partial sum; reduce.wgsl sums the
// partials in a fixed order (no float atomics, so results are deterministic).

const TILE_M: u32 = 32u;
const TILE_N: u32 = 32u;
const TILE_K: u32 = 16u;
const GEMM_THREADS: u32 = 64u;

// tile_a[k][r / 4][r % 4] = A(row0 + r, k0 + k); tile_b[k][c / 4][c % 4] = B(k0 + k, col0 + c).
var<workgroup> tile_a: array<array<vec4f, 8>, 16>;
var<workgroup> tile_b: array<array<vec4f, 8>, 16>;

@compute @workgroup_size(8, 8, 1)
fn gemm(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let p = gemm_problem();
  let rows = p.x;
  let cols = p.y;
  let depth = p.z;
  let splits = max(p.w, 1u);
  let member = wg.z / splits;
  let split = wg.z % splits;
  // Each split owns a whole number of K tiles.
  let chunk = ((depth + splits - 1u) / splits + TILE_K - 1u) / TILE_K * TILE_K;
  let k_begin = split * chunk;
  let k_end = min(depth, k_begin + chunk);
  let row0 = wg.y * TILE_M;
  let col0 = wg.x * TILE_N;

  var acc: array<vec4f, 4>; // acc[i][j] = C(row0 + 4*lid.y + i, col0 + 4*lid.x + j)
  // Loop bounds come from the uniform buffer and workgroup_id only: uniform control flow, so
  // the barriers below are valid. Out-of-range threads load zeros instead of returning early.
  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    for (var e = li; e < TILE_K * TILE_M; e += GEMM_THREADS) {
      var kk = e / TILE_M;
      var rr = e % TILE_M;
      if (A_K_FAST) {
        kk = e % TILE_K;
        rr = e / TILE_K;
      }
      let k = k0 + kk;
      let r = row0 + rr;
      var v = 0.0;
      if (k < k_end && r < rows) {
        v = load_a(member, r, k);
      }
      tile_a[kk][rr / 4u][rr % 4u] = v;
    }
    for (var e = li; e < TILE_K * TILE_N; e += GEMM_THREADS) {
      var kk = e / TILE_N;
      var cc = e % TILE_N;
      if (B_K_FAST) {
        kk = e % TILE_K;
        cc = e / TILE_K;
      }
      let k = k0 + kk;
      let c = col0 + cc;
      var v = 0.0;
      if (k < k_end && c < cols) {
        v = load_b(member, k, c);
      }
      tile_b[kk][cc / 4u][cc % 4u] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a = tile_a[kk][lid.y];
      let b = tile_b[kk][lid.x];
      acc[0] = fma(vec4f(a.x), b, acc[0]);
      acc[1] = fma(vec4f(a.y), b, acc[1]);
      acc[2] = fma(vec4f(a.z), b, acc[2]);
      acc[3] = fma(vec4f(a.w), b, acc[3]);
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x * 4u + j;
      if (r < rows && c < cols) {
        store_c(member, split, splits, r, c, acc[i][j]);
      }
    }
  }
}
