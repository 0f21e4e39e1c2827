"""Practitioners' open flags as ``joinedup link review`` lists them, beside the model's pairs.

The command runs outside the web app: it opens the hub's web database the way the feed loader
opens the register of agreements (``governance.register.open_hub_database``). Models are
imported inside the function: this module is imported before Django is set up.
"""

from __future__ import annotations

from pathlib import Path

from joinedup.web.governance.register import open_hub_database


def hub_open_flags(home: Path) -> list[dict[str, object]]:
    """The open flags of the hub's web database, oldest first."""
    open_hub_database(home)
    from joinedup.web.linkflags.flags import open_flags

    return [
        {
            "flag": found.reference,
            "person_key": found.person_key,
            "kind": found.get_kind_display(),
            "records": [f"{r['feed']} {r['record_id']}" for r in found.records],
            "details": found.details,
            "flagged_at": found.flagged_at.isoformat(timespec="seconds"),
        }
        for found in open_flags()
    ]
