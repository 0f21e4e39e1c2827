"""Access to the packaged reference files, whichever way JoinedUp was installed."""

from __future__ import annotations

import csv
import io
from importlib.resources import files
from importlib.resources.abc import Traversable


def reference_path(name: str) -> Traversable:
    """The packaged reference file called ``name`` (for example ``chorley_wards.csv``)."""
    path = files("joinedup.reference").joinpath("data", name)
    if not path.is_file():
        raise FileNotFoundError(f"no packaged reference file called {name!r}")
    return path


def read_reference_csv(name: str) -> list[dict[str, str]]:
    """Every row of a packaged reference CSV, as text keyed by its header."""
    text = reference_path(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))
