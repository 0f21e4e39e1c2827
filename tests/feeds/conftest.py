"""A small synthetic borough, generated once, and a hub that has loaded it."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedhub import BOROUGH, LoadedHub

from joinedup.feeds.load import load_folder
from joinedup.synth.generate import generate


@pytest.fixture(scope="session")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds-borough")
    generate(BOROUGH, out)
    return out


@pytest.fixture(scope="session")
def loaded_hub(borough: Path, tmp_path_factory: pytest.TempPathFactory) -> LoadedHub:
    home = tmp_path_factory.mktemp("feeds-hub")
    reports, unknown = load_folder(home, borough / "extracts")
    assert unknown == []
    return LoadedHub(borough, home, reports)
