"""Signposting and social prescribing: a worker on a case refers the person to an asset, then
records whether they took it up and what came of it. Each change is audited with it.

Only a worker on the case (``cases.casework.works_on``) may refer from it or record take-up, and
only while it is open; the pages find the case through ``cases_of`` first, so another's case is
"not found". Audit details carry ids and codes only: never the outcome's text.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.analytics.disclosure import ControlledTable, control_table
from joinedup.web.accounts.models import User
from joinedup.web.cases import workflow
from joinedup.web.cases.casework import CaseworkError, audit, works_on
from joinedup.web.cases.models import Case
from joinedup.web.community.models import Asset, AssetReferral
from joinedup.web.community.vocabulary import Need, TakeUp


def _require_worker(case: Case, by: User) -> None:
    workflow.require_open(case)
    if not works_on(case, by):
        raise CaseworkError(f"{by.email} does not work on {case.reference}")


def refer(case: Case, asset: Asset, *, by: User, need: Need, on: dt.date) -> AssetReferral:
    """Record that the person on ``case`` was referred to ``asset`` for ``need``."""
    with transaction.atomic():
        _require_worker(case, by)
        if not asset.needs.filter(need=need.value).exists():
            raise CaseworkError(f"{asset.name} does not meet the need {need.label.lower()}")
        if on > timezone.localdate():
            raise CaseworkError("A referral is recorded on the day it was made, or later")
        made = AssetReferral.objects.create(
            case=case, asset=asset, need=need.value, referred_on=on, referred_by=by
        )
        audit(
            "community.referred",
            by,
            "case",
            case.reference,
            person_key=case.person_key,
            asset=asset.pk,
            asset_referral=made.pk,
            need=need.value,
        )
    return made


def record_take_up(
    referral: AssetReferral, *, by: User, take_up: TakeUp, outcome: str, score: int | None
) -> None:
    """What became of the referral: attended, still attending, did not attend; the outcome."""
    with transaction.atomic():
        _require_worker(referral.case, by)
        referral.take_up = take_up.value
        referral.outcome = outcome
        referral.outcome_score = score
        referral.updated_at, referral.updated_by = timezone.now(), by
        referral.save(
            update_fields=["take_up", "outcome", "outcome_score", "updated_at", "updated_by"]
        )
        audit(
            "community.take_up_recorded",
            by,
            "case",
            referral.case.reference,
            person_key=referral.case.person_key,
            asset_referral=referral.pk,
            take_up=take_up.value,
        )


def take_up_counts(asset: Asset) -> ControlledTable[TakeUp]:
    """How many people referred to ``asset`` are at each stage, and in all, through disclosure
    control (small counts hidden, the rest rounded, with secondary suppression so that a hidden
    count cannot be worked out from the total).

    People, not referrals: one person referred twice counts once, at their latest referral.
    """
    latest: dict[str, str] = {}
    for person_key, stage in (
        AssetReferral.objects.filter(asset=asset)
        .order_by("referred_on", "pk")
        .values_list("case__person_key", "take_up")
    ):
        latest[person_key] = stage
    counted = {stage: 0 for stage in TakeUp}
    for stage in latest.values():
        counted[TakeUp(stage)] += 1
    return control_table(counted, list(TakeUp))
