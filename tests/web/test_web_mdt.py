"""MDT meetings: the agenda picks up cases due for review and new since the last meeting; the
chair records attendance, outcomes and actions (which become the case's actions); each person
sees, on screen and in print, only the cases they work on; chair steps are the chair's alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, signed_in, today
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases import casework
from joinedup.web.cases.models import Case
from joinedup.web.mdt import meetings
from joinedup.web.mdt.models import AgendaItem, ItemReason, Meeting


def meeting_day() -> dt.date:
    return today() + dt.timedelta(days=7)


pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_COORDINATOR, email="chair@example.org", full_name="Hana Chair")


@pytest.fixture
def lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="lead@example.org", full_name="Lee Lead")


@pytest.fixture
def police(db: None) -> User:
    force = Organisation.objects.create(name="Lancashire Constabulary")
    return User.objects.create_user(
        "pc@example.org",
        PASSWORD,
        organisation=force,
        roles=(Role.PRACTITIONER,),
        full_name="PC Early Action",
    )


@pytest.fixture
def bystander(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="bystander@example.org")


def opened(
    person_key: str, lead: User, *others: User, days_ago: int = 0, review: dt.date | None = None
) -> Case:
    case = casework.open_case(
        person_key,
        organisation=lead.organisation,
        opened_by=lead,
        lead_professional=lead,
        workers=others,
    )
    Case.objects.filter(pk=case.pk).update(
        opened_at=timezone.now() - dt.timedelta(days=days_ago), next_review=review
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def caseload(chair: User, lead: User, police: User) -> dict[str, Case]:
    # The last meeting was four weeks ago.
    Meeting.objects.create(
        held_on=today() - dt.timedelta(days=28),
        starts_at=dt.time(10),
        place="Union Street",
        chair=chair,
        scheduled_by=chair,
    )
    return {
        "due": opened(
            "pk-due", lead, chair, police, days_ago=90, review=meeting_day() - dt.timedelta(days=1)
        ),
        "new": opened("pk-new", lead, chair, days_ago=3),
        "quiet": opened(
            "pk-quiet", lead, chair, days_ago=90, review=meeting_day() + dt.timedelta(days=30)
        ),
        "not_the_chairs": opened("pk-elsewhere", lead, days_ago=2, review=today()),
    }


def scheduled(chair: User) -> Meeting:
    response = signed_in(chair).post(
        "/mdt/new/",
        {
            "held_on": meeting_day(),
            "starts_at": "10:00",
            "place": "Chorley Town Hall",
            "chair": chair.pk,
        },
    )
    assert response.status_code == 302, response.content
    return Meeting.objects.get(held_on=meeting_day())


def meeting_verbs(meeting: Meeting) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="mdt_meeting", object_id=str(meeting.pk))
        .order_by("sequence")
        .values_list("verb", flat=True)
    )


def test_a_meeting_from_agenda_to_actions_on_the_case(
    chair: User, lead: User, police: User, bystander: User, caseload: dict[str, Case]
) -> None:
    meeting = scheduled(chair)
    agenda = [(i.case.person_key, i.reason) for i in meeting.items.select_related("case")]
    assert agenda == [("pk-due", ItemReason.REVIEW_DUE), ("pk-new", ItemReason.NEW_CASE)]

    client = signed_in(chair)
    response = client.post(
        f"/mdt/{meeting.pk}/attendance/",
        {"present": [chair.pk, lead.pk, police.pk], "apologies": [bystander.pk]},
    )
    assert response.status_code == 302
    due = meeting.items.get(case=caseload["due"])
    outcome = {
        "summary": "Rent arrears growing; two police call-outs this month.",
        "decision": "Housing and police to visit together; review in a month.",
        "next_review": meeting_day() + dt.timedelta(days=28),
    }
    assert client.post(f"/mdt/{meeting.pk}/items/{due.pk}/", outcome).status_code == 302
    action = {
        "description": "Joint visit with housing officer",
        "owner": police.pk,
        "due": meeting_day() + dt.timedelta(days=5),
    }
    assert client.post(f"/mdt/{meeting.pk}/items/{due.pk}/actions/", action).status_code == 302

    # The action is the case's own, with its owner and due date, seen on the case by its owner.
    case = caseload["due"]
    made = case.actions.get()
    assert (made.owner, made.due, made.status) == (police, action["due"], "open")
    assert made.mdt_item.item == due
    page = signed_in(police).get(f"/cases/{case.pk}/").content.decode()
    assert "Joint visit with housing officer" in page and "PC Early Action" in page
    case.refresh_from_db()
    assert case.next_review == outcome["next_review"]

    record = client.get(f"/mdt/{meeting.pk}/record/print/").content.decode()
    assert "Rent arrears growing" in record and "Joint visit with housing officer" in record
    assert "PC Early Action (Lancashire Constabulary)" in record
    assert "Apologies:</strong> bystander@example.org (Chorley Council)" in record
    assert meeting_verbs(meeting) == [
        "mdt.meeting_scheduled",
        "mdt.agenda_item_added",
        "mdt.agenda_item_added",
        "mdt.attendance_recorded",
        "mdt.item_discussed",
    ]
    verbs = list(
        AuditEvent.objects.filter(object_id=case.reference)
        .exclude(verb="case.viewed")
        .order_by("sequence")
        .values_list("verb", "detail")
    )
    assert [v for v, _ in verbs][-2:] == ["case.review_set", "case.action_added"]
    assert verbs[-1][1]["meeting"] == meeting.pk
    assert "Rent arrears" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_each_person_sees_only_the_cases_they_work_on_on_screen_and_in_print(
    chair: User, police: User, bystander: User, caseload: dict[str, Case]
) -> None:
    meeting = scheduled(chair)
    meetings.record_attendance(meeting, by=chair, present=[police], apologies=[bystander])
    due, new = caseload["due"], caseload["new"]
    for path in (
        f"/mdt/{meeting.pk}/",
        f"/mdt/{meeting.pk}/agenda/print/",
        f"/mdt/{meeting.pk}/record/print/",
    ):
        seen_by_police = signed_in(police).get(path).content.decode()
        assert due.reference in seen_by_police and "pk-due" in seen_by_police
        assert new.reference not in seen_by_police and "pk-new" not in seen_by_police
        assert "A case you do not work on" in seen_by_police
        seen_by_chair = signed_in(chair).get(path).content.decode()
        assert due.reference in seen_by_chair and new.reference in seen_by_chair
        # Sent apologies, works on neither case: sees the meeting, not its cases.
        seen = signed_in(bystander).get(path).content.decode()
        assert due.reference not in seen and new.reference not in seen and "pk-" not in seen


def test_a_meeting_is_not_found_by_someone_with_no_part_in_it(
    chair: User, caseload: dict[str, Case], make_user: Callable[..., User]
) -> None:
    meeting = scheduled(chair)
    stranger = signed_in(make_user(Role.PRACTITIONER, email="stranger@example.org"))
    for path in ("/", "/agenda/print/", "/record/print/"):
        denied = AuditEvent.objects.filter(verb="access.denied").count()
        response = stranger.get(f"/mdt/{meeting.pk}{path}")
        assert response.status_code == 404
        assert (
            "pk-" not in response.content.decode() and "Town Hall" not in response.content.decode()
        )
        assert AuditEvent.objects.filter(verb="access.denied").count() == denied + 1
    assert list(stranger.get("/mdt/").context["upcoming"]) == []


def test_chair_steps_are_for_the_meetings_chair_only(
    chair: User, lead: User, police: User, caseload: dict[str, Case], make_user: Callable[..., User]
) -> None:
    meeting = scheduled(chair)
    item = meeting.items.get(case=caseload["due"])
    other_chair = make_user(Role.HUB_COORDINATOR, email="other-chair@example.org")
    casework.add_worker(caseload["due"], other_chair, added_by=lead)
    steps = [
        (f"/mdt/{meeting.pk}/agenda/", {"remove": item.pk}),
        (f"/mdt/{meeting.pk}/attendance/", {"present": [police.pk]}),
        (f"/mdt/{meeting.pk}/items/{item.pk}/", {"summary": "s", "decision": "d"}),
        (
            f"/mdt/{meeting.pk}/items/{item.pk}/actions/",
            {"description": "x", "owner": police.pk, "due": meeting_day()},
        ),
    ]
    for path, body in steps:
        assert signed_in(other_chair).post(path, body).status_code == 404, path
        assert signed_in(police).post(path, body).status_code == 403, path  # no CHAIR_MDT
    assert meeting.items.count() == 2 and not meeting.attendance.exists()
    assert AgendaItem.objects.get(pk=item.pk).discussed_at is None
    assert not caseload["due"].actions.exists()
    # The other coordinator works on the case, and sees the meeting as any worker does.
    assert signed_in(other_chair).get(f"/mdt/{meeting.pk}/").status_code == 200


def test_a_chair_taken_off_a_case_no_longer_records_it(
    chair: User, lead: User, caseload: dict[str, Case]
) -> None:
    meeting = scheduled(chair)
    item = meeting.items.get(case=caseload["new"])
    casework.remove_worker(caseload["new"], chair, removed_by=lead)
    client = signed_in(chair)
    assert client.get(f"/mdt/{meeting.pk}/items/{item.pk}/").status_code == 404
    body = {"summary": "s", "decision": "d"}
    assert client.post(f"/mdt/{meeting.pk}/items/{item.pk}/", body).status_code == 404
    page = client.get(f"/mdt/{meeting.pk}/").content.decode()
    assert "pk-new" not in page and caseload["new"].reference not in page


def test_the_chair_adjusts_the_agenda(chair: User, caseload: dict[str, Case]) -> None:
    meeting = scheduled(chair)
    client = signed_in(chair)
    path = f"/mdt/{meeting.pk}/agenda/"
    assert client.post(path, {"add": caseload["quiet"].pk}).status_code == 302
    order = lambda: [i.case.person_key for i in meeting.items.select_related("case")]  # noqa: E731
    assert order() == ["pk-due", "pk-new", "pk-quiet"]
    assert meeting.items.get(case=caseload["quiet"]).reason == ItemReason.ADDED
    quiet = meeting.items.get(case=caseload["quiet"])
    client.post(path, {"up": quiet.pk})
    assert order() == ["pk-due", "pk-quiet", "pk-new"]
    client.post(path, {"remove": meeting.items.get(case=caseload["new"]).pk})
    assert order() == ["pk-due", "pk-quiet"]
    # A case the chair does not work on is not theirs to bring: not found.
    assert client.post(path, {"add": caseload["not_the_chairs"].pk}).status_code == 404
    # A discussed item stays on the record.
    due = meeting.items.get(case=caseload["due"])
    meetings.record_outcome(due, by=chair, summary="Seen", decision="Carry on")
    response = client.post(path, {"remove": due.pk})
    assert b"stays on the record" in response.content and meeting.items.count() == 2
    assert meeting_verbs(meeting)[-3:] == [
        "mdt.agenda_reordered",
        "mdt.agenda_item_removed",
        "mdt.item_discussed",
    ]


def test_an_mdt_action_is_owned_by_someone_on_the_case(
    chair: User, bystander: User, caseload: dict[str, Case]
) -> None:
    meeting = scheduled(chair)
    item = meeting.items.get(case=caseload["due"])
    body: dict[str, Any] = {"description": "Visit", "owner": bystander.pk, "due": meeting_day()}
    response = signed_in(chair).post(f"/mdt/{meeting.pk}/items/{item.pk}/actions/", body)
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    assert not caseload["due"].actions.exists()


def test_the_printable_pages_carry_the_print_styles(chair: User, caseload: dict[str, Case]) -> None:
    meeting = scheduled(chair)
    client = signed_in(chair)
    page = client.get(f"/mdt/{meeting.pk}/agenda/print/").content.decode()
    assert "/assets/mdt/print.css" in page and "<script>" not in page
    assert client.get("/assets/mdt/print.css").status_code == 200
