"""ToST's smooth activations (docs/METHODS.md section 3.2; src/engine/tost.ts) and the activation
functions of the playground's models (src/reference/activation.ts), as the engine computes them.

  relu    max(x, 0)
  tanh    tanh(x)
  swish   x * sigmoid(x)
  pswish  x * sigmoid(beta x)   (as a model's own activation beta is 1, as in the engine)

tost.smoothActivation: every ReLU of the playground's models runs swish, or pswish with beta
rising geometrically from betaStart to betaEnd, until step round(reluFrom * T) of the T training
steps; from then on exact ReLU. Step t of training runs the activation of step t; an evaluation
after t steps runs that of step t (the engine's forward params of the current step), and a mask at
initialisation is scored with that of step 0.
"""

from __future__ import annotations

import torch
from torch import nn

from .schedules import _round_half_up


def relu_from_step(smooth: dict, total: int) -> int:
    return _round_half_up(smooth["reluFrom"] * total)


def smooth_activation_at(smooth: dict, t: int, total: int) -> tuple[str, float]:
    """(kind, beta) a ReLU layer computes at 0-based step t of `total` (tost.smoothActivation)."""
    end = relu_from_step(smooth, total) if smooth["kind"] != "off" else 0
    if smooth["kind"] == "off" or t >= end:
        return "relu", 1.0
    if smooth["kind"] == "swish":
        return "swish", 1.0
    return "pswish", smooth["betaStart"] * (smooth["betaEnd"] / smooth["betaStart"]) ** (t / end)


class Activation(nn.Module):
    """One of the engine's activations; a ReLU (`base` relu) follows the ToST schedule through set_now."""

    def __init__(self, base: str) -> None:
        super().__init__()
        if base not in ("relu", "tanh", "swish", "pswish"):
            raise ValueError(f'activation "{base}" is not known')
        self.base = base
        self.kind, self.beta = base, 1.0

    def set_now(self, kind: str, beta: float) -> None:
        if self.base == "relu":
            self.kind, self.beta = kind, beta

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "relu":
            return torch.relu(x)
        if self.kind == "tanh":
            return torch.tanh(x)
        if self.kind == "swish":
            return x * torch.sigmoid(x)
        return x * torch.sigmoid(self.beta * x)

    def extra_repr(self) -> str:
        return self.base if self.kind == self.base else f"{self.base}, now {self.kind} beta={self.beta:.4g}"


def set_activations(model: nn.Module, config: dict, t: int, total: int) -> None:
    """Puts every ReLU of `model` on the activation of step t (a no-op without smoothActivation)."""
    kind, beta = smooth_activation_at(config["tost"]["smoothActivation"], t, total)
    for m in model.modules():
        if isinstance(m, Activation):
            m.set_now(kind, beta)
