"""Standard referrals: the question-per-page journey and its errors, matching to the person index,
the coordinator's triage (duplication shown; merge, accept, signpost, decline), the state machine
(AC-17), and the attempts around it (AC-03, AC-06, AC-07, AC-13, AC-18)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from linked_hub import known_person, shared_household

from conftest import PASSWORD, signed_in
from joinedup.linkage.lookup import CERTAIN, PROBABLE, Referred, find_person
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role, needs_two_factor
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import close_case, open_case
from joinedup.web.cases.models import Case, CaseRole
from joinedup.web.people.access import relationship
from joinedup.web.referrals import workflow
from joinedup.web.referrals.models import MatchResult, Referral, Status

pytestmark = pytest.mark.django_db

PERSON = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "birth_date_day": "10",
    "birth_date_month": "12",
    "birth_date_year": "1955",
    "nhs_number": "",
    "address": "1 Market Street\nChorley",
    "postcode": "pr7 1dp",
}
PAGES: list[tuple[str, dict[str, Any]]] = [
    ("person", PERSON),
    ("consent", {"consent": "given"}),
    ("needs", {"needs": ["housing", "money"], "detail_housing": "Arrears", "detail_money": "Debt"}),
    ("risks", {"risks": ["dog"], "risk_details": "Large dog, usually shut in"}),
    ("urgency", {"urgency": "urgent"}),
    ("tried", {"tried": "Council tax support; a food bank voucher"}),
]


def url(page: str) -> str:
    return f"/referrals/new/{page.replace('_', '-')}/"


def answer_all(client: Client, **changes: dict[str, Any]) -> None:
    """Answer every question page, with ``changes`` to a page's answers."""
    for page, data in PAGES:
        response = client.post(url(page), {**data, **changes.get(page, {})})
        assert response.status_code == 302, (page, response.content.decode()[:2000])


def send(client: Client, **changes: dict[str, Any]) -> Referral:
    answer_all(client, **changes)
    response = client.post(url("check"))
    assert response.status_code == 302 and response["Location"] == url("sent")
    return Referral.objects.order_by("-pk").first()  # type: ignore[return-value]


def verbs(object_type: str = "referral") -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=object_type)
        .order_by("sequence")
        .values_list("verb", flat=True)
    )


@pytest.fixture(autouse=True)
def quick_passwords(settings: Any) -> None:
    """Users here never sign in with their password: a fast hash keeps the tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory with nothing linked: referrals are taken, unmatched."""
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path / "empty-hub"))
    return tmp_path


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="referrer@example.org", full_name="Rita Referrer")


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_COORDINATOR, email="coordinator@example.org")


@pytest.fixture
def lead(make_user: Callable[..., User]) -> User:
    federation = Organisation.objects.create(name="Chorley GP Federation")
    return User.objects.create_user(
        "lead@example.org",
        PASSWORD,
        organisation=federation,
        full_name="Leah Lead",
        roles=(Role.PRACTITIONER,),
    )


def referral_for(referrer: User, person_key: str = "P000000042", **fields: Any) -> Referral:
    """A submitted referral, made without the journey (for triage tests)."""
    answers: dict[str, Any] = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "birth_date": dt.date(1955, 12, 10),
        "address": "1 Market Street",
        "postcode": "PR7 1DP",
        "consent": "given",
        "needs": [{"domain": "housing", "description": "Arrears"}],
        "urgency": "routine",
        "tried": "Advice",
        "person_key": person_key,
        "match": MatchResult.MATCHED if person_key else MatchResult.NONE,
    }
    made = Referral(
        **{**answers, **fields}, referred_by=referrer, organisation=referrer.organisation
    )
    return workflow.submit(made)


# The journey ------------------------------------------------------------------------------------


