"""Keeping the directory up to date: add an asset, change it, mark it reviewed, close it.

Each change is saved in one transaction with its audit event. The audit detail names the fields
that changed and the needs (codes of the vocabulary), never the text of a field: an asset's
contact or owner may name a person.

An owner who confirms an entry is still right moves its review date on by ``REVIEW_MONTHS``.
A closed asset (it has stopped running) keeps its referrals, so the history of the people
referred to it stays whole; from its closing day it is left out of search and the gap analysis.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.web.audit.chain import Actor, record_by
from joinedup.web.community.models import Asset, AssetNeed
from joinedup.web.community.vocabulary import Need

# How long an owner's confirmation holds before the entry is flagged for review again.
REVIEW_MONTHS = 12

# The fields of an asset that its form and the import set (the needs are set apart).
ENTRY_FIELDS = (
    "name",
    "kind",
    "sector",
    "run_by",
    "description",
    "age_group",
    "address",
    "postcode",
    "ward_code",
    "days",
    "times",
    "places_per_week",
    "contact",
    "owner",
    "review_on",
)


class EntryError(ValueError):
    """The entry was refused; nothing was saved. ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {why}" for field, why in problems.items()))


def next_review(today: dt.date) -> dt.date:
    """``REVIEW_MONTHS`` after ``today`` (the month's last day where that day does not exist).

    >>> next_review(dt.date(2028, 2, 29))
    datetime.date(2029, 2, 28)
    """
    months = today.month - 1 + REVIEW_MONTHS
    year, month = today.year + months // 12, months % 12 + 1
    return today.replace(year=year, month=month, day=min(today.day, _days_in(year, month)))


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def check_entry(
    fields: Mapping[str, Any], needs: Iterable[Need], asset: Asset | None = None
) -> None:
    """The directory's rules for an entry; an EntryError naming each one broken.

    An asset meets at least one need; no two assets share a name in one ward (the import finds
    an asset by its name and ward); a new entry's review date is today or later.
    """
    problems: dict[str, str] = {}
    if not list(needs):
        problems["needs"] = "Select at least one need the asset meets"
    same = Asset.objects.filter(name__iexact=fields["name"], ward_code=fields["ward_code"])
    if asset is not None:
        same = same.exclude(pk=asset.pk)
    if same.exists():
        problems["name"] = "An asset with this name is already in the directory in this ward"
    if asset is None and fields["review_on"] < timezone.localdate():
        problems["review_on"] = "The next review date must be today or in the future"
    if problems:
        raise EntryError(problems)


def set_needs(asset: Asset, needs: Iterable[Need]) -> None:
    """The asset meets exactly these needs."""
    wanted = list(dict.fromkeys(needs))
    asset.needs.exclude(need__in=[n.value for n in wanted]).delete()
    for need in wanted:
        AssetNeed.objects.get_or_create(asset=asset, need=need.value)


def add_asset(fields: Mapping[str, Any], needs: Iterable[Need], *, by: Actor) -> Asset:
    """A new entry in the directory."""
    needs = list(needs)
    with transaction.atomic():
        check_entry(fields, needs)
        asset = Asset.objects.create(
            **{f: fields[f] for f in ENTRY_FIELDS}, updated_at=timezone.now()
        )
        set_needs(asset, needs)
        record_by(
            by,
            "community.asset_added",
            "asset",
            str(asset.pk),
            {"fields": sorted(ENTRY_FIELDS), "needs": [n.value for n in needs]},
        )
    return asset


def change_asset(
    asset: Asset, fields: Mapping[str, Any], needs: Iterable[Need], *, by: Actor
) -> list[str]:
    """Change the entry; the names of the fields that changed (with "needs"), in order."""
    needs = list(needs)
    with transaction.atomic():
        check_entry(fields, needs, asset)
        changed = [f for f in ENTRY_FIELDS if getattr(asset, f) != fields[f]]
        before = {n.need for n in asset.needs.all()}
        if before != {n.value for n in needs}:
            changed.append("needs")
        if not changed:
            return []
        for field in ENTRY_FIELDS:
            setattr(asset, field, fields[field])
        asset.updated_at = timezone.now()
        asset.save()
        set_needs(asset, needs)
        record_by(
            by,
            "community.asset_changed",
            "asset",
            str(asset.pk),
            {"changed": changed, "needs": [n.value for n in needs]},
        )
    return changed


def mark_reviewed(asset: Asset, *, by: Actor, today: dt.date | None = None) -> dt.date:
    """The owner has confirmed the entry is still right: its next review is a period on."""
    review_on = next_review(today or timezone.localdate())
    with transaction.atomic():
        previous = asset.review_on
        asset.review_on = review_on
        asset.updated_at = timezone.now()
        asset.save(update_fields=["review_on", "updated_at"])
        record_by(
            by,
            "community.asset_reviewed",
            "asset",
            str(asset.pk),
            {"changed": ["review_on"], "was": previous.isoformat(), "now": review_on.isoformat()},
        )
    return review_on


def close_asset(asset: Asset, *, by: Actor, on: dt.date) -> None:
    """The asset stops running on ``on``: its referrals stay; search no longer finds it."""
    with transaction.atomic():
        asset.closed_on = on
        asset.updated_at = timezone.now()
        asset.save(update_fields=["closed_on", "updated_at"])
        record_by(
            by,
            "community.asset_closed",
            "asset",
            str(asset.pk),
            {"changed": ["closed_on"], "closed_on": on.isoformat()},
        )


def reopen_asset(asset: Asset, *, by: Actor) -> None:
    """Undo a closing: the asset runs again (or was closed by mistake)."""
    with transaction.atomic():
        asset.closed_on = None
        asset.updated_at = timezone.now()
        asset.save(update_fields=["closed_on", "updated_at"])
        record_by(
            by, "community.asset_reopened", "asset", str(asset.pk), {"changed": ["closed_on"]}
        )
