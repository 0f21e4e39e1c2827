"""The whole journey in a real browser (Debian's headless chromium), on a borough loaded and
linked for real: a police officer refers a resident; the hub coordinator sees that the
resident's GP referred them last week, joins the two referrals and accepts them into a new case;
the MDT discusses the case and agrees an action; PAM rises from level 2 to level 4 at follow-up;
the case closes; the before-and-after panel shows the linked figures. The audit log holds the
journey in order, and its chain is intact."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.db.models import Q
from django.utils import timezone
from linked_hub import Resident, resident_to_refer
from playwright.sync_api import Browser, Page
from test_web_browser import (
    assert_accessible,
    browser,  # noqa: F401  (a fixture)
    orm_beside_playwright,  # noqa: F401  (a fixture, for this module too)
    sign_in_as,
)

from conftest import PASSWORD
from joinedup.analytics.service_use import BeforeAndAfter, before_and_after
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit import chain
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.models import Case, CaseStatus
from joinedup.web.mdt.models import Meeting
from joinedup.web.referrals import journey, workflow
from joinedup.web.referrals.matching import match_referral
from joinedup.web.referrals.models import Referral, Status

pytestmark = pytest.mark.django_db(transaction=True)
# A day with twelve months of the synthetic borough's data (2015 to 2019) either side of it.
IN_THE_DATA = dt.date(2019, 1, 1)


def member(email: str, name: str, organisation: str, role: Role) -> User:
    """Someone in the partnership, with two-factor sign-in set up."""
    return User.objects.create_user(
        email,
        PASSWORD,
        organisation=Organisation.objects.get_or_create(name=organisation)[0],
        roles=(role,),
        full_name=name,
        totp_secret=pyotp.random_base32(),
    )


def label(user: User) -> str:
    """How the pages' drop-downs and check boxes name someone."""
    return f"{user.full_name} ({user.organisation})"


def day(date: dt.date) -> str:
    """A date as the pages show it ("j F Y")."""
    return f"{date.day} {date:%B %Y}"


def referred_by_their_gp(resident: Resident, gp: User, home: Path) -> Referral:
    """The GP's referral, sent through the referral workflow (not the pages) a week ago."""
    answers: journey.Answers = {
        "person": {
            "given_name": resident.given,
            "family_name": resident.family,
            "birth_date": resident.birth_date.isoformat(),
            "nhs_number": "",
            "address": resident.address,
            "postcode": resident.postcode,
        },
        "consent": {"consent": "given"},
        "needs": {
            "needs": [
                {"domain": "physical_health", "description": "COPD, three A&E visits this winter"},
                {"domain": "loneliness", "description": "Lives alone since her husband died"},
            ]
        },
        "risks": {"risks": [], "risk_details": ""},
        "urgency": {"urgency": "routine"},
        "tried": {"tried": "Rescue pack and a practice nurse review"},
    }
    referral = journey.referral_from(answers, gp)
    match_referral(referral, home)
    workflow.submit(referral)
    Referral.objects.filter(pk=referral.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=7)
    )
    referral.refresh_from_db()
    return referral


def panel(page: Page) -> dict[str, tuple[int, int]]:
    """The before-and-after panel as shown: each service's (before, since), by kind."""
    shown = {}
    for row in page.locator("#service-use tbody tr").all():
        kind = (row.get_attribute("id") or "").removeprefix("service-use-")
        before, since = (int(cell) for cell in row.locator("td").all_inner_texts())
        shown[kind] = (before, since)
    return shown


def figures(expected: BeforeAndAfter) -> dict[str, tuple[int, int]]:
    return {s.kind: (s.before, s.since) for s in expected.services}


def in_order(expected: list[str], verbs: list[str]) -> bool:
    """Whether ``expected`` is a subsequence of ``verbs``."""
    remaining = iter(verbs)
    return all(verb in remaining for verb in expected)


