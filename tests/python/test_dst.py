"""Mask updates keep exact counts and the engine's value semantics on random layers (the exact
choices are held against the GPU kernels' CPU reference in test_reference.py)."""

from __future__ import annotations

import torch

from sparse_playground.dst import update_layer
from sparse_playground.schedules import prune_grow_counts


def layer(n: int, density: float, seed: int):
    g = torch.Generator().manual_seed(seed)
    mask = (torch.rand(n, generator=g) < density).float()
    w = torch.randn(n, generator=g) * mask
    return w, mask, torch.randn(n, generator=g), torch.randn(n, generator=g)


def test_counts_are_exact_and_values_follow_the_rules():
    for seed in range(20):
        for grow in ("gradient", "random"):
            w, mask, grad, state = layer(500, 0.1 + 0.04 * seed, seed)
            before_w, before_m, before_s = w.clone(), mask.clone(), state.clone()
            nnz = int(mask.sum())
            target = nnz + (seed % 5) - 2
            p, gr = prune_grow_counts(nnz, target, 0.3, 500)
            update_layer(w, mask, p, gr, grow, grad=grad, random=(5, seed, 0, 1), states=(state,))
            assert int(mask.sum()) == min(500, max(0, target))
            assert torch.all(w[mask == 0] == 0)
            new = (mask == 1) & (before_m == 0)
            assert torch.all(w[new] == 0) and torch.all(state[new] == 0)
            kept = (mask == 1) & (before_m == 1)
            assert torch.equal(w[kept], before_w[kept]) and torch.equal(state[kept], before_s[kept])


def test_rigl_grows_the_largest_gradients_and_prunes_the_smallest_weights():
    w = torch.tensor([0.5, -0.1, 0.0, 0.0, 0.3, 0.0])
    mask = torch.tensor([1.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    grad = torch.tensor([0.0, 0.0, -0.9, 0.2, 0.0, 0.9])
    update_layer(w, mask, 1, 1, "gradient", grad=grad)
    # |w| smallest active: index 1 (0.1); largest |grad| among the candidates: 0.9 at 2 and 5, the lower index wins.
    assert mask.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert w.tolist() == [0.5, 0.0, 0.0, 0.0, 0.30000001192092896, 0.0]