def test_the_journey_page_by_page_with_back_links_then_check_and_send(practitioner: User) -> None:
    client = signed_in(practitioner)
    start = client.get("/referrals/new/")
    assert start.status_code == 200 and b'id="start"' in start.content
    back = "/referrals/new/"
    for (page, data), following in zip(PAGES, [*PAGES[1:], ("check", {})], strict=True):
        shown = client.get(url(page))
        assert shown.status_code == 200, page
        assert f'href="{back}" class="govuk-back-link"' in shown.content.decode(), page
        response = client.post(url(page), data)
        assert response["Location"] == url(following[0]), page
        back = url(page)
    check = client.get(url("check")).content.decode()
    for shown in ("Ada Lovelace", "10 December 1955", "1 Market Street<br>Chorley<br>PR7 1DP"):
        assert shown in check
    assert "Rita Referrer" in check and "Chorley Council" in check
    assert f'href="{url("tried")}" class="govuk-back-link"' in check
    response = client.post(url("check"))
    assert response["Location"] == url("sent")
    referral = Referral.objects.get()
    assert referral.reference in client.get(url("sent")).content.decode()
    assert (referral.given_name, referral.postcode, referral.urgency) == (
        "Ada",
        "PR7 1DP",
        "urgent",
    )
    assert referral.birth_date == dt.date(1955, 12, 10)
    assert referral.needs == [
        {"domain": "housing", "description": "Arrears"},
        {"domain": "money", "description": "Debt"},
    ]
    assert referral.risks == ["dog"] and referral.status == Status.SUBMITTED
    assert referral.referred_by == practitioner and referral.organisation.name == "Chorley Council"
    assert referral.match == MatchResult.UNAVAILABLE and referral.person_key == ""
    assert "referral_draft" not in client.session  # the answers leave the session once sent
    assert client.get(url("check"))["Location"] == url("person")
    assert verbs() == ["referral.submitted"]


def test_a_question_before_the_earlier_ones_are_answered_goes_back_to_them(
    practitioner: User,
) -> None:
    client = signed_in(practitioner)
    assert client.get(url("needs"))["Location"] == url("person")
    assert client.post(url("tried"), {"tried": "x"})["Location"] == url("person")
    assert client.get(url("check"))["Location"] == url("person")
    client.post(url("person"), PERSON)
    assert client.get(url("urgency"))["Location"] == url("consent")
    # A lawful basis is asked only when the person did not agree.
    client.post(url("consent"), {"consent": "given"})
    assert client.get(url("lawful_basis"))["Location"] == url("check")


ERRORS = [
    ("person", {}, "Enter the person's given name", "given_name"),
    ("person", {}, "Enter the person's family name", "family_name"),
    ("person", {}, "Enter the person's date of birth", "birth_date_day"),
    ("person", {}, "Enter the person's address", "address"),
    ("person", {}, "Enter the person's postcode", "postcode"),
    (
        "person",
        {"given_name": "A" * 101},
        "Given name must be 100 characters or fewer",
        "given_name",
    ),
    ("person", {"birth_date_month": ""}, "Date of birth must include a month", "birth_date_month"),
    (
        "person",
        {"birth_date_day": "", "birth_date_year": ""},
        "Date of birth must include a day and year",
        "birth_date_day",
    ),
    (
        "person",
        {"birth_date_day": "31", "birth_date_month": "2"},
        "must be a real date",
        "birth_date_day",
    ),
    ("person", {"birth_date_year": "55"}, "Date of birth must be a real date", "birth_date_day"),
    ("person", {"birth_date_year": "2999"}, "Date of birth must be in the past", "birth_date_day"),
    ("person", {"birth_date_year": "1850"}, "Date of birth must be after 1900", "birth_date_year"),
    ("person", {"nhs_number": "12345"}, "NHS number must be 10 digits", "nhs_number"),
    ("person", {"nhs_number": "943 476 5918"}, "Enter a real NHS number", "nhs_number"),
    ("person", {"postcode": "PR7"}, "Enter a real postcode, like PR7 1DP", "postcode"),
    ("consent", {}, "Select whether the person agreed to this referral", "consent-given"),
    ("consent", {"consent": "maybe"}, "Select whether the person agreed", "consent-given"),
    ("lawful_basis", {}, "Select the lawful basis for sharing", "lawful_basis-public_task"),
    ("needs", {}, "Select what the person needs help with", "needs-housing"),
    ("needs", {"needs": ["housing"]}, "Describe the housing need", "detail_housing"),
    (
        "needs",
        {"needs": ["family"], "detail_family": " "},
        "Describe the family need",
        "detail_family",
    ),
    ("risks", {}, "Select the risks to people visiting", "risks-risk_to_staff"),
    (
        "risks",
        {"risks": ["none", "dog"]},
        "Select no known risks only if there are none",
        "risks-risk_to_staff",
    ),
    ("urgency", {}, "Select how urgent the referral is", "urgency-routine"),
    ("tried", {"tried": "   "}, "Enter what has been tried already", "tried"),
    (
        "tried",
        {"tried": "x" * 2001},
        "What has been tried already must be 2000 characters or fewer",
        "tried",
    ),
]


