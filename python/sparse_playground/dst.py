"""Mask updates of dynamic sparse training, with the engine's exact semantics (shaders/mask.wgsl,
docs/METHODS.md sections 1.3-1.5).

Per weight layer, per update: prune the k smallest |w| among the active positions; grow k among
the candidates, which are every position not kept (inactive, or pruned just now): RigL the k largest
|dense gradient| of this batch, SNFS the k largest |momentum|, SET the k smallest random keys (the PCG hash chain of
(regrow seed, step, member, layer, index), the WGSL kernel's own). Ties go to the lower flat
index, as the GPU's exact radix select breaks them. Then: a position grown that was inactive
starts at 0 with its optimizer state reset; a pruned position not regrown is zeroed; one pruned
and regrown keeps its value and state. Every layer keeps its exact active count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .rng import random_key


@dataclass
class LayerUpdate:
    pruned: int
    grown: int
    new_positions: torch.Tensor  # flat indices that became active and were inactive


def _smallest(keys: torch.Tensor, k: int) -> torch.Tensor:
    """Flat indices of the k smallest keys, ties by the lower index (a stable sort)."""
    if k == 0:
        return torch.zeros(0, dtype=torch.long, device=keys.device)
    return torch.sort(keys, stable=True).indices[:k]


@torch.no_grad()
def update_layer(
    weight: torch.Tensor,
    mask: torch.Tensor,
    n_prune: int,
    n_grow: int,
    grow: str,
    grad: torch.Tensor | None = None,
    random: tuple[int, int, int, int] | None = None,
    states: tuple[torch.Tensor, ...] = (),
) -> LayerUpdate:
    """Prunes n_prune and grows n_grow entries of one layer: mask, weights and optimizer states in place.

    weight, mask, grad and states share one shape; grow is 'gradient' (needs grad) or 'random'
    (needs random = (seed, step, member, layer)).
    """
    w = weight.view(-1)
    m = mask.view(-1)
    n = m.numel()
    active = m != 0
    dev = m.device
    inf = torch.full_like(w, float("inf"))
    pruned = _smallest(torch.where(active, w.abs(), inf), n_prune)
    was_pruned = torch.zeros(n, dtype=torch.bool, device=dev)
    was_pruned[pruned] = True
    candidate = ~active | was_pruned
    if grow in ("gradient", "momentum"):  # RigL: |dense gradient|; SNFS: |momentum| (passed as grad)
        assert grad is not None, f"{grow} growth needs its scores"
        keys = torch.where(candidate, -grad.reshape(-1).abs(), inf)
    elif grow == "random":
        assert random is not None, "random growth needs (seed, step, member, layer)"
        seed, step, member, layer = random
        hashed = torch.from_numpy(random_key(seed, step, member, layer, n).astype(np.int64)).to(dev)
        keys = torch.where(candidate, hashed, torch.full_like(hashed, 1 << 40))
    else:
        raise ValueError(f"unknown growth rule {grow}")
    grown = _smallest(keys, n_grow)
    is_grown = torch.zeros(n, dtype=torch.bool, device=dev)
    is_grown[grown] = True
    new_positions = torch.nonzero(is_grown & ~active).view(-1)
    dropped = was_pruned & ~is_grown
    w[new_positions] = 0.0
    w[dropped] = 0.0
    for s in states:
        s.view(-1)[new_positions] = 0.0
    m.copy_(((active & ~was_pruned) | is_grown).to(m.dtype))
    return LayerUpdate(pruned=n_prune, grown=n_grow, new_positions=new_positions)
