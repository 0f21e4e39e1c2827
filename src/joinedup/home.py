"""Where JoinedUp keeps everything it writes: one data directory per hub."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENVIRONMENT_VARIABLE = "JOINEDUP_HOME"
DEFAULT_HOME = Path("var")


def resolve_home(explicit: Path | None = None) -> Path:
    """The data directory: ``--home`` if given, else ``$JOINEDUP_HOME``, else ``./var``.

    >>> resolve_home(Path("/tmp/hub"))
    PosixPath('/tmp/hub')
    """
    if explicit is not None:
        return explicit
    from_environment = os.environ.get(HOME_ENVIRONMENT_VARIABLE, "").strip()
    return Path(from_environment) if from_environment else DEFAULT_HOME


def ensure_home(home: Path) -> Path:
    """Create the data directory if it does not exist, readable by its owner only."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home