@pytest.mark.parametrize(("page", "data", "message", "anchor"), ERRORS)
def test_each_validation_error_follows_the_govuk_pattern(
    practitioner: User, page: str, data: dict[str, Any], message: str, anchor: str
) -> None:
    client = signed_in(practitioner)
    for before, answers in PAGES:
        if before == page:
            break
        if before == "consent" and page == "lawful_basis":
            client.post(url(before), {"consent": "refused"})
            break
        client.post(url(before), answers)
    posted = {**PERSON, **data} if page == "person" and data else data
    response = client.post(url(page), posted)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>Error: ", html), page
    listed = html.index("govuk-error-summary__list")
    summary, by_field = (
        unescape(html[listed : html.index("</ul>", listed)]),
        unescape(html[html.index("</ul>", listed) :]),
    )
    assert re.search(rf'<a href="#{anchor}">[^<]*{re.escape(message)}', summary), summary
    assert f'id="{anchor}"' in html  # the link goes somewhere
    assert "govuk-error-message" in by_field and message in by_field
    assert "govuk-form-group--error" in by_field


def test_a_refusal_with_its_lawful_basis_is_sent_and_shown(practitioner: User) -> None:
    client = signed_in(practitioner)
    client.post(url("person"), PERSON)
    assert client.post(url("consent"), {"consent": "not_asked"})["Location"] == url("lawful_basis")
    assert client.post(url("consent"), {"consent": "refused"})["Location"] == url("lawful_basis")
    assert client.get(url("lawful_basis")).status_code == 200
    assert client.get(url("needs"))["Location"] == url("lawful_basis")
    client.post(url("lawful_basis"), {"lawful_basis": "safeguarding"})
    for page, data in PAGES[2:]:
        client.post(url(page), data)
    check = client.get(url("check")).content.decode()
    assert "Safeguarding a child or an adult at risk" in check
    assert f'href="{url("lawful_basis")}?from=check"' in check
    client.post(url("check"))
    referral = Referral.objects.get()
    assert (referral.consent, referral.lawful_basis) == ("refused", "safeguarding")


def test_change_links_go_to_the_question_and_back_to_the_check_page(practitioner: User) -> None:
    client = signed_in(practitioner)
    answer_all(client)
    check = client.get(url("check")).content.decode()
    for page, _ in PAGES:
        assert f'href="{url(page)}?from=check"' in check, page
    changing = client.get(url("urgency") + "?from=check").content.decode()
    assert f'href="{url("check")}" class="govuk-back-link"' in changing
    assert 'value="urgent" checked' in changing  # the answer given is shown
    response = client.post(url("urgency") + "?from=check", {"urgency": "immediate"})
    assert response["Location"] == url("check")
    assert "Immediate risk" in client.get(url("check")).content.decode()
    # A change that makes a new question needed goes through it before the check page.
    response = client.post(url("consent") + "?from=check", {"consent": "refused"})
    assert response["Location"] == url("lawful_basis") + "?from=check"
    response = client.post(url("lawful_basis") + "?from=check", {"lawful_basis": "vital_interests"})
    assert response["Location"] == url("check")
    # And a change that makes one not needed drops its answer.
    client.post(url("consent") + "?from=check", {"consent": "given"})
    assert "Lawful basis" not in client.get(url("check")).content.decode()
    person = client.get(url("person") + "?from=check").content.decode()
    assert 'value="10"' in person and 'value="1955"' in person and 'value="Ada"' in person


def test_starting_again_forgets_the_answers_kept(practitioner: User) -> None:
    client = signed_in(practitioner)
    client.post(url("person"), PERSON)
    start = client.get("/referrals/new/").content.decode()
    assert f'href="{url("consent")}"' in start and 'id="start-again"' in start
    assert client.post("/referrals/new/")["Location"] == url("person")
    assert 'value="Ada"' not in client.get(url("person")).content.decode()


# Attempts around the journey -------------------------------------------------------------------


