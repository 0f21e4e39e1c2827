"""Finding assets in the directory, and the weekly places they offer for the gap analysis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from joinedup.web.community.gaps import Places
from joinedup.web.community.models import Asset, AssetNeed
from joinedup.web.community.vocabulary import AssetKind, Day, Need


@dataclass(frozen=True)
class Search:
    """What someone looks for: any of ``needs``, in any of ``wards``, on any of ``days``.

    An empty choice does not narrow the search.
    """

    needs: tuple[Need, ...] = ()
    wards: tuple[str, ...] = ()
    days: tuple[Day, ...] = ()
    kinds: tuple[AssetKind, ...] = ()
    # Only entries past their review date on this day: the ones to ask their owners about.
    stale_on: dt.date | None = None


def search(wanted: Search) -> QuerySet[Asset]:
    """The assets that match, by name, with their needs ready to read."""
    found = Asset.objects.all()
    if wanted.stale_on is not None:
        found = found.filter(review_on__lt=wanted.stale_on)
    if wanted.needs:
        found = found.filter(needs__need__in=[n.value for n in wanted.needs])
    if wanted.wards:
        found = found.filter(ward_code__in=wanted.wards)
    if wanted.kinds:
        found = found.filter(kind__in=[k.value for k in wanted.kinds])
    if wanted.days:
        matching = Asset.objects.none()
        for day in wanted.days:
            matching = matching | Asset.objects.filter(days__contains=day.value)
        found = found.filter(pk__in=matching.values("pk"))
    return found.distinct().prefetch_related("needs").order_by("name", "pk")


def capacity(kinds: Iterable[AssetKind] = ()) -> list[Places]:
    """Each asset's weekly places, once for each need it meets (of these kinds, if named)."""
    rows = AssetNeed.objects.all()
    chosen = [k.value for k in kinds]
    if chosen:
        rows = rows.filter(asset__kind__in=chosen)
    return [
        Places(ward_code, Need(need), places)
        for ward_code, need, places in rows.values_list(
            "asset__ward_code", "need", "asset__places_per_week"
        )
    ]
