"""The before-and-after panel on the case page: the person's A&E attendances, emergency
admissions, GP appointments, police and fire incidents in the 12 months before the referral that
opened the case and since, from the linked analytic data; for those who work on the case only
(open or closed), left out with a sentence while the hub has no linked data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from linked_hub import Resident, resident_to_refer

from conftest import signed_in
from joinedup.analytics.service_use import before_and_after
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.cases import casework
from joinedup.web.cases.models import Case
from joinedup.web.referrals import workflow
from joinedup.web.referrals.models import MatchResult, Referral, Urgency

pytestmark = pytest.mark.django_db
# A day with twelve months of the synthetic borough's data (2015 to 2019) either side of it.
IN_THE_DATA = dt.date(2019, 1, 1)
ROW = re.compile(
    r'<tr class="govuk-table__row" id="service-use-(\w+)">\s*<th[^>]*>[^<]*</th>\s*'
    r"<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>"
)


def panel_rows(html: str) -> dict[str, tuple[int, int]]:
    """The panel as shown: each service's (before, since), by kind."""
    return {kind: (int(before), int(since)) for kind, before, since in ROW.findall(html)}


@pytest.fixture
def resident(linked_home: Path, monkeypatch: pytest.MonkeyPatch) -> Resident:
    monkeypatch.setenv("JOINEDUP_HOME", str(linked_home))
    return resident_to_refer(linked_home, IN_THE_DATA)


@pytest.fixture
def lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="lead@example.org")


@pytest.fixture
def colleague(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="colleague@example.org")


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_COORDINATOR)


def referred(resident: Resident, referrer: User, on: dt.date) -> Referral:
    """A referral for ``resident``, matched to them, sent on ``on``."""
    referral = Referral(
        given_name=resident.given,
        family_name=resident.family,
        birth_date=resident.birth_date,
        address=resident.address,
        postcode=resident.postcode,
        consent="given",
        needs=[{"domain": "housing", "description": "Damp flat"}],
        urgency=Urgency.ROUTINE,
        tried="Advice given",
        referred_by=referrer,
        organisation=referrer.organisation,
        person_key=resident.person_key,
        match=MatchResult.MATCHED,
    )
    workflow.submit(referral)
    sent = timezone.make_aware(dt.datetime.combine(on, dt.time(11)))
    Referral.objects.filter(pk=referral.pk).update(submitted_at=sent)
    return referral


@pytest.fixture
def case(resident: Resident, lead: User, colleague: User, coordinator: User) -> Case:
    """Opened today from a referral sent on IN_THE_DATA; the colleague joins it."""
    referral = referred(resident, lead, IN_THE_DATA)
    opened = workflow.accept_into_new_case(referral, by=coordinator, lead_professional=lead)
    casework.add_worker(opened, colleague, added_by=lead)
    return opened


def test_those_on_the_case_see_service_use_since_the_referral_even_once_it_closes(
    case: Case, resident: Resident, linked_home: Path, lead: User, colleague: User
) -> None:
    expected = before_and_after(linked_home, resident.person_key, IN_THE_DATA)
    shown = {s.kind: (s.before, s.since) for s in expected.services}
    assert any(before or since for before, since in shown.values())
    assert case.opened_at.date() != IN_THE_DATA  # the referral's day, not the case's

    for worker in (lead, colleague):
        page = signed_in(worker).get(f"/cases/{case.pk}/")
        assert page.context["service_use"] == expected
        assert panel_rows(page.content.decode()) == shown
        assert "The 12 months before 1 January 2019" in page.content.decode()

    person = signed_in(lead).get(f"/people/{resident.person_key}/")
    assert person.context["service_use"] == expected
    assert panel_rows(person.content.decode()) == shown

    casework.close_case(case, closed_by=lead, outcome="goals_met")
    closed = signed_in(colleague).get(f"/cases/{case.pk}/")
    assert closed.context["case"].status == "closed"
    assert panel_rows(closed.content.decode()) == shown


@pytest.mark.parametrize(
    "role", [Role.PRACTITIONER, Role.HUB_COORDINATOR], ids=["practitioner", "coordinator"]
)
def test_nobody_else_sees_the_case_or_its_panel(
    case: Case, make_user: Callable[..., User], role: Role
) -> None:
    outsider = make_user(role, email="not-on-the-case@example.org")
    for client in (signed_in(outsider), Client()):
        page = client.get(f"/cases/{case.pk}/")
        assert page.status_code in (302, 404)
        assert b"service-use" not in page.content


def test_a_case_opened_without_a_referral_counts_from_the_day_it_opened(
    resident: Resident, linked_home: Path, lead: User
) -> None:
    case = casework.open_case(
        resident.person_key,
        organisation=lead.organisation,
        opened_by=lead,
        lead_professional=lead,
    )
    opened = dt.date(2018, 7, 1)
    Case.objects.filter(pk=case.pk).update(
        opened_at=timezone.make_aware(dt.datetime.combine(opened, dt.time(9)))
    )
    page = signed_in(lead).get(f"/cases/{case.pk}/")
    assert page.context["service_use"] == before_and_after(linked_home, resident.person_key, opened)
    assert page.context["service_use"].referred_on == opened


def test_a_hub_not_linked_yet_leaves_the_panel_out_with_a_sentence(
    case: Case, lead: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path))
    page = signed_in(lead).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="service-use-unavailable"' in html and "not been loaded and linked" in html
    assert 'id="service-use"' not in html
