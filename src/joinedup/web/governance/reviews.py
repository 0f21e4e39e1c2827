"""Agreements whose review date is near or past: the IG lead's banner and `agreements reviews-due`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from joinedup.feeds.agreements import Agreement, due_for_review
from joinedup.web.governance.register import database_register


def reviews_due(on: dt.date, within_days: int | None = None) -> list[Agreement]:
    """Active agreements to review by ``on`` + ``within_days`` (default 30), soonest first: the
    same rule as for a hub without the web app (``feeds.agreements.due_for_review``)."""
    days = settings.JOINEDUP_REVIEW_WARNING_DAYS if within_days is None else within_days
    return due_for_review(database_register().values(), on, days)
