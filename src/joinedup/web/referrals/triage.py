"""What the hub coordinator and the referrer see of referrals: the triage queue with the
duplication the partnership set out to reduce, and each referral's outcome in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.cases.casework import current_workers
from joinedup.web.cases.models import Case, CaseRole, CaseStatus
from joinedup.web.governance.sharing import Domain
from joinedup.web.referrals.models import Referral, Status, Urgency

RECENT = dt.timedelta(days=90)
URGENCY_RANK = models.Case(
    models.When(urgency=Urgency.IMMEDIATE, then=models.Value(0)),
    models.When(urgency=Urgency.URGENT, then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)


def queue() -> QuerySet[Referral]:
    """Referrals waiting for triage: the most urgent first, then the oldest."""
    return (
        Referral.objects.filter(status=Status.SUBMITTED)
        .select_related("organisation")
        .annotate(urgency_rank=URGENCY_RANK)
        .order_by("urgency_rank", "submitted_at", "pk")
    )


def own_referrals(user: User) -> QuerySet[Referral]:
    """The referrals ``user`` made: the only ones their pages reach."""
    return Referral.objects.filter(referred_by=user).select_related(
        "merged_into__case", "case", "organisation"
    )


@dataclass(frozen=True)
class Duplication:
    """What the hub already has for a referral's person: open cases, and other referrals made
    in the last 90 days (any outcome)."""

    open_cases: list[Case] = field(default_factory=list)
    recent: list[Referral] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.open_cases or self.recent)

    @property
    def waiting(self) -> list[Referral]:
        """The other referrals still waiting for triage: the ones a referral can join."""
        return [r for r in self.recent if r.status == Status.SUBMITTED]


def known_people(person_keys: Iterable[str]) -> dict[str, Duplication]:
    """What the hub already has for each person_key, in two queries for the lot."""
    keys = {k for k in person_keys if k}
    since = timezone.now() - RECENT
    cases: dict[str, list[Case]] = {}
    for case in Case.objects.filter(person_key__in=keys, status=CaseStatus.OPEN).order_by(
        "opened_at"
    ):
        cases.setdefault(case.person_key, []).append(case)
    others: dict[str, list[Referral]] = {}
    for other in Referral.objects.filter(person_key__in=keys, submitted_at__gte=since).order_by(
        "submitted_at", "pk"
    ):
        others.setdefault(other.person_key, []).append(other)
    return {k: Duplication(cases.get(k, []), others.get(k, [])) for k in keys}


def duplications(referrals: Iterable[Referral]) -> dict[int, Duplication]:
    """Each referral's duplication, by its id (itself left out of its other referrals)."""
    referrals = list(referrals)
    known = known_people(r.person_key for r in referrals)
    return {
        r.pk: Duplication(
            known[r.person_key].open_cases,
            [o for o in known[r.person_key].recent if o.pk != r.pk],
        )
        for r in referrals
        if r.person_key
    }


def duplication(referral: Referral) -> Duplication:
    return duplications([referral]).get(referral.pk, Duplication())


def practitioners() -> QuerySet[User]:
    """Who can lead a case: practitioners who can sign in."""
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.PRACTITIONER)
        .select_related("organisation")
        .order_by("full_name", "email")
        .distinct()
    )


def lead_professional(case: Case) -> User | None:
    lead = current_workers(case).filter(role=CaseRole.LEAD_PROFESSIONAL).first()
    return lead.user if lead is not None else None


def combined_needs(referral: Referral) -> list[tuple[str, list[tuple[str, str]]]]:
    """The needs of a referral and of every referral joined with it, by domain in the form's
    order: [(domain label, [(reference, description), ...]), ...]."""
    together = [referral, *referral.merged.order_by("submitted_at", "pk")]
    by_domain: dict[str, list[tuple[str, str]]] = {}
    for one in together:
        for need in one.needs:
            by_domain.setdefault(need["domain"], []).append((one.reference, need["description"]))
    return [(d.label, by_domain[d.value]) for d in Domain if d.value in by_domain]


def outcome(referral: Referral) -> str:
    """What happened to a referral, as its referrer is told it."""
    if referral.status == Status.MERGED and referral.merged_into is not None:
        joined = (
            "Joined with another referral for the same person: the team deals with them together."
        )
        if referral.merged_into.status == Status.SUBMITTED:
            return f"{joined} It is waiting for triage."
        return f"{joined} {outcome(referral.merged_into)}"
    if referral.status == Status.ACCEPTED and referral.case is not None:
        lead = lead_professional(referral.case)
        who = f" The lead professional is {_name(lead)} ({lead.organisation})." if lead else ""
        return f"Accepted by the Integrated Action Team.{who}"
    if referral.status == Status.SIGNPOSTED:
        return f"Signposted to {referral.outcome}."
    if referral.status == Status.DECLINED:
        return f"Declined: {referral.outcome}"
    return "Waiting for the hub coordinator to triage it."


def _name(user: User) -> str:
    return user.full_name or user.email
