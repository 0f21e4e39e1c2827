"""The demo's community directory: about forty assets across the borough's wards.

Every asset in ``seed_assets.csv`` is fictional: plausible groups and services at plausible
places, made up to show the directory and the gap analysis; none describes a real group, and
the contact addresses are in the reserved .example domain.
"""

from __future__ import annotations

from pathlib import Path

from joinedup.web.community.importer import ImportReport, import_assets
from joinedup.web.community.models import Asset

SEED_ASSETS = Path(__file__).with_name("seed_assets.csv")


def seed_directory(actor: str = "joinedup demo") -> ImportReport | None:
    """Import the seed directory once; None (and nothing changed) if any asset exists."""
    if Asset.objects.exists():
        return None
    return import_assets(SEED_ASSETS, actor=actor)
