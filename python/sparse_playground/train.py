"""One training run of a config, on one process or many (torchrun / DistributedDataParallel).

The step is the engine's (docs/METHODS.md section 1.1, style B): forward with the masked weights
(kept exactly 0 where the mask is 0, so the weight gradient is the dense gradient dL/d(w * m)),
mean loss over the global batch; on a RigL update step the mask update replaces the optimizer step
(growth by the dense gradient of this batch); SET and SNFS take the optimizer step and then update
(random growth; growth by |momentum|, SNFS keeping momentum for every weight); with
dst.portCompatible every method steps first and keeps momentum for every weight; static and dense
never update.

Distributed: the global batch of step t (training.batchSize examples of the browser's seeded
order) is cut into world_size equal slices, one per process; DDP averages the gradients, so every
process holds the full-batch mean gradient and takes the same step. Masks are chosen from
identical weights and gradients (RigL) or hashes (SET) on every process; after each update the
processes compare a digest of every mask and stop with an error if one differs.
"""

from __future__ import annotations

import csv
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.distributed as dist
import torch.nn.functional as F

from .checkpoint import read_runner_checkpoint, restore_run, run_checkpoint
from .config import ConfigInvalid
from .dst import update_layer
from .edst import MemberPicker, edst_plan, member_probabilities, plan_lr
from .ensemble import report
from .export import save_safetensors
from .init import initialize, layer_densities
from .gradinit import apply_grad_init
from .init_masks import masks_at_init, scoring_batch
from .models import build_model, weight_layers
from .optim import MaskedOptimizer
from .rng import stream_seed
from .run_data import RunData
from .schedules import MaskSchedule, lr_at, prune_grow_counts
from .support import refusals
from .ghost import Ghosts
from .tost import set_activations

GROW = {"rigl": "gradient", "set": "random", "snfs": "momentum"}


def smoothed_cross_entropy(logits: torch.Tensor, labels: torch.Tensor, alpha: float) -> torch.Tensor:
    """Mean loss; the target is 1 - alpha on the label and alpha / (classes - 1) elsewhere (shaders/loss.wgsl)."""
    if alpha == 0:
        return F.cross_entropy(logits, labels)
    c = logits.shape[1]
    target = torch.full_like(logits, alpha / (c - 1))
    target.scatter_(1, labels[:, None], 1 - alpha)
    return (torch.logsumexp(logits, 1) - (target * logits).sum(1)).mean()


@dataclass
class RunResult:
    steps: int
    test_accuracy: float
    active_counts: dict[str, int]
    densities: dict[str, float]
    history: list[dict] = field(default_factory=list)
    evals: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    ensemble: dict | None = None  # ensemble modes: ensemble.report()'s ensemble / members / disagreement
    members: list["RunResult"] = field(default_factory=list)


def _world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _mask_digest(mask: torch.Tensor) -> float:
    m = mask.reshape(-1).double()
    return float((m * torch.arange(1, m.numel() + 1, dtype=torch.float64, device=m.device)).sum())


