"""A new referral's person, looked up in the person index (``joinedup.linkage.lookup``).

The answer is kept on the referral for the hub coordinator: the person_key when one person is
likeliest, how sure, and which fields agreed. The referrer is never told whether the person was
found: that would tell them who else knows the person (AC-07).
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from joinedup.linkage.lookup import Match, Referred, find_person
from joinedup.linkage.published import NotLinkedError
from joinedup.web.referrals.models import MatchResult, Referral

log = logging.getLogger(__name__)


def match_referral(referral: Referral, home: Path) -> None:
    """Set the referral's match fields from the published person index under ``home``."""
    if referral.birth_date is None:  # the journey asks for it; only case finding leaves it out
        referral.match = MatchResult.NONE
        return
    referred = Referred(
        given_name=referral.given_name,
        family_name=referral.family_name,
        birth_date=referral.birth_date,
        postcode=referral.postcode,
        nhs_number=referral.nhs_number,
    )
    try:
        found = find_person(home, referred)
    except (NotLinkedError, OSError, duckdb.Error) as error:
        # The referral is still taken: the coordinator sees that it could not be matched.
        log.warning("person index not available for a referral: %s", error)
        referral.match = MatchResult.UNAVAILABLE
        return
    keep(referral, found)


def keep(referral: Referral, found: Match) -> None:
    best = found.best
    referral.match_candidates = len(found.candidates)
    if best is not None:
        referral.match = MatchResult.MATCHED
        referral.person_key = best.person_key
        referral.match_confidence = best.confidence
        referral.match_fields = list(best.agreed)
    else:
        referral.match = MatchResult.AMBIGUOUS if found.ambiguous else MatchResult.NONE
        referral.person_key, referral.match_confidence, referral.match_fields = "", "", []
