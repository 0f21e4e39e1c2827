"""One small synthetic borough, loaded, linked and analysed once; a private copy per test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from lifecyclehub import unique_gp_patient

from joinedup.analytics.base import open_base
from joinedup.feeds.load import load_folder
from joinedup.linkage.run import link
from joinedup.synth.config import SynthConfig
from joinedup.synth.generate import generate

BOROUGH = SynthConfig(scale=0.02, seed=23, bad_rows=3)


@pytest.fixture(scope="session")
def lifecycle_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Loaded (a few rows quarantined), linked, with the analysis base of its snapshot built."""
    borough, home = (tmp_path_factory.mktemp(f"lifecycle-{n}") for n in ("borough", "hub"))
    generate(BOROUGH, borough)
    load_folder(home, borough / "extracts")
    link(home)
    open_base(home).close()
    return home


@pytest.fixture()
def hub(lifecycle_hub: Path, tmp_path: Path) -> Path:
    """A private copy of the hub for a test that changes it."""
    return Path(shutil.copytree(lifecycle_hub, tmp_path / "hub", symlinks=True))


@pytest.fixture(scope="session")
def patient(lifecycle_hub: Path) -> dict[str, Any]:
    """A registered patient no other record names (see ``unique_gp_patient``)."""
    return unique_gp_patient(lifecycle_hub)
