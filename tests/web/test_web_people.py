"""Access to a person (AC-07, AC-08, AC-09, AC-10, AUD-01, GDPR-01): identifiers only inside a
legitimate relationship, break-glass with a reason flagged to the IG lead, every view audited,
and the subject access report; on a small synthetic borough, loaded and linked for real."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.test import Client, override_settings
from django.utils import timezone

from conftest import person_verbs, signed_in, today
from joinedup.feeds import store
from joinedup.linkage.persons import person_details
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import (
    add_action,
    add_need,
    add_note,
    add_worker,
    close_case,
    open_case,
    record_pam,
    remove_worker,
)
from joinedup.web.cases.models import Case, CaseWorker
from joinedup.web.community.models import Asset, AssetReferral
from joinedup.web.mdt.models import AgendaItem, Meeting
from joinedup.web.people.models import BreakGlass
from joinedup.web.referrals.models import Referral

pytestmark = pytest.mark.django_db
REASON = "Neighbour reports he has not been seen for three days and the door is open"


@pytest.fixture(scope="session")
def two_people(linked_home: Path) -> tuple[str, str]:
    """Two person_keys known to several agencies, the first with an NHS number."""
    connection = store.connect_zones(store.current(linked_home), read_only=True)  # type: ignore[arg-type]
    try:
        rows = connection.execute(
            """
            SELECT p.person_key FROM link_record_persons AS p
            JOIN identity_records AS i USING (feed, record_key)
            GROUP BY 1 HAVING count(DISTINCT p.feed) >= 4 AND bool_or(i.nhs_number_valid)
            ORDER BY 1 LIMIT 2
            """
        ).fetchall()
    finally:
        connection.close()
    return rows[0][0], rows[1][0]


@pytest.fixture(autouse=True)
def hub_home(on_linked_home: Path) -> Path:
    return on_linked_home


def case_for(person_key: str, worker: User, coordinator: User) -> Case:
    return open_case(
        person_key,
        organisation=worker.organisation,
        opened_by=coordinator,
        lead_professional=worker,
    )


def test_a_practitioner_on_the_case_sees_the_person_and_the_view_is_recorded(
    practitioner: User, coordinator: User, two_people: tuple[str, str], hub_home: Path
) -> None:
    key = two_people[0]
    case = case_for(key, practitioner, coordinator)
    details = person_details(hub_home, key)
    response = signed_in(practitioner).get(f"/people/{key}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert html.escape(details.name) in body and details.nhs_numbers[0] in body
    assert f"Direct care: case {case.reference}" in body
    assert (
        "Why these records are one person" in body
        and html.escape(details.joined_because[0]) in body
    )
    assert "A&amp;E attendances" in body  # service use before the case and since
    viewed = AuditEvent.objects.get(verb="person.viewed", object_id=key)
    assert viewed.actor == practitioner.email
    assert viewed.detail == {
        "relationship": "case",
        "reference": case.reference,
        "purpose": f"Direct care: case {case.reference}",
    }
    assert verify().intact


def test_without_a_relationship_the_person_is_refused_and_nothing_leaks(
    practitioner: User, two_people: tuple[str, str], hub_home: Path
) -> None:
    key = two_people[0]
    client = signed_in(practitioner)
    known = client.get(f"/people/{key}/")
    unknown = client.get("/people/P999999999/")
    details = person_details(hub_home, key)
    assert known.status_code == unknown.status_code == 404
    body = known.content.decode()
    assert html.escape(details.name) not in body and details.nhs_numbers[0] not in body

    # The same page for someone in the index and for no one: existence is not confirmed.
    def plain(page: str, person_key: str) -> str:
        return re.sub(r'value="[^"]+"', "", page.replace(person_key, "X"))

    assert plain(body, key) == plain(unknown.content.decode(), "P999999999")
    assert person_verbs(key) == ["access.denied"]


def test_a_case_for_one_person_does_not_open_another(
    practitioner: User, coordinator: User, two_people: tuple[str, str]
) -> None:
    first, second = two_people
    case_for(first, practitioner, coordinator)
    assert signed_in(practitioner).get(f"/people/{second}/").status_code == 404


def test_a_colleague_of_the_same_organisation_not_on_the_case_is_refused(
    practitioner: User,
    coordinator: User,
    make_user: Callable[..., User],
    two_people: tuple[str, str],
) -> None:
    key = two_people[0]
    case_for(key, practitioner, coordinator)
    colleague = make_user(Role.PRACTITIONER, email="colleague@police.example")
    assert signed_in(colleague).get(f"/people/{key}/").status_code == 404


def test_taken_off_the_case_mid_session_the_next_request_is_refused(
    practitioner: User, coordinator: User, two_people: tuple[str, str]
) -> None:
    key = two_people[0]
    case = case_for(key, coordinator, coordinator)
    add_worker(case, practitioner, added_by=coordinator)
    client = signed_in(practitioner)
    assert client.get(f"/people/{key}/").status_code == 200
    remove_worker(case, practitioner, removed_by=coordinator)
    assert client.get(f"/people/{key}/").status_code == 404


def test_a_closed_case_no_longer_opens_the_person(
    practitioner: User, coordinator: User, two_people: tuple[str, str]
) -> None:
    key = two_people[0]
    case = case_for(key, practitioner, coordinator)
    close_case(case, closed_by=practitioner, outcome="goals_met")
    assert signed_in(practitioner).get(f"/people/{key}/").status_code == 404


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.EXECUTIVE_MEMBER, Role.HUB_COORDINATOR, Role.PROGRAMME_OFFICER]
)
def test_roles_without_identifiable_access_are_refused_even_on_the_case(
    role: Role,
    make_user: Callable[..., User],
    coordinator: User,
    two_people: tuple[str, str],
    hub_home: Path,
) -> None:
    key = two_people[0]
    someone = make_user(role, email=f"{role.value}@council.example")
    # Even placed on a case by mistake (casework refuses to; the database would not stop it),
    # a role without identifiable access sees nothing (AC-09).
    CaseWorker.objects.create(case=case_for(key, coordinator, coordinator), user=someone)
    for path in (f"/people/{key}/", f"/people/{key}/break-glass/"):
        response = signed_in(someone).get(path)
        assert response.status_code == 403
        assert html.escape(person_details(hub_home, key).name) not in response.content.decode()


def test_break_glass_needs_a_reason_then_opens_the_person_for_an_hour_and_tells_the_ig_lead(
    practitioner: User, make_user: Callable[..., User], two_people: tuple[str, str]
) -> None:
    key = two_people[1]
    client = signed_in(practitioner)
    short = client.post(f"/people/{key}/break-glass/", {"reason": "urgent"})
    assert short.status_code == 400 and "at least 20 characters" in short.content.decode()
    assert not BreakGlass.objects.exists()
    opened = client.post(f"/people/{key}/break-glass/", {"reason": REASON})
    assert opened.status_code == 302 and opened["Location"] == f"/people/{key}/"
    page = client.get(f"/people/{key}/").content.decode()
    assert "Break-glass: " + REASON in page and "break-glass access ends" in page
    assert person_verbs(key) == ["person.break_glass", "person.viewed"]
    grant = BreakGlass.objects.get()
    assert grant.expires_at - grant.started_at == dt.timedelta(minutes=60)

    ig_lead = make_user(Role.IG_LEAD, email="iris@council.example")
    home = signed_in(ig_lead).get("/").content.decode()
    assert "Emergency (break-glass) access was used 1 time" in home

    # An hour later the glass is whole again.
    BreakGlass.objects.filter(pk=grant.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=61),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert client.get(f"/people/{key}/").status_code == 404


@override_settings(JOINEDUP_BREAK_GLASS_PER_DAY=2)
def test_break_glass_cannot_be_used_to_look_through_people(
    practitioner: User, two_people: tuple[str, str]
) -> None:
    client = signed_in(practitioner)
    for key in two_people:
        assert client.post(f"/people/{key}/break-glass/", {"reason": REASON}).status_code == 302
    third = client.post("/people/P999999998/break-glass/", {"reason": REASON})
    assert third.status_code == 400 and "as often as a day allows" in third.content.decode()
    assert BreakGlass.objects.count() == 2
    assert person_verbs("P999999998") == ["person.break_glass_refused"]


def test_the_ig_lead_reviews_break_glass_but_not_their_own(
    practitioner: User, make_user: Callable[..., User], two_people: tuple[str, str]
) -> None:
    key = two_people[1]
    signed_in(practitioner).post(f"/people/{key}/break-glass/", {"reason": REASON})
    grant = BreakGlass.objects.get()
    ig_lead = make_user(Role.IG_LEAD, email="iris@council.example")
    client = signed_in(ig_lead)
    queue = client.get("/people/break-glass/").content.decode()
    assert REASON in queue and practitioner.email in queue
    reviewed = client.post(
        f"/people/break-glass/{grant.pk}/",
        {"outcome": "justified", "note": "Welfare check confirmed with the police log"},
    )
    assert reviewed.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == ig_lead and grant.review_outcome == "justified"
    assert (
        "Every use of emergency access has been reviewed"
        in client.get("/people/break-glass/").content.decode()
    )
    assert signed_in(practitioner).get("/people/break-glass/").status_code == 403
    assert person_verbs(key)[-1] == "person.break_glass_reviewed"


def test_the_subject_access_report_holds_every_record_and_is_audited(
    practitioner: User,
    coordinator: User,
    make_user: Callable[..., User],
    two_people: tuple[str, str],
    hub_home: Path,
) -> None:
    """GDPR-01: the person in every table (partners' records, the person index, a referral, a
    case with its needs, actions, notes and PAM, an MDT discussion, the audit), then the report."""
    key = two_people[0]
    case = case_for(key, practitioner, coordinator)
    add_need(case, by=practitioner, domain="housing", need="Damp flat", goal="Repairs done")
    add_action(case, by=practitioner, description="Call landlord", owner=practitioner, due=today())
    add_note(case, author=practitioner, text="Visited; Mrs Smith next door helps with shopping")
    record_pam(case, by=practitioner, level=2, score=Decimal("47.0"), assessed_on=today(),
               assessor=practitioner)  # fmt: skip
    Referral.objects.create(
        reference="REF-SAR-1", given_name="A", family_name="B", birth_date=dt.date(1950, 1, 1),
        address="1 Market Street", postcode="PR7 1DP", consent="given", urgency="routine",
        tried="Nothing yet", referred_by=practitioner, organisation=practitioner.organisation,
        match="matched", person_key=key,
    )  # fmt: skip
    meeting = Meeting.objects.create(
        held_on=today(), starts_at=dt.time(10), place="Town hall", chair=coordinator,
        scheduled_by=coordinator,
    )  # fmt: skip
    AgendaItem.objects.create(meeting=meeting, case=case, position=1, reason="new",
                              summary="Discussed the damp", decision="Housing to visit")  # fmt: skip
    befriending = Asset.objects.create(
        name="Tea and Chat", kind="befriending", sector="voluntary", run_by="Age UK",
        age_group="older_people", address="Town hall", ward_code="E05013077",
        places_per_week=5, contact="tea@example.org", owner="Age UK", review_on=today(),
    )  # fmt: skip
    AssetReferral.objects.create(
        case=case, asset=befriending, need="loneliness", referred_on=today(),
        referred_by=practitioner, take_up="attended", outcome="Goes every Tuesday",
    )  # fmt: skip
    signed_in(practitioner).get(f"/people/{key}/")
    details = person_details(hub_home, key)
    ig_lead = make_user(Role.IG_LEAD, email="iris@council.example")
    response = signed_in(ig_lead).post(
        "/people/subject-access/", {"nhs_number": details.nhs_numbers[0]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheets = {sheet.title: list(sheet.values) for sheet in workbook.worksheets}
    assert len(sheets["Records from partners"]) - 1 == len(details.records)
    assert len(sheets["Events in the analytic zone"]) > 1
    assert sheets["Referrals"][1][0] == "REF-SAR-1"
    assert sheets["Cases"][1][1] == practitioner.organisation.name
    assert "worker [third party]" in sheets["Workers on the cases"][0]
    records = sheets["Case records"]
    assert {row[2] for row in records[1:]} == {
        "need and goal", "action", "note", "assessment", "MDT discussion", "community support"
    }  # fmt: skip
    assert any("Tea and Chat" in str(row[3]) and "Goes every Tuesday" in str(row[3])
               for row in records[1:])  # fmt: skip
    # Free text may name other people: marked for the IG lead to review before release.
    assert "what [third party]" in records[0]
    seen = sheets["Views and changes to the record"]
    assert any(row[2] == "person.viewed" and row[1] == practitioner.email for row in seen[1:])
    assert any(row[2] == "case.note_added" for row in seen[1:])
    exported = AuditEvent.objects.get(verb="subject_access.exported")
    assert exported.object_id == key and exported.actor == ig_lead.email
    assert exported.detail["sections"]["Records from partners"] == len(details.records)


def test_the_subject_access_report_is_for_the_ig_lead_only(
    make_user: Callable[..., User], two_people: tuple[str, str]
) -> None:
    for role in (Role.ANALYST, Role.PRACTITIONER, Role.HUB_COORDINATOR, Role.EXECUTIVE_MEMBER):
        client = signed_in(make_user(role, email=f"{role.value}@council.example"))
        response = client.post("/people/subject-access/", {"person_key": two_people[0]})
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(verb="subject_access.exported").exists()


def test_the_subject_access_search_says_when_no_one_matches(
    make_user: Callable[..., User],
) -> None:
    client = signed_in(make_user(Role.IG_LEAD, email="iris@council.example"))
    nobody = client.post("/people/subject-access/", {"nhs_number": "999 000 0000"})
    assert nobody.status_code == 200 and "No person in the index has this NHS number" in (
        nobody.content.decode()
    )
    empty = client.post("/people/subject-access/", {})
    assert "Enter a person key or an NHS number" in empty.content.decode()


def test_a_practitioner_of_another_organisation_on_the_case_sees_the_person(
    coordinator: User, two_people: tuple[str, str]
) -> None:
    """Relationships cross organisations: the case, not the employer, opens the person."""
    fire = Organisation.objects.create(name="Lancashire Fire and Rescue")
    crew = User.objects.create_user(
        "crew@fire.example", "correct horse battery staple", organisation=fire,
        roles=(Role.PRACTITIONER,),
    )  # fmt: skip
    case_for(two_people[0], crew, coordinator)
    assert signed_in(crew).get(f"/people/{two_people[0]}/").status_code == 200


def test_client_without_sign_in_is_sent_to_sign_in(two_people: tuple[str, str]) -> None:
    response = Client().get(f"/people/{two_people[0]}/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_the_api_gives_the_person_only_inside_a_relationship(
    practitioner: User,
    coordinator: User,
    make_user: Callable[..., User],
    two_people: tuple[str, str],
    hub_home: Path,
) -> None:
    first, second = two_people
    case_for(first, practitioner, coordinator)
    client = signed_in(practitioner)
    opened = client.get(f"/api/people/{first}")
    assert opened.status_code == 200
    assert opened.json()["name"] == person_details(hub_home, first).name
    assert opened.json()["purpose"].startswith("Direct care: case IAT-")
    refused = client.get(f"/api/people/{second}")
    unknown = client.get("/api/people/P999999999")
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json() == {"detail": "No person you may see has this key"}
    assert person_verbs(first) == ["person.viewed"]
    assert person_verbs(second) == ["access.denied"]
    # AC-09: an analyst's token reaches no person, not even with a case made by mistake.
    analyst = make_user(Role.ANALYST, email="ade@council.example")
    CaseWorker.objects.create(case=Case.objects.get(person_key=first), user=analyst)
    assert signed_in(analyst).get(f"/api/people/{first}").status_code == 403


def test_break_glass_over_the_api_needs_a_reason_and_opens_the_person(
    practitioner: User, two_people: tuple[str, str]
) -> None:
    key = two_people[1]
    client = signed_in(practitioner)
    url = f"/api/people/{key}/break-glass"
    short = client.post(url, {"reason": "now"}, content_type="application/json")
    assert short.status_code == 422 and not BreakGlass.objects.exists()
    made = client.post(url, {"reason": REASON}, content_type="application/json")
    assert made.status_code == 201 and made.json()["person_key"] == key
    assert client.get(f"/api/people/{key}").json()["purpose"] == f"Break-glass: {REASON}"


@override_settings(JOINEDUP_LOOKUP_RATE="3/minute")
def test_looking_through_people_or_cases_is_throttled_and_alerted(
    practitioner: User, coordinator: User, two_people: tuple[str, str]
) -> None:
    """AC-15: sequential person keys and case ids count together, per user; one alert."""
    case = case_for(two_people[0], practitioner, coordinator)
    client = signed_in(practitioner)
    answers = [client.get(f"/people/P{n:09d}/").status_code for n in range(1, 3)]
    answers += [client.get(f"/cases/{case.pk}/").status_code]
    answers += [client.get(f"/api/people/P{n:09d}").status_code for n in range(3, 6)]
    answers += [client.get(f"/cases/{case.pk + n}/").status_code for n in range(1, 4)]
    assert answers[:3] != [429] * 3 and set(answers[3:]) == {429}
    throttled = AuditEvent.objects.filter(verb="access.throttled")
    assert throttled.count() == 1 and throttled.get().actor == practitioner.email
