"""ToST's ghost skip connections (docs/METHODS.md section 3.3; src/engine/ghost-kernels.ts, tost.ts).

Every weight layer gets a dense, never-pruned bypass G from its input to its pre-activation:
  dense layer   z = W x + b + alpha(t) G x,            G (out, in)
  conv layer    z = conv(x, W) + b + alpha(t) crop(G * x), G a 1x1 conv (cout, cin, 1, 1), centre-
                cropped by (k - 1) / 2 beside a 'valid' k x k conv so that it has the layer's output size.
G starts at the constant tost.ghostSkip.initScale and trains with the run's optimizer (weight decay
included) while alpha(t) = (1 + cos(pi t / E)) / 2 > 0, E = round(endFraction * T); from step E the
bypass is removed: G and its mask are zeroed (the optimizer then keeps it at 0) and it is not run.
Step t runs alpha(t); an evaluation after t steps runs alpha(t), 0 once removed, as the engine.

G is registered on its layer as the parameter `ghost` (so the model's state_dict carries it), and
the optimizer takes the ghosts after every layer's weight and bias, in layer order: the order of
the engine's flat buffers (ghost segments after all the layers' segments; param-layout.ts).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .schedules import _round_half_up


def ghost_end_step(ghost: dict, total: int) -> int:
    return _round_half_up(ghost["endFraction"] * total)


def ghost_alpha_at(ghost: dict, t: int, total: int) -> float:
    """alpha(t) of the bypass; 0 when ghost skips are off or removed."""
    if not has_ghosts(ghost):
        return 0.0
    end = ghost_end_step(ghost, total)
    return 0.0 if t >= end else (1 + math.cos(math.pi * t / end)) / 2


def has_ghosts(ghost: dict) -> bool:
    """The engine lays out ghost segments only when the bypass can live (endFraction > 0)."""
    return ghost["enabled"] and ghost["endFraction"] > 0


class GhostHook:
    """The forward hook that adds alpha * (bypass of the layer's input) to the layer's output."""

    def __init__(self) -> None:
        self.alpha = 0.0

    def __call__(self, module: nn.Module, inputs: tuple[torch.Tensor, ...], out: torch.Tensor) -> torch.Tensor:
        if self.alpha == 0:
            return out
        x = inputs[0]
        if isinstance(module, nn.Linear):
            return out + self.alpha * F.linear(x, module.ghost)
        u = F.conv2d(x, module.ghost)
        c = (u.shape[-1] - out.shape[-1]) // 2
        if c:
            u = u[..., c : u.shape[-2] - c, c : u.shape[-1] - c]
        return out + self.alpha * u


def add_ghosts(layers: list[tuple[str, nn.Module]], init_scale: float) -> list[GhostHook]:
    """Gives every weight layer its bypass G (constant init_scale) and the hook that runs it."""
    hooks = []
    for _, module in layers:
        w = module.weight
        if isinstance(module, nn.Conv2d) and w.shape[-1] % 2 == 0:
            raise ValueError(f"a ghost skip beside a valid {w.shape[-1]}x{w.shape[-1]} conv needs an odd kernel (a centred crop)")
        shape = tuple(w.shape[:2]) + ((1, 1) if w.dim() == 4 else ())
        module.register_parameter("ghost", nn.Parameter(torch.full(shape, init_scale, dtype=w.dtype, device=w.device)))
        hook = GhostHook()
        module.register_forward_hook(hook)
        hooks.append(hook)
    return hooks


class Ghosts:
    """A run's ghost skips: their hooks, parameters and masks (1 while alive, 0 once removed)."""

    def __init__(self, config: dict, layers: list[tuple[str, nn.Module]], total: int) -> None:
        self.config = config["tost"]["ghostSkip"]
        self.total = total
        self.layers = layers
        self.hooks = add_ghosts(layers, self.config["initScale"]) if has_ghosts(self.config) else []
        self.masks = [torch.ones_like(m.ghost) for _, m in layers] if self.hooks else []
        self.end = ghost_end_step(self.config, total) if self.hooks else 0

    @property
    def params(self) -> list[torch.Tensor]:
        return [m.ghost for _, m in self.layers] if self.hooks else []

    def to(self, device: torch.device) -> None:
        self.masks = [m.to(device) for m in self.masks]

    @torch.no_grad()
    def set_step(self, t: int) -> None:
        """alpha(t) on every hook; the bypass removed (G and mask zeroed) once t >= E."""
        alpha = ghost_alpha_at(self.config, t, self.total)
        for h in self.hooks:
            h.alpha = alpha
        if self.hooks and t >= self.end and self.alive:
            for p, m in zip(self.params, self.masks):
                p.zero_()
                m.zero_()

    @property
    def alive(self) -> bool:
        return bool(self.masks) and bool(self.masks[0].any())
