"""Runner checkpoints read into a Run: a written checkpoint continues exactly where its run was, and a
damaged or foreign one is refused with a message that names the problem. (The browser-to-PyTorch
continuation itself is tests/e2e/python-continue.e2e.ts: it needs Chromium.)"""

from __future__ import annotations

import json

import pytest
import torch

from sparse_playground import ConfigInvalid, parse_config
from sparse_playground.checkpoint import CheckpointError, read_runner_checkpoint, write_runner_checkpoint
from sparse_playground.train import Run
from test_train import SMALL


# ToST: the ghost skips are removed at step 19 of 48 and the pswish layers are ReLU from step 24,
# both after the checkpoint at step 12 (the ghost bypasses travel in the checkpoint's flat arrays).
TOST = {**SMALL, "tost": {"ghostSkip": {"enabled": True, "initScale": 0.01, "endFraction": 0.4}, "smoothActivation": {"kind": "pswish", "reluFrom": 0.5}}}


@pytest.mark.parametrize("raw", [SMALL, TOST], ids=["rigl", "rigl-tost"])
def test_a_checkpoint_continues_the_same_curve(data_dir, tmp_path, raw):
    config = parse_config(raw)
    straight = Run(config, data_dir)
    losses = [straight.train_step()["loss"] for _ in range(30)]
    first = Run(config, data_dir)
    for _ in range(12):
        first.train_step()
    write_runner_checkpoint(tmp_path, raw, first.checkpoint())
    cfg, ckpt, _ = read_runner_checkpoint(tmp_path)
    assert cfg == config
    second = Run(cfg, data_dir)
    second.restore(ckpt)
    assert second.step == 12 and second.opt.steps == first.opt.steps
    rest = [second.train_step()["loss"] for _ in range(18)]
    assert rest == losses[12:]  # same process, same floats: exactly
    assert all(torch.equal(a, b) for a, b in zip(second.masks, straight.masks))
    assert all(torch.equal(a, b) for a, b in zip(second.ghosts.params, straight.ghosts.params))


def test_damaged_checkpoints_are_refused_by_name(data_dir, tmp_path):
    run = Run(parse_config(SMALL), data_dir)
    write_runner_checkpoint(tmp_path, SMALL, run.checkpoint())
    blob = (tmp_path / "checkpoint.bin").read_bytes()
    (tmp_path / "checkpoint.bin").write_bytes(blob[:-4])
    with pytest.raises(CheckpointError, match="incomplete"):
        read_runner_checkpoint(tmp_path)
    (tmp_path / "checkpoint.bin").write_bytes(blob)
    head = json.loads((tmp_path / "checkpoint.json").read_text())
    (tmp_path / "checkpoint.json").write_text(json.dumps({**head, "format": "something else"}))
    with pytest.raises(CheckpointError, match="not a version 1 experiment checkpoint"):
        read_runner_checkpoint(tmp_path)
    (tmp_path / "checkpoint.json").write_text("{ not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        read_runner_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="has no checkpoint.json"):
        read_runner_checkpoint(tmp_path / "missing")


def test_a_checkpoint_of_another_model_or_an_ensemble_is_refused(data_dir, tmp_path):
    run = Run(parse_config(SMALL), data_dir)
    write_runner_checkpoint(tmp_path, SMALL, run.checkpoint())
    other = Run(parse_config({**SMALL, "model": {"kind": "mlp", "hidden": [16]}}), data_dir)
    _, ckpt, _ = read_runner_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="saved from a different model"):
        other.restore(ckpt)
    head = json.loads((tmp_path / "checkpoint.json").read_text())
    state = json.loads(head["state"]["stateJson"])
    head["state"]["stateJson"] = json.dumps({**state, "mode": "dst"})
    (tmp_path / "checkpoint.json").write_text(json.dumps(head))
    with pytest.raises(ConfigInvalid, match="ensemble.mode"):
        read_runner_checkpoint(tmp_path)


def test_the_playgrounds_pytorch_export_restores(reference, data_dir, tmp_path):
    import base64

    e = reference["exportedCheckpoint"]
    (tmp_path / "run.json").write_text(json.dumps(e["json"]))
    (tmp_path / "run.bin").write_bytes(base64.b64decode(e["bin"]))
    config, ckpt, _ = read_runner_checkpoint(tmp_path / "run.json")
    fresh = Run(config, data_dir)  # the Python side's own initial network from the same seed
    restored = Run(config, data_dir)
    restored.restore(ckpt)
    assert (restored.step, restored.schedule.last_update, restored.opt.steps) == (37, 30, 36)
    for (_, a), (_, b), ma, mb in zip(fresh.layers, restored.layers, fresh.masks, restored.masks):
        assert torch.equal(a.weight, b.weight) and torch.equal(ma, mb)
    for i, p in enumerate(restored.opt.params):
        assert torch.equal(restored.opt.state1[i], p.detach() / 2) and torch.equal(restored.opt.state2[i], p.detach() / 4)


def test_the_playground_names_the_same_refusals(reference):
    from sparse_playground.support import not_built

    for case in reference["refusals"]:
        got = [{"path": e.path, "message": e.message} for e in not_built(case["config"])]
        assert got == case["refusals"], case["name"]
    assert any(c["refusals"] == [] for c in reference["refusals"]) and any(len(c["refusals"]) >= 2 for c in reference["refusals"])  # one config, several refusals, in order
