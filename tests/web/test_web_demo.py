"""`joinedup demo` seeds the partnership and one user per role: idempotent, passwords only once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from conftest import signed_in
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import cases_of, current_workers
from joinedup.web.cases.models import Case
from joinedup.web.demo import (
    DEMO_ORGANISATIONS,
    DEMO_TEAM,
    DEMO_USERS,
    SeedReport,
    seed_caseload,
    seed_demo,
    seed_programme,
)
from joinedup.web.mdt.models import Meeting

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_partnership_and_one_user_per_role() -> None:
    report = seed_demo()
    assert set(Organisation.objects.values_list("name", flat=True)) == set(DEMO_ORGANISATIONS)
    assert sorted(u.role for u in DEMO_USERS) == sorted(Role)
    for demo_user in DEMO_USERS:
        user = User.objects.get(email=demo_user.email)
        assert user.roles == {demo_user.role}
        assert check_password(report.new_passwords[user.email], user.password)
    assert verify().intact


def test_passwords_are_stored_hashed_and_never_in_the_audit_log() -> None:
    report = seed_demo()
    audit = json.dumps(list(AuditEvent.objects.values()), default=str)
    for email, password in report.new_passwords.items():
        stored = User.objects.get(email=email).password
        assert stored.startswith("argon2$") and password not in stored
        assert password not in audit


def test_a_second_run_duplicates_nothing_and_keeps_the_passwords() -> None:
    first = seed_demo()
    hashes = dict(User.objects.values_list("email", "password"))
    events = AuditEvent.objects.count()
    second = seed_demo()
    assert second.new_passwords == {} and second.users_created == []
    assert second.organisations_created == []
    assert Organisation.objects.count() == len(DEMO_ORGANISATIONS)
    assert User.objects.count() == len(DEMO_USERS) + len(DEMO_TEAM)
    assert dict(User.objects.values_list("email", "password")) == hashes
    assert AuditEvent.objects.count() == events  # nothing changed, nothing to audit
    assert first.new_passwords


def test_reset_passwords_makes_new_ones_and_audits_each() -> None:
    first = seed_demo()
    again = seed_demo(reset_passwords=True)
    assert sorted(again.passwords_reset) == sorted(u.email for u in (*DEMO_USERS, *DEMO_TEAM))
    for email, password in again.new_passwords.items():
        assert password != first.new_passwords[email]
        assert check_password(password, User.objects.get(email=email).password)
    assert AuditEvent.objects.filter(verb="user.password_reset").count() == len(DEMO_USERS) + len(
        DEMO_TEAM
    )


def test_a_demo_analyst_signs_in_with_the_printed_password() -> None:
    report = seed_demo()
    client = Client()
    email = "analyst@demo.example"
    response = client.post(
        "/accounts/sign-in/", {"email": email, "password": report.new_passwords[email]}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_demo_caseload_gives_each_practitioner_people_they_may_see(
    linked_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(linked_home))
    report = seed_demo()
    seed_caseload(linked_home, report, how_many=4)
    assert len(report.cases_opened) == 4
    seed_caseload(linked_home, report, how_many=4)  # a second run opens nothing more
    assert Case.objects.count() == 4
    practitioner = User.objects.get(email="practitioner@demo.example")
    case = cases_of(practitioner).first()
    assert case is not None and current_workers(case).count() == 3  # with the coordinator
    assert case.needs.count() == case.actions.count() == case.pam_assessments.count() == 1
    assert case.next_review is not None
    meeting = Meeting.objects.get()
    assert meeting.items.count() == 4  # the agenda: every new case
    page = signed_in(practitioner).get(f"/people/{case.person_key}/")
    assert page.status_code == 200 and "Use of services before the referral and since" in (
        page.content.decode()
    )
    assert verify().intact


def test_the_demo_reads_the_measures_once_and_the_executive_meets_to_take_escalations(
    linked_home: Path,
) -> None:
    from django.utils import timezone

    from joinedup.web.programme.measures import next_executive_meeting
    from joinedup.web.programme.models import Escalation, Measure, MeasureReading

    report = seed_demo()
    seed_programme(report, linked_home)
    assert report.programme_seeded and report.measures_read == Measure.objects.count() == 3
    assert set(MeasureReading.objects.values_list("measure", flat=True)) == set(
        Measure.objects.values_list("pk", flat=True)
    )
    meeting = next_executive_meeting(timezone.localdate())
    assert meeting is not None and meeting.date > timezone.localdate()
    escalated = meeting.items.filter(escalations__isnull=False).distinct()
    assert escalated.count() >= 1
    assert not Escalation.objects.filter(agenda_item__isnull=True).exists()
    readings = MeasureReading.objects.count()
    seed_programme(SeedReport(), linked_home)  # once: a second run reads nothing more
    assert MeasureReading.objects.count() == readings
    assert verify().intact


def test_without_linked_residents_the_demo_schedules_the_executive_but_reads_nothing(
    tmp_path: Path,
) -> None:
    from joinedup.web.programme.models import MeasureReading
    from joinedup.web.programme.models import Meeting as ProgrammeMeeting

    report = seed_demo()
    seed_programme(report, tmp_path)
    assert report.programme_seeded and report.measures_read == 0
    assert not MeasureReading.objects.exists()
    assert ProgrammeMeeting.objects.filter(body__name="Executive").count() == 1
