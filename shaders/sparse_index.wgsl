// The sparse storage's index rebuild from its occupancy bitmap, and what a mask update carries
// over: values and optimizer state of the slots that stay, and ITOP's record as a bitmap
// (docs/ARCHITECTURE.md §7). No buffer here holds a value per position. The bitmaps and the
// selection that fills them: sparse_select.wgsl. CPU reference: src/reference/sparse-update.ts.
// One thread per line (row or column) walks the bitmap in order, so every index comes out
// ascending without atomics.

override WG: u32 = 256u;

//!include sparse_bits.wgsl

// ---- copy_words: dst[offset + t] = src[t], t < n (the snapshot of occ, base, row_ptr and slot values) ----
@group(0) @binding(0) var<storage, read> cw_src: array<u32>;
@group(0) @binding(1) var<storage, read_write> cw_dst: array<u32>;

@compute @workgroup_size(WG)
fn copy_words(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = flat_index(wg, nwg, lid);
  if (t < d.n) {
    cw_dst[d.offset + t] = cw_src[t];
  }
}

// ---- or_words: dst[offset + t] |= src[t], t < n (ITOP's record: fired |= occ after an update) ----
@group(0) @binding(0) var<storage, read> ow_src: array<u32>;
@group(0) @binding(1) var<storage, read_write> ow_dst: array<u32>;

@compute @workgroup_size(WG)
fn or_words(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = flat_index(wg, nwg, lid);
  if (t < d.n) {
    ow_dst[d.offset + t] |= ow_src[t];
  }
}

// ---- The index from occ (after an update, or a host load that wrote occ) ----

@group(0) @binding(0) var<storage, read> mc_kept: array<u32>;
@group(0) @binding(1) var<storage, read> mc_grown: array<u32>;
@group(0) @binding(2) var<storage, read_write> mc_occ: array<u32>;
@group(0) @binding(3) var<storage, read_write> mc_base: array<u32>;
@group(0) @binding(4) var<storage, read_write> mc_row_ptr: array<u32>;  // (members, n_out+1)

// mode 1: occ = kept | grown first. Then base and the row's count into row_ptr[o+1] (row_ptr[0] =
// 0); sparse.wgsl scan_lines turns the counts into offsets. Thread per (m, row).
@compute @workgroup_size(WG)
fn merge_count(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let o = flat_index(wg, nwg, lid);
  if (o >= d.n_out) {
    return;
  }
  let m = wg.z;
  let row = m * bitmap_size() + o * d.words;
  var count = 0u;
  for (var w = 0u; w < d.words; w++) {
    if (d.mode == 1u) {
      mc_occ[row + w] = mc_kept[row + w] | mc_grown[row + w];
    }
    mc_base[row + w] = count;
    count += countOneBits(mc_occ[row + w]);
  }
  mc_row_ptr[m * (d.n_out + 1u) + o + 1u] = count;
  if (o == 0u) {
    mc_row_ptr[m * (d.n_out + 1u)] = 0u;
  }
}

@group(0) @binding(0) var<storage, read> ix_occ: array<u32>;
@group(0) @binding(1) var<storage, read> ix_base: array<u32>;
@group(0) @binding(2) var<storage, read> ix_row_ptr: array<u32>;
@group(0) @binding(3) var<storage, read> ix_t_ptr: array<u32>;
@group(0) @binding(4) var<storage, read_write> ix_a: array<u32>;  // col | t_slot | counts into t_ptr
@group(0) @binding(6) var<storage, read_write> ix_b: array<u32>;  // row | t_row

fn occupied(m: u32, o: u32, c: u32) -> bool {
  return ((ix_occ[m * bitmap_size() + o * d.words + c / 32u] >> (c % 32u)) & 1u) == 1u;
}

// Row o's slots in column order: col and row. Thread per (m, row).
@compute @workgroup_size(WG)
fn fill_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let o = flat_index(wg, nwg, lid);
  if (o >= d.n_out) {
    return;
  }
  let m = wg.z;
  var s = m * d.cap + ix_row_ptr[m * (d.n_out + 1u) + o];
  for (var w = 0u; w < d.words; w++) {
    var bits = ix_occ[m * bitmap_size() + o * d.words + w];
    while (bits != 0u) {
      ix_a[s] = w * 32u + firstTrailingBit(bits);
      ix_b[s] = o;
      bits &= bits - 1u;
      s++;
    }
  }
}

