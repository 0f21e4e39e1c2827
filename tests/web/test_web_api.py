"""The JSON API: the same operations under the same policy table, by token or by session with
CSRF; and the attempts around it (AC-06, AC-09, AC-13, the airlock's second person)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import signed_in
from joinedup.web.accounts import tokens
from joinedup.web.accounts.models import ApiToken, User
from joinedup.web.accounts.policy import Role, permission_needed, permissions_of
from joinedup.web.airlock.models import OutputRequest, Status
from joinedup.web.audit.models import AuditEvent
from joinedup.web.governance.importer import import_register
from joinedup.web.governance.models import Agreement

pytestmark = pytest.mark.django_db
TABLE = "ward,people\nAstley,52\nChisnall,3\nEuxton,40\nWhittle,61\n"


def api(user: User) -> Client:
    """A client that calls the API with a personal token, and no session."""
    return Client(headers={"Authorization": f"Bearer {tokens.issue(user, 'test')}"})


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def new_agreement(reference: str = "DSA-API-001") -> dict[str, Any]:
    return {
        "reference": reference,
        "title": "API agreement",
        "partner": "Chorley Council",
        "recipient": "JoinedUp hub",
        "fields": {"council_tax": ["Name", "Address"]},
        "purpose": "Direct care",
        "purposes": ["direct_care"],
        "lawful_basis": "UK GDPR Article 6(1)(e): public task",
        "special_category_condition": "None",
        "start": "2026-01-01",
        "review": "2026-06-01",
        "end": "2027-01-01",
        "status": "active",
    }


def test_the_openapi_document_is_served_and_lists_the_operations(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/agreements", "/api/audit/events", "/api/outputs", "/api/reviews"):
        assert path in paths
    assert "PersonalToken" in response.json()["components"]["securitySchemes"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/agreements"),
        ("get", "/api/agreements/DSA-GP-001"),
        ("get", "/api/audit/events"),
        ("get", "/api/outputs"),
        ("get", "/api/reviews"),
        ("post", "/api/outputs/table"),
        ("post", "/api/reviews/1/decision"),
        ("get", "/api/"),
    ],
)
def test_anonymous_and_wrong_token_requests_get_401(method: str, path: str) -> None:
    import_register()
    for client in (Client(), Client(headers={"Authorization": "Bearer ju_not-a-token"})):
        response = getattr(client, method)(path)
        assert response.status_code == 401, (path, response.status_code)
        assert "Astley" not in response.content.decode()


def test_a_revoked_token_or_a_disabled_user_gets_401(make_user: Callable[..., User]) -> None:
    user = make_user(Role.ANALYST)
    token = tokens.issue(user, "laptop")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/outputs").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/outputs").status_code == 401
    User.objects.filter(pk=user.pk).update(is_active=True)
    tokens.revoke(user, ApiToken.objects.get(user=user).pk)
    assert client.get("/api/outputs").status_code == 401


def test_tokens_are_kept_only_as_digests_and_shown_once(make_user: Callable[..., User]) -> None:
    user = make_user(Role.ANALYST)
    page = signed_in(user).post("/accounts/api-tokens/", {"label": "notebook"})
    token = page.context["made"]
    assert token.startswith("ju_")
    stored = ApiToken.objects.get(user=user)
    assert stored.digest == tokens.digest(token) and token not in str(vars(stored))
    assert token not in signed_in(user).get("/accounts/api-tokens/").content.decode()
    assert token not in json.dumps(list(AuditEvent.objects.values("detail")))


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_the_policy_table_says_through_the_api(
    role: Role, make_user: Callable[..., User]
) -> None:
    import_register()
    client = api(make_user(role))
    granted = permissions_of(frozenset({role}))
    for path, name in [
        ("/api/agreements", "api:agreements"),
        ("/api/agreements/DSA-GP-001", "api:agreement"),
        ("/api/audit/events", "api:audit_events"),
        ("/api/outputs", "api:outputs"),
        ("/api/reviews", "api:reviews"),
    ]:
        needed = permission_needed(name, "GET")
        expected = 200 if needed in granted else 403
        assert client.get(path).status_code == expected, (role, path)
    can_manage = permission_needed("api:agreements", "POST") in granted
    created = post(client, "/api/agreements", new_agreement())
    assert created.status_code == (201 if can_manage else 403), (role, created.content)
    assert Agreement.objects.filter(reference="DSA-API-001").exists() == can_manage


def test_the_ig_lead_creates_and_changes_an_agreement_and_both_are_audited(
    make_user: Callable[..., User],
) -> None:
    client = api(make_user(Role.IG_LEAD))
    assert post(client, "/api/agreements", new_agreement()).status_code == 201
    change = {**new_agreement(), "title": "Renamed", "review": "2028-01-01"}
    refused = client.put(
        "/api/agreements/DSA-API-001", json.dumps(change), content_type="application/json"
    )
    assert refused.status_code == 400 and "review" in refused.json()["detail"]
    change["review"] = "2026-09-01"
    changed = client.put(
        "/api/agreements/DSA-API-001", json.dumps(change), content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Renamed"
    verbs = list(AuditEvent.objects.filter(object_type="agreement").values_list("verb", "detail"))
    assert verbs == [("agreement.created", verbs[0][1]), ("agreement.changed", verbs[1][1])]
    assert verbs[1][1]["changed"] == ["review", "title"]


def test_an_analyst_reaches_nothing_identifiable_through_the_api(
    make_user: Callable[..., User],
) -> None:
    """AC-09: no agreement contents, no audit (which names people), no one else's output."""
    import_register()
    analyst = make_user(Role.ANALYST)
    colleague = make_user(Role.ANALYST, email="colleague@example.org")
    theirs = post(
        api(colleague), "/api/outputs/table", {"title": "t", "purpose": "p", "csv": TABLE}
    )
    client = api(analyst)
    for path in (
        "/api/audit/events?q=colleague",
        "/api/agreements",
        f"/api/reviews/{theirs.json()['id']}/decision",
    ):
        response = client.get(path)
        assert response.status_code in (403, 405), path
        assert "colleague@" not in response.content.decode()
    for path in (
        f"/api/outputs/{theirs.json()['id']}",
        f"/api/outputs/{theirs.json()['id']}/download",
    ):
        assert client.get(path).status_code == 404, path
    assert [o["id"] for o in client.get("/api/outputs").json()] == []


