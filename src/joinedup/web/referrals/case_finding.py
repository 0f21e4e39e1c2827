"""Case finding into referrals: the hub coordinator runs a cohort for a purpose of direct care,
and turns some of the people it finds into referrals for the Integrated Action Team.

The cohort runs on the pseudonymous analytic zone (``analytics.cohorts.run``) with its purpose
replaced by the one chosen here; the agreements must cover that purpose for every feed the
cohort reads, or the run is refused. Only person_keys come back, with their number: the raw
number is shown to the coordinator and kept nowhere else (it has not been through disclosure
control). The run is recorded in the provenance log, and audited here with who ran it.

A referral made from a cohort has no identifiers typed: it holds the person_key, matched
already, and the cohort, its run and the purpose. Nobody sees who the person is until the
coordinator accepts the referral into a case: the case gives its lead professional a legitimate
relationship, and the person page shows them the person, audited as every view is. Each batch
of referrals is audited once (``case_finding.referrals_created``: the re-identification, with its
purpose and the person_keys), and each referral as the referral workflow audits every one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from joinedup.analytics.cohorts.run import run_cohort
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.audit.chain import record_by
from joinedup.web.governance.sharing import LawfulBasis
from joinedup.web.referrals import workflow
from joinedup.web.referrals.models import (
    CaseFindingPurpose,
    Consent,
    MatchResult,
    Referral,
    Source,
    Urgency,
)

MAX_AT_ONCE = 25  # referrals made in one go: the team takes people on a few at a time
MAX_LISTED = 500  # people listed from one run; narrow a larger cohort with its parameters
SESSION_KEY = "case_finding"


class CaseFindingError(ValueError):
    """Referrals that cannot be made: too many at once, or people the run did not find."""


@dataclass(frozen=True)
class Found:
    """One case-finding run, as the coordinator's session keeps it until referrals are made."""

    run_id: str
    cohort: str
    title: str
    purpose: str
    parameters: dict[str, str]
    people: int  # everyone the cohort found (not disclosure-controlled: the coordinator's only)
    person_keys: list[str]  # the first MAX_LISTED of them, in key order

    def as_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, kept: Mapping[str, Any] | None) -> Found | None:
        return cls(**kept) if kept else None

    @property
    def purpose_label(self) -> str:
        return CaseFindingPurpose(self.purpose).label


def find(home: Path, cohort: str, parameters: dict[str, str], purpose: str, by: User) -> Found:
    """Run ``cohort`` for ``purpose`` with case finding (refused by the agreements, or run)."""
    run = run_cohort(home, cohort, parameters, case_finding=True, purpose=purpose)
    keys = run.person_keys or []
    found = Found(
        run_id=run.run_id,
        cohort=run.name,
        title=run.title,
        purpose=purpose,
        parameters=dict(run.parameters),
        people=len(keys),
        person_keys=keys[:MAX_LISTED],
    )
    with transaction.atomic():
        record_by(
            by,
            "case_finding.run",
            "cohort",
            run.name,
            {"cohort": run.name, "run_id": run.run_id, "purpose": purpose, "people": len(keys)},
        )
    return found


def refer(found: Found, person_keys: list[str], by: User) -> list[Referral]:
    """One referral per person_key, made by ``by``, and the batch's audit event."""
    if Permission.TRIAGE_REFERRALS not in permissions_of(by.roles):
        raise CaseFindingError("Only the hub coordinator makes referrals from case finding")
    keys = list(dict.fromkeys(person_keys))
    if not keys:
        raise CaseFindingError("Select the people to refer")
    if len(keys) > MAX_AT_ONCE:
        raise CaseFindingError(f"Select {MAX_AT_ONCE} people or fewer at a time")
    strangers = set(keys) - set(found.person_keys)
    if strangers:
        raise CaseFindingError("Refer only people this run found")
    with transaction.atomic():
        made = [workflow.submit(_referral(found, key, by)) for key in keys]
        record_by(
            by,
            "case_finding.referrals_created",
            "cohort",
            found.cohort,
            {
                "cohort": found.cohort,
                "run_id": found.run_id,
                "purpose": found.purpose,
                "people": len(made),
                "person_keys": keys,
                "referrals": [r.reference for r in made],
            },
        )
    return made


def _referral(found: Found, person_key: str, by: User) -> Referral:
    return Referral(
        # Not asked: the person was found in the data. The agreements that allow the purpose
        # all share on the public task basis (agreements.toml).
        consent=Consent.NOT_ASKED,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        urgency=Urgency.ROUTINE,
        tried="",
        referred_by=by,
        organisation=by.organisation,
        person_key=person_key,
        match=MatchResult.MATCHED,
        match_candidates=1,
        source=Source.CASE_FINDING,
        cohort=found.cohort,
        cohort_run_id=found.run_id,
        purpose=found.purpose,
    )
