// PCG hash (Jarzynski & Olano 2020), included by mask.wgsl and sparse_select.wgsl;
// src/util/rng.ts pcgHash is bit-identical.
fn pcg_hash(input: u32) -> u32 {
  let state = input * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
