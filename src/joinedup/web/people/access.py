"""Who may see a person's identifiable details, and the record of every time someone did.

The rule: the user's roles allow identifiable data (``VIEW_IDENTIFIABLE``), and they have a
legitimate relationship with the person now: a place on an open case for them, or break-glass
access in force. Everyone else (analysts and executives included) sees pseudonymous keys and
controlled aggregates only. Checked on every request: nothing is cached, so taking someone off a
case closes the person to them at their next request (AC-10).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.audit.chain import record_by
from joinedup.web.cases.models import Case, CaseStatus
from joinedup.web.people.models import BreakGlass

MINIMUM_REASON_LENGTH = 20


class BreakGlassRefusedError(PermissionError):
    """Break-glass asked for without a usable reason, or beyond the daily allowance."""


@dataclass(frozen=True)
class Relationship:
    """Why a user may see a person now: the purpose recorded with each view."""

    kind: str  # "case" or "break_glass"
    reference: str  # the case reference, or the break-glass number
    purpose: str
    until: dt.datetime | None = None


def relationship(user: User, person_key: str, at: dt.datetime | None = None) -> Relationship | None:
    """The user's legitimate relationship with ``person_key`` now, or None."""
    if Permission.VIEW_IDENTIFIABLE not in permissions_of(user.roles):
        return None
    now = at or timezone.now()
    case = (
        Case.objects.filter(
            person_key=person_key,
            status=CaseStatus.OPEN,
            workers__user=user,
            workers__removed_at__isnull=True,
        )
        .order_by("opened_at")
        .first()
    )
    if case is not None:
        return Relationship("case", case.reference, f"Direct care: case {case.reference}")
    grant = (
        BreakGlass.objects.filter(
            user=user, person_key=person_key, started_at__lte=now, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )
    if grant is not None:
        return Relationship(
            "break_glass", str(grant.pk), f"Break-glass: {grant.reason}", grant.expires_at
        )
    return None


def break_glass(user: User, person_key: str, reason: str) -> BreakGlass:
    """Open one person to ``user`` for a short time, with a reason, flagged to the IG lead."""
    reason = " ".join(reason.split())
    if Permission.VIEW_IDENTIFIABLE not in permissions_of(user.roles):
        raise BreakGlassRefusedError("Your role does not allow access to identifiable data")
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise BreakGlassRefusedError(
            f"Give the reason in at least {MINIMUM_REASON_LENGTH} characters: "
            "who is at risk, and why you cannot wait for a case"
        )
    now = timezone.now()
    # Break-glass is for one emergency, not for looking through people (AC-08).
    used_today = BreakGlass.objects.filter(
        user=user, started_at__gte=now - dt.timedelta(days=1)
    ).count()
    if used_today >= settings.JOINEDUP_BREAK_GLASS_PER_DAY:
        with transaction.atomic():
            record_by(
                user,
                "person.break_glass_refused",
                "person",
                person_key,
                {"reason": reason, "used_in_last_day": used_today},
            )
        raise BreakGlassRefusedError(
            "You have used break-glass access as often as a day allows. "
            "Ask the hub coordinator to open a case, or your IG lead for help"
        )
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            user=user,
            person_key=person_key,
            reason=reason,
            started_at=now,
            expires_at=now + dt.timedelta(minutes=settings.JOINEDUP_BREAK_GLASS_MINUTES),
        )
        record_by(
            user,
            "person.break_glass",
            "person",
            person_key,
            {
                "break_glass": grant.pk,
                "reason": reason,
                "expires_at": grant.expires_at.isoformat(),
                "organisation": user.organisation.name,
            },
        )
    return grant


def record_view(user: User, person_key: str, why: Relationship, what: str = "person") -> None:
    """Audit one view of a person's identifiable details, with the purpose it was for."""
    with transaction.atomic():
        record_by(
            user,
            f"{what}.viewed",
            "person",
            person_key,
            {"relationship": why.kind, "reference": why.reference, "purpose": why.purpose},
        )


def record_refusal(user: User, person_key: str, path: str) -> None:
    with transaction.atomic():
        record_by(
            user,
            "access.denied",
            "person",
            person_key,
            {"path": path, "reason": "no legitimate relationship"},
        )


def awaiting_review() -> list[BreakGlass]:
    """Break-glass uses the IG lead has not reviewed yet, oldest first."""
    return list(
        BreakGlass.objects.filter(reviewed_at__isnull=True)
        .select_related("user__organisation")
        .order_by("started_at")
    )


def review(grant: BreakGlass, reviewer: User, outcome: str, note: str) -> None:
    if grant.user_id == reviewer.pk:
        raise BreakGlassRefusedError("Nobody reviews their own break-glass access")
    if grant.reviewed_at is not None:
        raise BreakGlassRefusedError("This break-glass access has been reviewed already")
    with transaction.atomic():
        grant.reviewed_by, grant.reviewed_at = reviewer, timezone.now()
        grant.review_outcome, grant.review_note = outcome, note
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_note"])
        record_by(
            reviewer,
            "person.break_glass_reviewed",
            "person",
            grant.person_key,
            {"break_glass": grant.pk, "outcome": outcome, "note": note},
        )
