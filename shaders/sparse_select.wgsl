// The sparse storage's mask update and index rebuild over bitmaps and slots, with no buffer of a
// value per position (docs/ARCHITECTURE.md §7). CPU reference: src/reference/sparse-update.ts.
// Every bitmap is (members, n_out, words) u32, words = ceil(n_in / 32): bit b of word w of row o is
// position (o, 32·w + b); bits past n_in are always 0. workgroup_id.z = member everywhere.
//   occ    the active positions (the layer's mask)
//   base   base[m][o][w] = active positions of row o before word w (so the slot of (o, c) is
//          row_ptr[o] + base[o][c/32] + popcount(occ word & bits below c))
//   kept   active and not pruned by this update; grown: chosen by the growth selection; ties:
//          the growth keys equal to the selection's threshold (the selection takes the first ones)
// The growth selection is mask.wgsl select_k's exact k-smallest over the candidates (positions
// not kept), with the keys computed where they are needed instead of read from a key per position:
// SET's key hash(seed, step, member, layer, o·n_in + c) >> 1, RigL's 0x7fffffff - bits(|dW|) from
// the layer's dense gradient. Four 8-bit radix passes, each a histogram over every word (integer
// atomics into 256 bins per member: counts, so the order does not matter) and a digit pick by one
// workgroup per member; then a mark over the words and a walk in index order for the ties. So it
// selects the same positions as select_k does over the same keys. (Histograms per workgroup in
// workgroup memory, with their barriers, took the whole update of LeNet-300-100's first layer at
// 90 % sparsity from 34 to 53 ms on SwiftShader: every pass cost what the first does.)

//!include mask_codes.wgsl

override WG: u32 = 256u;

//!include sparse_bits.wgsl

// ---- kept_bits: kept = the row's slots whose prune event is clear. Thread per (m, row). ----
@group(0) @binding(0) var<storage, read> kb_col: array<u32>;
@group(0) @binding(1) var<storage, read> kb_row_ptr: array<u32>;
@group(0) @binding(2) var<storage, read> kb_slot_events: array<u32>;
@group(0) @binding(3) var<storage, read_write> kb_kept: array<u32>;

@compute @workgroup_size(WG)
fn kept_bits(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let o = flat_index(wg, nwg, lid);
  if (o >= d.n_out) {
    return;
  }
  let m = wg.z;
  let row = m * bitmap_size() + o * d.words;
  for (var w = 0u; w < d.words; w++) {
    kb_kept[row + w] = 0u;
  }
  let rp = m * (d.n_out + 1u) + o;
  for (var s = kb_row_ptr[rp]; s < kb_row_ptr[rp + 1u]; s++) {
    if ((kb_slot_events[m * d.cap + s] & EV_PRUNED) == 0u) {
      let c = kb_col[m * d.cap + s];
      kb_kept[row + c / 32u] |= 1u << (c % 32u);
    }
  }
}

// ---- The growth selection ----
@group(0) @binding(0) var<storage, read> gs_kept: array<u32>;
@group(0) @binding(1) var<storage, read> gs_score: array<f32>;  // (members, n_out, n_in): RigL's dense dW (unread by SET)
@group(0) @binding(2) var<storage, read> gs_state: array<vec4u>; // per member: (prefix, remaining, status, 0)

// status: searching, threshold found (take keys < prefix, then `remaining` keys == prefix), fewer
// candidates than k (take every candidate), k = 0 (take none).
const SEARCHING: u32 = 0u;
const FOUND: u32 = 1u;
const ALL: u32 = 2u;
const NONE: u32 = 3u;

//!include pcg_hash.wgsl

/** mask.wgsl random_key's chain up to the position: hash(hash(hash(hash(seed) ^ step) ^ member) ^ layer). */
fn member_hash(m: u32) -> u32 {
  var h = pcg_hash(d.seed);
  h = pcg_hash(h ^ d.step);
  h = pcg_hash(h ^ m);
  return pcg_hash(h ^ d.layer);
}

/** The growth key of candidate position (o, c) of member m (mask.wgsl score_grow_*). */
fn grow_key(m: u32, h: u32, o: u32, c: u32) -> u32 {
  let i = o * d.n_in + c;
  if (d.mode == 0u) {
    return pcg_hash(h ^ i) >> 1u;
  }
  let magnitude = bitcast<u32>(gs_score[m * d.n_out * d.n_in + i]) & 0x7fffffffu;
  return 0x7fffffffu - min(magnitude, 0x7fffffffu);
}

/** Candidate bits of word t of member m: in the layer and not kept. */
fn candidates(m: u32, t: u32) -> u32 {
  return ~gs_kept[m * bitmap_size() + t] & valid_bits(t % d.words);
}

@group(0) @binding(3) var<storage, read_write> gs_hist: array<atomic<u32>>;  // (members, 256)

