"""CIFAR data and models (Python package only), on small CIFAR-format data built here (no download):
the official test batch is the test split, the validation split is stratified and seeded,
augmentation is seeded by the step, every model has the papers' shape, and a sparse ResNet-32 with
BatchNorm trains under RigL with exact counts in every conv."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from sparse_playground import parse_config
from sparse_playground.cifar import augment, cifar_split, load_cifar
from sparse_playground.cifar_models import build_cifar_model
from sparse_playground.data import DataError
from sparse_playground.models import weight_layers
from sparse_playground.train import Run


@pytest.fixture(scope="module")
def cifar_dir(tmp_path_factory):
    """CIFAR-10's folder layout with 5 x 64 training and 100 test images; class c is tinted by colour c."""
    root = tmp_path_factory.mktemp("cifar")
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)

    def batch(n: int) -> dict:
        labels = rng.integers(0, 10, n)
        img = rng.integers(0, 120, (n, 3, 32, 32))
        for i, c in enumerate(labels):
            img[i, c % 3] += 60 + 12 * c  # a class signal in one channel
        return {b"data": img.reshape(n, 3072).astype(np.uint8), b"labels": labels.tolist()}

    for i in range(1, 6):
        (folder / f"data_batch_{i}").write_bytes(pickle.dumps(batch(64)))
    (folder / "test_batch").write_bytes(pickle.dumps(batch(100)))
    return root


CONFIG = {
    "version": 1,
    "data": {"dataset": "cifar10", "validationSize": 40},
    "model": {"kind": "resnet32"},
    "sparsity": {"target": 0.9},
    "dst": {"method": "rigl", "deltaT": 3, "tEndFraction": 0.8},
    "training": {"epochs": 2, "batchSize": 32, "evalEvery": 9, "optimizer": {"kind": "sgd", "lr": 0.05}},
}


def test_split_and_augmentation(cifar_dir):
    config = parse_config(CONFIG)
    ds = load_cifar("cifar10", cifar_dir)
    assert ds.images.shape == (420, 3072) and ds.train_count == 320 and len(ds.pixel_mean) == 3
    s = cifar_split(config, ds)
    assert len(s.val) == 40 and len(s.train) == 280 and s.test.tolist() == list(range(320, 420))
    assert not set(s.val) & set(s.train) and max(s.train) < 320
    x = torch.rand(8, 3, 32, 32)
    assert torch.equal(augment(x, 5, 7), augment(x, 5, 7)) and not torch.equal(augment(x, 5, 7), augment(x, 5, 8))
    assert augment(x, 5, 7).shape == x.shape


def test_a_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(DataError, match="put the CIFAR python archive's folder there, or install torchvision and pass --download"):
        load_cifar("cifar100", tmp_path)


@pytest.mark.parametrize("kind, weights, layers", [("resnet18", 11_164_352, 21), ("resnet32", 464_432, 34), ("vgg16", 14_977_728, 15), ("wrn-28-10", 36_461_232, 29)])
def test_the_models_have_the_papers_shapes(kind, weights, layers):
    m = build_cifar_model(kind, 10)
    w = weight_layers(m)
    assert sum(mod.weight.numel() for _, mod in w) == weights and len(w) == layers
    assert any(isinstance(x, torch.nn.BatchNorm2d) for x in m.modules())
    m.eval()
    assert m(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_a_sparse_resnet32_trains_with_exact_counts(cifar_dir):
    run = Run(parse_config(CONFIG), cifar_dir)
    start = run.active_counts()
    bn = [p for p in run.model.modules() if isinstance(p, torch.nn.BatchNorm2d)][0].weight.detach().clone()
    losses = []
    while run.step < run.total:
        rec = run.train_step()
        losses.append(rec["loss"])
        assert run.active_counts() == start
    assert run.total == 16 and sum(start.values()) < 0.11 * 464_432
    assert all(float((mod.weight[m == 0] != 0).sum()) == 0 for (_, mod), m in zip(run.layers, run.masks))
    assert not torch.equal(bn, [p for p in run.model.modules() if isinstance(p, torch.nn.BatchNorm2d)][0].weight)  # BatchNorm trains, unmasked
    assert min(losses[-4:]) < losses[0]
    e = run.evaluate()
    assert 0 <= e["testAccuracy"] <= 1 and np.isfinite(e["testLoss"])
