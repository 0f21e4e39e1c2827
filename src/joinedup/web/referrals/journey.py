"""The standard referral as a GOV.UK question-per-page journey.

The answers wait in the session, one entry per question page, until the referrer sends them
from the check-your-answers page. The lawful basis page is asked only when the person did not
agree. Each page's Back link goes to the page before it; a "Change" link from the check page
comes back to the check page (``?from=check``), through any question the change makes newly
needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from joinedup.web.accounts.models import User
from joinedup.web.governance.sharing import Domain, LawfulBasis
from joinedup.web.referrals.forms import (
    ConsentForm,
    LawfulBasisForm,
    NeedsForm,
    PersonForm,
    RisksForm,
    StepForm,
    TriedForm,
    UrgencyForm,
)
from joinedup.web.referrals.models import Consent, Referral, RiskFlag, Urgency

SESSION_KEY = "referral_draft"
SENT_KEY = "referral_sent"
CHECK = "check"
START = "start"
NOT_GIVEN = "Not given"  # no NHS number; no identifiers at all on a referral from case finding

Answers = dict[str, dict[str, Any]]  # step name -> that page's answers


def _always(answers: Answers) -> bool:
    return True


def _without_consent(answers: Answers) -> bool:
    return answers.get("consent", {}).get("consent") not in (None, Consent.GIVEN)


@dataclass(frozen=True)
class Step:
    name: str  # also its URL name and template: referrals:<name>, referrals/<name>.html
    title: str
    form: type[StepForm]
    fields: tuple[str, ...]  # the referral's fields it answers
    applies: Callable[[Answers], bool] = _always


PERSON = ("given_name", "family_name", "birth_date", "nhs_number", "address", "postcode")
STEPS = (
    Step("person", "Who are you referring?", PersonForm, PERSON),
    Step("consent", "Does the person agree to this referral?", ConsentForm, ("consent",)),
    Step(
        "lawful_basis",
        "Why can the referral be shared without the person's agreement?",
        LawfulBasisForm,
        ("lawful_basis",),
        _without_consent,
    ),
    Step("needs", "What does the person need help with?", NeedsForm, ("needs",)),
    Step("risks", "Are there any risks to people visiting?", RisksForm, ("risks", "risk_details")),
    Step("urgency", "How urgent is it?", UrgencyForm, ("urgency",)),
    Step("tried", "What has been tried already?", TriedForm, ("tried",)),
)
BY_NAME = {step.name: step for step in STEPS}


def answers(session: SessionBase) -> Answers:
    kept: Answers = session.get(SESSION_KEY, {})
    return kept


def path(kept: Answers) -> list[Step]:
    """The pages this referral asks, in order."""
    return [step for step in STEPS if step.applies(kept)]


def first_missing(kept: Answers, before: Step | None = None) -> Step | None:
    """The first page not answered yet (only among those before ``before``, if given)."""
    for step in path(kept):
        if step == before:
            return None
        if step.name not in kept:
            return step
    return None


def save(session: SessionBase, step: Step, given: dict[str, Any]) -> Answers:
    kept = {**answers(session), step.name: given}
    # An answer to a page that no longer applies (a lawful basis, once consent is given) goes.
    asked = {s.name for s in path(kept)}
    kept = {name: value for name, value in kept.items() if name in asked}
    session[SESSION_KEY] = kept
    return kept


def clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def after(kept: Answers, step: Step, changing: bool) -> str:
    """The URL name of the page after ``step``: the next question, or back to the check page."""
    steps = path(kept)
    if changing:
        missing = first_missing(kept)
        return missing.name if missing else CHECK
    position = steps.index(step) if step in steps else len(steps)
    return steps[position + 1].name if position + 1 < len(steps) else CHECK


def before(kept: Answers, step: Step, changing: bool) -> str:
    """The URL name the Back link goes to."""
    if changing:
        return CHECK
    steps = path(kept)
    position = steps.index(step) if step in steps else 0
    return steps[position - 1].name if position > 0 else START


def referral_from(kept: Answers, referrer: User) -> Referral:
    """An unsaved referral from the kept answers, made by ``referrer`` for their organisation."""
    fields: dict[str, Any] = {}
    for step in path(kept):
        fields.update({name: kept[step.name][name] for name in step.fields})
    fields["birth_date"] = dt.date.fromisoformat(fields["birth_date"])
    return Referral(**fields, referred_by=referrer, organisation=referrer.organisation)


def answers_of(referral: Referral) -> Answers:
    """A sent referral's answers, by page, as the session kept them."""
    kept = {step.name: {n: getattr(referral, n) for n in step.fields} for step in STEPS}
    born = referral.birth_date
    kept["person"]["birth_date"] = born.isoformat() if born else ""  # none from case finding
    return {step.name: kept[step.name] for step in path(kept)}


@dataclass(frozen=True)
class Row:
    """One line of a summary list: its id, the question, the answer's lines, the page asking it."""

    id: str
    key: str
    lines: list[str]
    step: str


def rows(kept: Answers) -> list[Row]:
    """The answers as the check page and the referral's pages show them."""
    person = kept["person"]
    born = dt.date.fromisoformat(person["birth_date"]) if person["birth_date"] else None
    number = person.get("nhs_number", "")
    name = f"{person['given_name']} {person['family_name']}".strip()
    address = [*person["address"].splitlines(), person["postcode"]]
    shown: list[Row] = [
        Row("name", "Name", [name or NOT_GIVEN], "person"),
        Row(
            "birth_date",
            "Date of birth",
            [f"{born.day} {born:%B %Y}" if born else NOT_GIVEN],
            "person",
        ),
        Row(
            "nhs_number",
            "NHS number",
            [f"{number[:3]} {number[3:6]} {number[6:]}" if number else NOT_GIVEN],
            "person",
        ),
        Row("address", "Address", [line for line in address if line] or [NOT_GIVEN], "person"),
        Row(
            "consent",
            "Agrees to the referral",
            [Consent(kept["consent"]["consent"]).label],
            "consent",
        ),
    ]
    if "lawful_basis" in kept:
        basis = LawfulBasis(kept["lawful_basis"]["lawful_basis"]).label
        shown.append(Row("lawful_basis", "Lawful basis for sharing", [basis], "lawful_basis"))
    shown += [
        Row(
            f"need-{need['domain']}",
            Domain(need["domain"]).label,
            need["description"].splitlines(),
            "needs",
        )
        for need in kept["needs"]["needs"]
    ]
    risks = kept["risks"]
    flagged = [RiskFlag(r).label for r in risks["risks"]] or ["No known risks"]
    details = risks["risk_details"].splitlines()
    shown += [
        Row("risks", "Risks to people visiting", [*flagged, *details], "risks"),
        Row("urgency", "Urgency", [Urgency(kept["urgency"]["urgency"]).label], "urgency"),
        Row("tried", "What has been tried", kept["tried"]["tried"].splitlines(), "tried"),
    ]
    return shown
