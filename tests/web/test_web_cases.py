"""Cases: found only through cases_of (AC-03, AC-04), lost at the next request when taken off
(AC-10), closed only by the state machine's rules (AC-17), free text escaped (AC-18), extra
fields ignored (AC-06), every change audited in order (AUD-01), and the outcome measures: PAM
as recorded, SWEMWBS through its conversion table, the team's figures controlled."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import given
from hypothesis import strategies as st

from conftest import PASSWORD, signed_in, today
from joinedup.web.accounts import tokens
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import URL_PERMISSIONS, Role, permissions_of
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases import casework, workflow
from joinedup.web.cases.measures import (
    SWEMWBS_METRIC,
    swemwbs_metric,
    swemwbs_raw,
)
from joinedup.web.cases.models import (
    Action,
    ActionStatus,
    AppendOnlyError,
    Case,
    CaseNote,
    CaseRole,
    CaseStatus,
)


def soon() -> dt.date:
    return today() + dt.timedelta(days=14)


pytestmark = pytest.mark.django_db
PERSON = "pk-7f3a9c"


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="Lancashire Constabulary")


@pytest.fixture
def lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="lead@example.org", full_name="Lee Lead")


@pytest.fixture
def colleague(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="colleague@example.org", full_name="Col League")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """A practitioner of the same organisation who does not work on the case (AC-04)."""
    return make_user(Role.PRACTITIONER, email="same-org@example.org")


@pytest.fixture
def elsewhere(other_organisation: Organisation) -> User:
    """A practitioner of another organisation (AC-03)."""
    return User.objects.create_user(
        "police@example.org",
        PASSWORD,
        organisation=other_organisation,
        roles=(Role.PRACTITIONER,),
    )


@pytest.fixture
def case(lead: User, colleague: User) -> Case:
    return casework.open_case(
        PERSON,
        organisation=lead.organisation,
        opened_by=lead,
        lead_professional=lead,
        workers=[colleague],
    )


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens.issue(user, 'test')}"})


def post_json(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def case_verbs(case: Case) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="case", object_id=case.reference)
        .exclude(verb="case.viewed")
        .order_by("sequence")
        .values_list("verb", flat=True)
    )


def denials() -> int:
    return AuditEvent.objects.filter(verb="access.denied").count()


def attempts(case: Case, lead: User) -> list[tuple[str, str, dict[str, Any]]]:
    """Every page and API route of one case, as (method, path, body)."""
    action = casework.add_action(case, by=lead, description="Call housing", owner=lead, due=soon())
    need = casework.add_need(case, by=lead, domain="housing", need="Damp flat", goal="Dry home")
    c = f"/cases/{case.pk}"
    note = {"text": "looked"}
    return [
        ("get", f"{c}/", {}),
        ("get", f"{c}/notes/add/", {}),
        ("post", f"{c}/notes/add/", note),
        ("post", f"{c}/actions/add/", {"description": "x", "owner": lead.pk, "due": soon()}),
        ("post", f"{c}/actions/{action.pk}/", {"status": "done"}),
        ("post", f"{c}/needs/add/", {"domain": "money", "need": "n", "goal": "g"}),
        ("post", f"{c}/needs/{need.pk}/", {"goal_status": "met"}),
        ("post", f"{c}/consent/", {"decision": "given", "decided_on": today()}),
        ("post", f"{c}/review/", {"next_review": soon()}),
        ("post", f"{c}/pam/add/", {"level": 2, "score": "50", "assessed_on": today()}),
        ("post", f"{c}/swemwbs/add/", {"assessed_on": today()}),
        ("post", f"{c}/workers/add/", {"worker": lead.pk}),
        ("post", f"{c}/workers/{lead.pk}/remove/", {}),
        ("post", f"{c}/close/", {"outcome": "goals_met"}),
        ("get", f"/api/cases/{case.pk}", {}),
        ("get", f"/api/cases/{case.pk}/notes", {}),
        ("api-post", f"/api/cases/{case.pk}/notes", note),
        (
            "api-post",
            f"/api/cases/{case.pk}/actions",
            {"description": "x", "owner": lead.email, "due": str(soon())},
        ),
    ]


def snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.status,
        case.next_review,
        case.notes.count(),
        case.actions.filter(status=ActionStatus.OPEN).count(),
        case.actions.count(),
        case.needs.count(),
        case.consents.count(),
        case.pam_assessments.count(),
        casework.current_workers(case).count(),
    )


@pytest.mark.parametrize("who", ["elsewhere", "outsider"])
def test_every_route_of_a_case_is_not_found_to_someone_not_on_it(
    who: str, case: Case, lead: User, request: pytest.FixtureRequest
) -> None:
    """AC-03 (another organisation) and AC-04 (the same organisation, not on the case)."""
    user: User = request.getfixturevalue(who)
    page, program = signed_in(user), api(user)
    tried = attempts(case, lead)
    before = snapshot(case)
    for method, path, body in tried:
        denied = denials()
        if method == "api-post":
            response = post_json(program, path, body)
        elif path.startswith("/api/"):
            response = program.get(path)
        else:
            response = getattr(page, method)(path, body)
        assert response.status_code == 404, (path, method, response.status_code)
        assert denials() == denied + 1, path
        event = AuditEvent.objects.filter(verb="access.denied").latest("sequence")
        assert event.actor == user.email and event.object_id == str(case.pk)
        body_text = response.content.decode()
        assert case.reference not in body_text and PERSON not in body_text
        assert "Call housing" not in body_text and "Damp flat" not in body_text
    # Nothing changed: not a note, an action, a worker or the case's state.
    assert snapshot(case) == before
    assert case not in signed_in(user).get("/cases/").context["open"]
    assert program.get("/api/cases").json() == []


def test_an_id_that_is_no_case_is_the_same_not_found(outsider: User) -> None:
    for path in ("/cases/999999/", "/cases/99999999999999999999999/", "/api/cases/999999"):
        client = api(outsider) if path.startswith("/api/") else signed_in(outsider)
        assert client.get(path).status_code == 404
    assert denials() == 3


def test_taken_off_a_case_the_very_next_request_is_refused(
    case: Case, lead: User, colleague: User
) -> None:
    """AC-10: no cached permission, on the pages or the API."""
    page, program = signed_in(colleague), api(colleague)
    assert page.get(f"/cases/{case.pk}/").status_code == 200
    assert program.get(f"/api/cases/{case.pk}").status_code == 200
    response = signed_in(lead).post(f"/cases/{case.pk}/workers/{colleague.pk}/remove/")
    assert response.status_code == 302
    assert page.get(f"/cases/{case.pk}/").status_code == 404
    assert page.post(f"/cases/{case.pk}/notes/add/", {"text": "still here?"}).status_code == 404
    assert program.get(f"/api/cases/{case.pk}").status_code == 404
    assert not case.notes.exists()
    assert page.get("/cases/").context["open"] == []


def test_only_the_lead_professional_or_the_hub_coordinator_changes_who_works_on_it(
    case: Case, lead: User, colleague: User, outsider: User, make_user: Callable[..., User]
) -> None:
    path = f"/cases/{case.pk}/workers/add/"
    assert signed_in(colleague).post(path, {"worker": outsider.pk}).status_code == 403
    assert not casework.works_on(case, outsider)
    coordinator = make_user(Role.HUB_COORDINATOR, email="coordinator@example.org")
    casework.add_worker(case, coordinator, added_by=lead)
    assert signed_in(coordinator).post(path, {"worker": outsider.pk}).status_code == 302
    assert casework.works_on(case, outsider)
    remove = f"/cases/{case.pk}/workers/{outsider.pk}/remove/"
    assert signed_in(colleague).post(remove).status_code == 403
    assert signed_in(lead).post(remove).status_code == 302
    assert not casework.works_on(case, outsider)
    # The lead professional is not taken off, and an analyst never joins a case.
    response = signed_in(coordinator).post(f"/cases/{case.pk}/workers/{lead.pk}/remove/")
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    with pytest.raises(workflow.WorkflowError):
        casework.add_worker(case, make_user(Role.ANALYST), added_by=lead)


def test_closing_needs_an_outcome_and_no_open_actions_or_a_reason(
    case: Case, lead: User, colleague: User
) -> None:
    """AC-17: the state machine refuses steps out of order."""
    client = signed_in(lead)
    close = f"/cases/{case.pk}/close/"
    action = casework.add_action(
        case, by=lead, description="Refer to debt advice", owner=colleague, due=soon()
    )
    response = client.post(close, {"outcome": ""})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    response = client.post(close, {"outcome": "goals_met"})
    assert b"1 open action" in response.content
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    # Only the lead professional (or coordinator) closes; a worker is refused.
    assert signed_in(colleague).post(close, {"outcome": "goals_met"}).status_code == 403
    response = client.post(close, {"outcome": "moved_away", "reason": "Moved to Preston this week"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "moved_away"
    assert case.closed_with_open_actions_because == "Moved to Preston this week"
    # A closed case does not change: no notes, no action moves, no second closing.
    assert client.post(f"/cases/{case.pk}/notes/add/", {"text": "late"}).status_code == 200
    assert not case.notes.exists()
    with pytest.raises(workflow.WorkflowError):
        casework.update_action(action, by=lead, status="done")
    with pytest.raises(workflow.WorkflowError):
        casework.close_case(case, closed_by=lead, outcome="goals_met")
    assert post_json(api(lead), f"/api/cases/{case.pk}/notes", {"text": "x"}).status_code == 409
    # The closed case is still there for its workers to read.
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and b"Moved out of the area" in page.content


def test_an_action_moves_once_from_open_and_the_case_closes_cleanly_after(
    case: Case, lead: User
) -> None:
    action = casework.add_action(case, by=lead, description="Visit", owner=lead, due=soon())
    client = signed_in(lead)
    assert (
        client.post(f"/cases/{case.pk}/actions/{action.pk}/", {"status": "done"}).status_code == 302
    )
    with pytest.raises(workflow.WorkflowError):
        casework.update_action(Action.objects.get(pk=action.pk), by=lead, status="open")
    response = client.post(f"/cases/{case.pk}/actions/{action.pk}/", {"status": "cancelled"})
    assert b"does not change again" in response.content
    assert client.post(f"/cases/{case.pk}/close/", {"outcome": "goals_met"}).status_code == 302
    assert Case.objects.get(pk=case.pk).closed_with_open_actions_because == ""


def test_an_overdue_action_is_shown_as_overdue(case: Case, lead: User) -> None:
    action = casework.add_action(
        case, by=lead, description="Book GP review", owner=lead, due=today()
    )
    Action.objects.filter(pk=action.pk).update(due=today() - dt.timedelta(days=3))
    page = signed_in(lead).get(f"/cases/{case.pk}/").content.decode()
    assert "Book GP review" in page and "Overdue" in page
    listed = signed_in(lead).get("/cases/")
    assert listed.context["open"][0].overdue_actions == 1


def test_a_script_in_a_note_is_shown_as_text_to_another_worker(
    case: Case, lead: User, colleague: User
) -> None:
    """AC-18: stored free text is escaped wherever it is shown."""
    script = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    signed_in(lead).post(f"/cases/{case.pk}/notes/add/", {"text": script})
    signed_in(lead).post(
        f"/cases/{case.pk}/needs/add/", {"domain": "housing", "need": script, "goal": script}
    )
    page = signed_in(colleague).get(f"/cases/{case.pk}/")
    html = page.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    # The API gives the text back as data (JSON), for the client to escape.
    assert api(colleague).get(f"/api/cases/{case.pk}/notes").json()[0]["text"] == script


def test_extra_fields_in_a_form_or_an_api_body_are_ignored(
    case: Case, lead: User, colleague: User, elsewhere: User
) -> None:
    """AC-06: author, case, organisation, status, role and the like are never taken."""
    other_case = casework.open_case(
        "pk-other",
        organisation=elsewhere.organisation,
        opened_by=elsewhere,
        lead_professional=elsewhere,
    )
    client = signed_in(colleague)
    client.post(
        f"/cases/{case.pk}/notes/add/",
        {
            "text": "Visited",
            "author": elsewhere.pk,
            "case": other_case.pk,
            "written_at": "2001-01-01",
        },
    )
    client.post(
        f"/cases/{case.pk}/actions/add/",
        {
            "description": "Ring",
            "owner": colleague.pk,
            "due": soon(),
            "status": "done",
            "added_by": elsewhere.pk,
            "case": other_case.pk,
        },
    )
    note, action = CaseNote.objects.get(), Action.objects.get()
    assert (note.author, note.case, note.written_at.year) == (colleague, case, today().year)
    assert (action.status, action.added_by, action.case) == ("open", colleague, case)
    signed_in(lead).post(
        f"/cases/{case.pk}/workers/add/",
        {
            "worker": elsewhere.pk,
            "role": "lead_professional",
            "organisation": elsewhere.organisation_id,
        },
    )
    place = casework.current_workers(case).get(user=elsewhere)
    assert place.role == CaseRole.WORKER
    case.refresh_from_db()
    assert case.organisation == lead.organisation
    # An owner who is not on the case is refused, from a page or the API.
    response = client.post(
        f"/cases/{case.pk}/actions/add/", {"description": "x", "owner": 999999, "due": soon()}
    )
    assert b"govuk-error-summary" in response.content
    body = {"text": "by API", "author": elsewhere.email, "case_id": other_case.pk, "id": 1}
    made = post_json(api(colleague), f"/api/cases/{case.pk}/notes", body)
    assert made.status_code == 201 and made.json()["author"] == colleague.email
    assert CaseNote.objects.get(pk=made.json()["id"]).case == case
    outsider_owner = {
        "description": "x",
        "owner": "nobody@example.org",
        "due": str(soon()),
        "status": "done",
    }
    assert (
        post_json(api(colleague), f"/api/cases/{case.pk}/actions", outsider_owner).status_code
        == 400
    )
    body = {"description": "Ring", "owner": lead.email, "due": str(soon()), "status": "done"}
    made = post_json(api(colleague), f"/api/cases/{case.pk}/actions", body)
    assert made.status_code == 201 and made.json()["status"] == "open"
    assert not other_case.notes.exists() and not other_case.actions.exists()


def test_changes_are_posted_with_a_csrf_token_never_made_by_a_get(case: Case, lead: User) -> None:
    """AC-13."""
    client = signed_in(lead, enforce_csrf_checks=True)
    assert client.post(f"/cases/{case.pk}/notes/add/", {"text": "forged"}).status_code == 403
    assert client.get(f"/cases/{case.pk}/notes/add/", {"text": "by GET"}).status_code == 200
    assert client.get(f"/cases/{case.pk}/close/", {"outcome": "goals_met"}).status_code == 200
    assert not case.notes.exists() and Case.objects.get(pk=case.pk).status == "open"


def test_a_whole_case_is_audited_in_order_with_no_text_in_the_audit(
    lead: User, colleague: User, outsider: User
) -> None:
    """AUD-01: each change gives exactly its verb, in order; details hold ids and codes."""
    case = casework.open_case(
        PERSON, organisation=lead.organisation, opened_by=lead, lead_professional=lead
    )
    client = signed_in(lead)
    c = f"/cases/{case.pk}"
    secret = "Disclosed her brother's address at 4 Market Street"
    steps = [
        (f"{c}/workers/add/", {"worker": colleague.pk}),
        (f"{c}/workers/add/", {"worker": outsider.pk}),
        (f"{c}/workers/{outsider.pk}/remove/", {}),
        (f"{c}/consent/", {"decision": "given", "decided_on": today()}),
        (f"{c}/needs/add/", {"domain": "loneliness", "need": secret, "goal": secret}),
        (f"{c}/actions/add/", {"description": secret, "owner": colleague.pk, "due": soon()}),
        (f"{c}/notes/add/", {"text": secret}),
        (f"{c}/review/", {"next_review": soon()}),
        (
            f"{c}/pam/add/",
            {"level": 2, "score": "48.5", "assessed_on": today(), "assessor": colleague.pk},
        ),
        (
            f"{c}/swemwbs/add/",
            {**{f"item_{n}": 3 for n in range(1, 8)}, "assessed_on": today(), "assessor": lead.pk},
        ),
    ]
    for path, body in steps:
        assert client.post(path, body).status_code == 302, (path, client.post(path, body).content)
    need, action = case.needs.get(), case.actions.get()
    assert client.post(f"{c}/needs/{need.pk}/", {"goal_status": "met"}).status_code == 302
    assert client.post(f"{c}/actions/{action.pk}/", {"status": "done"}).status_code == 302
    assert client.post(f"{c}/close/", {"outcome": "goals_met"}).status_code == 302
    assert case_verbs(case) == [
        "case.opened",
        "case.worker_added",
        "case.worker_added",
        "case.worker_added",
        "case.worker_removed",
        "case.consent_recorded",
        "case.need_added",
        "case.action_added",
        "case.note_added",
        "case.review_set",
        "case.pam_recorded",
        "case.swemwbs_recorded",
        "case.need_updated",
        "case.action_updated",
        "case.closed",
    ]
    details = json.dumps(
        list(AuditEvent.objects.filter(object_id=case.reference).values_list("detail", flat=True))
    )
    assert "Market Street" not in details and "Lee Lead" not in details
    assert all(
        e.detail["person_key"] == PERSON
        for e in AuditEvent.objects.filter(object_type="case", object_id=case.reference)
    )
    signed_in(colleague).get(f"{c}/")
    assert AuditEvent.objects.filter(verb="case.viewed", actor=colleague.email).count() == 1
    assert verify().intact


def test_notes_are_append_only(case: Case, lead: User) -> None:
    note = casework.add_note(case, author=lead, text="First contact made")
    note.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        note.save()
    with pytest.raises(AppendOnlyError):
        note.delete()
    assert CaseNote.objects.get(pk=note.pk).text == "First contact made"
    page = signed_in(lead).get(f"/cases/{case.pk}/").content.decode()
    assert "First contact made" in page and "Lee Lead" in page


def test_consent_without_consent_needs_a_lawful_basis(case: Case, lead: User) -> None:
    client = signed_in(lead)
    path = f"/cases/{case.pk}/consent/"
    response = client.post(path, {"decision": "not_sought", "decided_on": today()})
    assert b"lawful basis" in response.content and not case.consents.exists()
    assert client.post(path, {"decision": "refused", "decided_on": today()}).status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Consent refused" in page and "Do not share" in page
    body = {"decision": "withdrawn", "decided_on": today(), "lawful_basis": "safeguarding"}
    assert client.post(path, body).status_code == 302
    assert casework.current_consent(case).sharing_allowed  # type: ignore[union-attr]
    assert case.consents.count() == 2  # earlier decisions are kept


def test_pam_level_2_then_4_shows_as_a_rise_on_the_case(
    case: Case, lead: User, colleague: User
) -> None:
    client = signed_in(lead)
    path = f"/cases/{case.pk}/pam/add/"
    earlier = today() - dt.timedelta(days=90)
    client.post(
        path, {"level": 4, "score": "72.5", "assessed_on": today(), "assessor": colleague.pk}
    )
    client.post(
        path, {"level": 2, "score": "51.0", "assessed_on": earlier, "assessor": colleague.pk}
    )
    page = client.get(f"/cases/{case.pk}/")
    measures = page.context["measures"]
    assert (measures.pam_level.baseline, measures.pam_level.latest) == (2, 4)
    assert measures.pam_score.difference == Decimal("21.5")
    html = page.content.decode()
    assert "Baseline level 2 (51.0) → latest level 4 (72.5)" in html and "Rose 2 levels" in html
    form = client.get(path).content.decode()
    assert "does not compute" in form and "licensed PAM tool" in form
    for bad in ({"level": 5, "score": "50"}, {"level": 2, "score": "100.5"}):
        response = client.post(path, {**bad, "assessed_on": today(), "assessor": colleague.pk})
        assert b"govuk-error-summary" in response.content
    assert case.pam_assessments.count() == 2


def test_a_swemwbs_is_converted_with_the_table_and_its_change_shown(case: Case, lead: User) -> None:
    client = signed_in(lead)
    path = f"/cases/{case.pk}/swemwbs/add/"
    earlier = today() - dt.timedelta(days=60)
    answers = {f"item_{n}": 2 for n in range(1, 8)} | {"item_7": 3}  # raw 15
    client.post(path, {**answers, "assessed_on": earlier, "assessor": lead.pk})
    client.post(
        path, {**{f"item_{n}": 3 for n in range(1, 8)}, "assessed_on": today(), "assessor": lead.pk}
    )
    first, latest = case.swemwbs_assessments.all()
    assert (first.raw_total, first.metric, latest.raw_total, latest.metric) == (
        15,
        15.84,
        21,
        19.25,
    )
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Baseline 15.84 → latest 19.25" in html and "Rose by 3.41" in html
    response = client.post(
        path, {**answers, "item_3": 6, "assessed_on": today(), "assessor": lead.pk}
    )
    assert b"govuk-error-summary" in response.content and case.swemwbs_assessments.count() == 2


def test_the_swemwbs_table_edges() -> None:
    assert swemwbs_metric(7) == 7.00 and swemwbs_metric(8) == 9.51
    assert swemwbs_metric(34) == 32.55 and swemwbs_metric(35) == 35.00
    assert sorted(SWEMWBS_METRIC) == list(range(7, 36))
    for bad in (6, 36, 0, -1, True):
        with pytest.raises(ValueError):
            swemwbs_metric(bad)
    for answers in ([1] * 6, [1] * 8, [0, 1, 1, 1, 1, 1, 1], [5, 5, 5, 5, 5, 5, 6], [True] * 7):
        with pytest.raises(ValueError):
            swemwbs_raw(answers)


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=7, max_size=7))
def test_any_seven_answers_convert_to_a_metric_score_in_range(answers: list[int]) -> None:
    raw = swemwbs_raw(answers)
    assert 7 <= raw <= 35
    assert 7.0 <= swemwbs_metric(raw) <= 35.0


@given(st.integers(min_value=7, max_value=34))
def test_the_metric_score_rises_with_every_raw_point(raw: int) -> None:
    assert swemwbs_metric(raw) < swemwbs_metric(raw + 1)


@given(st.integers().filter(lambda n: not 7 <= n <= 35))
def test_a_raw_total_outside_7_to_35_is_refused(raw: int) -> None:
    with pytest.raises(ValueError):
        swemwbs_metric(raw)


def cases_with_measures(
    lead: User, pam: list[tuple[int, int]], wellbeing: list[tuple[int, int]]
) -> None:
    """A case per (baseline, follow-up) pair: PAM levels, or SWEMWBS answers (all items alike)."""
    earlier = today() - dt.timedelta(days=90)
    for n, (before, after) in enumerate(pam):
        case = casework.open_case(
            f"pk-pam-{n}", organisation=lead.organisation, opened_by=lead, lead_professional=lead
        )
        for level, day in ((before, earlier), (after, today())):
            casework.record_pam(
                case,
                by=lead,
                level=level,
                score=Decimal(40 + 10 * level),
                assessed_on=day,
                assessor=lead,
            )
    for n, (before, after) in enumerate(wellbeing):
        case = casework.open_case(
            f"pk-wb-{n}", organisation=lead.organisation, opened_by=lead, lead_professional=lead
        )
        for answer, day in ((before, earlier), (after, today())):
            casework.record_swemwbs(
                case, by=lead, answers=[answer] * 7, assessed_on=day, assessor=lead
            )


def test_the_team_outcome_figures_are_disclosure_controlled(
    lead: User, make_user: Callable[..., User]
) -> None:
    cases_with_measures(
        lead, pam=[(2, 3)] * 13 + [(2, 2)] * 3 + [(3, 2)] * 9, wellbeing=[(2, 3)] * 5
    )
    officer = signed_in(make_user(Role.PROGRAMME_OFFICER))
    page = officer.get("/cases/outcomes/")
    assert page.status_code == 200
    cells = {label: cell.display for label, cell in page.context["team"].pam.cells.items()}
    assert cells["Moved up one or more PAM levels"] == "15"  # 13, rounded to 5
    assert cells["Stayed at the same level"] == "[c]"  # 3: hidden
    # 9 is hidden too, or the 3 could be worked out from the total.
    assert cells["Moved down one or more levels"] == "[c]"
    assert page.context["team"].pam.total.display == "[c]"
    # Five cases: their count is hidden and their mean is not shown (7 or fewer).
    assert page.context["team"].mean_wellbeing_change.display == "[c]"
    html = page.content.decode()
    assert ">13<" not in html and ">3<" not in html and ">9<" not in html
    assert signed_in(lead).get("/cases/outcomes/").status_code == 403  # a practitioner


def test_a_mean_change_is_shown_for_eight_or_more_cases(
    lead: User, make_user: Callable[..., User]
) -> None:
    cases_with_measures(lead, pam=[], wellbeing=[(2, 3)] * 8)
    team = signed_in(make_user(Role.HUB_COORDINATOR)).get("/cases/outcomes/").context["team"]
    assert team.mean_wellbeing_change.display == str(round(19.25 - 15.32, 2))  # raw 14 to 21
    assert team.swemwbs.cells["Wellbeing score rose"].display == "10"


def test_the_api_lists_own_cases_and_reads_adds_notes_and_actions(
    case: Case, lead: User, colleague: User, elsewhere: User
) -> None:
    casework.open_case(
        "pk-theirs",
        organisation=elsewhere.organisation,
        opened_by=elsewhere,
        lead_professional=elsewhere,
    )
    client = api(colleague)
    listed = client.get("/api/cases").json()
    assert [c["reference"] for c in listed] == [case.reference]
    assert listed[0]["lead_professional"] == lead.email
    note = post_json(client, f"/api/cases/{case.pk}/notes", {"text": "Phoned, no answer"})
    assert note.status_code == 201
    action = post_json(
        client,
        f"/api/cases/{case.pk}/actions",
        {"description": "Try again", "owner": colleague.email, "due": str(soon())},
    )
    assert action.status_code == 201 and action.json()["overdue"] is False
    read = client.get(f"/api/cases/{case.pk}").json()
    assert read["person_key"] == PERSON and read["agencies"] == ["Chorley Council"]
    assert [n["text"] for n in read["notes"]] == ["Phoned, no answer"]
    assert [a["description"] for a in read["actions"]] == ["Try again"]
    assert case_verbs(case)[-2:] == ["case.note_added", "case.action_added"]
    assert post_json(client, f"/api/cases/{case.pk}/notes", {"text": ""}).status_code == 422


MY_PREFIXES = ("cases:", "mdt:", "api:case")
# A page of someone else's case or meeting is "not found" to a role that may work on cases.
NOT_FOUND_TO_OTHERS = {
    name
    for name in URL_PERMISSIONS
    if name.startswith(MY_PREFIXES)
    and name
    not in {"cases:cases", "cases:outcomes", "mdt:meetings", "mdt:meeting_new", "api:cases"}
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_the_policy_says_on_every_case_and_mdt_page(
    role: Role, case: Case, lead: User, client_as: Callable[..., Client]
) -> None:
    """The policy walk of test_web_policy, for this block, with ids of a case nobody here is on."""
    from joinedup.web.mdt import meetings

    coordinator = User.objects.create_user(
        "chair@example.org", PASSWORD, organisation=lead.organisation, roles=(Role.HUB_COORDINATOR,)
    )
    casework.add_worker(case, coordinator, added_by=lead)
    need = casework.add_need(case, by=lead, domain="money", need="n", goal="g")
    action = casework.add_action(case, by=lead, description="d", owner=lead, due=soon())
    meeting = meetings.schedule(
        by=coordinator,
        chair=coordinator,
        held_on=soon(),
        starts_at=dt.time(10),
        place="Union Street",
    )
    ids = {
        "case_id": case.pk,
        "need_id": need.pk,
        "action_id": action.pk,
        "worker_id": lead.pk,
        "meeting_id": meeting.pk,
        "item_id": meeting.items.get().pk,
    }
    client = client_as(role)
    granted = permissions_of(frozenset({role}))
    for name, needed in sorted(URL_PERMISSIONS.items()):
        if not name.startswith(MY_PREFIXES):
            continue
        url = reverse(name, kwargs={k: ids[k] for k in parameters_of(name)})
        response = client.get(url)
        if needed not in granted:
            assert response.status_code == 403, (role, name)
        elif name in NOT_FOUND_TO_OTHERS:
            assert response.status_code == 404, (role, name, response.status_code)
        else:
            assert response.status_code == 200, (role, name, response.status_code)


def parameters_of(name: str) -> set[str]:
    """The keyword arguments a URL name takes."""
    namespace, _, short = name.partition(":")
    resolver = get_resolver().namespace_dict[namespace][1]
    possibilities = resolver.reverse_dict.getlist(short)[0][0]
    return set(possibilities[0][1])
