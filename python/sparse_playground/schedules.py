"""Learning-rate and mask-update schedules as pure functions of the 0-based step
(src/engine/lr-schedule.ts, src/sparsity/schedule.ts; docs/METHODS.md sections 1.1 and 1.5).

lr: constant; multistep (milestones as fractions of training, round(f * total)); cosine with an
optional linear warmup lr (t + 1) / W; PyTorch's OneCycleLR (two cosine phases; momentum not cycled).
Mask updates: step t updates iff t >= beginStep, t <= T_end and t - last_update >= deltaT, with
last_update starting at -deltaT; drop fraction alpha/2 (1 + cos(pi min(t, T_end) / T_end)) or alpha.
Counts: k = floor(f nnz + 1e-9); a changed target is reached by pruning or growing the difference.
SNFS: an update after the last step of every epoch but the final one, prune rate 0.5 cosine-annealed
to 0.005 over the run.
"""

from __future__ import annotations

import math


def _anneal(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2 * (1 + math.cos(math.pi * pct))


def lr_at(config: dict, step: int, total: int) -> float:
    """The learning rate of 0-based `step` for the config's optimizer lr and training.schedule."""
    lr = config["training"]["optimizer"]["lr"]
    s = config["training"]["schedule"]
    kind = s["kind"]
    if kind == "constant":
        return lr
    if kind == "multistep":
        passed = sum(1 for m in s["milestones"] if step >= _round_half_up(m * total))
        return lr * s["gamma"] ** passed
    if kind == "cosine":
        warm = s["warmupSteps"]
        if step < warm:
            return lr * (step + 1) / warm
        return _anneal(lr, s["minLr"], min(1.0, (step - warm) / (total - warm)))
    if kind == "onecycle":
        initial = lr / s["div"]
        final = initial / s["finalDiv"]
        end1 = s["pctStart"] * total - 1
        end2 = total - 1
        if step <= end1:
            return _anneal(initial, lr, step / end1 if end1 > 0 else 1)
        pct = min(1.0, (step - end1) / (end2 - end1)) if end2 > end1 else 1
        return _anneal(lr, final, pct)
    raise ValueError(f'training.schedule.kind "{kind}" is not known')


def _round_half_up(x: float) -> int:
    """JavaScript's Math.round (halves go up), not Python's banker's rounding."""
    return math.floor(x + 0.5)


class MaskSchedule:
    """When a mask update happens and what fraction it swaps (RigL's schedule)."""

    def __init__(self, config: dict, total_steps: int, steps_per_epoch: int = 1) -> None:
        d = config["dst"]
        self.snfs = d.get("method") == "snfs"
        self.total = total_steps
        self.per_epoch = steps_per_epoch
        self.delta_t = d["deltaT"]
        self.alpha = d["dropFraction"]
        self.decay = d["decay"]
        self.t_end = math.floor(d["tEndFraction"] * total_steps)
        self.begin = d["beginStep"]
        self.last_update = -self.delta_t
        self.explorations: dict[int, float] = {}

    def for_edst(self, drop: str, explorations: dict[int, float]) -> None:
        """EDST (edst.py): its global explorations at their steps and rates, and with drop
        "constant-0.5" the released code's constant rate 0.5 with updates to the end of training."""
        self.explorations = dict(explorations)
        if drop == "constant-0.5":
            self.alpha, self.decay, self.t_end = 0.5, "constant", self.total

    def is_update(self, t: int) -> bool:
        if t in self.explorations:
            return True
        if self.snfs:  # after the last step of every epoch but the final one (sparse_learning's at_end_of_epoch)
            return t < self.total - 1 and (t + 1) % self.per_epoch == 0
        return t >= self.begin and t <= self.t_end and t - self.last_update >= self.delta_t

    def drop_fraction(self, t: int) -> float:
        if t in self.explorations:
            return self.explorations[t]
        if self.snfs:  # SNFS's prune rate: cosine from 0.5 at step 0 to 0.005 at the end
            u = min(max(t, 0), self.total) / self.total
            return 0.005 + (0.5 - 0.005) / 2 * (1 + math.cos(math.pi * u))
        if self.decay == "constant":
            return self.alpha
        u = min(max(t, 0), self.t_end) / self.t_end
        return self.alpha / 2 * (1 + math.cos(math.pi * u))


def prune_grow_counts(nnz: int, target: int, fraction: float, numel: int) -> tuple[int, int]:
    """(prune, grow) so a layer of `nnz` active entries ends at exactly `target` (regrowing the dropped is allowed)."""
    target = min(numel, max(0, target))
    k = min(nnz, math.floor(fraction * nnz + 1e-9))
    prune = min(nnz, k + max(0, nnz - target))
    return prune, prune + target - nnz
