"""Human-readable references made from a row's own number (IAT-000012, SAR-2026-0003)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.db import models


def save_with_reference(row: models.Model, reference_of: Callable[[int], str]) -> None:
    """Insert ``row``, then set its ``reference`` field to the one made from its primary key.

    Call inside the transaction that also audits the row: the unique placeholder it holds
    between the two writes never outlives it.
    """
    row.reference = f"pending-{uuid.uuid4().hex[:20]}"  # type: ignore[attr-defined]
    row.save()
    row.reference = reference_of(row.pk)  # type: ignore[attr-defined]
    row.save(update_fields=["reference"])