class Run:
    """The state of a run: model, masks, optimizer, schedule, data (on the GPU when there is one)."""

    def __init__(self, config: dict, data_dir: str | Path, device: str | None = None, download: bool = False, member: int = 0, data: RunData | None = None) -> None:
        """member: which ensemble member's random streams (initial network, batch order, regrowth keys) this run draws from."""
        self.rank, self.world = _world()
        self.member = member
        errors = refusals(config, self.world)
        if errors:
            raise ConfigInvalid(errors)
        self.config = config
        self.device = torch.device(device or (f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu"))
        self.data = data.for_member(member) if data is not None else RunData(config, data_dir, download, member)
        self.split = self.data.split
        self.batch = self.data.batch
        self.per_epoch = self.data.per_epoch
        self.total = self.per_epoch * config["training"]["epochs"]
        self.edst = edst_plan(config, self.per_epoch) if config["ensemble"]["mode"] == "edst" else None
        self.model = build_model(config, self.data.input_dim, self.data.ds.classes)
        self.layers = weight_layers(self.model)
        self.ghosts = Ghosts(config, self.layers, self.total)
        self._set_now(0)  # what a mask at initialisation scores with
        self.masks = self._initial_masks(member)
        self.model.to(self.device)
        self.masks = [m.to(self.device) for m in self.masks]
        self.ghosts.to(self.device)
        self.densities = layer_densities(config, self.model)
        self.method = "dense" if config["sparsity"]["target"] == 0 else config["dst"]["method"]
        self.targets = [int(m.sum()) for m in self.masks]
        # Optimizer parameters: each weight layer's weight (masked) and bias, then the rest (BatchNorm).
        params: list[torch.Tensor] = []
        masks: list[torch.Tensor | None] = []
        self.weight_param: list[int] = []
        for (_, module), mask in zip(self.layers, self.masks):
            self.weight_param.append(len(params))
            params.append(module.weight)
            masks.append(mask)
            if module.bias is not None:
                params.append(module.bias)
                masks.append(None)
        params += self.ghosts.params  # after every layer's weight and bias, as the engine's flat buffers
        masks += self.ghosts.masks
        seen = {id(p) for p in params}
        for p in self.model.parameters():
            if id(p) not in seen:
                params.append(p)
                masks.append(None)
        self.opt = MaskedOptimizer(params, masks, config)
        self.schedule = MaskSchedule(config, self.total, self.per_epoch)
        if self.edst:
            self.schedule.for_edst(config["ensemble"]["drop"], self.edst.explorations)
        self.regrow_seed = stream_seed(config["seed"], 0, "regrow")
        self.step = 0
        if self.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.ddp = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=ids)
        else:
            self.ddp = None

    def _set_now(self, t: int) -> None:
        """The ToST switches of step t: the smooth activations' kind and beta, the ghost skips' alpha."""
        set_activations(self.model, self.config, t, self.total)
        self.ghosts.set_step(t)

    def _initial_masks(self, member: int, trace: list[list[int]] | None = None) -> list[torch.Tensor]:
        """The initial network of `member` and its masks: random (init.py), or chosen by a mask at
        initialisation (init_masks.py); with scope global, members after the first take member 0's counts."""
        kind = self.config["sparsity"]["mask"]["kind"]
        dense: list[torch.Tensor] = []
        masks = initialize(self.model, self.config, member, dense)
        self.dense_init = dense  # what GradInit scales (gradinit.py)
        if kind == "random":
            return masks
        layers = weight_layers(self.model)
        if self.config["sparsity"]["mask"]["scope"] == "global" and member > 0 and trace is None:
            scratch = Run.__new__(Run)
            scratch.config, scratch.data = self.config, self.data
            scratch.model = build_model(self.config, self.data.input_dim, self.data.ds.classes)
            set_activations(scratch.model, self.config, 0, self.total)
            Ghosts(self.config, weight_layers(scratch.model), self.total).set_step(0)
            scratch._initial_masks(0)
            trace = scratch.trace
        idx = scoring_batch(self.config, self.data.ds.labels, self.data.split.train, self.data.ds.classes)
        batch = None if idx is None else (self.data.x(idx), self.data.y(idx))
        shape = tuple(self.data.x(self.data.split.train[:1]).shape[1:])
        chosen, self.trace = masks_at_init(self.model, layers, dense, [int(m.sum()) for m in masks], self.config, batch, shape, trace)
        with torch.no_grad():
            for (_, mod), w, m in zip(layers, dense, chosen):
                mod.weight.copy_(w * m.view_as(w))
        return [m.view_as(w).clone() for m, w in zip(chosen, dense)]

    def train_step(self) -> dict:
        """Step self.step: forward, backward, optimizer step or mask update. Returns the step's record."""
        t = self.step
        idx = self.data.batch_indices(t)
        per = self.batch // self.world
        local = idx[self.rank * per : (self.rank + 1) * per]
        x = self.data.train_x(local, t, self.rank).to(self.device)
        y = self.data.y(local).to(self.device)
        net = self.ddp or self.model
        self._set_now(t)
        self.model.train()
        self.model.zero_grad(set_to_none=False)
        loss = smoothed_cross_entropy(net(x), y, self.config["tost"]["labelSmoothing"])
        loss.backward()
        lr = plan_lr(self.edst, t) if self.edst else lr_at(self.config, t, self.total)
        update = self.method in GROW and self.schedule.is_update(t)
        record = {"step": t, "loss": self._mean(loss.detach()), "lr": lr}
        if update and self.method == "rigl" and not self.config["dst"]["portCompatible"]:  # RigL's update replaces the step
            record["update"] = self.mask_update(t)
        else:
            self.opt.step(lr)
            if update:
                record["update"] = self.mask_update(t)
        self.step += 1
        return record

    @torch.no_grad()
    def mask_update(self, t: int) -> dict:
        fraction = self.schedule.drop_fraction(t)
        grow = GROW[self.method]
        swapped = []
        for li, ((name, module), mask) in enumerate(zip(self.layers, self.masks)):
            n_prune, n_grow = prune_grow_counts(int(mask.sum()), self.targets[li], fraction, mask.numel())
            states = self.opt.states_of(self.weight_param[li])
            scores = states[0] if grow == "momentum" else module.weight.grad
            update_layer(module.weight, mask, n_prune, n_grow, grow, grad=scores, random=(self.regrow_seed, t, self.member, li), states=states)
            swapped.append(n_prune)
        self.schedule.last_update = t
        self.check_masks_agree(t)
        return {"fraction": fraction, "pruned": swapped, "active": [int(m.sum()) for m in self.masks]}

    def check_masks_agree(self, t: int) -> None:
        if self.world == 1:
            return
        mine = torch.tensor([_mask_digest(m) for m in self.masks], dtype=torch.float64, device=self.device)
        lo, hi = mine.clone(), mine.clone()
        dist.all_reduce(lo, op=dist.ReduceOp.MIN)
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        bad = [name for (name, _), a, b in zip(self.layers, lo.tolist(), hi.tolist()) if a != b]
        if bad:
            raise RuntimeError(f"the processes chose different masks for {', '.join(bad)} at the update of step {t}")

    def _mean(self, loss: torch.Tensor) -> float:
        if self.world == 1:
            return float(loss)
        v = loss.clone().double()
        dist.all_reduce(v)
        return float(v) / self.world

    @torch.no_grad()
    def probabilities(self) -> torch.Tensor:
        """(N, classes) softmax of the evaluation split, float32 on the CPU."""
        self._set_now(self.step)
        self.model.eval()
        return torch.cat([torch.softmax(self.model(x.to(self.device)), 1).cpu() for x, _ in self.data.eval_chunks()])

    @torch.no_grad()
    def evaluate(self, indices=None) -> dict:
        """Accuracy and mean loss on the test split (the validation split when there is no test
        split), or on the examples `indices`."""
        self._set_now(self.step)
        self.model.eval()
        correct, loss, n = 0.0, 0.0, 0
        for x, y in self.data.eval_chunks(indices):
            logits = self.model(x.to(self.device))
            y = y.to(self.device)
            correct += float((logits.argmax(1) == y).sum())
            loss += float(F.cross_entropy(logits, y, reduction="sum"))
            n += len(y)
        return {"step": self.step, "testAccuracy": correct / n, "testLoss": loss / n}

    def restore(self, c: dict) -> None:
        """Continues from a browser Checkpoint (checkpoint.py)."""
        restore_run(self, c)

    def checkpoint(self) -> dict:
        """The run's state as a browser Checkpoint (checkpoint.py)."""
        return run_checkpoint(self)

    def active_counts(self) -> dict[str, int]:
        return {name: int(m.sum()) for (name, _), m in zip(self.layers, self.masks)}


def train(config: dict, data_dir: str | Path, out_dir: str | Path | None = None, log: Callable[[str], None] = print, max_steps: int | None = None, device: str | None = None, download: bool = False) -> RunResult:
    """Trains `config` (complete, from parse_config) to the end, or for max_steps steps: one run,
    or each member of a DST / dense ensemble in turn, or one EDST run and the members it chose;
    then the ensemble's metrics."""
    e = config["ensemble"]
    if e["mode"] == "none":
        return _train(Run(config, data_dir, device, download), out_dir, log, max_steps)
    if e["mode"] == "edst":
        return _train_edst(Run(config, data_dir, device, download), out_dir, log, max_steps)
    members: list[RunResult] = []
    probs = []
    data = None
    for m in range(e["members"]):
        run = Run(config, data_dir, device, download, member=m, data=data)
        data = run.data
        (log if run.rank == 0 else (lambda _m: None))(f"member {m + 1} of {e['members']}")
        members.append(_train(run, None if out_dir is None else Path(out_dir) / f"member{m + 1}", log, max_steps))
        probs.append(run.probabilities())
    rep = report(probs, run.data.y(run.data.eval_idx))
    first = members[0]
    result = RunResult(first.steps, rep["ensemble"]["accuracy"], first.active_counts, first.densities, ensemble=rep, members=members, seconds=sum(r.seconds for r in members))
    if out_dir is not None and run.rank == 0:
        summary = {"config": config, "ensemble": rep, "members": [{"testAccuracy": r.test_accuracy, "activeCounts": r.active_counts} for r in members]}
        (Path(out_dir) / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    log_fn = log if run.rank == 0 else (lambda _m: None)
    log_fn(f"ensemble of {len(members)}: test accuracy {rep['ensemble']['accuracy']:.4f} (members {', '.join(f'{r.test_accuracy:.4f}' for r in members)}), disagreement {rep['disagreement']:.4f}")
    return result


def continue_browser_run(folder: str | Path, data_dir: str | Path, out_dir: str | Path | None = None, log: Callable[[str], None] = print, max_steps: int | None = None, device: str | None = None) -> RunResult:
    """Continues the runner checkpoint in `folder` (`npm run experiment -- ... --out folder`): max_steps more steps, or to the end."""
    config, checkpoint, _ = read_runner_checkpoint(folder)
    run = Run(config, data_dir, device)
    run.restore(checkpoint)
    return _train(run, out_dir, log, max_steps)


def _train_edst(run: Run, out_dir: str | Path | None, log: Callable[[str], None], max_steps: int | None) -> RunResult:
    """One EDST run (edst.py), then the ensemble of the members its refinement phases chose."""
    picker = MemberPicker(run.edst)
    result = _train(run, out_dir, log, max_steps, after_step=picker.after_step)
    chosen = picker.members()
    say = log if run.rank == 0 else (lambda _m: None)
    for m in chosen:
        say(f"member {m.member + 1}: the network after step {m.step + 1}, validation accuracy {m.accuracy:.4f}")
    if not chosen:
        return result
    rep = report(member_probabilities(run, chosen), run.data.y(run.data.eval_idx))
    result.ensemble = rep
    result.test_accuracy = rep["ensemble"]["accuracy"]
    if out_dir is not None and run.rank == 0:
        path = Path(out_dir) / "results.json"
        summary = json.loads(path.read_text())
        summary.update(testAccuracy=result.test_accuracy, ensemble=rep, members=[{"member": m.member, "step": m.step, "validationAccuracy": m.accuracy, "activeCounts": {n: int(k.sum()) for (n, _), k in zip(run.layers, m.masks)}} for m in chosen])
        path.write_text(json.dumps(summary, indent=1) + "\n")
    accs = ", ".join(f"{x['accuracy']:.4f}" for x in rep["members"])
    say(f"EDST ensemble of {len(chosen)}: test accuracy {rep['ensemble']['accuracy']:.4f} (members {accs}), disagreement {rep['disagreement']}")
    return result


def _train(run: Run, out_dir: str | Path | None, log: Callable[[str], None], max_steps: int | None, after_step: Callable[[Run], None] | None = None) -> RunResult:
    t0 = time.time()
    config = run.config
    if run.step == 0 and config["tost"]["layerRescaledInit"]["kind"] == "gradinit":
        apply_grad_init(run, run.dense_init, log if run.rank == 0 else None)
    end = run.total if max_steps is None else min(run.total, run.step + max_steps)
    every = config["training"]["evalEvery"]
    history, evals, updates = [], [], []
    say = log if run.rank == 0 else (lambda _m: None)
    say(f"steps {run.step}..{end} of {run.total} ({run.per_epoch} per epoch), {run.world} process(es), active {run.active_counts()}")
    while run.step < end:
        rec = run.train_step()
        history.append(rec)
        if after_step is not None:
            after_step(run)
        if "update" in rec:
            updates.append({"step": rec["step"], **rec["update"]})
        if run.step % every == 0 or run.step == end:
            e = run.evaluate()
            evals.append(e)
            say(f"step {run.step}/{run.total}  loss {rec['loss']:.4f}  test accuracy {e['testAccuracy']:.4f}")
    final = evals[-1]["testAccuracy"] if evals else run.evaluate()["testAccuracy"]
    names = [n for n, _ in run.layers]
    result = RunResult(run.step, final, run.active_counts(), dict(zip(names, run.densities)), history, evals, updates, time.time() - t0)
    if out_dir is not None and run.rank == 0:
        write_results(Path(out_dir), config, result, run)
    return result


def write_results(out: Path, config: dict, r: RunResult, run: Run) -> None:
    out.mkdir(parents=True, exist_ok=True)
    summary = {"config": config, "steps": r.steps, "testAccuracy": r.test_accuracy, "activeCounts": r.active_counts, "densities": r.densities, "processes": run.world, "seconds": r.seconds, "evals": r.evals, "updates": r.updates}
    (out / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    with open(out / "history.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "loss", "lr"])
        for h in r.history:
            w.writerow([h["step"], f"{h['loss']:.6g}", f"{h['lr']:.6g}"])
    torch.save({"model": run.model.state_dict(), "masks": run.masks, "optimizer": run.opt.state_dict(), "step": run.step, "lastUpdate": run.schedule.last_update, "config": config}, out / "model.pt")
    save_safetensors(out / "model.safetensors", run.model, run.masks, config, run.step)
