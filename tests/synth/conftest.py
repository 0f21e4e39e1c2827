"""Shared synthetic boroughs for the tests: small, generated once per session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from boroughs import MEDIUM, SMALL

from joinedup.synth.borough import Borough, build_borough
from joinedup.synth.generate import generate


@pytest.fixture(scope="session")
def small_borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("small-borough")
    summary = generate(SMALL, out)
    assert json.loads((out / "summary.json").read_text()) == summary
    return out, summary


@pytest.fixture(scope="session")
def medium_model() -> Borough:
    return build_borough(MEDIUM)


@pytest.fixture(scope="session")
def medium_borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("medium-borough")
    return out, generate(MEDIUM, out)
