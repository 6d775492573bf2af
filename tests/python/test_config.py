"""Reading configs: every problem named by its field, defaults as the browser fills them, refusal by name."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from sparse_playground.config import ConfigInvalid, load_config, parse_config, set_field
from sparse_playground.support import refusals


def errors_of(raw) -> dict[str, str]:
    with pytest.raises(ConfigInvalid) as e:
        parse_config(raw)
    return {x.path: x.message for x in e.value.errors}


def test_version_is_required_and_not_newer():
    assert "version" in errors_of({})
    # A missing version is named with the other problems, checked as the current version.
    assert list(errors_of({"sparsity": {"target": 2}, "training": {"batchSize": 0}})) == ["version", "sparsity.target", "training.batchSize"]
    assert "newer" in errors_of({"version": 2})["version"]
    assert errors_of([1]) == {"": "a config must be a JSON object"}


def test_every_wrong_field_is_reported_at_once():
    got = errors_of({"version": 1, "sparsity": {"target": 1.5, "distribution": {"kind": "erk", "power": 1}}, "model": {"kind": "lenet-300-100", "hidden": [3]}, "dst": {"method": "magic"}, "seed": -1})
    assert got["sparsity.target"] == "must be a number between 0 and 0.999"
    assert got["sparsity.distribution.power"] == 'unknown field for sparsity.distribution.kind "erk"'
    assert got["model.hidden"] == 'unknown field for model.kind "lenet-300-100"'
    assert got["dst.method"].startswith('must be one of "dense"')
    assert got["seed"] == "must be a whole number between 0 and 4294967295"


def test_defaults_fill_a_union_branch():
    c = parse_config({"version": 1, "data": {"dataset": "mnist"}, "training": {"optimizer": {"kind": "adam"}}})
    assert c["data"] == {"dataset": "mnist", "validationSize": 1000, "testSize": 1000, "trainLimit": 0, "seed": 20240601, "normalize": "standardize"}
    assert c["training"]["optimizer"] == {"kind": "adam", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weightDecay": 0, "decoupled": True}


def test_set_values_are_json_or_strings(tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"version": 1, "data": {"dataset": "mnist"}}))
    c = load_config(f, ["sparsity.target=0.95", "dst.method=set", "model.kind=lenet-300-100"])
    assert (c["sparsity"]["target"], c["dst"]["method"], c["model"]["kind"]) == (0.95, "set", "lenet-300-100")
    assert set_field({}, "a.b=[1,2]") == {"a": {"b": [1, 2]}}


@pytest.mark.parametrize(
    "patch, path",
    [
        ({"data": {"dataset": "spiral"}}, "data.dataset"),
        ({"data": {"dataset": "cifar10"}, "model": {"kind": "resnet18"}, "tost": {"smoothActivation": {"kind": "swish"}}}, "tost.smoothActivation.kind"),
        ({"sparsity": {"mask": {"kind": "lottery"}}, "dst": {"method": "static"}}, "sparsity.mask.kind"),
        ({"ensemble": {"mode": "prune-and-tune", "members": 3}, "dst": {"method": "rigl"}}, "ensemble.mode"),
        ({"ensemble": {"mode": "edst", "members": 3}, "dst": {"method": "rigl"}}, "training.schedule.kind"),
        ({"data": {"dataset": "cifar10"}, "model": {"kind": "resnet18"}, "tost": {"ghostSkip": {"enabled": True}}}, "tost.ghostSkip.enabled"),
        ({"dst": {"method": "dense"}}, "sparsity.target"),
        ({"data": {"trainLimit": 1000}, "training": {"batchSize": 2000}}, "training.batchSize"),
    ],
)
def test_what_cannot_run_is_refused_by_name(patch, path):
    raw = {"version": 1, "data": {"dataset": "mnist"}, "model": {"kind": "lenet-300-100"}}
    for k, v in patch.items():
        raw[k] = {**raw.get(k, {}), **v}
    assert path in {e.path for e in refusals(parse_config(raw))}


def test_a_batch_that_does_not_split_over_the_processes_is_refused():
    c = parse_config({"version": 1, "data": {"dataset": "mnist"}, "training": {"batchSize": 100}})
    assert refusals(c, 1) == []
    assert [e.path for e in refusals(c, 3)] == ["training.batchSize"]


def test_the_command_line_names_the_field_and_exits_2(tmp_path):
    f = tmp_path / "spiral.json"
    f.write_text(json.dumps({"version": 1}))
    r = subprocess.run([sys.executable, "-m", "sparse_playground", str(f)], cwd=ROOT / "python", capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "data.dataset" in r.stderr and "spiral" in r.stderr


def test_a_config_nested_thousands_deep_is_refused_by_path():
    deep: dict = {}
    for _ in range(5000):
        deep = {"x": deep}
    assert errors_of({"version": 1, "model": deep}) == {"model.x.x.x": "nested deeper than 16 levels: no config field is, so this is not a config"}
