import shutil
from pathlib import Path

import pytest
from linkhub import BOROUGH, HELD_BACK_FEED, LinkedHub

from joinedup.feeds.load import find_deliveries, load_files
from joinedup.linkage.run import link
from joinedup.synth.generate import generate


@pytest.fixture(scope="session")
def linked_hub(tmp_path_factory: pytest.TempPathFactory) -> LinkedHub:
    """A borough linked once without the police extract, then again after it arrived."""
    borough = tmp_path_factory.mktemp("linkage-borough")
    generate(BOROUGH, borough)
    home = tmp_path_factory.mktemp("linkage-hub")
    deliveries, _ = find_deliveries(borough / "extracts")
    directory = next(iter(sorted((borough / "extracts").glob("postcode_directory*.csv"))))
    held = [d for d in deliveries if d.contract.name == HELD_BACK_FEED]
    load_files(home, [d for d in deliveries if d.contract.name != HELD_BACK_FEED], directory)
    first = link(home)
    load_files(home, held)
    second = link(home)
    return LinkedHub(borough, home, first, second)


@pytest.fixture()
def hub_copy(linked_hub: LinkedHub, tmp_path: Path) -> Path:
    """A private copy of the linked hub for a test that changes it."""
    home = tmp_path / "hub"
    shutil.copytree(linked_hub.home, home, symlinks=True)
    return home
