"""Training runs: a small RigL and SET run learn and keep exact counts; two processes with DDP (gloo)
hold identical masks after every update and give one process's losses on the same global batch."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys

import pytest
import torch

from conftest import ROOT
from sparse_playground import parse_config, train
from sparse_playground.train import Run

SMALL = {
    "version": 1,
    "seed": 3,
    "data": {"dataset": "mnist", "trainLimit": 1024, "validationSize": 200, "testSize": 500},
    "model": {"kind": "mlp", "hidden": [64]},
    "sparsity": {"target": 0.9},
    "dst": {"method": "rigl", "deltaT": 5, "tEndFraction": 0.8},
    "training": {"epochs": 3, "batchSize": 64, "evalEvery": 16, "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.9}},
}


def small(**dst) -> dict:
    return parse_config({**SMALL, "dst": {**SMALL["dst"], **dst}})


@pytest.mark.parametrize("method", ["rigl", "set"])
def test_a_sparse_run_learns_and_keeps_its_counts(data_dir, method):
    r = train(small(method=method), data_dir, log=lambda _m: None)
    assert r.steps == 48 and len(r.updates) == 8  # updates at 0, 5, ..., 35 (T_end = 38)
    counts = list(r.active_counts.values())
    assert counts == [4674, 408]  # ERK at 90 %: densities 0.0931 and 0.637 of 784x64 and 64x10 (5082 of 50816 weights)
    assert all(u["active"] == counts for u in r.updates)
    assert r.history[-1]["loss"] < 0.6 * r.history[0]["loss"]
    assert r.test_accuracy > 0.75
    assert all(u["pruned"][0] > 0 for u in r.updates[:-1])


def test_dense_and_static_runs(data_dir):
    dense = train(parse_config({**SMALL, "sparsity": {"target": 0}, "dst": {"method": "dense"}}), data_dir, log=lambda _m: None)
    assert dense.active_counts == {"dense1": 784 * 64, "dense2": 640} and dense.updates == []
    static = train(small(method="static"), data_dir, log=lambda _m: None)
    assert static.updates == [] and static.test_accuracy > 0.7


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WORKER = r"""
import json, os, sys
import torch, torch.distributed as dist
sys.path.insert(0, os.environ["STP_PACKAGE"])
from sparse_playground import parse_config, train
from sparse_playground.train import Run
from sparse_playground.train import Run
dist.init_process_group("gloo")
config = parse_config(json.loads(os.environ["STP_CONFIG"]))
run = Run(config, os.environ["STP_DATA"])
losses, masks = [], []
while run.step < run.total:
    rec = run.train_step()
    losses.append(rec["loss"])
    if "update" in rec:
        masks.append([m.flatten().nonzero().flatten().tolist() for m in run.masks])
