"""Agreements whose review date is near or past: the IG lead's banner and `agreements reviews-due`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet

from joinedup.web.governance.models import Agreement, Status


def reviews_due(on: dt.date, within_days: int | None = None) -> QuerySet[Agreement]:
    """Active agreements to review by ``on`` + ``within_days`` (default 30), soonest first."""
    days = settings.JOINEDUP_REVIEW_WARNING_DAYS if within_days is None else within_days
    horizon = on + dt.timedelta(days=days)
    return Agreement.objects.filter(status=Status.ACTIVE, review__lte=horizon).order_by("review")
