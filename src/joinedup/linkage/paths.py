"""Where linkage keeps what outlives a run: model versions and reviewers' decisions."""

from __future__ import annotations

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
