"""Throttling: requests counted per user (or, signed out, per address) and bucket, in fixed
windows kept in the database, so that every thread and process of the web app counts together.

Two buckets, each with a rate setting (``"N/second"``, ``"N/minute"`` or ``"N/hour"``):

- ``api``: every request to /api/, ``JOINEDUP_API_RATE`` (default 300 a minute), applied in one
  place, ``ApiThrottleMiddleware``, before the policy middleware.
- ``lookup``: looking up a person or a case, ``JOINEDUP_LOOKUP_RATE`` (default 60 a minute). A
  view that looks one up calls ``person_lookup(request)`` first and returns its answer if it
  gives one (AC-15: 1,000 sequential case ids in a minute are throttled, alerted, audited).

Past the limit the answer is 429 with Retry-After (seconds to the end of the window). The first
refused request of a window is audited (``access.throttled``, naming the bucket and the path,
never a query string) so the IG lead sees it in the audit log; later ones in that window are
only counted.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from joinedup.web.accounts.models import ThrottleWindow, User
from joinedup.web.audit.chain import record

API_BUCKET = "api"
LOOKUP_BUCKET = "lookup"
API_PATH = "/api/"
PERIODS = {"second": 1, "minute": 60, "hour": 60 * 60}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """A rate setting such as ``"300/minute"``.

        >>> Rate.parse("60/minute")
        Rate(limit=60, period=60)
        """
        count, _, per = text.partition("/")
        if not count.strip().isdigit() or per.strip() not in PERIODS:
            raise ValueError(
                f"a rate is a count per second, minute or hour, like 300/minute: {text!r}"
            )
        return cls(int(count), PERIODS[per.strip()])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    retry_after: int  # seconds until the window ends


def _now() -> float:
    return timezone.now().timestamp()


def _who(request: HttpRequest) -> tuple[str, User | None]:
    user = getattr(request, "user", None)
    if isinstance(user, User):
        return f"user:{user.pk}", user
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return f"ip:{request.META.get('REMOTE_ADDR') or 'unknown'}", None


_COUNT = (
    f"INSERT INTO {ThrottleWindow._meta.db_table} (who, bucket, starts, ends, hits, alerted)"
    " VALUES (%s, %s, %s, %s, 1, %s)"
    " ON CONFLICT (who, bucket, starts)"
    f" DO UPDATE SET hits = {ThrottleWindow._meta.db_table}.hits + 1"
    " RETURNING hits, alerted"
)


def hit(request: HttpRequest, bucket: str, rate: Rate) -> Verdict:
    """Count this request in its window; refused once the window's count passes the limit."""
    who, user = _who(request)
    now = _now()
    starts = int(now // rate.period) * rate.period
    ends = starts + rate.period
    # One statement, atomic on both SQLite and PostgreSQL: concurrent requests never lose a count.
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [who, bucket, starts, ends, False])
        hits, alerted = cursor.fetchone()
    if hits == 1:
        # The first request of a window: drop windows that have ended (any user, any bucket).
        ThrottleWindow.objects.filter(ends__lte=int(now)).delete()
    retry_after = max(1, math.ceil(ends - now))
    if hits <= rate.limit:
        return Verdict(True, hits, retry_after)
    if not alerted:
        _alert(request, who, user, bucket, rate, starts)
    return Verdict(False, hits, retry_after)


def _alert(
    request: HttpRequest, who: str, user: User | None, bucket: str, rate: Rate, starts: int
) -> None:
    """Audit the first refusal of a window, once, however many requests race to it."""
    with transaction.atomic():
        won = ThrottleWindow.objects.filter(
            who=who, bucket=bucket, starts=starts, alerted=False
        ).update(alerted=True)
        if not won:
            return
        event = record(
            "access.throttled",
            actor_id=user.pk if user else None,
            actor=user.email if user else "",
            object_type="throttle",
            object_id=bucket,
            detail={
                "bucket": bucket,
                "path": request.path,
                "method": request.method or "",
                "limit": rate.limit,
                "period_seconds": rate.period,
            },
        )
    logger.warning("requests throttled in bucket %s: audit event %s", bucket, event.sequence)


def too_many(request: HttpRequest, verdict: Verdict, rate: Rate) -> HttpResponse:
    """429, as JSON for the API and as a page otherwise, with Retry-After."""
    detail = (
        f"Too many requests: at most {rate.limit} every {rate.period} seconds. "
        f"Try again in {verdict.retry_after} seconds."
    )
    response: HttpResponse
    if request.path.startswith(API_PATH):
        response = JsonResponse({"detail": detail}, status=429)
    else:
        context = {"retry_after": verdict.retry_after}
        response = render(request, "throttled.html", context, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _limited(request: HttpRequest, bucket: str, setting: str) -> HttpResponse | None:
    rate = Rate.parse(getattr(settings, setting))
    verdict = hit(request, bucket, rate)
    return None if verdict.allowed else too_many(request, verdict, rate)


def person_lookup(request: HttpRequest) -> HttpResponse | None:
    """Call first in a view that looks up a person or a case: None to go on, else the 429 to
    return. ``JOINEDUP_LOOKUP_RATE`` a user; the first refusal of a window is audited.

    Example::

        def person(request, person_id):
            if (refused := throttle.person_lookup(request)) is not None:
                return refused
            ...
    """
    return _limited(request, LOOKUP_BUCKET, "JOINEDUP_LOOKUP_RATE")


class ApiThrottleMiddleware:
    """Every request to /api/ counts against ``JOINEDUP_API_RATE``, per user (token or session)
    or, signed out, per address. Placed after authentication and before the policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PATH):
            refused = _limited(request, API_BUCKET, "JOINEDUP_API_RATE")
            if refused is not None:
                return refused
        return self.get_response(request)


def counts_as_lookup(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page view that opens a person or a case: ``person_lookup`` runs before it (AC-15)."""

    @functools.wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = person_lookup(request)
        return refused if refused is not None else view(request, *args, **kwargs)

    return limited
