import shutil
from pathlib import Path

import pytest

from joinedup.feeds.load import find_deliveries, load_files
from joinedup.linkage.run import link
from joinedup.synth.config import SynthConfig
from joinedup.synth.generate import generate

BOROUGH = SynthConfig(scale=0.05, seed=23, bad_rows=0)


@pytest.fixture(scope="session")
def analytics_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic borough, loaded and linked, for runs end to end."""
    borough = tmp_path_factory.mktemp("analytics-borough")
    generate(BOROUGH, borough)
    home = tmp_path_factory.mktemp("analytics-hub")
    deliveries, _ = find_deliveries(borough / "extracts")
    directory = next(iter(sorted((borough / "extracts").glob("postcode_directory*.csv"))))
    load_files(home, deliveries, directory)
    link(home)
    return home


@pytest.fixture()
def hub(analytics_hub: Path, tmp_path: Path) -> Path:
    """A private copy of the analytics hub for a test that changes it."""
    home = tmp_path / "hub"
    shutil.copytree(analytics_hub, home, symlinks=True)
    return home
