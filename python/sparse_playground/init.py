"""Initial masks and weights, the browser's own (src/engine/init.ts).

Per (member, layer l): the layer density from the config's distribution rule, the exact active
count N - floor((1 - d) N), a uniformly random mask of that count drawn with mulberry32 from the
member's 'mask' stream (partial Fisher-Yates over positions 0..N-1 of the flat weight), and He or
Glorot normal weights from its 'init' stream (std = sqrt(2 / fan_in) or sqrt(1 / ((fan_in +
fan_out) / 2)), divided by sqrt(d) with the sparse-aware init), computed in float64 and stored
as float32, then masked. Biases start at 0. The same seed gives the browser's very first network.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .densities import active_count, allocate
from .models import CIFAR_MODELS, fans, weight_layers
from .rng import Mulberry32, layer_seed, normals, partial_shuffle


def layer_densities(config: dict, model: torch.nn.Module) -> list[float]:
    target = config["sparsity"]["target"]
    density = 1.0 if target == 0 or config["dst"]["method"] == "dense" else 1 - target
    shapes = [tuple(m.weight.shape) for _, m in weight_layers(model)]
    return allocate(shapes, density, config["sparsity"]["distribution"])


def random_mask(n: int, active: int, seed: int) -> np.ndarray:
    """(n,) float32 0/1 with exactly `active` ones (src/sparsity/masks.ts randomMask)."""
    mask = np.zeros(n, dtype=np.float32)
    mask[partial_shuffle(np.arange(n), active, Mulberry32(seed))] = 1
    return mask


def initial_layer(seed: int, member: int, layer: int, n: int, density: float, std: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(masked weights, mask, weights before masking), each (n,) float32, of one layer of one member."""
    mask = random_mask(n, active_count(n, density), layer_seed(seed, member, "mask", layer))
    w = (normals(layer_seed(seed, member, "init", layer), n) * std).astype(np.float32)
    return w * mask, mask, w


@torch.no_grad()
def initialize(model: torch.nn.Module, config: dict, member: int = 0, dense: list | None = None) -> list[torch.Tensor]:
    """Sets the model's weights to the browser's initial ones; returns one 0/1 mask per weight layer (its weight's shape).

    The CIFAR models (Python only, up to 36 M weights) draw from torch generators seeded by the same
    per-layer seeds instead: the browser's streams cost a Python loop per weight, and no browser run
    of them exists to match. Exact counts either way. `dense`: a list that receives each layer's
    weights before masking (what the masks at initialisation score).
    """
    m = config["model"]
    if m["kind"] in CIFAR_MODELS:
        return _initialize_fast(model, config, member, dense)
    masks = []
    for li, ((_, module), d) in enumerate(zip(weight_layers(model), layer_densities(config, model))):
        w, mask, unmasked = initial_layer(config["seed"], member, li, module.weight.numel(), d, _std(config, module, d))
        if dense is not None:
            dense.append(torch.from_numpy(unmasked).view_as(module.weight).clone())
        module.weight.copy_(torch.from_numpy(w).view_as(module.weight))
        module.bias.zero_()
        masks.append(torch.from_numpy(mask).view_as(module.weight).clone())
    return masks


def _std(config: dict, module: torch.nn.Module, density: float) -> float:
    m = config["model"]
    fan_in, fan_out = fans(module)
    fan = fan_in if m["init"] == "he" else (fan_in + fan_out) / 2
    sparse_aware = m["sparseAwareInit"] or config["tost"]["layerRescaledInit"]["kind"] == "closed-form"
    return math.sqrt((2 if m["init"] == "he" else 1) / fan) / (math.sqrt(max(density, 1e-6)) if sparse_aware else 1)


@torch.no_grad()
def _initialize_fast(model: torch.nn.Module, config: dict, member: int, dense: list | None) -> list[torch.Tensor]:
    masks = []
    seed = config["seed"]
    for li, ((_, module), d) in enumerate(zip(weight_layers(model), layer_densities(config, model))):
        n = module.weight.numel()
        g = torch.Generator().manual_seed(layer_seed(seed, member, "init", li))
        module.weight.copy_(torch.randn(module.weight.shape, generator=g) * _std(config, module, d))
        if module.bias is not None:
            module.bias.zero_()
        mask = torch.zeros(n)
        mask[torch.randperm(n, generator=torch.Generator().manual_seed(layer_seed(seed, member, "mask", li)))[: active_count(n, d)]] = 1
        mask = mask.view_as(module.weight)
        if dense is not None:
            dense.append(module.weight.detach().clone())
        module.weight.mul_(mask)
        masks.append(mask)
    return masks
