"""ToST's layer-wise re-scaled initialisation by GradInit (docs/METHODS.md §3.5), as the browser
runs it (src/engine/gradinit.ts): one positive scale per weight layer, learned so that one
normalised SGD step from the rescaled init lowers the loss most, by central finite differences on
the scales (the browser's method; GradInit itself differentiates through the step):

    θ(α)  = α_l · W_l per layer (W_l the dense initial weights, under the mask; biases unscaled)
    g     = ∇L(θ(α); A) ⊙ mask, over weights and biases    A, B: two training batches
    J(α)  = ‖g‖ if ‖g‖ > γ, else L(θ(α) − η·g/‖g‖; B) / η  (the branch fixed per iteration at α)
    ∂J/∂α_l ≈ (J(α + δe_l) − J(α − δe_l)) / 2δ, clipped to ±1; α ← Adam(α, lr), α ≥ minScale

The batches come from the browser's stream (mulberry32 of the 'init' stream seed ^ 0x6a7d, drawn
with replacement from the training split), shared by every ensemble member, so a run from the same
config draws the same examples. Sums run in another order than the browser's GPU kernels, so the
scales agree to float tolerance, not bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .rng import Mulberry32, stream_seed

DELTA = 1e-2


def draws(seed: int, train: np.ndarray, batch: int, iters: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (A, B) example indices of every iteration: src/engine/gradinit.ts `draw`."""
    rng = Mulberry32((stream_seed(seed, 0, "init") ^ 0x6A7D) & 0xFFFFFFFF)
    pick = lambda: np.array([train[math.floor(rng.next() * len(train))] for _ in range(batch)])  # noqa: E731
    out = []
    for _ in range(iters):
        a = pick()
        out.append((a, pick()))
    return out


class Objective:
    """J at given scales for one network (its weight layers, dense initial weights and masks)."""

    def __init__(self, model, layers, dense: list[torch.Tensor], masks: list[torch.Tensor], loss, eta: float, gamma: float) -> None:
        self.model, self.layers, self.loss = model, layers, loss
        self.dense = [d.detach() for d in dense]
        self.masks = [m.detach().to(d.dtype) for m, d in zip(masks, dense)]
        self.biases = [mod.bias.detach().clone() for _, mod in layers]
        self.eta, self.gamma = eta, gamma

    def _load(self, weights: list[torch.Tensor], biases: list[torch.Tensor]) -> None:
        with torch.no_grad():
            for (_, mod), w, b in zip(self.layers, weights, biases):
                mod.weight.copy_(w)
                mod.bias.copy_(b)

    def _loss_and_grads(self, weights, biases, x, y) -> tuple[float, list[torch.Tensor], list[torch.Tensor]]:
        self._load(weights, biases)
        self.model.zero_grad(set_to_none=False)
        loss = self.loss(self.model(x), y)
        loss.backward()
        gw = [mod.weight.grad.detach() * m for (_, mod), m in zip(self.layers, self.masks)]
        gb = [mod.bias.grad.detach().clone() for _, mod in self.layers]
        return float(loss), gw, gb

    def __call__(self, scales: list[float], a, b, branch: str | None) -> tuple[float, str]:
        theta = [s * d * m for s, d, m in zip(scales, self.dense, self.masks)]
        _, gw, gb = self._loss_and_grads(theta, self.biases, *a)
        norm = math.sqrt(sum(float((g.double() ** 2).sum()) for g in gw + gb))
        chosen = branch or ("norm" if norm > self.gamma else "step")
        if chosen == "norm":
            return norm, chosen
        if norm == 0:
            stepped_w, stepped_b = theta, self.biases
        else:
            stepped_w = [w - self.eta * g / norm for w, g in zip(theta, gw)]
            stepped_b = [bb - self.eta * g / norm for bb, g in zip(self.biases, gb)]
        self._load(stepped_w, stepped_b)
        with torch.no_grad():
            loss = float(self.loss(self.model(b[0]), b[1]))
        return loss / self.eta, chosen


def grad_init_scales(objective: Objective, batches, iters: int, lr: float, min_scale: float) -> tuple[list[float], list[float]]:
    """The learned scales and the objective J at each iteration (before its update)."""
    L = len(objective.layers)
    scales = [1.0] * L
    m1, m2 = [0.0] * L, [0.0] * L
    history = []
    for it in range(iters):
        a, b = batches[it]
        base, branch = objective(scales, a, b, None)
        history.append(base)
        grad = []
        for li in range(L):
            at = lambda sign: objective([v + sign * DELTA if j == li else v for j, v in enumerate(scales)], a, b, branch)[0]  # noqa: E731
            up, down = at(1), at(-1)
            grad.append(max(-1.0, min(1.0, (up - down) / (2 * DELTA))))
        t = it + 1
        for li, g in enumerate(grad):  # Adam (β1 0.9, β2 0.999) on the scales, as GradInit does
            m1[li] = 0.9 * m1[li] + 0.1 * g
            m2[li] = 0.999 * m2[li] + 0.001 * g * g
            mh, vh = m1[li] / (1 - 0.9**t), m2[li] / (1 - 0.999**t)
            scales[li] = max(min_scale, scales[li] - lr * mh / (math.sqrt(vh) + 1e-8))
    return scales, history


def apply_grad_init(run, dense: list[torch.Tensor], log=None) -> list[float]:
    """Learns the scales for `run` (train.Run, before training) and starts it from α_l·W_l under its
    masks, the biases at their init. Returns the scales."""
    from .train import smoothed_cross_entropy

    o = run.config["tost"]["layerRescaledInit"]
    masks = run.masks if o["afterMask"] else [torch.ones_like(m) for m in run.masks]
    dev = run.device
    alpha = run.config["tost"]["labelSmoothing"]
    objective = Objective(run.model, run.layers, [d.to(dev) for d in dense], masks, lambda z, y: smoothed_cross_entropy(z, y, alpha), o["eta"], o["gamma"])
    data = [
        ((run.data.x(a).to(dev), run.data.y(a).to(dev)), (run.data.x(b).to(dev), run.data.y(b).to(dev)))
        for a, b in draws(run.config["seed"], run.split.train, run.batch, o["iters"])
    ]
    run.model.train()
    scales, history = grad_init_scales(objective, data, o["iters"], o["lr"], o["minScale"])
    with torch.no_grad():
        for (_, mod), s, d, m, b in zip(run.layers, scales, dense, run.masks, objective.biases):
            mod.weight.copy_(s * d.to(dev) * m.to(d.dtype))
            mod.bias.copy_(b)
    run.model.zero_grad(set_to_none=False)
    if log:
        log(f"GradInit: {o['iters']} iterations, objective {history[0]:.4f} -> {history[-1]:.4f}, scales {', '.join(f'{s:.3f}' for s in scales)}")
    return scales
