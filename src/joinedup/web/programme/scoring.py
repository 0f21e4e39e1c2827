"""A risk's score and RAG rating: the thresholds live here and nowhere else.

>>> score(3, 5), rag(score(3, 5)), rag(4), rag(5), rag(12)
(15, 'red', 'green', 'amber', 'amber')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

SCALE = range(1, 6)  # likelihood and impact are each 1 (lowest) to 5 (highest)
AMBER_FROM = 5  # 1-4 green
RED_FROM = 15  # 5-12 amber; 15-25 red (13 and 14 cannot be scored on a 5 x 5 grid)
DEFAULT_ESCALATION_SCORE = 15
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red"}
RAG_TAGS = {"green": "govuk-tag--green", "amber": "govuk-tag--yellow", "red": "govuk-tag--red"}


def score(likelihood: int, impact: int) -> int:
    if likelihood not in SCALE or impact not in SCALE:
        raise ValueError(f"likelihood and impact are 1 to 5, not {likelihood} and {impact}")
    return likelihood * impact


def rag(risk_score: int) -> str:
    if risk_score >= RED_FROM:
        return "red"
    if risk_score >= AMBER_FROM:
        return "amber"
    return "green"


def escalation_score() -> int:
    """Risks scoring this or more go to the Executive (``JOINEDUP_RISK_ESCALATION_SCORE``)."""
    return int(getattr(settings, "JOINEDUP_RISK_ESCALATION_SCORE", DEFAULT_ESCALATION_SCORE))


@dataclass(frozen=True)
class EscalationReason:
    """Why a risk goes to the Executive; ``key`` names the occasion, so it goes once."""

    key: str
    text: str


def escalation_reasons(
    risk_score: int, review_on: dt.date, today: dt.date
) -> list[EscalationReason]:
    """A score at or over the escalation score, a review date passed: either, both or neither.

    >>> [r.key for r in escalation_reasons(16, dt.date(2016, 1, 1), dt.date(2016, 1, 2))]
    ['score-16', 'review-2016-01-01']
    >>> escalation_reasons(12, dt.date(2016, 1, 2), dt.date(2016, 1, 2))
    []
    """
    threshold = escalation_score()
    reasons = []
    if risk_score >= threshold:
        reasons.append(
            EscalationReason(f"score-{risk_score}", f"Score {risk_score} is {threshold} or more")
        )
    if review_on < today:
        reasons.append(
            EscalationReason(
                f"review-{review_on.isoformat()}", f"Review was due {review_on:%-d %B %Y}"
            )
        )
    return reasons
