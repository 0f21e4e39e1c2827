from pathlib import Path

import pytest

from joinedup.feeds.load import load_folder
from joinedup.linkage.run import link
from joinedup.synth.config import SynthConfig
from joinedup.synth.generate import generate

# A quarter of Chorley: about 190 people referred to the team and about 240 eligible-looking
# residents of the control area, enough for a stable estimate; built, loaded and linked in about
# 30 seconds.
BOROUGH = SynthConfig(scale=0.25, seed=23, bad_rows=0)


@pytest.fixture(scope="session")
def evaluation_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic borough with its planted intervention, loaded and linked."""
    borough = tmp_path_factory.mktemp("evaluation-borough")
    generate(BOROUGH, borough)
    home = tmp_path_factory.mktemp("evaluation-hub")
    load_folder(home, borough / "extracts")
    link(home)
    return home
