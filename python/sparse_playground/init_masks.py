"""Masks at initialisation (docs/METHODS.md section 4; src/engine/init-masks.ts, src/sparsity/init-scores.ts):
magnitude |w|, SNIP |g * w|, GraSP (keep the largest w * Hg) and iterative SynFlow |dR/dw * w|,
scored on the dense initial weights and selected exactly: the top k of each layer (scope
per-layer, k = the layer's count from the density rule) or of all layers together (scope global,
k = the total), ties to the lower index (lower layer first). Ensembles: member 0's global choice
fixes every layer's count and the other members choose per layer with those counts, as the
browser does.

The scoring batch of SNIP and GraSP is the browser's: samplesPerClass training examples of every
class drawn with the 'mask' stream of member 0 (src/data/shuffle.ts balancedBatch). GraSP's Hg is
the central difference of two gradients along g / |g| with eps = 1e-3 |w| / sqrt(n), at
temperature T; SynFlow scores the network with |w| under the current mask, zero biases, identity
activations and an all-ones input (R = sum of the logits), over `rounds` rounds at per-layer
counts round(n (t / n)^(k / rounds)). Gradients are computed by PyTorch, so a score can differ
from the browser's in its last bits and a near-tie can go the other way.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from torch import nn

from .models import weight_layers
from .tost import Activation
from .rng import Mulberry32, stream_seed


def balanced_batch(labels: np.ndarray, train: np.ndarray, per_class: int, seed: int, classes: int) -> np.ndarray:
    """per_class distinct training indices of every class, grouped by class (shuffle.ts balancedBatch)."""
    rng = Mulberry32(seed)
    out = []
    for c in range(classes):
        pool = [int(i) for i in train if labels[i] == c]
        if len(pool) < per_class:
            raise ValueError(f"class {c} has {len(pool)} training examples, fewer than samplesPerClass = {per_class}")
        for k in range(per_class):
            j = k + rng.int(len(pool) - k)
            pool[k], pool[j] = pool[j], pool[k]
            out.append(pool[k])
    return np.array(out, dtype=np.int64)


def keep_top_k(scores: list[torch.Tensor], k: int | list[int], within: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """0/1 masks keeping the k largest scores (one k over all layers, or one per layer); flat float64 scores."""
    def top(s: torch.Tensor, eligible: torch.Tensor, n: int) -> torch.Tensor:
        idx = torch.nonzero(eligible).view(-1)
        order = torch.sort(-s[idx], stable=True).indices[:n]  # descending, ties by the lower index
        return idx[order]

    masks = [torch.zeros(s.numel()) for s in scores]
    elig = [torch.ones(s.numel(), dtype=torch.bool) if within is None else within[i].reshape(-1) != 0 for i, s in enumerate(scores)]
    if isinstance(k, list):
        for m, s, e, n in zip(masks, scores, elig, k):
            m[top(s, e, n)] = 1
        return masks
    flat = torch.cat(scores)
    chosen = top(flat, torch.cat(elig), k)
    offsets = np.cumsum([0] + [s.numel() for s in scores])
    for li, m in enumerate(masks):
        sel = chosen[(chosen >= int(offsets[li])) & (chosen < int(offsets[li + 1]))] - int(offsets[li])
        m[sel] = 1
    return masks


def _weights(model: nn.Module, layers) -> list[torch.Tensor]:
    return [mod.weight for _, mod in layers]


def dense_gradient(model: nn.Module, layers, x: torch.Tensor, y: torch.Tensor, temperature: float = 1.0) -> list[torch.Tensor]:
    """d(mean cross-entropy of logits / T)/dw of every weight layer, on the dense weights: every
    example of the scoring batch weighted once, as the browser computes it (its chunks pad a
    partial last batch with slots the loss ignores, src/engine/gradients.ts)."""
    model.zero_grad(set_to_none=False)
    loss = nn.functional.cross_entropy(model(x) / temperature, y)
    return [g.detach().double().reshape(-1) for g in torch.autograd.grad(loss, _weights(model, layers))]


@torch.no_grad()
def _set(layers, values: list[torch.Tensor]) -> None:
    for (_, mod), v in zip(layers, values):
        mod.weight.copy_(v.view_as(mod.weight).to(mod.weight.dtype))


def grasp_hg(model: nn.Module, layers, dense: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor, temperature: float) -> list[torch.Tensor]:
    _set(layers, dense)
    g = dense_gradient(model, layers, x, y, temperature)
    norm = math.sqrt(sum(float((gl**2).sum()) for gl in g)) or 1.0
    n = sum(w.numel() for w in dense)
    eps = 1e-3 * math.sqrt(sum(float((w.double() ** 2).sum()) for w in dense)) / math.sqrt(n)
    _set(layers, [w.double().reshape(-1) + eps * gl / norm for w, gl in zip(dense, g)])
    plus = dense_gradient(model, layers, x, y, temperature)
    _set(layers, [w.double().reshape(-1) - eps * gl / norm for w, gl in zip(dense, g)])
    minus = dense_gradient(model, layers, x, y, temperature)
    _set(layers, dense)
    return [(p - m) / (2 * eps) * norm for p, m in zip(plus, minus)]


def synflow_gradient(model: nn.Module, layers, dense: list[torch.Tensor], masks: list[torch.Tensor], input_shape: tuple[int, ...]) -> list[torch.Tensor]:
    """dR/dw on the linearised network: |w| under the mask, zero biases, identity activations, ones in."""
    probe = _linearised(model)
    lin = weight_layers(probe)
    with torch.no_grad():
        for (_, mod), w, m in zip(lin, dense, masks):
            mod.weight.copy_((w.reshape(mod.weight.shape).abs() * m.view_as(mod.weight)).to(mod.weight.dtype))
            if mod.bias is not None:
                mod.bias.zero_()
    probe.eval()
    r = probe(torch.ones((1, *input_shape), dtype=next(probe.parameters()).dtype)).sum()
    grads = torch.autograd.grad(r, [mod.weight for _, mod in lin])
    return [g.detach().double().reshape(-1) for g in grads]


def _linearised(model: nn.Module) -> nn.Module:
    m = copy.deepcopy(model)
    for mod in m.modules():  # no ToST ghost bypass (ghost.py): the engine's SynFlow pass scores the layers alone
        mod._forward_hooks.clear()
    if isinstance(m, nn.Sequential):  # the browser's models: drop the activations (identity)
        m = nn.Sequential(*[x for x in m if not isinstance(x, Activation)])
    else:  # CIFAR models: ReLU is the identity on positive values; double precision, as SynFlow's code
        m = m.double()
    return m


def masks_at_init(model: nn.Module, layers, dense: list[torch.Tensor], counts: list[int], config: dict, batch: tuple[torch.Tensor, torch.Tensor] | None, input_shape: tuple[int, ...], fixed: list[list[int]] | None = None) -> tuple[list[torch.Tensor], list[list[int]]]:
    """(one flat 0/1 mask per weight layer, the per-layer counts chosen in each round) for config's
    sparsity.mask (not random). `fixed`: member 0's counts per round (ensembles with global scope)."""
    m = config["sparsity"]["mask"]
    kind, scope = m["kind"], m["scope"]
    flat = [w.double().reshape(-1) for w in dense]

    def choose(scores: list[torch.Tensor], per_layer: list[int], r: int, within: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
        if fixed is not None:
            return keep_top_k(scores, fixed[r], within)
        return keep_top_k(scores, sum(per_layer) if scope == "global" else per_layer, within)

    if kind == "synflow":
        numels = [w.numel() for w in flat]
        masks = [torch.ones(n) for n in numels]
        trace: list[list[int]] = []
        rounds = m["rounds"]
        for k in range(1, rounds + 1):
            per_layer = [t if k == rounds else math.floor(n * (t / n) ** (k / rounds) + 0.5) for t, n in zip(counts, numels)]
            d = synflow_gradient(model, layers, dense, masks, input_shape)
            masks = choose([(dl * (w * mk)).abs() for dl, w, mk in zip(d, flat, masks)], per_layer, k - 1, masks)
            trace.append([int(x.sum()) for x in masks])
        return masks, trace
    if kind == "magnitude":
        scores = [w.abs() for w in flat]
    elif kind == "snip":
        _set(layers, dense)
        scores = [(g * w).abs() for g, w in zip(dense_gradient(model, layers, *batch), flat)]
    elif kind == "grasp":
        scores = [w * h for w, h in zip(flat, grasp_hg(model, layers, dense, *batch, m["temperature"]))]
    else:
        raise ValueError(f'sparsity.mask.kind "{kind}" has no scores here')
    masks = choose(scores, counts, 0)
    return masks, [[int(x.sum()) for x in masks]]


def scoring_batch(config: dict, labels: np.ndarray, train: np.ndarray, classes: int) -> np.ndarray | None:
    m = config["sparsity"]["mask"]
    if m["kind"] not in ("snip", "grasp"):
        return None
    return balanced_batch(labels, train, m["samplesPerClass"], stream_seed(config["seed"], 0, "mask"), classes)