out = {"losses": losses, "masks": masks, "counts": run.active_counts()}
open(os.path.join(os.environ["STP_OUT"], f"rank{dist.get_rank()}.json"), "w").write(json.dumps(out))
dist.destroy_process_group()
"""


def test_two_processes_agree_with_one(data_dir, tmp_path):
    config = small(method="rigl")
    env = {**os.environ, "STP_PACKAGE": str(ROOT / "python"), "STP_CONFIG": json.dumps(config), "STP_DATA": str(data_dir), "STP_OUT": str(tmp_path), "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port()), "WORLD_SIZE": "2", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER], env={**env, "RANK": str(r), "LOCAL_RANK": str(r)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for r in range(2)]
    outputs = [p.communicate(timeout=240)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(outputs)
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert ranks[0]["masks"] == ranks[1]["masks"] and len(ranks[0]["masks"]) == 8
    assert ranks[0]["losses"] == ranks[1]["losses"]

    one = Run(config, data_dir)
    losses = []
    while one.step < one.total:
        losses.append(one.train_step()["loss"])
    assert one.active_counts() == ranks[0]["counts"]
    assert torch.allclose(torch.tensor(losses), torch.tensor(ranks[0]["losses"]), rtol=1e-4, atol=1e-6)


def test_a_trained_model_exports_to_safetensors_and_loads_in_one_line(data_dir, tmp_path):
    import struct

    from sparse_playground import load_model

    r = train(small(method="set"), data_dir, out_dir=tmp_path, log=lambda _m: None)
    raw = (tmp_path / "model.safetensors").read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    assert n % 8 == 0 and header["0.weight"] == {"dtype": "F32", "shape": [64, 784], "data_offsets": [0, 64 * 784 * 4]}
    assert header["0.weight_mask"]["shape"] == [64, 784] and json.loads(header["__metadata__"]["config"])["dst"]["method"] == "set"

    model, masks = load_model(tmp_path / "model.safetensors")
    saved = torch.load(tmp_path / "model.pt")
    assert all(torch.equal(model.state_dict()[k], v) for k, v in saved["model"].items())
    assert {k: int(m.sum()) for k, m in masks.items()} == r.active_counts
    assert torch.all(model[0].weight[masks["dense1"] == 0] == 0)


def test_a_dst_ensemble_trains_members_from_their_own_streams(data_dir, tmp_path):
    from sparse_playground.ensemble import disagreement, metrics

    config = parse_config({**SMALL, "ensemble": {"mode": "dst", "members": 2}})
    r = train(config, data_dir, out_dir=tmp_path, log=lambda _m: None)
    assert len(r.members) == 2 and r.members[0].active_counts == r.members[1].active_counts  # same ERK counts
    assert r.members[0].history[0]["loss"] != r.members[1].history[0]["loss"]  # other weights, other batches
    rep = json.loads((tmp_path / "results.json").read_text())["ensemble"]
    assert rep["ensemble"]["accuracy"] == r.test_accuracy and 0 < rep["disagreement"] < 1
    assert (tmp_path / "member2" / "model.safetensors").exists()
    # the metrics on a hand-made case: two examples, two classes
    p = torch.tensor([[0.9, 0.1], [0.4, 0.6]])
    m = metrics(p, torch.tensor([0, 0]))
    assert m["accuracy"] == 0.5 and abs(m["nll"] - (-(torch.log(torch.tensor(0.9)) + torch.log(torch.tensor(0.4))) / 2).item()) < 1e-6
    assert abs(m["ece"] - (abs(1 - 0.9) + abs(0 - 0.6)) / 2) < 1e-6
    assert disagreement([p, p.flip(1)]) == 1.0 and disagreement([p]) is None


def test_snfs_updates_after_each_epoch_and_grows_by_momentum(data_dir):
    r = train(parse_config({**SMALL, "dst": {"method": "snfs"}}), data_dir, log=lambda _m: None)
    assert [u["step"] for u in r.updates] == [15, 31]  # 16 steps per epoch, none after the last epoch
    counts = list(r.active_counts.values())
    assert all(u["active"] == counts for u in r.updates)
    assert abs(r.updates[0]["fraction"] - (0.005 + 0.495 / 2 * (1 + math.cos(math.pi * 15 / 48)))) < 1e-12


def test_the_port_compatible_style_steps_on_update_steps_with_dense_momentum(data_dir):
    config = parse_config({**SMALL, "dst": {**SMALL["dst"], "portCompatible": True}})
    run = Run(config, data_dir)
    rec = run.train_step()  # step 0 is an update step: the optimizer steps too
    assert "update" in rec and run.opt.steps == 1
    w = run.layers[0][1].weight
    assert torch.all(w[run.masks[0] == 0] == 0)
    assert float(run.opt.state1[0][run.masks[0] == 0].abs().sum()) > 0  # momentum of inactive weights too
    plain = Run(parse_config(SMALL), data_dir)
    plain.train_step()
    assert plain.opt.steps == 0  # RigL's own order: the update replaces the step


def test_ghost_skips_train_then_are_removed_at_their_end_step(data_dir):
    """ToST ghost skips (ghost.py): G starts at initScale, trains while alpha > 0, and from step
    E = round(endFraction * T) it is zero, its mask is zero and the optimizer keeps it there."""
    run = Run(parse_config({**SMALL, "tost": {"ghostSkip": {"enabled": True, "initScale": 0.01, "endFraction": 0.25}}}), data_dir)
    assert run.ghosts.end == 12 and len(run.ghosts.params) == 2
    assert [tuple(g.shape) for g in run.ghosts.params] == [(64, 784), (10, 64)]
    assert all(bool((g == 0.01).all()) for g in run.ghosts.params)
    for _ in range(12):
        run.train_step()
    assert all(not bool((g == 0.01).all()) and bool(g.ne(0).any()) for g in run.ghosts.params)  # trained
    assert run.ghosts.hooks[0].alpha == pytest.approx((1 + math.cos(math.pi * 11 / 12)) / 2)
    for _ in range(6):
        run.train_step()
    assert run.ghosts.hooks[0].alpha == 0 and not run.ghosts.alive
    assert all(bool((g == 0).all()) for g in run.ghosts.params)


def test_a_conv_ghost_is_a_centre_cropped_1x1_conv():
    """Beside LeNet-5-Caffe's valid 5x5 convs the bypass is a 1x1 conv cropped by 2 on every side."""
    from torch.nn import functional as F

    from sparse_playground.ghost import add_ghosts
    from sparse_playground.models import lenet5_caffe, weight_layers

    torch.manual_seed(0)
    model = lenet5_caffe()
    layers = weight_layers(model)
    hooks = add_ghosts(layers, 0.0)
    conv = layers[0][1]
    assert tuple(conv.ghost.shape) == (20, 1, 1, 1)
    with torch.no_grad():
        conv.ghost.normal_()
    x = torch.randn(2, 1, 28, 28)
    hooks[0].alpha = 0.3
    want = F.conv2d(x, conv.weight, conv.bias) + 0.3 * torch.einsum("oc,bchw->bohw", conv.ghost[:, :, 0, 0], x)[:, :, 2:26, 2:26]
    assert torch.allclose(conv(x), want, atol=1e-5)


def test_the_edst_plan_is_the_browsers():
    """src/ensemble/edst-plan.ts on t_ex = 2, M = 3, t_re = 3 at 10 steps per epoch: lr 0.1 / 0.01 / 0.001,
    explorations after the last step of refinement phases 1 and 2, validation after every refinement epoch."""
    from sparse_playground.edst import edst_plan, plan_lr

    config = parse_config({**SMALL, "ensemble": {"mode": "edst", "members": 3, "explorationEpochs": 2, "exploreRate": 0.5}, "training": {**SMALL["training"], "epochs": 11, "schedule": {"kind": "constant"}}})
    plan = edst_plan(config, 10)
    assert plan.total_steps == 110
    assert plan.lr_steps == [(0, 0.1), (20, 0.01), (30, 0.001), (50, 0.01), (60, 0.001), (80, 0.01), (90, 0.001)]
    assert plan.explorations == {49: 0.5, 79: 0.5}
    assert plan.validation_steps == {29: 0, 39: 0, 49: 0, 59: 1, 69: 1, 79: 1, 89: 2, 99: 2, 109: 2}
    assert [plan_lr(plan, t) for t in (0, 19, 20, 29, 30, 49, 50, 109)] == [0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 0.01, 0.001]
