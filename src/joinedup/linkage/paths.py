"""Where linkage keeps what outlives a run: model versions and reviewers' decisions."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path


def linkage_folder(home: Path) -> Path:
    return home / "linkage"


def models_folder(home: Path) -> Path:
    return linkage_folder(home) / "models"


def decisions_path(home: Path) -> Path:
    return linkage_folder(home) / "decisions.duckdb"


def model_versions(home: Path) -> list[Path]:
    """Saved model versions, oldest first (``models/v0001`` ...), each holding a model.json."""
    folder = models_folder(home)
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob("v[0-9]*") if (p / "model.json").is_file())


def next_model_folder(home: Path) -> Path:
    versions = model_versions(home)
    number = int(versions[-1].name[1:]) + 1 if versions else 1
    return models_folder(home) / f"v{number:04d}"


def save_model_version(home: Path, write: Callable[[Path], object]) -> Path:
    """A new model version, written by ``write`` into a hidden folder and renamed when whole: a
    crash part way leaves no version that looks saved, and nothing that blocks the next one."""
    final = next_model_folder(home)
    partial = final.with_name(f".{final.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        write(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    # A folder of this name without its model.json is what an older, interrupted save left.
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    return final
