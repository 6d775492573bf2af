// Mask update on the GPU: scores -> exact top-k selection -> apply, per layer, for all members
// at once (workgroup_id.z = member). Every tensor is one layer's (members, n) range, n = out*in
// (dense) or cout*cin*kh*kw (conv), bound as its own sub-range of the parameter buffers.
//
// Selection always picks the k SMALLEST u32 keys of a member's segment, ties broken by index,
// never a key equal to SENTINEL (positions that are not candidates). Keys:
//   prune:            active ? bits(|w|) : SENTINEL           (|float| bits are monotone in |w|)
//   grow by score:    candidate ? 0x7fffffff - bits(|s|) : SENTINEL   (s = dense gradient for RigL,
//                     momentum for SNFS; largest |s| first; 0x7fffffff - x never hits SENTINEL)
//   grow at random:   candidate ? hash(seed, step, member, layer, i) >> 1 : SENTINEL   (SET)
// A grow candidate is any position not kept by this update: inactive, or pruned just now (so a
// connection dropped in this update can be regrown and then keeps its value, as in RigL).
//
// events (members, n) u32 bits: EV_PRUNED and EV_GROWN are set by select_k; apply_update turns
// them into the new mask, zeroes weights and optimizer state where needed, ORs the ITOP "fired"
// mask, and leaves a CHANGE code for the mask views (mask_codes.wgsl).

//!include mask_codes.wgsl

override WG: u32 = 256u;
const SELECT_WG: u32 = 256u;
const SENTINEL: u32 = 0xffffffffu;

struct ScoreParams {
  n: u32,          // elements per member in this layer
  seed: u32,
  step: u32,
  layer: u32,
}

struct SelectParams {
  n: u32,
  k: u32,          // how many to select per member
  bit: u32,        // EV_PRUNED or EV_GROWN: which event bit the selection writes
  _pad: u32,
}

struct ApplyParams {
  n: u32,
  states: u32,     // optimizer state buffers to reset for newly grown positions (0, 1 or 2)
  _pad0: u32,
  _pad1: u32,
}

// score_* bindings
@group(0) @binding(0) var<storage, read> score_src: array<f32>;     // w (prune) | grad or momentum (grow)
@group(0) @binding(1) var<storage, read> score_mask: array<f32>;
@group(0) @binding(2) var<storage, read> score_events: array<u32>;  // grow: who was pruned just now
@group(0) @binding(3) var<storage, read_write> keys: array<u32>;
@group(0) @binding(4) var<uniform> score_params: ScoreParams;

// select_k bindings
@group(0) @binding(0) var<storage, read> select_keys: array<u32>;
@group(0) @binding(1) var<storage, read_write> select_events: array<u32>;
@group(0) @binding(2) var<uniform> select_params: SelectParams;

// apply_update bindings
@group(0) @binding(0) var<storage, read_write> mask: array<f32>;
@group(0) @binding(1) var<storage, read_write> weights: array<f32>;
@group(0) @binding(2) var<storage, read_write> events: array<u32>;
@group(0) @binding(3) var<storage, read_write> fired: array<f32>;
@group(0) @binding(4) var<storage, read_write> state1: array<f32>;
@group(0) @binding(5) var<storage, read_write> state2: array<f32>;
@group(0) @binding(6) var<uniform> apply_params: ApplyParams;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

//!include pcg_hash.wgsl

// Same chain as src/reference/mask.ts randomKey: one hash per coordinate.
fn random_key(seed: u32, step: u32, member: u32, layer: u32, i: u32) -> u32 {
  var h = pcg_hash(seed);
  h = pcg_hash(h ^ step);
  h = pcg_hash(h ^ member);
  h = pcg_hash(h ^ layer);
  h = pcg_hash(h ^ i);
  return h >> 1u;
}

fn is_grow_candidate(j: u32) -> bool {
  return score_mask[j] == 0.0 || (score_events[j] & EV_PRUNED) != 0u;
}

@compute @workgroup_size(WG)
fn score_prune(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= score_params.n) {
    return;
  }
  let j = wg.z * score_params.n + i;
  keys[j] = select(SENTINEL, bitcast<u32>(score_src[j]) & 0x7fffffffu, score_mask[j] != 0.0);
}

@compute @workgroup_size(WG)
fn score_grow_magnitude(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= score_params.n) {
    return;
  }
  let j = wg.z * score_params.n + i;
  let magnitude = bitcast<u32>(score_src[j]) & 0x7fffffffu;
  keys[j] = select(SENTINEL, 0x7fffffffu - min(magnitude, 0x7fffffffu), is_grow_candidate(j));
}