def test_extra_fields_in_the_request_are_ignored(
    practitioner: User, make_user: Callable[..., User]
) -> None:
    """AC-06: a role, another organisation or another referrer in the body changes nothing."""
    other = Organisation.objects.create(name="Lancashire Constabulary")
    someone = User.objects.create_user(
        "someone@example.org", PASSWORD, organisation=other, roles=(Role.PRACTITIONER,)
    )
    extras = {
        "role": "administrator",
        "roles": "administrator",
        "organisation": str(other.pk),
        "organisation_id": str(other.pk),
        "referred_by": str(someone.pk),
        "referred_by_id": str(someone.pk),
        "status": "accepted",
        "person_key": "P000000001",
    }
    client = signed_in(practitioner)
    answer_all(client, **{page: extras for page, _ in PAGES})
    client.post(url("check"), extras)
    referral = Referral.objects.get()
    assert referral.referred_by == practitioner and referral.organisation.name == "Chorley Council"
    assert referral.status == Status.SUBMITTED and referral.person_key == ""
    assert practitioner.roles == frozenset({Role.PRACTITIONER})


def test_script_in_free_text_is_escaped_for_the_referrer_and_the_coordinator(
    practitioner: User, coordinator: User
) -> None:
    """AC-18."""
    script = "<script>alert('x')</script>"
    client = signed_in(practitioner)
    referral = send(
        client,
        person={**PERSON, "given_name": script, "address": script},
        needs={"needs": ["housing"], "detail_housing": script},
        risks={"risks": ["weapons"], "risk_details": script},
        tried={"tried": script},
    )
    pages = [
        client.get(f"/referrals/{referral.reference}/"),
        client.get("/referrals/"),
        signed_in(coordinator).get("/referrals/triage/"),
        signed_in(coordinator).get(f"/referrals/triage/{referral.reference}/"),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200 and "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_a_state_change_needs_a_post_with_the_csrf_token(
    practitioner: User, coordinator: User
) -> None:
    """AC-13: a GET changes nothing; a cross-site POST is refused."""
    referral = referral_for(practitioner)
    client = signed_in(coordinator)
    client.get(f"/referrals/triage/{referral.reference}/?decision=decline&reason=x")
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED
    strict = signed_in(coordinator, enforce_csrf_checks=True)
    response = strict.post(
        f"/referrals/triage/{referral.reference}/", {"decision": "decline", "reason": "x"}
    )
    assert response.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED


def test_another_practitioners_referral_is_not_found_and_the_attempt_audited(
    practitioner: User, make_user: Callable[..., User]
) -> None:
    """AC-03: the referrer sees their own referrals only."""
    mine = referral_for(practitioner)
    colleague = make_user(Role.PRACTITIONER, email="colleague@example.org")
    client = signed_in(colleague)
    response = client.get(f"/referrals/{mine.reference}/")
    assert response.status_code == 404 and b"Lovelace" not in response.content
    assert b"Lovelace" not in client.get("/referrals/").content
    denied = AuditEvent.objects.get(verb="access.denied", object_type="referral")
    assert denied.object_id == mine.reference and denied.actor == colleague.email
    own = signed_in(practitioner).get(f"/referrals/{mine.reference}/")
    assert own.status_code == 200 and b"Lovelace" in own.content


def test_a_practitioner_cannot_reach_triage(practitioner: User) -> None:
    referral = referral_for(practitioner)
    client = signed_in(practitioner)
    assert client.get("/referrals/triage/").status_code == 403
    response = client.post(
        f"/referrals/triage/{referral.reference}/", {"decision": "decline", "reason": "no"}
    )
    assert response.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED
    assert AuditEvent.objects.filter(verb="access.denied", object_type="url").count() == 2


def test_hub_coordinators_need_two_factor_sign_in() -> None:
    assert needs_two_factor(frozenset({Role.HUB_COORDINATOR}))


# Matching to the person index ------------------------------------------------------------------


def test_a_valid_nhs_number_the_index_holds_settles_the_match(linked_home: Path) -> None:
    known = known_person(linked_home, with_nhs_number=True)
    # Another name and date of birth: the NHS number is what the index goes by.
    referred = Referred("Someone", "Else", dt.date(2001, 1, 1), nhs_number=known.nhs_number)
    found = find_person(linked_home, referred)
    assert found.best is not None and found.best.person_key == known.person_key
    assert found.best.confidence == CERTAIN and found.best.agreed == ("NHS number",)
    assert [c.person_key for c in found.candidates] == [known.person_key]


