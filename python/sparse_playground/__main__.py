"""Command line: python -m sparse_playground <config.json> [--data DIR] [--out DIR] [--set path=value]...
              python -m sparse_playground --continue RUNNER_OUT_DIR [--max-steps N] [--out DIR]

One process:  python -m sparse_playground experiments/mnist-lenet300-rigl-90.json
N processes:  torchrun --nproc_per_node=N -m sparse_playground experiments/mnist-lenet300-rigl-90.json
(torchrun sets WORLD_SIZE; the process group is gloo on CPU, nccl when CUDA is there.)
A config this package cannot honour exits with status 2 and one line per field: "path: why".
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist

from .config import ConfigInvalid, load_config
from .checkpoint import CheckpointError
from .data import DataError
from .train import continue_browser_run, train


def default_data_dir() -> Path:
    """STP_DATA, else the playground's public/data next to this package (a checkout of the repository)."""
    env = os.environ.get("STP_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "public" / "data"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sparse_playground", description="Train a Sparse Training Playground experiment config with PyTorch.")
    p.add_argument("config", nargs="?", help="experiment config JSON (the runner's format; the playground's Export)")
    p.add_argument("--continue", dest="resume", type=Path, default=None, metavar="DIR", help="continue the browser run whose checkpoint `npm run experiment -- ... --out DIR` saved in DIR (no config then)")
    p.add_argument("--data", type=Path, default=None, help="folder with datasets.json and the .bin files of `npm run data` (default: $STP_DATA or the repository's public/data)")
    p.add_argument("--out", type=Path, default=None, help="write results.json, history.csv and model.pt here")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="PATH=VALUE", help="override one config field (VALUE is JSON if it parses, else a string); repeatable")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many more steps")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1, ... (default: this process's GPU when there is one, else cpu)")
    p.add_argument("--download", action="store_true", help="CIFAR: fetch a missing dataset folder with torchvision (needs torchvision and a network)")
    a = p.parse_args(argv)
    if (a.config is None) == (a.resume is None):
        p.error("give a config, or --continue DIR (not both)")
    if a.resume is not None and a.sets:
        p.error("--continue takes the config from the checkpoint: no --set")
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    try:
        data = a.data or default_data_dir()
        if a.resume is not None:
            continue_browser_run(a.resume, data, a.out, max_steps=a.max_steps, device=a.device)
        else:
            train(load_config(a.config, a.sets), data, a.out, max_steps=a.max_steps, device=a.device, download=a.download)
        return 0
    except ConfigInvalid as e:
        print(f"{a.config or a.resume}: this config cannot run here:\n{e}", file=sys.stderr)
        return 2
    except (CheckpointError, DataError, FileNotFoundError) as e:
        print(str(e), file=sys.stderr)
        return 2
    finally:
        if distributed and dist.is_initialized():
            dist.destroy_process_group()


if __name__ == "__main__":
    sys.exit(main())
