"""Masks at initialisation: magnitude and the scoring batch are the browser's exactly (values from
tests/python/reference.ts); SNIP, GraSP and SynFlow keep exact counts per layer or in total, and
SynFlow's scores match their closed form on a linear network."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from sparse_playground import parse_config
from sparse_playground.data import config_split, fnv_digest, load_image_dataset
from sparse_playground.densities import active_counts, allocate
from sparse_playground.init import initial_layer
from sparse_playground.init_masks import balanced_batch, keep_top_k, synflow_gradient
from sparse_playground.rng import stream_seed
from sparse_playground.train import Run
from test_train import SMALL

LENET = [(300, 784), (100, 300), (10, 100)]


def test_magnitude_masks_are_the_browsers(reference):
    r = reference["initMasks"]["magnitude"]
    densities = allocate(LENET, r["density"], {"kind": "erk", "powerScale": 1})
    counts = active_counts(LENET, densities)
    dense = []
    for li, shape in enumerate(LENET):
        _, _, w = initial_layer(r["seed"], 0, li, math.prod(shape), densities[li], math.sqrt(2 / shape[1]))
        dense.append(torch.from_numpy(w).double().abs())
    for scope, k in (("perLayer", counts), ("global", sum(counts))):
        masks = keep_top_k(dense, k)
        got = [{"active": int(m.sum()), "digest": fnv_digest(m.numpy().astype(np.float32).view(np.uint32))} for m in masks]
        assert got == r[scope], scope


def test_the_scoring_batch_is_the_browsers(reference, data_dir):
    ds = load_image_dataset("mnist", data_dir)
    split = config_split(parse_config({"version": 1, "data": {"dataset": "mnist"}}), ds.labels)
    b = balanced_batch(ds.labels, split.train, 10, stream_seed(1, 0, "mask"), 10)
    want = reference["initMasks"]["balancedBatch"]
    assert b[:12].tolist() == want["head"] and fnv_digest(b) == want["digest"] and len(b) == want["length"]


def test_synflow_scores_match_their_closed_form():
    # R = 1ᵀ |W2| |W1| 1 (no biases, identity activations): dR/dW1[j, i] = Σ_k |W2[k, j]|, dR/dW2[k, j] = Σ_i |W1[j, i]|.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    layers = [("dense1", model[0]), ("dense2", model[2])]
    dense = [model[0].weight.detach().clone(), model[2].weight.detach().clone()]
    d = synflow_gradient(model, layers, dense, [torch.ones(20), torch.ones(12)], (5,))
    w1, w2 = dense[0].abs().double(), dense[1].abs().double()
    assert torch.allclose(d[0].view(4, 5), w2.sum(0)[:, None].expand(4, 5))
    assert torch.allclose(d[1].view(3, 4), w1.sum(1)[None, :].expand(3, 4))


def test_every_mask_at_init_keeps_exact_counts(data_dir):
    base = Run(parse_config(SMALL), data_dir).active_counts()
    for kind in ("magnitude", "snip", "grasp", "synflow"):
        extra = {"rounds": 3} if kind == "synflow" else {"samplesPerClass": 4} if kind in ("snip", "grasp") else {}
        per = Run(parse_config({**SMALL, "sparsity": {**SMALL["sparsity"], "mask": {"kind": kind, "scope": "per-layer", **extra}}}), data_dir)
        assert per.active_counts() == base, kind
        assert all(torch.all(mod.weight[m == 0] == 0) for (_, mod), m in zip(per.layers, per.masks))
        glob = Run(parse_config({**SMALL, "sparsity": {**SMALL["sparsity"], "mask": {"kind": kind, "scope": "global", **extra}}}), data_dir)
        assert sum(glob.active_counts().values()) == sum(base.values()), kind
        assert glob.targets == list(glob.active_counts().values())
        rnd = Run(parse_config(SMALL), data_dir)
        assert not torch.equal(per.masks[0], rnd.masks[0])


def test_an_ensemble_with_global_scope_takes_member_0s_counts(data_dir):
    config = parse_config({**SMALL, "sparsity": {**SMALL["sparsity"], "mask": {"kind": "snip", "scope": "global", "samplesPerClass": 4}}, "ensemble": {"mode": "dst", "members": 2}})
    first = Run(config, data_dir, member=0)
    second = Run(config, data_dir, member=1, data=first.data)
    assert second.active_counts() == first.active_counts()
    assert not torch.equal(first.masks[0], second.masks[0])