def test_name_date_of_birth_and_postcode_agreeing_after_standardisation(linked_home: Path) -> None:
    known = known_person(linked_home, with_nhs_number=False)
    typed = f" {known.postcode[:-3].lower()}  {known.postcode[-3:].lower()} "
    referred = Referred(known.given.lower(), f"{known.family.upper()}.", known.birth_date, typed)
    found = find_person(linked_home, referred)
    assert found.best is not None and found.best.person_key == known.person_key
    assert found.best.confidence == CERTAIN
    assert set(found.best.agreed) == {"family name", "date of birth", "postcode", "given name"}
    # Without the given name agreeing, the same person is probable.
    other = Referred("Zebedee", known.family, known.birth_date, known.postcode)
    probable = find_person(linked_home, other).best
    assert probable is not None and probable.person_key == known.person_key
    assert probable.confidence == PROBABLE and "given name" not in probable.agreed


def test_nobody_matches_without_family_name_and_date_of_birth(linked_home: Path) -> None:
    known = known_person(linked_home, with_nhs_number=False)
    wrong_day = known.birth_date + dt.timedelta(days=1)
    for referred in (
        Referred(known.given, known.family, wrong_day, known.postcode),
        Referred(known.given, "Nobody-Atall", known.birth_date, known.postcode),
        # Family name and date of birth alone are not enough.
        Referred("Zebedee", known.family, known.birth_date, "ZZ9 9ZZ"),
    ):
        found = find_person(linked_home, referred)
        assert found.candidates == () and found.best is None and not found.ambiguous


def test_two_people_alike_are_ambiguous_and_neither_is_chosen(linked_home: Path) -> None:
    alike = shared_household(linked_home)
    found = find_person(
        linked_home, Referred(alike.given, alike.family, alike.birth_date, alike.postcode)
    )
    assert len(found.candidates) >= 2 and found.ambiguous and found.best is None
    assert {c.confidence for c in found.candidates} == {PROBABLE}


