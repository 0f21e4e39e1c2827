"""Bring the TOML seed register (src/joinedup/feeds/agreements.toml) into the database register.

Each agreement is created or, when it differs, updated, with an audit event in the same
transaction; running it twice changes nothing the second time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from django.db import transaction

from joinedup.web.audit.chain import record
from joinedup.web.governance.models import LAWFUL_BASES, Agreement


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def seed_register_text() -> str:
    return files("joinedup.feeds").joinpath("agreements.toml").read_text(encoding="utf-8")


def import_register(
    path: Path | None = None, actor: str = "joinedup agreements import"
) -> ImportReport:
    """Create or update every agreement of the register at ``path`` (default: the seed)."""
    text = path.read_text(encoding="utf-8") if path else seed_register_text()
    entries = tomllib.loads(text).get("agreement", [])
    report = ImportReport()
    with transaction.atomic():
        for entry in entries:
            _import_one(_normalised(entry), report, actor)
    return report


def _normalised(entry: dict[str, Any]) -> dict[str, Any]:
    if entry["lawful_basis"] not in LAWFUL_BASES:
        raise ValueError(f"agreement {entry['id']}: unknown lawful basis {entry['lawful_basis']!r}")
    fields = {
        dataset: list(entry.get("fields", {}).get(dataset, [])) for dataset in entry["datasets"]
    }
    return {
        "title": entry.get("title", ""),
        "partner": entry["partner"],
        "recipient": entry.get("recipient", ""),
        "datasets": list(entry["datasets"]),
        "fields": fields,
        "purpose": entry.get("purpose", ""),
        "purposes": list(entry.get("purposes", [])),
        "lawful_basis": entry["lawful_basis"],
        "special_category_condition": entry.get("special_category_condition", ""),
        "start": entry["start"],
        "review": entry["review"],
        "end": entry["end"],
        "status": entry.get("status", "draft"),
        "reference": entry["id"],
    }


def _import_one(values: dict[str, Any], report: ImportReport, actor: str) -> None:
    reference = values["reference"]
    existing = Agreement.objects.filter(reference=reference).first()
    if existing is None:
        Agreement.objects.create(**values)
        report.created.append(reference)
        verb = "agreement.created"
    else:
        changed = sorted(k for k, v in values.items() if getattr(existing, k) != v)
        if not changed:
            report.unchanged.append(reference)
            return
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        report.updated.append(reference)
        verb = "agreement.changed"
    record(
        verb,
        actor=actor,
        object_type="agreement",
        object_id=reference,
        detail={"source": "register import"},
    )
