"""CIFAR-10 and CIFAR-100 (Krizhevsky 2009) for the models only the Python package trains.

Files: the "python version" archives' folders as the CIFAR site and torchvision ship them, in the
data folder: cifar-10-batches-py/ (data_batch_1..5, test_batch) and cifar-100-python/ (train,
test); each a pickle of {b"data": (n, 3072) uint8 rows of 32x32 red, green, blue planes,
b"labels" or b"fine_labels": n ints}. With `download=True` and torchvision installed, a missing
folder is fetched by torchvision.datasets.CIFAR10/100(download=True); nothing downloads otherwise.

Split: the official 10,000 test images are the test split; data.validationSize of the 50,000
training images are held out by the same stratified seeded split as the playground's images
(data.py), and data.trainLimit keeps a seeded subset of the rest. Inputs: (n, 3, 32, 32) floats,
byte / 255, standardised per channel with the training images' mean and std. Augmentation
(data.augment, training batches only): a random crop of the image padded by 4 zero pixels, and a
horizontal flip with probability 1/2, drawn from a torch generator seeded by (seed, step) so every
process and every rerun augments alike.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch

from .data import DataError, ImageDataset, Split, stratified_split
from .rng import Mulberry32, pcg_hash, permutation

FILES = {
    "cifar10": ("cifar-10-batches-py", [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"], b"labels", 10),
    "cifar100": ("cifar-100-python", ["train"], ["test"], b"fine_labels", 100),
}
TRAIN = 50_000


def _read(path: Path, key: bytes) -> tuple[np.ndarray, np.ndarray]:
    if not path.exists():
        raise DataError(f"{path} not found")
    with open(path, "rb") as f:
        d = pickle.load(f, encoding="bytes")
    data = np.asarray(d[b"data"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3072:
        raise DataError(f"{path}: expected rows of 3072 bytes (32x32x3), got shape {data.shape}")
    return data, np.asarray(d[key], dtype=np.int64)


def load_cifar(name: str, data_dir: str | Path, download: bool = False) -> ImageDataset:
    folder, train_files, test_files, key, classes = FILES[name]
    root = Path(data_dir)
    if not (root / folder).exists():
        if not download:
            raise DataError(f"{root / folder} not found: put the CIFAR python archive's folder there, or install torchvision and pass --download")
        try:
            import torchvision  # noqa: PLC0415
        except ImportError as e:
            raise DataError("--download needs torchvision (pip install torchvision), or put the CIFAR folder in the data folder yourself") from e
        (torchvision.datasets.CIFAR10 if name == "cifar10" else torchvision.datasets.CIFAR100)(root=str(root), download=True)
    parts = [_read(root / folder / f, key) for f in train_files + test_files]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    n_train = sum(len(p[1]) for p in parts[: len(train_files)])
    if labels.min() < 0 or labels.max() >= classes:
        raise DataError(f"{root / folder}: labels outside 0..{classes - 1}")
    planes = images[:n_train].reshape(n_train, 3, 1024).astype(np.float64) / 255.0
    mean = tuple(planes.mean(axis=(0, 2)).tolist())
    std = tuple(planes.std(axis=(0, 2)).tolist())
    return ImageDataset(name, images, labels, 32, 32, classes, mean, std, channels=3, train_count=n_train)


def cifar_split(config: dict, ds: ImageDataset) -> Split:
    d = config["data"]
    n_train = ds.train_count
    if d["validationSize"] >= n_train:
        raise DataError(f"data.validationSize {d['validationSize']} leaves none of the {n_train} training images")
    s = stratified_split(ds.labels[:n_train], d["validationSize"], 0, d["seed"])
    train = s.train
    if 0 < d["trainLimit"] < len(train):
        order = permutation(len(train), Mulberry32(d["seed"]))
        train = np.sort(train[order[: d["trainLimit"]]])
    return Split(train=train, val=s.val, test=np.arange(n_train, len(ds.labels)))


def cifar_inputs(ds: ImageDataset, idx: np.ndarray, standardize: bool) -> np.ndarray:
    """(len(idx), 3, 32, 32) float32."""
    x = ds.images[idx].reshape(len(idx), 3, 32, 32).astype(np.float32) / np.float32(255.0)
    if standardize:
        mean = np.asarray(ds.pixel_mean, dtype=np.float32)[None, :, None, None]
        std = np.asarray(ds.pixel_std, dtype=np.float32)[None, :, None, None]
        x = (x - mean) / std
    return x


def augment(x: torch.Tensor, seed: int, step: int) -> torch.Tensor:
    """Random 4-pixel-padded crops and horizontal flips of a batch (n, c, h, w), seeded by (seed, step)."""
    g = torch.Generator().manual_seed(pcg_hash(seed ^ (step & 0xFFFFFFFF)))
    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (4, 4, 4, 4))
    dy = torch.randint(0, 9, (n,), generator=g)
    dx = torch.randint(0, 9, (n,), generator=g)
    flip = torch.rand(n, generator=g) < 0.5
    out = torch.stack([padded[i, :, dy[i] : dy[i] + h, dx[i] : dx[i] + w] for i in range(n)])
    out[flip] = out[flip].flip(3)
    return out
