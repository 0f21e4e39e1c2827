"""The output-release airlock: controlled content only, a second person's decision, downloads of
approved outputs by their requester only, every step audited; and the attempts around it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from conftest import signed_in
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.airlock import outputs, release
from joinedup.web.airlock.models import OutputRequest, Status
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TABLE = b"ward,people\nAstley,12\nChisnall,3\nEuxton,40\n=HYPERLINK(1),61\n"


def verbs() -> list[str]:
    return list(AuditEvent.objects.filter(object_type="output").values_list("verb", flat=True))


def upload(client: Client, data: bytes = TABLE, title: str = "People by ward") -> Any:
    return client.post(
        "/outputs/new/table/",
        {
            "title": title,
            "purpose": "Board report",
            "table": SimpleUploadedFile("t.csv", data, content_type="text/csv"),
        },
    )


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> User:
    return make_user(Role.ANALYST)


@pytest.fixture
def ig_lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.IG_LEAD)


def requested(user: User) -> OutputRequest:
    response = upload(signed_in(user))
    assert response.status_code == 302, response.content
    return OutputRequest.objects.get(requested_by=user)


def test_an_uploaded_table_is_stored_only_after_disclosure_control(analyst: User) -> None:
    output = requested(analyst)
    cells = dict((row[0], row[1]) for row in output.rows)
    assert cells["Euxton"] == 40 and cells["=HYPERLINK(1)"] == 60  # rounded to 5
    assert cells["Chisnall"] == "[c]"  # 3 people: hidden, and never stored as 3
    assert cells["Astley"] == "[c]"  # hidden too, or the total would give Chisnall away
    assert {3, 12, 61}.isdisjoint(value for row in output.rows for value in row[1:])
    assert output.status == Status.PENDING and verbs() == ["output.requested"]


def test_a_table_that_is_not_counts_is_refused_and_nothing_is_stored(analyst: User) -> None:
    for bad in (b"ward,people\nAstley,twelve\n", b"ward,people\nAstley,-4\n", b"\xff\xfe", b""):
        response = upload(signed_in(analyst), bad)
        assert response.status_code == 200
        assert b"govuk-error-summary" in response.content
    assert not OutputRequest.objects.exists()


def test_a_crosstab_upload_is_protected_as_a_whole() -> None:
    content = outputs.table_content(b"ward,men,women\nA,3,20\nB,20,20\n")
    assert content["header"] == ["ward", "men", "women", "Total"]
    # One small cell hides its whole table: any visible figure would give it away.
    assert all(cell == "[c]" for row in content["rows"] for cell in row[1:])


def test_the_ig_lead_approves_and_the_requester_downloads_csv_and_excel(
    analyst: User, ig_lead: User
) -> None:
    output = requested(analyst)
    decision = {"decision": "approve", "reason": "Counts of 8+ only, rounded"}
    assert signed_in(ig_lead).post(f"/outputs/review/{output.pk}/", decision).status_code == 302
    client = signed_in(analyst)
    as_csv = client.get(f"/outputs/{output.pk}/download.csv")
    assert as_csv.status_code == 200 and as_csv["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert lines[0] == ["ward", "people"] and ["Chisnall", "[c]"] in lines
    assert ["'=HYPERLINK(1)", "60"] in lines  # a formula in a label is neutralised
    as_xlsx = client.get(f"/outputs/{output.pk}/download.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet["A1"].value == "ward" and sheet["B4"].value == 40
    assert verbs() == [
        "output.requested",
        "output.approved",
        "output.downloaded",
        "output.downloaded",
    ]
    assert verify().intact


def test_a_hub_coordinator_holding_both_roles_cannot_approve_their_own_output(
    make_user: Callable[..., User],
) -> None:
    coordinator = make_user(Role.HUB_COORDINATOR, Role.IG_LEAD)
    output = requested(coordinator)
    client = signed_in(coordinator)
    assert output not in client.get("/outputs/review/").context["pending"]
    response = client.post(
        f"/outputs/review/{output.pk}/", {"decision": "approve", "reason": "looks fine"}
    )
    assert response.status_code == 403
    output.refresh_from_db()
    assert output.status == Status.PENDING and output.decided_by is None
    assert verbs() == ["output.requested", "output.self_approval_refused"]
    assert client.get(f"/outputs/{output.pk}/download.csv").status_code == 403


def test_the_service_and_the_database_refuse_self_approval_too(analyst: User) -> None:
    output = requested(analyst)
    with pytest.raises(release.AirlockRefusalError):
        release.decide(output.pk, analyst, approve=True, reason="mine")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutputRequest.objects.filter(pk=output.pk).update(decided_by=analyst)


def test_an_analyst_cannot_reach_the_review_pages(
    analyst: User, make_user: Callable[..., User]
) -> None:
    output = requested(make_user(Role.ANALYST, email="colleague@example.org"))
    client = signed_in(analyst)
    assert client.get("/outputs/review/").status_code == 403
    response = client.post(f"/outputs/review/{output.pk}/", {"decision": "approve", "reason": "x"})
    assert response.status_code == 403
    assert OutputRequest.objects.get(pk=output.pk).status == Status.PENDING


def test_pending_rejected_and_other_peoples_outputs_cannot_be_downloaded(
    analyst: User, ig_lead: User, make_user: Callable[..., User]
) -> None:
    output = requested(analyst)
    client = signed_in(analyst)
    assert client.get(f"/outputs/{output.pk}/download.csv").status_code == 403
    release.decide(output.pk, ig_lead, approve=False, reason="Ward with 22 is too small")
    assert client.get(f"/outputs/{output.pk}/download.csv").status_code == 403
    assert verbs().count("output.download_refused") == 2
    other = make_user(Role.ANALYST, email="other@example.org")
    approved = requested(other)
    release.decide(approved.pk, ig_lead, approve=True, reason="fine")
    # Someone else's output is not found, whatever its state: its existence is not confirmed.
    assert client.get(f"/outputs/{approved.pk}/download.csv").status_code == 404
    assert client.get(f"/outputs/{approved.pk}/").status_code == 404
    # The IG lead releases outputs but does not take them out of the hub.
    assert signed_in(ig_lead).get(f"/outputs/{approved.pk}/download.csv").status_code == 403


def test_a_decision_is_made_once_and_needs_a_reason(analyst: User, ig_lead: User) -> None:
    output = requested(analyst)
    with pytest.raises(release.AirlockRefusalError):
        release.decide(output.pk, ig_lead, approve=True, reason="   ")
    release.decide(output.pk, ig_lead, approve=False, reason="No")
    with pytest.raises(release.AirlockRefusalError):
        release.decide(output.pk, ig_lead, approve=True, reason="Changed my mind")
    assert OutputRequest.objects.get(pk=output.pk).status == Status.REJECTED


class FakeRun:
    def as_dict(self) -> dict[str, Any]:
        table = {"cells": {"Astley": 10, "Chisnall": "[c]"}, "total": "[c]"}
        return {
            "run_id": "r1",
            "cohort": "frail_elderly",
            "title": "Frail elderly",
            "version": 1,
            "parameters": {},
            "population_date": "2026-01-01",
            "disclosure_control": "JoinedUp SDC v1",
            "people": 45,
            "by_ward": table,
            "by_lsoa": table,
            "by_sex": table,
            "by_age_band": table,
            "person_keys": ["pk-should-never-be-stored"],
        }


def test_a_cohort_output_keeps_counts_and_never_asks_for_person_keys(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run(home: Path, name: str, parameters: Any, case_finding: bool) -> FakeRun:
        calls.append({"name": name, "parameters": dict(parameters), "case_finding": case_finding})
        return FakeRun()

    monkeypatch.setattr(outputs, "run_cohort", fake_run)
    response = signed_in(analyst).post(
        "/outputs/new/cohort/",
        {
            "title": "Frail",
            "purpose": "Board",
            "cohort": "frail_elderly",
            "parameters": "min_age=75",
        },
    )
    assert response.status_code == 302
    assert calls == [
        {"name": "frail_elderly", "parameters": {"min_age": "75"}, "case_finding": False}
    ]
    stored = OutputRequest.objects.get()
    assert "pk-should-never-be-stored" not in str(stored.content)
    assert stored.rows[0] == ["all", "Total", 45]