// Pass p's histogram of the candidates' digit p (bits 31-8p .. 24-8p) among the keys whose higher
// digits equal the prefix chosen so far, counted with integer atomics into the member's 256 bins
// (grow_digit reads them and zeroes them for the next pass). Thread per word.
@compute @workgroup_size(WG)
fn grow_histogram(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m = wg.z;
  let t = flat_index(wg, nwg, lid);
  let st = gs_state[m];
  let shift = 24u - 8u * d.pass_index;
  let fixed_bits = select(0xffffffffu << (shift + 8u), 0u, d.pass_index == 0u);
  if ((d.pass_index != 0u && st.z != SEARCHING) || t >= bitmap_size()) {
    return;
  }
  let o = t / d.words;
  let w = t % d.words;
  let h = member_hash(m);
  let prefix = st.x & fixed_bits;
  var bits = candidates(m, t);
  while (bits != 0u) {
    let b = firstTrailingBit(bits);
    bits &= bits - 1u;
    let key = grow_key(m, h, o, w * 32u + b);
    if ((key & fixed_bits) == prefix) {
      atomicAdd(&gs_hist[m * 256u + ((key >> shift) & 0xffu)], 1u);
    }
  }
}

@group(0) @binding(0) var<storage, read_write> gd_hist: array<u32>;
@group(0) @binding(1) var<storage, read_write> gd_state: array<vec4u>;

var<workgroup> wg_counts: array<u32, 256>;

// Pass p's digit: reads the bins (and zeroes them for the next pass), then one thread picks the
// digit at which the running count reaches `remaining`, as select_k does. Pass 0 starts the state
// from k.
// Dispatch (1, 1, members), 256 threads.
@compute @workgroup_size(256)
fn grow_digit(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let m = wg.z;
  wg_counts[li] = gd_hist[m * 256u + li];
  gd_hist[m * 256u + li] = 0u;
  workgroupBarrier();
  if (li != 0u) {
    return;
  }
  var st = gd_state[m];
  if (d.pass_index == 0u) {
    st = vec4u(0u, d.k, select(SEARCHING, NONE, d.k == 0u), 0u);
  }
  if (st.z != SEARCHING) {
    gd_state[m] = st;
    return;
  }
  let shift = 24u - 8u * d.pass_index;
  var cumulative = 0u;
  for (var digit = 0u; digit < 256u; digit++) {
    let count = wg_counts[digit];
    if (cumulative + count >= st.y) {
      st.x |= digit << shift;
      st.y -= cumulative;
      if (d.pass_index == 3u) {
        st.z = FOUND;
      }
      gd_state[m] = st;
      return;
    }
    cumulative += count;
  }
  gd_state[m] = vec4u(SENTINEL, 0u, ALL, 0u);
}

@group(0) @binding(3) var<storage, read_write> gm_grown: array<u32>;
@group(0) @binding(4) var<storage, read_write> gm_ties: array<u32>;

// grown = candidates with a key below the threshold; ties = candidates with a key equal to it.
// Thread per word.
@compute @workgroup_size(WG)
fn grow_mark(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = flat_index(wg, nwg, lid);
  if (t >= bitmap_size()) {
    return;
  }
  let m = wg.z;
  let st = gs_state[m];
  var grown = 0u;
  var ties = 0u;
  if (st.z == ALL) {
    grown = candidates(m, t);
  } else if (st.z == FOUND) {
    let o = t / d.words;
    let w = t % d.words;
    let h = member_hash(m);
    var bits = candidates(m, t);
    while (bits != 0u) {
      let b = firstTrailingBit(bits);
      bits &= bits - 1u;
      let key = grow_key(m, h, o, w * 32u + b);
      if (key < st.x) {
        grown |= 1u << b;
      } else if (key == st.x) {
        ties |= 1u << b;
      }
    }
  }
  gm_grown[m * bitmap_size() + t] = grown;
  gm_ties[m * bitmap_size() + t] = ties;
}

@group(0) @binding(1) var<storage, read> gt_ties: array<u32>;

// The first `remaining` ties in position order join grown (select_k's ties to the lower index).
// Dispatch (1, 1, members), one thread.
@compute @workgroup_size(1)
fn grow_ties(@builtin(workgroup_id) wg: vec3u) {
  let m = wg.z;
  let st = gs_state[m];
  if (st.z != FOUND) {
    return;
  }
  var wanted = st.y;
  for (var t = 0u; t < bitmap_size() && wanted > 0u; t++) {
    var bits = gt_ties[m * bitmap_size() + t];
    var take = 0u;
    while (bits != 0u && wanted > 0u) {
      take |= bits & (~bits + 1u);
      bits &= bits - 1u;
      wanted--;
    }
    gm_grown[m * bitmap_size() + t] |= take;
  }
}