def test_a_sent_referral_keeps_its_match_and_the_referrer_is_not_told_it(
    linked_home: Path, practitioner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AC-07: the match is for the coordinator; the referrer learns nothing from it."""
    monkeypatch.setenv("JOINEDUP_HOME", str(linked_home))
    known = known_person(linked_home, with_nhs_number=True)
    client = signed_in(practitioner)
    person = {**PERSON, "nhs_number": known.nhs_number}
    referral = send(client, person=person)
    assert referral.match == MatchResult.MATCHED and referral.person_key == known.person_key
    assert referral.match_confidence == CERTAIN and "NHS number" in referral.match_fields
    unmatched = send(client)
    assert unmatched.match == MatchResult.NONE and unmatched.person_key == ""
    for page in ("/referrals/", f"/referrals/{referral.reference}/", url("sent")):
        html = client.get(page).content.decode()
        assert known.person_key not in html and "certain" not in html.lower(), page
    event = AuditEvent.objects.filter(verb="referral.submitted").first()
    assert event is not None and event.detail["person_key"] == known.person_key


# Triage ----------------------------------------------------------------------------------------


def test_the_queue_puts_the_most_urgent_then_the_oldest_first_and_shows_duplication(
    practitioner: User, coordinator: User, lead: User
) -> None:
    routine_old = referral_for(
        practitioner, "P1", submitted_at=timezone.now() - dt.timedelta(days=3)
    )
    routine_new = referral_for(practitioner, "P2")
    immediate = referral_for(practitioner, "P3", urgency="immediate")
    urgent = referral_for(practitioner, "P4", urgency="urgent")
    case = open_case(
        "P2", organisation=lead.organisation, opened_by=coordinator, lead_professional=lead
    )
    earlier = referral_for(practitioner, "P3", submitted_at=timezone.now() - dt.timedelta(days=30))
    workflow.decline(earlier, by=coordinator, reason="Not known to us")
    long_ago = referral_for(
        practitioner, "P4", submitted_at=timezone.now() - dt.timedelta(days=120)
    )
    workflow.decline(long_ago, by=coordinator, reason="Not known to us")
    response = signed_in(coordinator).get("/referrals/triage/")
    assert response.status_code == 200
    order = [r.reference for r, _ in response.context["rows"]]
    assert order == [
        immediate.reference,
        urgent.reference,
        routine_old.reference,
        routine_new.reference,
    ]
    html = response.content.decode()
    row = {
        r.reference: html[html.index(f'id="queue-{r.reference}"') :].split("</tr>")[0]
        for r, _ in response.context["rows"]
    }
    assert f"Open case {case.reference}" in row[routine_new.reference]
    assert "1 other referral in 90 days" in row[immediate.reference]
    assert "other referral" not in row[urgent.reference]  # 120 days ago is not recent
    assert "Ada Lovelace" in row[urgent.reference]  # the coordinator sees who is referred
    page = signed_in(coordinator).get(f"/referrals/triage/{immediate.reference}/").content.decode()
    assert earlier.reference in page and "Already known" in page
    assert "referral.viewed" in verbs()


def test_merging_counts_two_referrals_as_one_with_their_reasons_combined(
    practitioner: User, coordinator: User, make_user: Callable[..., User]
) -> None:
    first = referral_for(practitioner, "P7")
    police = make_user(Role.PRACTITIONER, email="pc@example.org")
    second = referral_for(
        police, "P7", needs=[{"domain": "safety", "description": "Door kicked in"}]
    )
    client = signed_in(coordinator)
    page = client.get(f"/referrals/triage/{second.reference}/").content.decode()
    assert 'id="decision-merge"' in page
    response = client.post(
        f"/referrals/triage/{second.reference}/", {"decision": "merge", "into": first.reference}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    assert [r.reference for r, _ in client.get("/referrals/triage/").context["rows"]] == [
        first.reference
    ]
    combined = client.get(f"/referrals/triage/{first.reference}/").content.decode()
    assert "Door kicked in" in combined and "Arrears" in combined
    told = signed_in(police).get(f"/referrals/{second.reference}/").content.decode()
    assert "Joined with another referral for the same person" in told
    assert first.reference not in told  # another's referral: not named to them
    event = AuditEvent.objects.get(verb="referral.merged")
    assert event.detail == {
        "referral": second.reference,
        "person_key": "P7",
        "merged_into": first.reference,
        "followers": [],
    }


def test_accepting_into_a_new_case_makes_the_lead_professionals_relationship(
    practitioner: User, coordinator: User, lead: User
) -> None:
    referral = referral_for(practitioner, "P8")
    client = signed_in(coordinator)
    response = client.post(
        f"/referrals/triage/{referral.reference}/",
        {"decision": "accept_new", "lead_professional": str(lead.pk)},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    case = referral.case
    assert referral.status == Status.ACCEPTED and case is not None and case.person_key == "P8"
    assert case.workers.get(user=lead).role == CaseRole.LEAD_PROFESSIONAL
    assert case.organisation == lead.organisation and case.opened_by == coordinator
    assert relationship(lead, "P8") is not None  # the legitimate relationship now exists
    told = signed_in(practitioner).get("/referrals/").content.decode()
    assert "Accepted by the Integrated Action Team" in told and "Leah Lead" in told
    assert verbs() == ["referral.submitted", "referral.accepted"]
    assert verbs("case") == ["case.opened", "case.worker_added"]
    assert AuditEvent.objects.get(verb="referral.accepted").detail["case"] == case.reference


def test_accepting_into_the_open_case_adds_the_referral_to_it(
    practitioner: User, coordinator: User, lead: User
) -> None:
    case = open_case(
        "P9", organisation=lead.organisation, opened_by=coordinator, lead_professional=lead
    )
    referral = referral_for(practitioner, "P9")
    client = signed_in(coordinator)
    assert (
        f"This person has an open case: {case.reference}"
        in client.get(f"/referrals/triage/{referral.reference}/").content.decode()
    )
    response = client.post(
        f"/referrals/triage/{referral.reference}/",
        {"decision": "accept_existing", "case": case.reference},
    )
    assert response.status_code == 302
    assert list(case.referrals.all()) == [referral]
    assert Case.objects.count() == 1
    assert AuditEvent.objects.get(verb="referral.accepted").detail["into"] == "existing"


@pytest.mark.parametrize(
    ("decision", "field", "words", "told", "verb"),
    [
        (
            "signpost",
            "signposted_to",
            "Citizens Advice Chorley",
            "Signposted to Citizens Advice Chorley.",
            "referral.signposted",
        ),
        (
            "decline",
            "reason",
            "Already supported by the mental health team",
            "Declined: Already supported",
            "referral.declined",
        ),
    ],
)
def test_signposting_and_declining_tell_the_referrer(
    practitioner: User,
    coordinator: User,
    decision: str,
    field: str,
    words: str,
    told: str,
    verb: str,
) -> None:
    referral = referral_for(practitioner, "")
    client = signed_in(coordinator)
    page = client.get(f"/referrals/triage/{referral.reference}/").content.decode()
    assert "cannot be accepted into a case" in page and 'id="decision-accept_new"' not in page
    missing = client.post(f"/referrals/triage/{referral.reference}/", {"decision": decision})
    assert missing.status_code == 200 and f'href="#{field}"' in missing.content.decode()
    response = client.post(
        f"/referrals/triage/{referral.reference}/", {"decision": decision, field: words}
    )
    assert response.status_code == 302
    assert told in signed_in(practitioner).get(f"/referrals/{referral.reference}/").content.decode()
    event = AuditEvent.objects.get(verb=verb)
    assert words not in str(event.detail) and event.detail["referral"] == referral.reference


def test_steps_out_of_order_are_refused(practitioner: User, coordinator: User, lead: User) -> None:
    """AC-17: a referral is decided once; a merge needs a waiting referral for the same person."""
    declined = referral_for(practitioner, "P5")
    workflow.decline(declined, by=coordinator, reason="Out of area")
    client = signed_in(coordinator)
    response = client.post(
        f"/referrals/triage/{declined.reference}/",
        {"decision": "accept_new", "lead_professional": str(lead.pk)},
    )
    assert response.status_code == 409
    assert "is declined: it cannot be accepted now" in response.content.decode()
    waiting, other_person = referral_for(practitioner, "P5"), referral_for(practitioner, "P6")
    unmatched = referral_for(practitioner, "")
    refusals: list[Callable[[], object]] = [
        lambda: workflow.accept_into_new_case(declined, by=coordinator, lead_professional=lead),
        lambda: workflow.signpost(declined, by=coordinator, to="Somewhere"),
        lambda: workflow.merge(waiting, declined, by=coordinator),  # into a decided one
        lambda: workflow.merge(declined, waiting, by=coordinator),  # a decided one
        lambda: workflow.merge(waiting, waiting, by=coordinator),
        lambda: workflow.merge(waiting, other_person, by=coordinator),
        lambda: workflow.accept_into_new_case(unmatched, by=coordinator, lead_professional=lead),
        lambda: workflow.accept_into_new_case(
            waiting, by=coordinator, lead_professional=coordinator
        ),
        lambda: workflow.decline(waiting, by=coordinator, reason="  "),
        lambda: workflow.decline(waiting, by=practitioner, reason="Not the coordinator"),
        lambda: workflow.submit(waiting),
    ]
    for refused in refusals:
        with pytest.raises(workflow.WorkflowError):
            refused()
    case = open_case(
        "P6", organisation=lead.organisation, opened_by=coordinator, lead_professional=lead
    )
    with pytest.raises(workflow.WorkflowError):
        workflow.accept_into_open_case(waiting, case, by=coordinator)  # another person's case
    close_case(case, closed_by=lead, outcome="goals_met")
    with pytest.raises(workflow.WorkflowError):
        workflow.accept_into_open_case(other_person, case, by=coordinator)  # a closed case
    assert {r.status for r in Referral.objects.exclude(pk=declined.pk)} == {Status.SUBMITTED}
    assert verbs().count("referral.declined") == 1


def test_every_step_is_audited_without_names_or_addresses(
    practitioner: User, coordinator: User, lead: User
) -> None:
    client = signed_in(practitioner)
    first, second = send(client), send(client)
    third, fourth = send(client), send(client)
    for one in (first, second, third, fourth):
        Referral.objects.filter(pk=one.pk).update(person_key="P11")
    workflow.merge(second, first, by=coordinator)
    workflow.accept_into_new_case(first, by=coordinator, lead_professional=lead)
    workflow.signpost(third, by=coordinator, to="Ada's GP at 1 Market Street")
    workflow.decline(fourth, by=coordinator, reason="Ada Lovelace is known")
    signed_in(coordinator).get(f"/referrals/triage/{first.reference}/")
    assert sorted(set(verbs())) == [
        "referral.accepted",
        "referral.declined",
        "referral.merged",
        "referral.signposted",
        "referral.submitted",
        "referral.viewed",
    ]
    for event in AuditEvent.objects.filter(object_type="referral"):
        assert event.object_id.startswith("REF-") and event.detail["referral"] == event.object_id
        text = str(event.detail)
        assert "Lovelace" not in text and "Market Street" not in text and "PR7" not in text
    assert verify().intact
