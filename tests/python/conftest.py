"""Shared fixtures of the Python tier: the repository root, the package on sys.path, the
reference values of tests/python/fixtures/reference.json and the MNIST binaries of `npm run data`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
DATA = ROOT / "public" / "data"


@pytest.fixture(scope="session")
def reference() -> dict:
    return json.loads((ROOT / "tests" / "python" / "fixtures" / "reference.json").read_text())


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "datasets.json").exists():
        pytest.fail(f"{DATA} has no datasets: run `npm run data` first (npm test does)")
    return DATA
