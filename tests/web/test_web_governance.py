"""The register of agreements: the same as the seed, edited by the IG lead, safe from script and
SQL in its fields and search box (AC-18), with reviews due shown before the date passes."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from conftest import today
from joinedup.cli import app
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.governance.importer import import_register, seed_register_text
from joinedup.web.governance.models import Agreement

pytestmark = pytest.mark.django_db

NEW_AGREEMENT = {
    "reference": "DSA-TEST-001",
    "title": "Test partner: referrals",
    "partner": "Test partner",
    "recipient": "Chorley Intelligence Hub",
    "purpose": "Direct care",
    "lawful_basis": "UK GDPR Article 6(1)(e): public task",
    "special_category_condition": "UK GDPR Article 9(2)(h): health or social care",
    "start": "2025-01-01",
    "review": "2026-01-01",
    "end": "2027-01-01",
    "status": "active",
    "fields_text": "referrals: Referral ID, NHS Number\noutcomes: Referral ID, Outcome",
    "purposes_text": "direct_care, integrated_locality_working",
}


def test_the_imported_register_is_the_seed_register() -> None:
    report = import_register()
    seed = tomllib.loads(seed_register_text())["agreement"]
    assert len(report.created) == len(seed) == Agreement.objects.count()
    for entry in seed:
        stored = Agreement.objects.get(reference=entry["id"]).as_register_entry()
        for key in ("title", "partner", "datasets", "purposes", "lawful_basis", "status"):
            assert stored[key] == entry[key], (entry["id"], key)
        assert stored["fields"] == {d: entry["fields"][d] for d in entry["datasets"]}
        assert stored["review"] == entry["review"].isoformat()


def test_importing_twice_changes_nothing_and_each_change_is_audited() -> None:
    import_register()
    events = AuditEvent.objects.count()
    again = import_register()
    assert not again.created and not again.updated
    assert AuditEvent.objects.count() == events == Agreement.objects.count()
    assert verify().intact


def test_the_ig_lead_adds_an_agreement(client_as: Callable[..., Client]) -> None:
    client = client_as(Role.IG_LEAD)
    response = client.post(reverse("governance:agreement_create"), NEW_AGREEMENT)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Agreement.objects.get(reference="DSA-TEST-001")
    assert stored.datasets == ["referrals", "outcomes"]
    assert stored.fields["referrals"] == ["Referral ID", "NHS Number"]
    assert stored.purposes == ["direct_care", "integrated_locality_working"]
    event = AuditEvent.objects.get(verb="agreement.created", object_id="DSA-TEST-001")
    assert event.actor == "ig_lead@example.org"


def test_a_review_date_outside_the_agreement_is_refused(client_as: Callable[..., Client]) -> None:
    response = client_as(Role.IG_LEAD).post(
        reverse("governance:agreement_create"), {**NEW_AGREEMENT, "review": "2030-01-01"}
    )
    assert response.status_code == 200
    assert b"The review date must be between the start and end dates" in response.content
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.IG_LEAD])
def test_only_the_ig_lead_changes_agreements(role: Role, client_as: Callable[..., Client]) -> None:
    import_register()
    client = client_as(role)
    edit = reverse("governance:agreement_edit", kwargs={"reference": "DSA-GP-001"})
    response = client.post(edit, {**NEW_AGREEMENT, "reference": "DSA-GP-001", "status": "ended"})
    assert response.status_code == 403
    assert Agreement.objects.get(reference="DSA-GP-001").status == "active"


def test_script_in_free_text_is_shown_as_text(client_as: Callable[..., Client]) -> None:
    client = client_as(Role.IG_LEAD)
    script = "<script>alert('x')</script>"
    client.post(
        reverse("governance:agreement_create"),
        {**NEW_AGREEMENT, "title": script, "purpose": script},
    )
    page = client.get(reverse("governance:agreement", kwargs={"reference": "DSA-TEST-001"}))
    assert script.encode() not in page.content
    assert b"&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page.content
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_sql_in_the_search_box_is_only_searched_for(client_as: Callable[..., Client]) -> None:
    import_register()
    client = client_as(Role.IG_LEAD)
    for attack in ["' OR '1'='1", "%' OR 1=1 --", "'; DROP TABLE governance_agreement; --"]:
        response = client.get(reverse("governance:agreements"), {"q": attack})
        assert response.status_code == 200
        assert b"No agreements found" in response.content
    assert Agreement.objects.count() == 10
    found = client.get(reverse("governance:agreements"), {"q": "Constabulary"})
    assert b"DSA-LANCSPOL-001" in found.content and b"DSA-GP-001" not in found.content


def test_the_ig_lead_sees_reviews_due_within_30_days(client_as: Callable[..., Client]) -> None:
    on = today()
    Agreement.objects.create(
        reference="DSA-SOON-001",
        title="Soon",
        partner="P",
        recipient="R",
        fields={"d": ["f"]},
        purpose="p",
        lawful_basis="UK GDPR Article 6(1)(e): public task",
        special_category_condition="None",
        start=on - dt.timedelta(days=300),
        review=on + dt.timedelta(days=10),
        end=on + dt.timedelta(days=400),
        status="active",
    )
    page = client_as(Role.IG_LEAD).get("/")
    assert b"due for review within 30 days" in page.content and b"DSA-SOON-001" in page.content
    assert b"DSA-SOON-001" not in client_as(Role.ANALYST).get("/").content


def test_reviews_due_on_the_command_line(tmp_path: Path) -> None:
    import_register()
    command = ["agreements", "reviews-due", "--home", str(tmp_path), "--json"]
    before = json.loads(CliRunner().invoke(app, [*command, "--on", "2027-01-01"]).output)
    near = json.loads(CliRunner().invoke(app, [*command, "--on", "2027-03-15"]).output)
    assert before == []
    assert {a["reference"] for a in near} == set(
        Agreement.objects.values_list("reference", flat=True)
    )
