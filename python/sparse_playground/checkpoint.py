"""Continuing a browser run: the headless runner's checkpoint (checkpoint.json + checkpoint.bin,
written by `npm run experiment`, scripts/experiment.mjs) loaded into a Run.

checkpoint.json: {format: "sparse-training-playground/experiment-checkpoint", version: 1, config
(what the user wrote, --set values applied), binBytes, binSha256 (of checkpoint.bin), state: {step, history, stateJson, ...}}.
stateJson is the ensemble driver's state, {mode, trainers: [Checkpoint]} (src/engine/checkpoint.ts),
as JSON in which every Float32Array is {"$f32": [byteOffset, length]} into checkpoint.bin
(little-endian f32; src/util/binary-json.ts).

A Checkpoint's arrays (weights, mask, state1, state2, fired) are the engine's flat parameter buffers
(src/engine/param-layout.ts): per weight layer, a weight segment (members, numel) in the layer's
own layout (dense (out, in), conv (cout, cin, kh, kw): torch's) then a bias segment (members,
out), each starting on a multiple of 64 floats; with ToST ghost skips, each layer's bypass segment
((out, in) or (cout, cin)) after all of them. Position space whatever the browser's storage.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .config import ConfigError, ConfigInvalid, parse_config

FORMAT = "sparse-training-playground/experiment-checkpoint"
ALIGN = 64


class CheckpointError(ValueError):
    pass


def _unpack(text: str, blob: bytes) -> Any:
    def hook(obj: dict) -> Any:
        if "$f32" in obj and len(obj) == 1:
            offset, length = obj["$f32"]
            if offset % 4 or offset + 4 * length > len(blob):
                raise CheckpointError(f"a $f32 reference [{offset}, {length}] lies outside the {len(blob)}-byte checkpoint.bin")
            return np.frombuffer(blob, dtype="<f4", count=length, offset=offset).copy()
        return obj

    return json.loads(text, object_hook=hook)


def read_runner_checkpoint(folder: str | Path) -> tuple[dict, dict, dict]:
    """(config, the trainer's Checkpoint, the runner's state) of a checkpoint: a folder holding
    checkpoint.json and checkpoint.bin (the runner's), or a NAME.json file with NAME.bin beside it
    (the playground's Export > PyTorch)."""
    d = Path(folder)
    if d.suffix == ".json" and d.is_file():
        jf, bf = d, d.with_suffix(".bin")
    else:
        jf, bf = d / "checkpoint.json", d / "checkpoint.bin"
    if not jf.exists():
        raise CheckpointError(f"{d} has no checkpoint.json: pass the --out folder of `npm run experiment`, or the .json file of the playground's PyTorch export")
    try:
        head = json.loads(jf.read_text())
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{jf} is not valid JSON ({e})") from e
    if head.get("format") != FORMAT or head.get("version") != 1:
        raise CheckpointError(f"{jf} is not a version 1 experiment checkpoint")
    blob = bf.read_bytes() if bf.exists() else b""
    if len(blob) != head.get("binBytes"):
        raise CheckpointError(f"{bf} has {len(blob)} bytes, the checkpoint expects {head.get('binBytes')}: it is incomplete")
    if "binSha256" in head and hashlib.sha256(blob).hexdigest() != head["binSha256"]:
        raise CheckpointError(f"{bf} is not the blob {jf} was written with (its SHA-256 differs): the run stopped while writing a checkpoint; `npm run experiment -- --resume` falls back to the previous one")
    state = _unpack(head["state"]["stateJson"], blob)
    if state.get("mode") != "none" or len(state.get("trainers", [])) != 1:
        raise ConfigInvalid([ConfigError("ensemble.mode", f"a {state.get('mode')} checkpoint is not in the Python package yet: continue single runs (mode none)")])
    return parse_config(head["config"]), state["trainers"][0], head["state"]


def _layout(shapes: list[tuple[int, ...]], members: int = 1, ghosts: int = 0) -> tuple[list[tuple[int, int]], list[int], int]:
    """(weight offset, bias offset) of each weight layer, the offsets of the first `ghosts` layers'
    ToST bypass segments (after all the layers' segments; (out, in) floats each), and the total length."""
    cursor = 0

    def take(per_member: int) -> int:
        nonlocal cursor
        at = cursor
        cursor = math.ceil((cursor + per_member * members) / ALIGN) * ALIGN
        return at

    pairs = [(take(math.prod(shape)), take(shape[0])) for shape in shapes]
    ghost_at = [take(shape[0] * shape[1]) for shape in shapes[:ghosts]]
    return pairs, ghost_at, max(cursor, ALIGN)


def segments(shapes: list[tuple[int, ...]], members: int = 1) -> list[tuple[int, int]]:
    """(weight offset, bias offset) of each weight layer in the flat buffers."""
    return _layout(shapes, members)[0]


def total_floats(shapes: list[tuple[int, ...]], members: int = 1, ghosts: int = 0) -> int:
    return _layout(shapes, members, ghosts)[2]


def flat_views(shapes: list[tuple[int, ...]], flat: np.ndarray) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(weight, bias) tensors of member 0 cut out of one flat array."""
    out = []
    for shape, (w, b) in zip(shapes, segments(shapes)):
        n = math.prod(shape)
        out.append((torch.from_numpy(flat[w : w + n].copy()).view(shape), torch.from_numpy(flat[b : b + shape[0]].copy())))
    return out


def ghost_views(shapes: list[tuple[int, ...]], ghost_shapes: list[tuple[int, ...]], flat: np.ndarray) -> list[torch.Tensor]:
    """The ToST bypass tensors (each of its ghost shape) of member 0 cut out of one flat array."""
    at = _layout(shapes, 1, len(ghost_shapes))[1]
    return [torch.from_numpy(flat[o : o + math.prod(g)].copy()).view(g) for o, g in zip(at, ghost_shapes)]


def check_shapes(c: dict, shapes: list[tuple[int, ...]], ghosts: int = 0) -> None:
    want = total_floats(shapes, 1, ghosts)
    for name in ("weights", "mask", "state1", "state2"):
        if len(c[name]) != want:
            raise CheckpointError(f"the checkpoint's {name} hold {len(c[name])} values, this model needs {want}: it was saved from a different model")
    if len(c["activeCounts"]) != len(shapes):
        raise CheckpointError("the checkpoint has a different number of layers")


def to_flat(shapes: list[tuple[int, ...]], pairs: list[tuple[torch.Tensor, torch.Tensor]], ghosts: list[torch.Tensor] = ()) -> np.ndarray:
    """The inverse of flat_views (and ghost_views): (weight, bias) per layer, then the ToST bypasses, into one flat float32 array (padding 0)."""
    layer_at, ghost_at, total = _layout(shapes, 1, len(ghosts))
    flat = np.zeros(total, dtype=np.float32)
    for shape, (w, b), (wo, bo) in zip(shapes, pairs, layer_at):
        n = math.prod(shape)
        flat[wo : wo + n] = w.detach().reshape(-1).numpy()
        flat[bo : bo + shape[0]] = b.detach().reshape(-1).numpy()
    for g, go in zip(ghosts, ghost_at):
        flat[go : go + g.numel()] = g.detach().reshape(-1).numpy()
    return flat


def write_runner_checkpoint(folder: str | Path, raw_config: dict, checkpoint: dict) -> None:
    """Writes `checkpoint` (a trainer Checkpoint with numpy arrays) in the runner's two-file format."""
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    blobs: list[bytes] = []
    at = 0

    def ref(a: np.ndarray) -> dict:
        nonlocal at
        blobs.append(a.astype("<f4").tobytes())
        r = {"$f32": [at, len(a)]}
        at += 4 * len(a)
        return r

    state = {"mode": "none", "trainers": [{k: ref(v) if isinstance(v, np.ndarray) else v for k, v in checkpoint.items()}]}
    blob = b"".join(blobs)
    (d / "checkpoint.bin").write_bytes(blob)
    head = {"format": FORMAT, "version": 1, "config": raw_config, "binBytes": len(blob), "state": {"step": checkpoint["step"], "history": [], "pendingLoss": [], "pendingAccuracy": [], "stateJson": json.dumps(state)}}
    (d / "checkpoint.json").write_text(json.dumps(head))


def _browser_layout(run) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """The weight shapes of a run whose model the browser also builds (a bias per layer, no
    BatchNorm), and the shapes of its ToST ghost bypasses (none without ghost skips)."""
    ghosts = [tuple(g.shape) for g in run.ghosts.params]
    if any(m.bias is None for _, m in run.layers) or len(run.opt.params) != 2 * len(run.layers) + len(ghosts):
        raise CheckpointError("this model has no browser counterpart: its state cannot be a browser checkpoint")
    return [tuple(m.weight.shape) for _, m in run.layers], ghosts


@torch.no_grad()
def restore_run(run, c: dict) -> None:
    """Loads a browser Checkpoint into `run` (train.Run): weights, masks, optimizer state, counters.
    The optimizer's parameters are [w0, b0, w1, b1, ..., then the ghost bypasses g0, g1, ...] for the browser's models."""
    shapes, ghost_shapes = _browser_layout(run)
    check_shapes(c, shapes, len(ghost_shapes))
    weights, masks = flat_views(shapes, c["weights"]), flat_views(shapes, c["mask"])
    s1, s2 = flat_views(shapes, c["state1"]), flat_views(shapes, c["state2"])
    dev = run.device
    for li, (_, module) in enumerate(run.layers):
        module.weight.copy_(weights[li][0].to(dev))
        module.bias.copy_(weights[li][1].to(dev))
        run.masks[li].copy_(masks[li][0].to(dev))
        for k in (0, 1):
            run.opt.state1[2 * li + k].copy_(s1[li][k].to(dev))
            if run.opt.state2:
                run.opt.state2[2 * li + k].copy_(s2[li][k].to(dev))
    at = 2 * len(shapes)
    views = {name: ghost_views(shapes, ghost_shapes, c[name]) for name in ("weights", "mask", "state1", "state2")}
    for gi, g in enumerate(run.ghosts.params):
        g.copy_(views["weights"][gi].to(dev))
        run.ghosts.masks[gi].copy_(views["mask"][gi].to(dev))
        run.opt.state1[at + gi].copy_(views["state1"][gi].to(dev))
        if run.opt.state2:
            run.opt.state2[at + gi].copy_(views["state2"][gi].to(dev))
    run.step = c["step"]
    run.schedule.last_update = c["lastUpdate"]
    run.opt.steps = c["optimizerSteps"]
    run.targets = list(c["targets"])
    counts = [int(m.sum()) for m in run.masks]
    if counts != list(c["activeCounts"]):
        raise CheckpointError(f"the checkpoint's masks hold {counts} active weights, its counters say {c['activeCounts']}")


def run_checkpoint(run) -> dict:
    """`run`'s state as a browser Checkpoint (flat arrays in the engine's layout; no ITOP record: fired = mask)."""
    shapes, ghost_shapes = _browser_layout(run)
    cpu = lambda ts: [t.detach().cpu() for t in ts]  # noqa: E731
    pairs = lambda ts: [(ts[2 * li], ts[2 * li + 1]) for li in range(len(shapes))]  # noqa: E731
    ghosts = lambda ts: ts[2 * len(shapes) :]  # noqa: E731
    s1 = cpu(run.opt.state1)
    s2 = cpu(run.opt.state2) if run.opt.state2 else [torch.zeros_like(t) for t in s1]
    mask = to_flat(shapes, [(m.cpu(), torch.ones(m.shape[0])) for m in run.masks], cpu(run.ghosts.masks))
    return {
        "version": 1,
        "step": run.step,
        "lastUpdate": run.schedule.last_update,
        "optimizerSteps": run.opt.steps,
        "activeCounts": [int(m.sum()) for m in run.masks],
        "targets": list(run.targets),
        "flops": {"total": 0, "steps": 0},
        "weights": to_flat(shapes, [(module.weight.cpu(), module.bias.cpu()) for _, module in run.layers], cpu(run.ghosts.params)),
        "mask": mask,
        "state1": to_flat(shapes, pairs(s1), ghosts(s1)),
        "state2": to_flat(shapes, pairs(s2), ghosts(s2)),
        "fired": mask.copy(),
    }