// Column i's count into t_ptr[i+1] (t_ptr[0] = 0), for scan_lines. Thread per (m, column).
// Bindings: ix_occ, ix_a = t_ptr.
@compute @workgroup_size(WG)
fn count_cols(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= d.n_in) {
    return;
  }
  let m = wg.z;
  var count = 0u;
  for (var o = 0u; o < d.n_out; o++) {
    count += select(0u, 1u, occupied(m, o, i));
  }
  ix_a[m * (d.n_in + 1u) + i + 1u] = count;
  if (i == 0u) {
    ix_a[m * (d.n_in + 1u)] = 0u;
  }
}

/** The slot of active position (o, c) of member m (its rank in the row from base and the word). */
fn slot_of(m: u32, o: u32, c: u32) -> u32 {
  let t = m * bitmap_size() + o * d.words + c / 32u;
  let below = (1u << (c % 32u)) - 1u;
  return ix_row_ptr[m * (d.n_out + 1u) + o] + ix_base[t] + countOneBits(ix_occ[t] & below);
}

// Column i's entries in row order: t_slot and t_row. Thread per (m, column).
@compute @workgroup_size(WG)
fn fill_cols(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= d.n_in) {
    return;
  }
  let m = wg.z;
  var t = m * d.cap + ix_t_ptr[m * (d.n_in + 1u) + i];
  for (var o = 0u; o < d.n_out; o++) {
    if (occupied(m, o, i)) {
      ix_a[t] = slot_of(m, o, i);
      ix_b[t] = o;
      t++;
    }
  }
}

// ---- Carrying values and optimizer state from the slots before the update ----

@group(0) @binding(0) var<storage, read> ci_row: array<u32>;
@group(0) @binding(1) var<storage, read> ci_col: array<u32>;
@group(0) @binding(2) var<storage, read> ci_row_ptr: array<u32>;
// The snapshot before the update: old occ, old base, old row_ptr, as regions of one buffer.
@group(0) @binding(3) var<storage, read> ci_old: array<u32>;
@group(0) @binding(4) var<storage, read_write> ci_from: array<u32>;

// from[s] = the old slot of new slot s's position, NO_SLOT where it was inactive (a new connection
// starts at 0 with zero state) or past the member's slots. Thread per (m, slot).
// ci_old regions: occ at 0, base at members·bitmap_size(), row_ptr at 2·members·bitmap_size().
@compute @workgroup_size(WG)
fn carry_index(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = flat_index(wg, nwg, lid);
  if (s >= d.cap) {
    return;
  }
  let m = wg.z;
  let j = m * d.cap + s;
  var src_slot = NO_SLOT;
  if (s < ci_row_ptr[m * (d.n_out + 1u) + d.n_out]) {
    let o = ci_row[j];
    let c = ci_col[j];
    let region = nwg.z * bitmap_size();
    let t = m * bitmap_size() + o * d.words + c / 32u;
    let old_word = ci_old[t];
    let bit = 1u << (c % 32u);
    if ((old_word & bit) != 0u) {
      src_slot = ci_old[2u * region + m * (d.n_out + 1u) + o] + ci_old[region + t] + countOneBits(old_word & (bit - 1u));
    }
  }
  ci_from[j] = src_slot;
}

@group(0) @binding(0) var<storage, read> cv_from: array<u32>;
@group(0) @binding(1) var<storage, read> cv_old: array<f32>;
@group(0) @binding(2) var<storage, read_write> cv_out: array<f32>;

// out[s] = old[from[s]] (0 for a new or padding slot); old holds d.n slots per member (the cap
// before the update, which a density change makes differ from d.cap). Thread per (m, slot).
@compute @workgroup_size(WG)
fn carry_values(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = flat_index(wg, nwg, lid);
  if (s >= d.cap) {
    return;
  }
  let j = wg.z * d.cap + s;
  let src_slot = cv_from[j];
  cv_out[j] = select(cv_old[wg.z * d.n + src_slot], 0.0, src_slot == NO_SLOT);
}
