"""Case finding into referrals: the hub coordinator runs a library cohort for a purpose the
agreements allow, sees its people as person keys, and makes referrals for some of them; they wait
in the triage queue matched to their person, and the re-identification is audited with its
purpose. On a small synthetic borough, loaded and linked for real."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.test import Client

from conftest import signed_in
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.referrals.case_finding import MAX_AT_ONCE, SESSION_KEY
from joinedup.web.referrals.models import MatchResult, Referral, Source, Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_linked_home")]
START = "/referrals/case-finding/"
PEOPLE = "/referrals/case-finding/people/"


@pytest.fixture
def lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="leah@gp.example")  # type: ignore[no-any-return]


def run(client: Client, cohort: str, purpose: str = "direct_care", parameters: str = "") -> object:
    return client.post(START, {"cohort": cohort, "purpose": purpose, "parameters": parameters})


def found_keys(client: Client) -> list[str]:
    kept: list[str] = client.session[SESSION_KEY]["person_keys"]
    return kept


def verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("verb", flat=True))


def test_a_cohorts_people_become_referrals_matched_in_the_triage_queue(
    coordinator: User, lead: User
) -> None:
    client = signed_in(coordinator)
    form = client.get(START).content.decode()
    assert "High intensity users of A&amp;E (high_intensity_ae)" in form
    assert 'value="direct_care"' in form and 'value="integrated_locality_working"' in form
    ran = run(client, "high_intensity_ae", parameters="attendances=6")
    assert ran.status_code == 302 and ran["Location"] == PEOPLE  # type: ignore[attr-defined]
    kept = client.session[SESSION_KEY]
    keys = found_keys(client)
    assert keys and kept["people"] == len(keys) and kept["parameters"]["attendances"] == "6"
    page = client.get(PEOPLE).content.decode()
    assert f'<dd class="govuk-summary-list__value" id="people">{len(keys)}</dd>' in page
    assert all(f'value="{k}"' in page for k in keys)
    assert "has not been through disclosure control" in page

    chosen = keys[:3]
    made = client.post(PEOPLE, {"person_keys": chosen})
    assert made.status_code == 302
    referrals = list(Referral.objects.order_by("pk"))
    assert [r.person_key for r in referrals] == chosen
    for referral in referrals:
        assert referral.source == Source.CASE_FINDING and referral.match == MatchResult.MATCHED
        assert (referral.cohort, referral.cohort_run_id, referral.purpose) == (
            "high_intensity_ae",
            kept["run_id"],
            "direct_care",
        )
        assert referral.referred_by == coordinator and referral.status == Status.SUBMITTED
        assert (referral.given_name, referral.family_name, referral.birth_date) == ("", "", None)
    confirmed = client.get(PEOPLE).content.decode()
    assert "3 referrals made" in confirmed and referrals[0].reference in confirmed

    # The triage queue takes them as any other: matched, and each can be accepted into a case.
    queue = client.get("/referrals/triage/").content.decode()
    for referral in referrals:
        assert f'id="queue-{referral.reference}"' in queue and referral.person_key in queue
    assert "Case finding: high_intensity_ae" in queue
    first = referrals[0]
    detail = client.get(f"/referrals/triage/{first.reference}/").content.decode()
    assert 'id="found-by"' in detail and kept["run_id"] in detail and "Not given" in detail
    own = client.get(f"/referrals/{first.reference}/")  # the coordinator referred: their own
    assert own.status_code == 200 and "Not given" in own.content.decode()
    assert first.person_key in client.get("/referrals/").content.decode()
    accepted = client.post(
        f"/referrals/triage/{first.reference}/",
        {"decision": "accept_new", "lead_professional": str(lead.pk)},
    )
    assert accepted.status_code == 302
    first.refresh_from_db()
    assert first.status == Status.ACCEPTED and first.case is not None
    # The case is the legitimate relationship: now the lead professional sees who it is.
    assert signed_in(lead).get(f"/people/{first.person_key}/").status_code == 200

    assert verbs()[:5] == [
        "case_finding.run",
        "referral.submitted",
        "referral.submitted",
        "referral.submitted",
        "case_finding.referrals_created",
    ]
    batch = AuditEvent.objects.get(verb="case_finding.referrals_created")
    assert batch.actor == coordinator.email
    assert batch.detail == {
        "cohort": "high_intensity_ae",
        "run_id": kept["run_id"],
        "purpose": "direct_care",
        "people": 3,
        "person_keys": chosen,
        "referrals": [r.reference for r in referrals],
    }
    submitted = AuditEvent.objects.filter(verb="referral.submitted").first()
    assert submitted is not None and submitted.detail["source"] == "case_finding"
    assert verify().intact


def test_a_purpose_the_agreements_do_not_cover_is_refused_with_a_clear_message(
    coordinator: User,
) -> None:
    client = signed_in(coordinator)
    refused = run(client, "childhood_obesity", purpose="direct_care")
    body = html.unescape(refused.content.decode())  # type: ignore[attr-defined]
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "There is a problem" in body
    assert "This cohort cannot be run for direct care" in body
    assert "school_measurements" in body and "ask the information governance lead" in body
    assert SESSION_KEY not in client.session
    assert client.get(PEOPLE)["Location"] == START
    assert not AuditEvent.objects.filter(verb__startswith="case_finding.").exists()
    # A purpose that is not one of the two is not offered, and not taken.
    other = run(client, "high_intensity_ae", purpose="population_health_management")
    assert other.status_code == 400  # type: ignore[attr-defined]
    assert "Select the purpose" in other.content.decode()  # type: ignore[attr-defined]


def test_no_more_than_the_cap_are_referred_at_once(coordinator: User) -> None:
    client = signed_in(coordinator)
    run(client, "frail_older_people", purpose="integrated_locality_working")
    keys = found_keys(client)
    assert len(keys) > MAX_AT_ONCE
    refused = client.post(PEOPLE, {"person_keys": keys[: MAX_AT_ONCE + 1]})
    assert refused.status_code == 400
    assert f"Select {MAX_AT_ONCE} people or fewer at a time" in refused.content.decode()
    assert not Referral.objects.exists()
    none = client.post(PEOPLE, {"person_keys": []})
    assert none.status_code == 400 and "Select the people to refer" in none.content.decode()
    stranger = client.post(PEOPLE, {"person_keys": ["P999999999"]})
    assert stranger.status_code == 400 and not Referral.objects.exists()
    made = client.post(PEOPLE, {"person_keys": keys[:MAX_AT_ONCE]})
    assert made.status_code == 302 and Referral.objects.count() == MAX_AT_ONCE
    batch = AuditEvent.objects.get(verb="case_finding.referrals_created")
    assert batch.detail["purpose"] == "integrated_locality_working"
    assert batch.detail["people"] == MAX_AT_ONCE
    # Already known: the people just referred say so when the list is shown again.
    assert "Already known: 1 referral in 90 days" in client.get(PEOPLE).content.decode()


def test_a_practitioner_is_refused_case_finding(make_user: Callable[..., User]) -> None:
    client = signed_in(make_user(Role.PRACTITIONER))
    assert client.get(START).status_code == 403
    assert run(client, "high_intensity_ae").status_code == 403  # type: ignore[attr-defined]
    assert client.post(PEOPLE, {"person_keys": ["P000000001"]}).status_code == 403
    assert AuditEvent.objects.filter(verb="access.denied").count() == 3
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="case_finding.").exists()