@compute @workgroup_size(WG)
fn score_grow_random(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= score_params.n) {
    return;
  }
  let p = score_params;
  let j = wg.z * p.n + i;
  keys[j] = select(SENTINEL, random_key(p.seed, p.step, wg.z, p.layer, i), is_grow_candidate(j));
}

var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> chosen: vec2u;  // (prefix, remaining) shared by the whole workgroup

// Exact k-smallest selection for one member's segment, by one workgroup: four 8-bit radix
// passes find the k-th smallest key T and how many keys equal to T to take; then every key < T is
// marked, and one thread marks the first `remaining` keys == T in index order, so ties go to the
// lower index (ties are few: that walk stops at the last one it takes). Integer atomics in
// workgroup memory only: deterministic.
// Dispatch: (1, 1, members).
@compute @workgroup_size(SELECT_WG)
fn select_k(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = select_params.n;
  let k = select_params.k;
  let bit = select_params.bit;
  let base = wg.z * n;

  if (k == 0u) {
    // Nothing to select (k is uniform, so the whole workgroup leaves together).
    for (var i = lid; i < n; i += SELECT_WG) {
      select_events[base + i] &= ~bit;
    }
    return;
  }
  if (lid == 0u) {
    chosen = vec2u(0u, k);
  }
  var fixed_bits = 0u;    // the key bits already decided by earlier passes
  for (var digit_pass = 0u; digit_pass < 4u; digit_pass++) {
    let shift = 24u - 8u * digit_pass;
    atomicStore(&hist[lid], 0u);
    workgroupBarrier();
    let prefix = chosen.x;
    for (var i = lid; i < n; i += SELECT_WG) {
      let key = select_keys[base + i];
      if (key != SENTINEL && (key & fixed_bits) == prefix) {
        atomicAdd(&hist[(key >> shift) & 0xffu], 1u);
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      var remaining = chosen.y;
      var cumulative = 0u;
      var digit = 255u;
      var found = false;
      for (var d = 0u; d < 256u; d++) {
        let count = atomicLoad(&hist[d]);
        if (!found && cumulative + count >= remaining) {
          digit = d;
          found = true;
          remaining -= cumulative;
        }
        if (!found) {
          cumulative += count;
        }
      }
      if (found) {
        chosen = vec2u(prefix | (digit << shift), remaining);
      } else {
        // Fewer candidates than k: select every candidate (threshold = SENTINEL).
        chosen = vec2u(SENTINEL, 0u);
      }
    }
    workgroupBarrier();
    if (workgroupUniformLoad(&chosen).x == SENTINEL) {
      break;
    }
    fixed_bits |= 0xffu << shift;
  }
  let threshold = workgroupUniformLoad(&chosen);
  let t = threshold.x;
  let ties_wanted = threshold.y;

  // Mark: every key below T is picked (any order, all threads); then thread 0 walks the keys in
  // index order and picks the first `ties_wanted` keys equal to T, so ties go to the lower index.
  for (var i = lid; i < n; i += SELECT_WG) {
    let key = select_keys[base + i];
    let e = select_events[base + i];
    let picked = key != SENTINEL && key < t;
    select_events[base + i] = select(e & ~bit, e | bit, picked);
  }
  storageBarrier();
  workgroupBarrier();
  if (lid == 0u && t != SENTINEL && ties_wanted > 0u) {
    var taken = 0u;
    for (var i = 0u; i < n && taken < ties_wanted; i++) {
      if (select_keys[base + i] == t) {
        select_events[base + i] |= bit;
        taken++;
      }
    }
  }
}

// New mask = (active and not pruned) or grown. Positions that become active and were inactive
// start at weight 0 with their optimizer state reset; pruned positions are zeroed; a position
// pruned and regrown in the same update keeps its weight and state. fired |= new mask (ITOP).
// Dispatch: 1-D over n folded, z = member.
@compute @workgroup_size(WG)
fn apply_update(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  let p = apply_params;
  if (i >= p.n) {
    return;
  }
  let j = wg.z * p.n + i;
  let was_active = mask[j] != 0.0;
  let e = events[j];
  let pruned = was_active && (e & EV_PRUNED) != 0u;
  let grown = (e & EV_GROWN) != 0u;
  let now_active = (was_active && !pruned) || grown;
  var code = CHANGE_NONE;
  if (grown && !was_active) {
    code = CHANGE_GROWN;
    weights[j] = 0.0;
    if (p.states > 0u) {
      state1[j] = 0.0;
    }
    if (p.states > 1u) {
      state2[j] = 0.0;
    }
  } else if (pruned && !grown) {
    code = CHANGE_PRUNED;
    weights[j] = 0.0;
  } else if (pruned && grown) {
    code = CHANGE_REGROWN;
  }
  mask[j] = select(0.0, 1.0, now_active);
  if (now_active) {
    fired[j] = 1.0;
  }
  events[j] = code;
}
