"""FreeTickets' EDST ensemble (docs/METHODS.md section 2.2; src/ensemble/edst-plan.ts, edst-driver.ts):
ONE sparse run explores at the base lr for t_ex epochs, then goes through M refinement phases of
t_re epochs each, at lr/10 and, after floor(t_re/2) epochs of the phase, lr/100. Before refinement
phases 2..M a global exploration prunes q (ensemble.exploreRate) of every layer's active weights
and regrows as many, as a mask update after the last step of the previous phase (its growth is the
method's: the gradient of that step for RigL). The ordinary DST updates run in every phase, with
the drop fraction constant 0.5 to the end of training (ensemble.drop "constant-0.5", the released
code) or the dst schedule ("cosine"). After the last step of every epoch of a refinement phase the
validation accuracy decides whether that network is the phase's best so far (strictly better: a tie
keeps the earlier one; the bar is reset at every phase); the best of phase k is member k.

The config rules (src/config/rules.ts, support.py) make t_ex + M * t_re = training.epochs exactly.
Steps are 0-based; epoch e (1-based) covers steps [(e - 1) spe, e spe).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch


@dataclass
class EdstPlan:
    total_steps: int
    lr_steps: list[tuple[int, float]]  # (from step, lr), sorted, the first from 0
    explorations: dict[int, float]  # step -> global exploration rate
    validation_steps: dict[int, int]  # step -> member of the phase whose epoch ends there


def edst_plan(config: dict, per_epoch: int) -> EdstPlan:
    e = config["ensemble"]
    lr = config["training"]["optimizer"]["lr"]
    members, t_ex = e["members"], e["explorationEpochs"]
    t_re = e["refineEpochs"] if e.get("refineEpochs") is not None else (config["training"]["epochs"] - t_ex) // members
    late_after = t_re // 2
    lr_steps = [(0, lr)]
    explorations: dict[int, float] = {}
    validation: dict[int, int] = {}
    for k in range(members):
        start = (t_ex + k * t_re) * per_epoch
        if k > 0 and e["exploreRate"] > 0:
            explorations[start - 1] = e["exploreRate"]
        lr_steps.append((start, lr / 10))
        if late_after > 0:
            lr_steps.append(((t_ex + k * t_re + late_after) * per_epoch, lr / 100))
        for epoch in range(t_ex + k * t_re + 1, t_ex + (k + 1) * t_re + 1):
            validation[epoch * per_epoch - 1] = k
    merged = [lr_steps[0]]
    for s in lr_steps[1:]:
        if s[1] != merged[-1][1]:
            merged.append(s)
    return EdstPlan((t_ex + members * t_re) * per_epoch, merged, explorations, validation)


def plan_lr(plan: EdstPlan, step: int) -> float:
    lr = plan.lr_steps[0][1]
    for start, value in plan.lr_steps:
        if start > step:
            break
        lr = value
    return lr


@dataclass
class Member:
    member: int
    step: int  # the step after which the network was taken
    accuracy: float
    state: dict = field(repr=False)  # the model's state_dict
    masks: list[torch.Tensor] = field(repr=False)


class MemberPicker:
    """The best validation checkpoint of each refinement phase, kept as the run goes."""

    def __init__(self, plan: EdstPlan) -> None:
        self.plan = plan
        self.best: dict[int, Member] = {}

    def after_step(self, run) -> None:
        t = run.step - 1
        member = self.plan.validation_steps.get(t)
        if member is None:
            return
        acc = run.evaluate(run.data.split.val)["testAccuracy"]
        held = self.best.get(member)
        if held is None or acc > held.accuracy:
            self.best[member] = Member(member, t, acc, copy.deepcopy(run.model.state_dict()), [m.clone() for m in run.masks])

    def members(self) -> list[Member]:
        return [self.best[k] for k in sorted(self.best)]


@torch.no_grad()
def member_probabilities(run, members: list[Member]) -> list[torch.Tensor]:
    """Each member's softmax on the evaluation split (the live network restored afterwards)."""
    live = (copy.deepcopy(run.model.state_dict()), [m.clone() for m in run.masks], run.step)
    out = []
    for m in members:
        run.model.load_state_dict(m.state)
        run.step = m.step + 1  # its ToST switches are those of the step after which it was taken
        out.append(run.probabilities())
    run.model.load_state_dict(live[0])
    for a, b in zip(run.masks, live[1]):
        a.copy_(b)
    run.step = live[2]
    return out
