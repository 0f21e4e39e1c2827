"""Where cohort definitions live: the built-in library in the package, and the hub's own.

The hub's definitions are files in HOME/cohorts/*.cohort; one there with a built-in's name
replaces the built-in for that hub (a local variant), and says so in ``cohorts list``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from joinedup.analytics.cohorts.language import Definition, parse

SUFFIX = ".cohort"


@dataclass(frozen=True)
class Entry:
    name: str
    origin: str  # 'built-in' or the file's path
    definition: Definition


def hub_folder(home: Path) -> Path:
    return home / "cohorts"


def _built_in() -> list[Definition]:
    folder = files("joinedup.analytics.cohorts").joinpath("library")
    found = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(SUFFIX):
            found.append(parse(item.read_text(encoding="utf-8"), f"built-in/{item.name}"))
    return found


def entries(home: Path) -> dict[str, Entry]:
    """Every definition the hub can run, by name; the hub's own over the built-in ones."""
    found = {d.name: Entry(d.name, "built-in", d) for d in _built_in()}
    folder = hub_folder(home)
    if folder.is_dir():
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            definition = parse(path.read_text(encoding="utf-8"), str(path))
            found[definition.name] = Entry(definition.name, str(path), definition)
    return found


def find(home: Path, name_or_path: str) -> Definition:
    """A definition by name, or from a file path (to try one before adding it to the hub)."""
    path = Path(name_or_path)
    if name_or_path.endswith(SUFFIX) and path.is_file():
        return parse(path.read_text(encoding="utf-8"), str(path))
    known = entries(home)
    if name_or_path not in known:
        raise LookupError(
            f"no cohort called {name_or_path!r}; `joinedup cohorts list` shows "
            f"{', '.join(sorted(known))}"
        )
    return known[name_or_path].definition