def test_a_resident_referred_twice_gets_one_case_whose_figures_follow_them(
    browser: Browser,  # noqa: F811
    live_server: Any,
    linked_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(linked_home))
    base, today = live_server.url, timezone.localdate()
    resident = resident_to_refer(linked_home, IN_THE_DATA)
    officer = member(
        "pc.early@example.org", "PC Pat Early", "Lancashire Constabulary", Role.PRACTITIONER
    )
    gp = member("dr.patel@example.org", "Dr Gita Patel", "Chorley GP Federation", Role.PRACTITIONER)
    coordinator = member(
        "hub@example.org", "Hana Coordinator", "Chorley Council", Role.HUB_COORDINATOR
    )
    from_gp = referred_by_their_gp(resident, gp, linked_home)
    assert from_gp.person_key == resident.person_key

    # The police officer refers the resident, one question a page.
    police = browser.new_page()
    sign_in_as(police, base, officer)
    police.get_by_role("link", name="Make a referral").click()
    police.get_by_role("button", name="Start now").click()
    police.wait_for_url("**/referrals/new/person/")
    police.get_by_role("button", name="Continue").click()
    police.get_by_role("alert").wait_for(state="visible")
    assert "Enter the person's given name" in police.get_by_role("alert").inner_text()
    assert_accessible(police)
    police.get_by_label("Given name").fill(resident.given)
    police.get_by_label("Family name").fill(resident.family)
    police.get_by_label("Day").fill(str(resident.birth_date.day))
    police.get_by_label("Month").fill(str(resident.birth_date.month))
    police.get_by_label("Year").fill(str(resident.birth_date.year))
    police.get_by_label("Address").fill(resident.address)
    police.get_by_label("Postcode").fill(resident.postcode)
    police.get_by_role("button", name="Continue").click()
    police.wait_for_url("**/referrals/new/consent/")
    police.get_by_label("They were not asked").check()
    police.get_by_role("button", name="Continue").click()
    police.wait_for_url("**/referrals/new/lawful-basis/")
    police.get_by_label("Safeguarding a child or an adult at risk").check()
    police.get_by_role("button", name="Continue").click()
    police.wait_for_url("**/referrals/new/needs/")
    police.get_by_label("Safety and safeguarding", exact=True).check()
    police.get_by_label("Describe the safety and safeguarding need").fill(
        "Found confused in the street at night twice this month"
    )
    police.get_by_label("Housing", exact=True).check()
    police.get_by_label("Describe the housing need").fill("Cold house: the boiler has failed")
    police.get_by_role("button", name="Continue").click()
    police.wait_for_url("**/referrals/new/risks/")
    police.get_by_label("Dog at the address").check()
    police.get_by_label("Details of the risks (optional)").fill("Friendly, but shut it away")
    police.get_by_role("button", name="Continue").click()
    police.wait_for_url("**/referrals/new/urgency/")
    police.get_by_label("Urgent", exact=True).check()
    police.get_by_role("button", name="Continue").click()
    police.wait_for_url("**/referrals/new/tried/")
    police.get_by_label("What has been tried already?").fill("Taken home; a neighbour checks")
    police.get_by_role("button", name="Continue").click()
    police.wait_for_url("**/referrals/new/check/")
    name_row = police.locator("#answer-name").inner_text()
    assert f"{resident.given} {resident.family}" in name_row
    assert "Lancashire Constabulary" in police.locator("#answer-organisation").inner_text()
    assert_accessible(police)
    police.get_by_role("button", name="Accept and send").click()
    police.wait_for_url("**/referrals/new/sent/")
    from_police = Referral.objects.get(reference=police.locator("#reference").inner_text())
    assert from_police.person_key == resident.person_key

    # The hub coordinator sees the GP's referral of last week, joins the two, opens a case.
    hub = browser.new_page()
    sign_in_as(hub, base, coordinator)
    hub.get_by_role("link", name="Referrals to triage").click()
    queued = hub.locator(f"#queue-{from_police.reference}").inner_text()
    assert "1 other referral in 90 days" in queued
    # The queue, not the decision page: GOV.UK Frontend's conditional reveals put aria-expanded
    # on radios, which axe reports; GOV.UK keeps it on purpose (alphagov/govuk-frontend#979).
    assert_accessible(hub)
    hub.get_by_role("link", name=from_police.reference).click()
    known = hub.locator("#already-known").inner_text()
    assert f"{from_gp.reference}, sent {day(timezone.localdate(from_gp.submitted_at))}" in known
    assert "waiting for triage" in known
    hub.get_by_label("Join it with another waiting referral for this person").check()
    hub.get_by_label("Which referral should it join?").select_option(from_gp.reference)
    hub.get_by_role("button", name="Record decision").click()
    hub.locator("#outcome").wait_for()
    hub.locator("#outcome").get_by_role("link", name=from_gp.reference).click()
    hub.wait_for_url(f"**/referrals/triage/{from_gp.reference}/")
    together = hub.locator("#combined-needs").inner_text()
    assert from_police.reference in together and from_gp.reference in together
    hub.get_by_label("Accept it into a new case").check()
    hub.get_by_label("Lead professional").select_option(label=label(gp))
    hub.get_by_role("button", name="Record decision").click()
    hub.locator("#outcome").wait_for()
    case = Case.objects.get(person_key=resident.person_key)
    assert "Accepted by the Integrated Action Team" in hub.locator("#outcome").inner_text()
    assert f"Case {case.reference}" in hub.locator("#outcome").inner_text()

    # The GP leads the case: the coordinator (who chairs the MDT) and the officer join it.
    doctor = browser.new_page()
    sign_in_as(doctor, base, gp)
    doctor.get_by_role("link", name="Your cases").click()
    doctor.get_by_role("link", name=case.reference).click()
    case_url = f"{base}/cases/{case.pk}/"
    doctor.wait_for_url(case_url)
    for joining in (coordinator, officer):
        doctor.get_by_role("button", name="Add a worker").click()
        doctor.get_by_label("Who joins the case").select_option(label=label(joining))
        doctor.get_by_role("button", name="Add to the case").click()
        doctor.wait_for_url(case_url)

    # The MDT: its agenda picks up the new case; attendance, the discussion and an action.
    hub.goto(f"{base}/")
    hub.get_by_role("link", name="MDT meetings").click()
    hub.get_by_role("button", name="Schedule a meeting").click()
    hub.get_by_label("Date", exact=True).fill(today.isoformat())
    hub.get_by_label("Start time").fill("10:00")
    hub.get_by_label("Place").fill("Union Street, Chorley")
    hub.get_by_role("button", name="Schedule the meeting").click()
    meeting = Meeting.objects.get()
    meeting_url = f"{base}/mdt/{meeting.pk}/"
    hub.wait_for_url(meeting_url)
    assert hub.get_by_role("link", name=case.reference, exact=True).is_visible()
    hub.get_by_role("button", name="Record attendance").click()
    present = hub.get_by_role("group", name="Present")
    for there in (coordinator, gp, officer):
        present.get_by_label(label(there)).check()
    hub.get_by_role("button", name="Save attendance").click()
    hub.wait_for_url(meeting_url)
    hub.get_by_role("link", name=f"Record the discussion of {case.reference}").click()
    hub.get_by_label("Summary of the discussion").fill(
        "Two referrals, one week apart: falls risk, a cold house and isolation"
    )
    hub.get_by_label("Decision").fill("GP leads; police check on her weekly until the boiler works")
    review = today + dt.timedelta(weeks=12)
    hub.get_by_label("Next review (optional)").fill(review.isoformat())
    hub.get_by_role("button", name="Save and add actions").click()
    hub.wait_for_url("**/actions/")
    hub.get_by_label("Action", exact=True).fill("Refer to the council's boiler grant")
    hub.get_by_label("Owner").select_option(label=label(officer))
    hub.get_by_label("Due by").fill((today + dt.timedelta(weeks=2)).isoformat())
    hub.get_by_role("button", name="Add the action").click()
    hub.get_by_text("Refer to the council's boiler grant: PC Pat Early").wait_for()
    hub.get_by_role("link", name="Done: back to the meeting").click()
    hub.wait_for_url(meeting_url)
    record = hub.locator("main").inner_text()
    assert "GP leads; police check on her weekly" in record
    assert "Refer to the council's boiler grant" in record
    attended = hub.locator("p", has_text="Present:").inner_text()
    assert all(label(there) in attended for there in (coordinator, gp, officer))
    assert_accessible(hub)

    # PAM at baseline (level 2) and at follow-up three months on (level 4).
    doctor.goto(case_url)
    for level, score, assessed in (
        ("Level 2", "47.5", today - dt.timedelta(weeks=13)),
        ("Level 4", "72.5", today),
    ):
        doctor.get_by_role("button", name="Record a PAM").click()
        doctor.get_by_label("PAM level").select_option(label=level)
        doctor.get_by_label("PAM score (0 to 100)").fill(score)
        doctor.get_by_label("Date of the assessment").fill(assessed.isoformat())
        doctor.get_by_label("Assessor").select_option(label=label(gp))
        doctor.get_by_role("button", name="Record the PAM").click()
        doctor.wait_for_url(case_url)
    rise = doctor.locator("#pam-change").inner_text()
    assert "Baseline level 2 (47.5) → latest level 4 (72.5)" in rise and "Rose 2 levels" in rise

    # The officer finishes their action; the GP closes the case.
    police.goto(f"{base}/")
    police.get_by_role("link", name="Your cases").click()
    police.get_by_role("link", name=case.reference).click()
    police.get_by_role("link", name="Update action").click()
    police.get_by_label("The action is now").select_option(label="Done")
    police.get_by_role("button", name="Save").click()
    police.wait_for_url(case_url)
    doctor.reload()
    doctor.get_by_role("button", name="Close the case").click()
    doctor.get_by_label("Outcome").select_option(label="Goals met")
    doctor.get_by_role("button", name="Close the case").click()
    doctor.wait_for_url(case_url)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert "Goals met" in doctor.locator("main").inner_text()

    # The closed case keeps the panel, counted from the GP's referral (the one that opened it).
    referred_on = timezone.localdate(from_gp.submitted_at)
    assert panel(doctor) == figures(before_and_after(linked_home, case.person_key, referred_on))
    assert "before the referral" in doctor.locator("#service-use-data-ends").inner_text()
    # The borough's records end in 2019: the panel of a referral made then has figures both
    # sides of it. Sent on IN_THE_DATA, the GP's referral is what the panel counts from.
    Referral.objects.filter(pk=from_gp.pk).update(
        submitted_at=timezone.make_aware(dt.datetime.combine(IN_THE_DATA, dt.time(11)))
    )
    doctor.reload()
    expected = figures(before_and_after(linked_home, case.person_key, IN_THE_DATA))
    assert panel(doctor) == expected and any(sum(pair) for pair in expected.values())
    assert "The 12 months before 1 January 2019" in doctor.locator("#service-use").inner_text()
    assert_accessible(doctor)

    # The journey, in the audit log, in order; never the resident's name; the chain intact.
    events = list(
        AuditEvent.objects.filter(
            Q(detail__person_key=resident.person_key)
            | Q(object_id__in=[from_gp.reference, from_police.reference, case.reference])
        )
        .exclude(verb__in=["referral.viewed", "case.viewed"])
        .order_by("sequence")
    )
    verbs = [event.verb for event in events]
    assert in_order(
        [
            "referral.submitted",  # the GP's
            "referral.submitted",  # the officer's
            "referral.merged",
            "case.opened",
            "case.worker_added",  # the GP, its lead professional
            "referral.accepted",
            "case.worker_added",  # the coordinator
            "case.worker_added",  # the officer
            "mdt.agenda_item_added",
            "case.review_set",
            "mdt.item_discussed",
            "case.action_added",
            "case.pam_recorded",
            "case.pam_recorded",
            "case.action_updated",
            "case.closed",
        ],
        verbs,
    ), verbs
    merged = next(e for e in events if e.verb == "referral.merged")
    assert merged.object_id == from_police.reference
    assert merged.detail["merged_into"] == from_gp.reference
    accepted = next(e for e in events if e.verb == "referral.accepted")
    assert (accepted.object_id, accepted.detail["case"]) == (from_gp.reference, case.reference)
    named = re.compile(rf"\b({resident.given}|{resident.family})\b", re.IGNORECASE)
    assert not [e for e in events if named.search(str(e.detail))]
    assert Referral.objects.get(pk=from_police.pk).status == Status.MERGED
    assert chain.verify().intact
    for page in (police, hub, doctor):
        page.close()