def test_mass_assignment_in_a_request_body_is_ignored(make_user: Callable[..., User]) -> None:
    analyst, ig_lead = make_user(Role.ANALYST), make_user(Role.IG_LEAD)
    body = {
        "title": "t",
        "purpose": "p",
        "csv": TABLE,
        "status": "approved",
        "requested_by": ig_lead.pk,
        "decided_by": ig_lead.pk,
        "content": {"header": ["ward"], "rows": [["Chisnall", 3]]},
    }
    made = post(api(analyst), "/api/outputs/table", body)
    assert made.status_code == 201
    stored = OutputRequest.objects.get(pk=made.json()["id"])
    assert stored.status == Status.PENDING and stored.requested_by == analyst
    assert ["Chisnall", "[c]"] in stored.rows


def test_nobody_approves_their_own_output_through_the_api(
    make_user: Callable[..., User],
) -> None:
    coordinator = make_user(Role.HUB_COORDINATOR, Role.IG_LEAD)
    client = api(coordinator)
    made = post(client, "/api/outputs/table", {"title": "t", "purpose": "p", "csv": TABLE})
    assert made.json()["id"] not in [o["id"] for o in client.get("/api/reviews").json()]
    decision = post(
        client, f"/api/reviews/{made.json()['id']}/decision", {"approve": True, "reason": "ok"}
    )
    assert decision.status_code == 403
    assert OutputRequest.objects.get(pk=made.json()["id"]).status == Status.PENDING
    assert AuditEvent.objects.filter(verb="output.self_approval_refused").count() == 1
    download = client.get(f"/api/outputs/{made.json()['id']}/download")
    assert download.status_code == 403


def test_the_airlock_end_to_end_through_the_api(make_user: Callable[..., User]) -> None:
    analyst, ig_lead = make_user(Role.ANALYST), make_user(Role.IG_LEAD)
    made = post(api(analyst), "/api/outputs/table", {"title": "t", "purpose": "p", "csv": TABLE})
    output_id = made.json()["id"]
    reviewer = api(ig_lead)
    assert [o["id"] for o in reviewer.get("/api/reviews").json()] == [output_id]
    path = f"/api/reviews/{output_id}/decision"
    assert post(reviewer, path, {"approve": True, "reason": ""}).status_code == 422
    assert post(reviewer, path, {"approve": True, "reason": "fine"}).status_code == 200
    assert post(reviewer, path, {"approve": False, "reason": "again"}).status_code == 409
    download = api(analyst).get(f"/api/outputs/{output_id}/download?format=csv")
    assert download.status_code == 200
    lines = list(csv.reader(io.StringIO(download.content.decode())))
    assert ["Chisnall", "[c]"] in lines
    verbs = AuditEvent.objects.filter(object_id=str(output_id), object_type="output")
    assert list(verbs.values_list("verb", flat=True)) == [
        "output.requested",
        "output.approved",
        "output.decision_refused",
        "output.downloaded",
    ]


def test_a_session_post_without_its_csrf_token_is_refused(make_user: Callable[..., User]) -> None:
    """AC-13: the session route keeps CSRF; a cross-site page cannot post as a signed-in user."""
    ig_lead = make_user(Role.IG_LEAD)
    client = signed_in(ig_lead, enforce_csrf_checks=True)
    response = post(client, "/api/agreements", new_agreement())
    assert response.status_code in (401, 403)
    assert not Agreement.objects.filter(reference="DSA-API-001").exists()
    client.get(reverse("home"))  # a page sets the CSRF cookie, as in a browser
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/agreements",
        json.dumps(new_agreement()),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201, accepted.content


def test_a_practitioner_without_the_second_factor_is_refused_by_session(
    make_user: Callable[..., User],
) -> None:
    client = Client()
    client.force_login(make_user(Role.IG_LEAD))
    assert client.get("/api/agreements").status_code == 403
