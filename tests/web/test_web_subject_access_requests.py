"""GDPR-02: the subject access request register and its deadline, by the ICO's rules, with
frozen dates: 31 January in leap and other years, weekend and bank holiday ends, proof of
identity, stopping the clock, and extension."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import signed_in
from joinedup.dates import add_months
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.people.deadlines import (
    BANK_HOLIDAYS_ENGLAND_AND_WALES,
    Pause,
    is_working_day,
    response_deadline,
)
from joinedup.web.people.models import SubjectAccessRequest

D = dt.date


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (D(2024, 1, 31), D(2024, 2, 29)),  # leap year: the last day of February
        (D(2025, 1, 31), D(2025, 2, 28)),  # not a leap year
        (D(2024, 1, 30), D(2024, 2, 29)),
        (D(2025, 1, 29), D(2025, 2, 28)),  # 28 February 2025 is a Friday
        (D(2026, 1, 28), D(2026, 3, 2)),  # 28 February 2026 is a Saturday: Monday 2 March
        (D(2024, 9, 14), D(2024, 10, 14)),  # received on a Saturday; the month still runs
        (D(2026, 11, 25), D(2026, 12, 29)),  # Christmas, a weekend, then Boxing Day moved
        (D(2027, 4, 26), D(2027, 5, 26)),
        (D(2027, 4, 3), D(2027, 5, 4)),  # 3 May 2027 is the early May bank holiday
    ],
)
def test_the_month_ends_on_the_corresponding_day_or_the_next_working_day(
    received: dt.date, deadline: dt.date
) -> None:
    assert response_deadline(received) == deadline


def test_proof_of_identity_restarts_the_month() -> None:
    assert response_deadline(D(2026, 3, 2), identity_received=D(2026, 3, 16)) == D(2026, 4, 16)


def test_waiting_for_clarification_stops_the_clock() -> None:
    paused = [Pause(D(2026, 3, 5), D(2026, 3, 15))]  # ten days waiting
    assert response_deadline(D(2026, 3, 2), pauses=paused) == D(2026, 4, 13)


def test_a_complex_request_may_be_extended_by_two_months_at_most() -> None:
    assert response_deadline(D(2026, 3, 2), extension_months=2) == D(2026, 6, 2)
    with pytest.raises(ValueError, match="0 to 2 months"):
        response_deadline(D(2026, 3, 2), extension_months=3)


@given(
    received=st.dates(min_value=D(2024, 1, 1), max_value=D(2028, 9, 30)),
    extension=st.integers(0, 2),
    paused=st.integers(0, 40),
)
def test_the_deadline_is_a_working_day_no_earlier_than_the_month_and_at_most_days_after(
    received: dt.date, extension: int, paused: int
) -> None:
    pauses = [Pause(received, received + dt.timedelta(days=paused))]
    deadline = response_deadline(received, pauses=pauses, extension_months=extension)
    earliest = add_months(received, 1 + extension) + dt.timedelta(days=paused)
    assert is_working_day(deadline)
    # Never more than a long weekend of bank holidays (Easter, Christmas) past the month.
    assert earliest <= deadline <= earliest + dt.timedelta(days=4)


def test_every_bank_holiday_is_a_weekday() -> None:
    assert all(day.weekday() < 5 for day in BANK_HOLIDAYS_ENGLAND_AND_WALES)


@pytest.mark.django_db
def test_the_ig_lead_logs_a_request_and_records_its_steps_each_audited(
    make_user: Callable[..., User],
) -> None:
    client = signed_in(make_user(Role.IG_LEAD, email="iris@council.example"))
    logged = client.post(
        "/people/subject-access/requests/",
        {"received_on": "2026-01-31", "description": "By email to the data protection officer"},
    )
    assert logged.status_code == 302
    sar = SubjectAccessRequest.objects.get()
    page = client.get(logged["Location"]).content.decode()
    assert "Friday 27 February 2026" not in page and "Saturday 28 February 2026" not in page
    assert "Monday 2 March 2026" in page  # 28 February 2026 is a Saturday

    steps = [
        {"step": "identity_asked", "on": "2026-02-02", "note": ""},
        {"step": "identity_received", "on": "2026-02-10", "note": ""},
        {"step": "clarification", "on": "2026-02-12", "note": "2026-02-19"},
        {"step": "extend", "on": "2026-02-20", "note": "Records held by six partners"},
        {"step": "identify", "on": "2026-02-21", "note": "P000000001"},
    ]
    for step in steps:
        assert client.post(logged["Location"], step).status_code == 302
    sar.refresh_from_db()
    assert sar.person_key == "P000000001" and sar.extension_months == 1
    # Identity on 10 February, two months, seven days paused: 17 April 2026, a Friday.
    assert "Friday 17 April 2026" in client.get(logged["Location"]).content.decode()
    assert (
        client.post(logged["Location"], {"step": "responded", "on": "2026-04-01"}).status_code
        == 302
    )
    late = client.post(logged["Location"], {"step": "extend", "on": "2026-04-02", "note": "x"})
    assert late.status_code == 400 and "is responded" in late.content.decode()
    verbs = list(
        AuditEvent.objects.filter(object_type="subject_access_request").values_list(
            "verb", flat=True
        )
    )
    assert verbs == [
        "subject_access.logged",
        "subject_access.identity_asked",
        "subject_access.identity_received",
        "subject_access.clarification",
        "subject_access.extend",
        "subject_access.identify",
        "subject_access.responded",
    ]


@pytest.mark.django_db
def test_steps_that_make_no_sense_are_refused(make_user: Callable[..., User]) -> None:
    client = signed_in(make_user(Role.IG_LEAD, email="iris@council.example"))
    url = client.post(
        "/people/subject-access/requests/",
        {"received_on": "2026-03-02", "description": "By letter"},
    )["Location"]
    before = client.post(url, {"step": "responded", "on": "2026-03-01"})
    assert "before the request was received" in before.content.decode()
    backwards = client.post(
        url, {"step": "clarification", "on": "2026-03-10", "note": "2026-03-09"}
    )
    assert "cannot arrive before it was asked for" in backwards.content.decode()
    no_reason = client.post(url, {"step": "extend", "on": "2026-03-10", "note": ""})
    assert "Say why" in no_reason.content.decode()
    assert SubjectAccessRequest.objects.get().extension_months == 0


@pytest.mark.django_db
def test_only_the_ig_lead_reaches_the_register(make_user: Callable[..., User]) -> None:
    for role in (Role.ANALYST, Role.PRACTITIONER, Role.HUB_COORDINATOR, Role.ADMINISTRATOR):
        client = signed_in(make_user(role, email=f"{role.value}@council.example"))
        assert client.get("/people/subject-access/requests/").status_code == 403
