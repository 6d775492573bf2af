"""The playground's image datasets, splits and batch order, exactly as src/data and src/engine/from-config.ts make them.

Files: `npm run data` writes public/data/ (docs/DATA.md): datasets.json (the manifest: counts,
sha256, pixel mean and std) and per dataset <name>.images.bin (u8, count x 784, row-major 28x28)
and <name>.labels.bin (u8, count). A file that does not match the manifest is refused with the
file's name and what to do.

Split (src/data/splits.ts): stratified and seeded by data.seed; train limit: a seeded subset.
Batch order (src/data/shuffle.ts): member m's order in epoch e is a forward Fisher-Yates of the
training indices seeded by epoch_seed(data-order stream of m, e), stopped after
floor(n / batch) * batch draws (the partial last batch is dropped).
Inputs: x = (byte / 255 - mean) / std with the manifest's mean and std ("standardize"), or byte / 255.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .rng import Mulberry32, partial_shuffle, pcg_hash, permutation

HINT = "regenerate the files with `npm run data` in the playground's repository, or pass --data DIR"


class DataError(ValueError):
    pass


@dataclass
class ImageDataset:
    name: str
    images: np.ndarray  # (count, channels*height*width) uint8
    labels: np.ndarray  # (count,) int64
    width: int
    height: int
    classes: int
    pixel_mean: float | tuple[float, ...]  # one value, or one per channel (CIFAR)
    pixel_std: float | tuple[float, ...]
    channels: int = 1
    train_count: int = 0  # CIFAR: images before this index are the official training set


def load_image_dataset(name: str, data_dir: str | Path, verify: bool = True) -> ImageDataset:
    d = Path(data_dir)
    manifest_file = d / "datasets.json"
    if not manifest_file.exists():
        raise DataError(f"{manifest_file} not found; {HINT}")
    manifest = json.loads(manifest_file.read_text())
    entry = next((x for x in manifest.get("datasets", []) if x.get("name") == name), None)
    if entry is None:
        raise DataError(f'{manifest_file} has no dataset "{name}"; {HINT}')

    def read(f: dict) -> bytes:
        path = d / f["file"]
        if not path.exists():
            raise DataError(f"{path} not found; {HINT}")
        b = path.read_bytes()
        if len(b) != f["bytes"]:
            raise DataError(f"{f['file']}: expected {f['bytes']} bytes but got {len(b)}; {HINT}")
        if verify and hashlib.sha256(b).hexdigest() != f["sha256"]:
            raise DataError(f"{f['file']}: sha256 does not match datasets.json; {HINT}")
        return b

    hw = entry["width"] * entry["height"]
    images = np.frombuffer(read(entry["images"]), dtype=np.uint8).reshape(entry["count"], hw)
    labels = np.frombuffer(read(entry["labels"]), dtype=np.uint8).astype(np.int64)
    counts = np.bincount(labels, minlength=entry["classes"]).tolist()
    if counts != entry["classCounts"]:
        raise DataError(f"{entry['labels']['file']}: class counts {counts} do not match datasets.json; {HINT}")
    return ImageDataset(name, images, labels, entry["width"], entry["height"], entry["classes"], entry["pixelMean"], entry["pixelStd"])


@dataclass
class Split:
    train: np.ndarray  # dataset indices, ascending
    val: np.ndarray
    test: np.ndarray


def stratified_split(labels: np.ndarray, val: int, test: int, seed: int) -> Split:
    """src/data/splits.ts stratifiedSplit: systematic stratified sampling with one seeded stream."""
    n = len(labels)
    rng = Mulberry32(seed)
    classes = int(labels.max()) + 1 if n else 0
    key = np.zeros(n)
    for c in range(classes):
        members = np.flatnonzero(labels == c)
        nc = len(members)
        if nc == 0:
            continue
        order = permutation(nc, rng)
        u = rng.next()
        key[members[order]] = (np.arange(nc) + u) / nc
    order = np.lexsort((np.arange(n), key))  # by key, ties by index
    return Split(train=np.sort(order[val + test :]), val=np.sort(order[:val]), test=np.sort(order[val : val + test]))


def config_split(config: dict, labels: np.ndarray) -> Split:
    """The split a config's `data` section describes (src/engine/from-config.ts makeSplit, image datasets)."""
    d = config["data"]
    split = stratified_split(labels, d["validationSize"], d["testSize"], d["seed"])
    limit = d["trainLimit"]
    if limit == 0 or limit >= len(split.train):
        return split
    order = permutation(len(split.train), Mulberry32(d["seed"]))
    return Split(train=np.sort(split.train[order[:limit]]), val=split.val, test=split.test)


def epoch_seed(member_seed: int, epoch: int) -> int:
    return pcg_hash(pcg_hash(member_seed) ^ (((epoch + 1) * 0x9E3779B9) & 0xFFFFFFFF))


def steps_per_epoch(n: int, batch: int) -> int:
    return n // batch


def epoch_indices(train: np.ndarray, seed: int, epoch: int, batch: int) -> np.ndarray:
    """One member's batch order for one epoch: steps_per_epoch * batch dataset indices."""
    stride = steps_per_epoch(len(train), batch) * batch
    return partial_shuffle(train, stride, Mulberry32(epoch_seed(seed, epoch)))


def inputs(ds: ImageDataset, idx: np.ndarray, standardize: bool) -> np.ndarray:
    """Network inputs (len(idx), height*width) float32 for dataset indices idx."""
    x = ds.images[idx].astype(np.float32) / np.float32(255.0)
    if standardize:
        x = (x - np.float32(ds.pixel_mean)) * np.float32(1.0 / ds.pixel_std)
    return x


def fnv_digest(words: np.ndarray) -> int:
    """FNV-1a over uint32 words (the fixture digest of tests/python/reference.ts)."""
    h = 0x811C9DC5
    for w in np.asarray(words).astype(np.uint32).tolist():
        h = ((h ^ w) * 16777619) & 0xFFFFFFFF
    return h


