"""A run's data: the dataset a config names, its split, the browser's batch order, and the
network inputs of a batch (with CIFAR's augmentation on training batches).

MNIST / Fashion-MNIST: the playground's binaries and split (data.py); inputs (n, 784).
CIFAR-10 / 100: cifar.py; inputs (n, 3, 32, 32). Both use the same seeded batch order.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch

from .cifar import augment, cifar_inputs, cifar_split, load_cifar
from .data import config_split, epoch_indices, inputs, load_image_dataset, steps_per_epoch
from .rng import stream_seed

EVAL_CHUNK = 500  # evaluation batches: a CIFAR model's activations for 10,000 images at once would not fit


class RunData:
    def __init__(self, config: dict, data_dir: str | Path, download: bool = False, member: int = 0) -> None:
        d = config["data"]
        self.config_seed = config["seed"]
        self.cifar = d["dataset"].startswith("cifar")
        if self.cifar:
            self.ds = load_cifar(d["dataset"], data_dir, download)
            self.split = cifar_split(config, self.ds)
        else:
            self.ds = load_image_dataset(d["dataset"], data_dir)
            self.split = config_split(config, self.ds.labels)
        self.standardize = d["normalize"] == "standardize"
        self.augment = self.cifar and d["augment"]
        self.batch = config["training"]["batchSize"]
        self.per_epoch = steps_per_epoch(len(self.split.train), self.batch)
        self.data_seed = stream_seed(config["seed"], member, "data-order")  # each ensemble member its own order
        self._order: tuple[int, np.ndarray] | None = None
        self.eval_idx = self.split.test if len(self.split.test) > 0 else self.split.val

    def for_member(self, member: int) -> "RunData":
        """The same loaded data with member `member`'s batch order (no second load)."""
        other = copy.copy(self)
        other.data_seed = stream_seed(self.config_seed, member, "data-order")
        other._order = None
        return other

    @property
    def input_dim(self) -> int:
        return self.ds.channels * self.ds.width * self.ds.height

    def batch_indices(self, t: int) -> np.ndarray:
        """The global batch of step t (dataset indices), the browser's order."""
        epoch, s = divmod(t, self.per_epoch)
        if self._order is None or self._order[0] != epoch:
            self._order = (epoch, epoch_indices(self.split.train, self.data_seed, epoch, self.batch))
        return self._order[1][s * self.batch : (s + 1) * self.batch]

    def x(self, idx: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(cifar_inputs(self.ds, idx, self.standardize) if self.cifar else inputs(self.ds, idx, self.standardize))

    def y(self, idx: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(self.ds.labels[idx])

    def train_x(self, idx: np.ndarray, step: int, rank: int) -> torch.Tensor:
        x = self.x(idx)
        return augment(x, self.data_seed ^ (rank * 0x9E3779B9 & 0xFFFFFFFF), step) if self.augment else x

    def eval_chunks(self, indices: np.ndarray | None = None):
        """(inputs, labels) of the evaluation split (or of `indices`) in chunks."""
        indices = self.eval_idx if indices is None else indices
        for i in range(0, len(indices), EVAL_CHUNK):
            idx = indices[i : i + EVAL_CHUNK]
            yield self.x(idx), self.y(idx)
