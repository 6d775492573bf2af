"""The Python package reproduces the TypeScript engine's numbers exactly (values computed by
tests/python/reference.ts; `npm run schema` regenerates them, a unit test checks they are current)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sparse_playground.config import parse_config
from sparse_playground.data import config_split, epoch_indices, fnv_digest, load_image_dataset
from sparse_playground.densities import active_counts, allocate
from sparse_playground.dst import update_layer
from sparse_playground.gradinit import draws
from sparse_playground.init import initial_layer
from sparse_playground.rng import Mulberry32, member_seed, normals, pcg_hash, stream_seed
from sparse_playground.schedules import MaskSchedule, lr_at, prune_grow_counts
from sparse_playground.tost import Activation, smooth_activation_at

SHAPES = {
    "mlp-2-8-3": [(8, 2), (3, 8)],
    "mlp-2-32-32-3": [(32, 2), (32, 32), (3, 32)],
    "lenet-300-100": [(300, 784), (100, 300), (10, 100)],
    "lenet5-caffe": [(20, 1, 5, 5), (50, 20, 5, 5), (500, 800), (10, 500)],
}
RULES = {
    "erk": {"kind": "erk", "powerScale": 1},
    "erk-p0.5": {"kind": "erk", "powerScale": 0.5},
    "er": {"kind": "er"},
    "er-eps20": {"kind": "er", "epsilon": 20},
    "uniform": {"kind": "uniform", "denseFirst": False, "denseLast": False},
    "uniform-dense-first-last": {"kind": "uniform", "denseFirst": True, "denseLast": True},
}


def test_streams(reference):
    s = reference["streams"]
    assert [[x, pcg_hash(x)] for x, _ in s["pcgHash"]] == s["pcgHash"]
    r = Mulberry32(s["mulberry32"]["seed"])
    assert [r.next() for _ in range(6)] == s["mulberry32"]["uniform"]
    assert normals(s["normal"]["seed"], 6).tolist() == s["normal"]["values"]
    for m in s["memberSeeds"]:
        assert member_seed(1, m["member"]) == m["seed"]
        for stream in ("init", "mask", "data-order", "regrow", "reinit"):
            assert stream_seed(1, m["member"], stream) == m[stream]
    g = s["gradInitDraws"]
    got = draws(g["seed"], np.array(g["train"]), g["batch"], len(g["draws"]))
    assert [[a.tolist(), b.tolist()] for a, b in got] == g["draws"]


def test_configs_complete_like_parse_config(reference):
    for case in reference["configs"]:
        assert parse_config(case["input"]) == case["parsed"], case["name"]


@pytest.mark.parametrize("name", ["default", "limited"])
def test_splits_and_batch_order(reference, data_dir, name):
    case = reference["splits"][name]
    ds = load_image_dataset("mnist", data_dir)
    split = config_split(parse_config(case["config"]), ds.labels)
    for part in ("train", "val", "test"):
        got = getattr(split, part)
        assert len(got) == case[part]["length"] and got[:12].tolist() == case[part]["head"] and fnv_digest(got) == case[part]["digest"], part
    for e in case["epochs"]:
        order = np.concatenate([epoch_indices(split.train, seed, e["epoch"], 128) for seed in case["dataOrderSeeds"]])
        assert order[:12].tolist() == e["head"] and fnv_digest(order) == e["digest"], e["epoch"]


def test_densities_and_counts(reference):
    for d in reference["densities"]:
        shapes = SHAPES[d["model"]]
        got = allocate(shapes, d["density"], RULES[d["rule"]])
        assert got == d["densities"], (d["model"], d["rule"], d["density"])
        assert active_counts(shapes, got) == d["counts"]


def test_schedules(reference):
    s = reference["schedules"]
    kinds = {
        "constant": {"kind": "constant"},
        "multistep": {"kind": "multistep", "milestones": [0.5, 0.75], "gamma": 0.1},
        "cosine": {"kind": "cosine", "minLr": 0.001, "warmupSteps": 50},
        "onecycle": {"kind": "onecycle", "div": 25, "finalDiv": 1e4, "pctStart": 0.3},
    }
    for kind, values in s["lr"].items():
        config = {"training": {"optimizer": {"lr": 0.1}, "schedule": kinds[kind]}}
        assert [lr_at(config, t, s["totalSteps"]) for t in s["steps"]] == values, kind
    d = s["drop"]["schedule"]
    ms = MaskSchedule({"dst": {"deltaT": d["deltaT"], "dropFraction": d["alpha"], "decay": d["decay"], "tEndFraction": d["tEnd"] / s["totalSteps"], "beginStep": d["beginStep"]}}, s["totalSteps"])
    assert [ms.drop_fraction(t) for t in s["steps"]] == s["drop"]["values"]
    u = s["updateSteps"]
    ms = MaskSchedule({"dst": {"deltaT": u["deltaT"], "dropFraction": 0.3, "decay": "cosine", "tEndFraction": u["tEnd"] / s["totalSteps"], "beginStep": u["beginStep"]}}, s["totalSteps"])
    steps = []
    for t in range(s["totalSteps"]):
        if ms.is_update(t):
            steps.append(t)
            ms.last_update = t
    assert steps == u["steps"]
    for c in s["pruneGrow"]:
        assert prune_grow_counts(c["nnz"], c["target"], c["fraction"], c["numel"]) == (c["prune"], c["grow"])


def test_initial_weights_and_masks_are_the_browsers(reference):
    for case in reference["initial"]:
        shapes = SHAPES[case["model"]]
        densities = allocate(shapes, case["density"], RULES[case["rule"]])
        assert active_counts(shapes, densities) == case["activeCounts"]
        for li, shape in enumerate(shapes):
            taps = math.prod(shape[2:])
            fan_in, fan_out = shape[1] * taps, shape[0] * taps
            fan = fan_in if case["scheme"] == "he" else (fan_in + fan_out) / 2
            std = math.sqrt((2 if case["scheme"] == "he" else 1) / fan) / (math.sqrt(max(densities[li], 1e-6)) if case["sparseAwareInit"] else 1)
            for m in range(case["members"]):
                w, mask, _ = initial_layer(case["seed"], m, li, math.prod(shape), densities[li], std)
                want = case["layers"][li][m]
                assert fnv_digest(w.view(np.uint32)) == want["weightsDigest"], (case["model"], li, m)
                assert fnv_digest(mask.view(np.uint32)) == want["maskDigest"], (case["model"], li, m)
                if "weights" in want:
                    assert w.tolist() == want["weights"] and mask.tolist() == want["mask"]


def test_mask_updates_match_the_gpu_reference(reference):
    for case in reference["maskUpdates"]:
        b, a = case["before"], case["after"]
        w = torch.tensor(b["weights"], dtype=torch.float32)
        mask = torch.tensor(b["mask"], dtype=torch.float32)
        state = torch.tensor(b["state"], dtype=torch.float32)
        r = case["random"]
        update_layer(w, mask, case["prune"], case["grow_count"], case["grow"], grad=torch.tensor(b["grad"]), random=(r["seed"], r["step"], r["member"], r["layer"]), states=(state,))
        assert mask.tolist() == a["mask"], (case["grow"], case["prune"])
        assert w.tolist() == a["weights"] and state.tolist() == a["state"]


def test_tost_smooth_activation_schedule(reference):
    for case in reference["tost"]["schedules"]:
        for t, want in case["at"]:
            kind, beta = smooth_activation_at(case["smooth"], t, case["total"])
            assert kind == want["kind"], (case["smooth"], case["total"], t)
            assert beta == pytest.approx(want["beta"], rel=1e-12), (case["smooth"], case["total"], t)


def test_activations_and_their_gradients(reference):
    for case in reference["tost"]["activations"]:
        act = Activation(case["kind"])
        act.beta = case["beta"]
        x = torch.tensor(case["x"], dtype=torch.float32, requires_grad=True)
        y = act(x)
        y.sum().backward()
        assert y.detach().numpy() == pytest.approx(np.array(case["f"], dtype=np.float32), rel=1e-6, abs=1e-7), case["kind"]
        assert x.grad.numpy() == pytest.approx(np.array(case["df"], dtype=np.float32), rel=1e-5, abs=1e-7), case["kind"]
