"""The before-and-after panel of a case: its person's use of emergency and universal services in
the 12 months before the referral and since (``joinedup.analytics.service_use``).

Person-level figures: shown only inside a legitimate relationship, that is, on the case page to
those who work on the case (open or closed, through ``cases_of``) and on the person page to a
practitioner on the open case; never with break-glass access.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from joinedup.analytics.base import NotReadyError
from joinedup.analytics.service_use import BeforeAndAfter, before_and_after
from joinedup.home import resolve_home
from joinedup.linkage.published import NotLinkedError
from joinedup.web.cases.models import Case


def reference_date(case: Case) -> dt.date:
    """The day the case's person was referred: the referral that opened the case (the first one
    accepted into it), else the day the case opened."""
    opening = case.referrals.order_by("decided_at", "pk").first()
    return timezone.localdate(opening.submitted_at if opening else case.opened_at)


def panel(case: Case) -> BeforeAndAfter | None:
    """The figures for the case's person, or None while the hub has no linked data."""
    try:
        return before_and_after(resolve_home(), case.person_key, reference_date(case))
    except (NotReadyError, NotLinkedError):
        return None
