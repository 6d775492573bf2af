"""The engine's optimizers on masked weights (shaders/optimizer.wgsl), written out so every
formula is the browser's and the state of a regrown weight can be reset.

SGD (PyTorch's formula, dampening 0): g' = g * mask + wd * w (g itself with SNFS / the
port-compatible style: their momentum sees every weight's gradient); buf = mu buf + g';
d = nesterov ? g' + mu buf : buf; w = (w - lr d) masked.
Adam: g' = g * mask (+ wd * w unless decoupled); m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
decoupled (AdamW): w = w (1 - lr wd); w = (w - lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)) masked,
with bc = 1 - beta^t after t optimizer steps (steps that skip the optimizer, RigL's update steps, do not count).
Biases are never masked and take weight decay like the weights, as in the engine.
"""

from __future__ import annotations

import math

import torch


class MaskedOptimizer:
    def __init__(self, params: list[torch.Tensor], masks: list[torch.Tensor | None], config: dict) -> None:
        self.params = params
        self.masks = masks  # None: never masked (biases)
        self.o = config["training"]["optimizer"]
        # SNFS and the port-compatible style keep momentum for every weight, from the unmasked gradient
        # (the engine's FLAG_DENSE_STATE); the weights stay masked.
        self.dense_state = config["dst"]["method"] == "snfs" or config["dst"]["portCompatible"]
        self.steps = 0
        self.state1 = [torch.zeros_like(p) for p in params]
        self.state2 = [torch.zeros_like(p) for p in params] if self.o["kind"] == "adam" else []

    def states_of(self, i: int) -> tuple[torch.Tensor, ...]:
        return (self.state1[i], self.state2[i]) if self.state2 else (self.state1[i],)

    @torch.no_grad()
    def step(self, lr: float) -> None:
        self.steps += 1
        o = self.o
        for i, (p, mask) in enumerate(zip(self.params, self.masks)):
            g = p.grad if mask is None or self.dense_state else p.grad * mask
            if o["kind"] == "sgd":
                g = g + o["weightDecay"] * p
                buf = self.state1[i].mul_(o["momentum"]).add_(g)
                d = g + o["momentum"] * buf if o["nesterov"] else buf
                p.sub_(lr * d)
            else:
                b1, b2 = o["beta1"], o["beta2"]
                if not o["decoupled"]:
                    g = g + o["weightDecay"] * p
                m = self.state1[i].mul_(b1).add_((1 - b1) * g)
                v = self.state2[i].mul_(b2).add_((1 - b2) * g * g)
                if o["decoupled"]:
                    p.mul_(1 - lr * o["weightDecay"])
                bc1 = 1 - b1 ** self.steps
                bc2 = 1 - b2 ** self.steps
                p.sub_((lr / bc1) * m / (v.sqrt() / math.sqrt(bc2) + o["eps"]))
            if mask is not None:
                p.copy_(torch.where(mask != 0, p, torch.zeros_like(p)))  # a select: no -0, no NaN kept

    def state_dict(self) -> dict:
        return {"steps": self.steps, "state1": self.state1, "state2": self.state2}

    def load_state_dict(self, s: dict) -> None:
        self.steps = s["steps"]
        for a, b in zip(self.state1, s["state1"]):
            a.copy_(b)
        for a, b in zip(self.state2, s["state2"]):
            a.copy_(b)
