// Shared by sparse_select.wgsl and sparse_index.wgsl (included after `override WG`): the
// bitmap layout and the one params struct of the sparse storage's update kernels.
const SENTINEL: u32 = 0xffffffffu;
const NO_SLOT: u32 = 0xffffffffu;

struct UpdateDims {
  n_in: u32,
  n_out: u32,
  words: u32,     // bitmap words per row
  cap: u32,       // slots per member
  k: u32,         // positions the growth selection takes per member
  pass_index: u32,// radix pass 0..3 (histogram, digit)
  mode: u32,      // growth keys: 0 random (SET), 1 |score| (RigL); merge_count: 1 = occ = kept | grown first
  seed: u32,
  step: u32,
  layer: u32,
  n: u32,         // words to copy (copy_words); slots per member before the update (carry_values)
  offset: u32,    // where copy_words writes them in dst
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  _pad3: u32,
}

@group(0) @binding(5) var<uniform> d: UpdateDims;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

fn bitmap_size() -> u32 {
  return d.n_out * d.words;
}

/** The bits of word w that are positions of the layer (the last word of a row is partial). */
fn valid_bits(w: u32) -> u32 {
  let first = w * 32u;
  if (first + 32u <= d.n_in) {
    return 0xffffffffu;
  }
  return (1u << (d.n_in - first)) - 1u;
}

