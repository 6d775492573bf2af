"""A trained model for others: safetensors weights and masks, loadable in one line.

    from sparse_playground import load_model
    model, masks = load_model("results/py-rigl/model.safetensors")

The file follows the safetensors format (huggingface/safetensors: an 8-byte little-endian header
length, a JSON header of {name: {dtype, shape, data_offsets}} plus "__metadata__", then the raw
little-endian tensor bytes), so the `safetensors` package should read it too (not checked here:
it is not installed). Tensors: the model's
state dict under its own names, and each weight layer's 0/1 mask as "<module>.weight_mask" (the
name torch.nn.utils.prune uses). Metadata: the complete experiment config (JSON), the step, and
the engine name of each masked layer. Written without the safetensors package (not a dependency).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import torch

from .models import build_model, weight_layers

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.float16: "F16", torch.int32: "I32", torch.uint8: "U8"}
NUMPY = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "F16": np.float16, "I32": np.int32, "U8": np.uint8}


def _mask_names(model: torch.nn.Module) -> dict[str, tuple[str, torch.nn.Module]]:
    """engine layer name -> (module path, module)."""
    paths = {id(m): n for n, m in model.named_modules()}
    return {name: (paths[id(m)], m) for name, m in weight_layers(model)}


def save_safetensors(file: str | Path, model: torch.nn.Module, masks: list[torch.Tensor], config: dict, step: int) -> None:
    # ToST ghost bypasses (ghost.py) are left out: they are gone by the end of training, and the
    # exported network is the sparse one alone.
    tensors: dict[str, torch.Tensor] = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if not k.endswith(".ghost")}
    layers = _mask_names(model)
    for (name, (path, _)), mask in zip(layers.items(), masks):
        tensors[f"{path}.weight_mask"] = mask.detach().cpu().contiguous()
    header: dict[str, object] = {"__metadata__": {"format": "sparse-training-playground/model", "config": json.dumps(config), "step": str(step), "layers": json.dumps({n: p for n, (p, _) in layers.items()})}}
    blobs, at = [], 0
    for k, t in tensors.items():
        b = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[k] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format allows trailing spaces; 8-byte alignment of the data
    Path(file).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(file: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    raw = Path(file).read_bytes()
    if len(raw) < 8:
        raise ValueError(f"{file} is not a safetensors file (too short)")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{file} is not a safetensors file (its header runs past the end)")
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n :]
    out = {}
    for k, h in header.items():
        a, b = h["data_offsets"]
        if b > len(data):
            raise ValueError(f"{file}: tensor {k} lies past the end of the file (truncated?)")
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np.dtype(NUMPY[h["dtype"]]).newbyteorder("<")).copy()).view(h["shape"])
    return out, meta


def load_model(file: str | Path) -> tuple[torch.nn.Module, dict[str, torch.Tensor]]:
    """The model saved by a run (its config rebuilds it) with its weights, and its masks by engine layer name."""
    tensors, meta = read_safetensors(file)
    if meta.get("format") != "sparse-training-playground/model":
        raise ValueError(f"{file} was not written by sparse_playground (no model format in its metadata)")
    config = json.loads(meta["config"])
    layers = json.loads(meta["layers"])
    paths = list(layers.values())
    first, last = tensors[f"{paths[0]}.weight"], tensors[f"{paths[-1]}.weight"]
    # An MLP's first weight is (hidden, inputs); a conv model's inputs follow from its dataset.
    input_dim = first.shape[1] if first.dim() == 2 else (3 * 32 * 32 if config["data"]["dataset"].startswith("cifar") else 28 * 28)
    model = build_model(config, input_dim, last.shape[0])
    masks = {name: tensors.pop(f"{path}.weight_mask") for name, path in layers.items()}
    model.load_state_dict(tensors)
    model.eval()
    return model, masks
