"""AC-01 and AC-02: every URL is in the policy table, anonymous users are sent to sign in, and
every role gets exactly what the table says on every page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import today
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import (
    PUBLIC_URLS,
    ROLE_PERMISSIONS,
    URL_PERMISSIONS,
    Role,
    permissions_of,
)
from joinedup.web.airlock.models import OutputRequest
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import add_action, add_need, open_case
from joinedup.web.community.models import Asset, AssetReferral
from joinedup.web.governance.importer import import_register
from joinedup.web.linkflags.models import LinkageFlag
from joinedup.web.mdt.meetings import schedule
from joinedup.web.people.models import BreakGlass, SubjectAccessRequest
from joinedup.web.programme.models import ActionLogEntry, Body, Grant, Meeting, Risk, Theme
from joinedup.web.referrals.models import Referral
from joinedup.web.workforce.models import DevelopmentProgramme, Session, Team

pytestmark = pytest.mark.django_db
# Another person's output is not found even by a role that may have outputs of its own.
OTHER_PEOPLES_OBJECTS = frozenset(
    {
        "airlock:output",
        "airlock:download",
        "api:output",
        "api:output_download",
        "people:person",  # no case with them: "not found", whether or not they exist
        "api:person",
        "referrals:referral",
    }
) | {  # a case (and a meeting) the caller has no part in is not found
    name
    for name in URL_PERMISSIONS
    if name.startswith(("cases:", "mdt:", "api:case"))
    and name
    not in {"cases:cases", "cases:outcomes", "mdt:meetings", "mdt:meeting_new", "api:cases"}
}
# A community referral is made from a case: another's case is not found.
OTHER_PEOPLES_OBJECTS |= {"community:case_support", "community:refer", "community:take_up"}
OTHER_PEOPLES_OBJECTS |= {"jobs:job"}  # a job started by someone else is not found
# The sample cohort run does not exist: its pages are "not found" to whoever may see them.
OTHER_PEOPLES_OBJECTS |= {"cohorts:result", "cohorts:download", "cohorts:release"}
# API operations that only take a POST (a GET is 405 once the policy has let it through), and
# the API's root, which is only there to name the API's base path (404).
POST_ONLY = frozenset(
    {
        "api:output_request_table",
        "api:output_request_cohort",
        "api:review_decision",
        "accounts:user_active",
        "api:person_break_glass",
        "programme:meeting_attendance_remove",
        "programme:meeting_item_move",
        "programme:meeting_item_remove",
        "programme:meeting_remind",
        "programme:measures_check",
        "programme:body_member_end",
        "programme:meeting_members_present",
        "community:asset_review",
        "feeds:close",
    }
)
NOT_A_PAGE = frozenset({"api:api-root"})
# Pages about one delivery: this test's hub has loaded none, so each is "not found".
NOT_A_PAGE |= {"feeds:delivery", "feeds:fix"}


def url_names(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[str]:
    """Every named URL pattern in the URLconf, with its namespace."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from url_names(entry.url_patterns, space)
        else:
            assert entry.name, f"URL pattern {entry.pattern} has no name, so no policy can cover it"
            yield prefix + entry.name


def test_every_url_is_in_the_policy_table_or_public() -> None:
    names = set(url_names())
    missing = names - set(URL_PERMISSIONS) - PUBLIC_URLS
    assert not missing, f"URLs with no policy: {sorted(missing)}"
    stale = set(URL_PERMISSIONS) - names
    assert not stale, f"policy for URLs that do not exist: {sorted(stale)}"


def test_every_role_has_a_row_in_the_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.fixture
def sample_arguments(make_user: Callable[..., User]) -> dict[str, dict[str, object]]:
    import_register()
    other = make_user(Role.ANALYST, email="someone-else@example.org")
    worker = make_user(Role.PRACTITIONER, email="a-worker@example.org")
    chair = make_user(Role.HUB_COORDINATOR, email="a-chair@example.org")
    case = open_case(
        "pk-x",
        organisation=worker.organisation,
        opened_by=worker,
        lead_professional=worker,
        workers=[chair],
    )
    need = add_need(case, by=worker, domain="money", need="n", goal="g")
    action = add_action(case, by=worker, description="d", owner=worker, due=today())
    meeting = schedule(by=chair, chair=chair, held_on=today(), starts_at=time(10), place="p")
    on_case = {"case_id": case.pk}
    on_meeting = {"meeting_id": meeting.pk}
    on_item = {**on_meeting, "item_id": meeting.items.get().pk}
    output = OutputRequest.objects.create(
        title="t", purpose="p", kind="table", content={}, requested_by=other
    )
    grant = BreakGlass.objects.create(
        user=other, person_key="P000000001", reason="r", expires_at=timezone.now()
    )
    sar = SubjectAccessRequest.objects.create(
        reference="SAR-2026-0001",
        received_on=timezone.localdate(),
        description="d",
        created_by=other,
    )
    referral = Referral.objects.create(
        reference="REF-000001",
        given_name="A",
        family_name="B",
        birth_date="1970-01-01",
        address="1 Market Street",
        postcode="PR7 1DP",
        consent="given",
        urgency="routine",
        tried="t",
        referred_by=other,
        organisation=other.organisation,
        match="none",
    )
    flag = LinkageFlag.objects.create(
        person_key="P000000001", kind="not_same_person", details="d", flagged_by=worker
    )
    theme = Theme.objects.create(name="t")
    workstream = theme.workstreams.create(name="w")
    programme_grant = Grant.objects.create(name="g", funder="f", amount=1, spend_by=today())
    risk = Risk.objects.create(title="r", owner="o", likelihood=1, impact=1, review_on=today())
    phase = workstream.phases.create(key="p", title="p", start=today(), end=today())
    measure = risk.measures.create(name="m", kind="open_cases", threshold=1, direction="above")
    body = Body.objects.create(name="b")
    meeting = Meeting.objects.create(body=body, date=today())
    logged = ActionLogEntry.objects.create(body=body, raised_at=meeting, wording="a")
    attending = meeting.attendance.create(kind="attended", name="n")
    agenda_item = meeting.items.create(title="i")
    member = body.members.create(name="n")
    on_programme_meeting = {"meeting_id": meeting.pk}
    team = Team.objects.create(organisation=other.organisation, name="t", headcount=1)
    course = DevelopmentProgramme.objects.create(name="c", kind="other", target_date=today())
    session = Session.objects.create(
        programme=course, date=today(), venue="v", capacity=1, trainer="t"
    )
    asset = Asset.objects.create(
        name="a", kind="befriending", sector="voluntary", run_by="r", age_group="all_ages",
        address="a", ward_code="E05013077", places_per_week=1, contact="c", owner="o",
        review_on=today(),
    )  # fmt: skip
    asset_referral = AssetReferral.objects.create(
        case=case, asset=asset, need="loneliness", referred_on=today(), referred_by=worker
    )
    return {
        "community:asset": {"asset_id": asset.pk},
        "community:asset_edit": {"asset_id": asset.pk},
        "community:asset_review": {"asset_id": asset.pk},
        "community:asset_close": {"asset_id": asset.pk},
        "community:case_support": on_case,
        "community:refer": {**on_case, "asset_id": asset.pk},
        "community:take_up": {**on_case, "referral_id": asset_referral.pk},
        "community:triage_support": {"reference": referral.reference},
        "linkflags:flag": {"person_key": "P000000001"},
        "linkflags:resolve": {"flag_id": flag.pk},
        "people:request": {"reference": sar.reference},
        "people:person": {"person_key": "P000000001"},
        "api:person": {"person_key": "P000000001"},
        "api:person_break_glass": {"person_key": "P000000001"},
        "people:break_glass": {"person_key": "P000000001"},
        "people:break_glass_review": {"grant_id": grant.pk},
        "airlock:output": {"output_id": output.pk},
        "airlock:download": {"output_id": output.pk, "file_format": "csv"},
        "dashboard:download": {"file_format": "csv"},
        "dashboard:locality": {"code": "E05000000"},
        "localities:map_download": {"file_format": "csv"},
        "localities:area": {"code": "E05000000"},
        "localities:area_download": {"code": "E05000000", "file_format": "csv"},
        "localities:compare_download": {"file_format": "csv"},
        "airlock:review": {"output_id": output.pk},
        "api:agreement": {"reference": "DSA-GP-001"},
        "api:output": {"output_id": output.pk},
        "api:output_download": {"output_id": output.pk},
        "api:review_decision": {"output_id": output.pk},
        "governance:agreement": {"reference": "DSA-GP-001"},
        "governance:agreement_edit": {"reference": "DSA-GP-001"},
        "accounts:user_roles": {"user_id": other.pk},
        **{
            f"cases:{name}": on_case
            for name in (
                "case",
                "worker_add",
                "need_add",
                "action_add",
                "note_add",
                "consent",
                "review",
                "pam_add",
                "swemwbs_add",
                "close",
            )
        },
        "cases:worker_remove": {**on_case, "worker_id": worker.pk},
        "cases:need_edit": {**on_case, "need_id": need.pk},
        "cases:action_edit": {**on_case, "action_id": action.pk},
        **{f"api:{name}": on_case for name in ("case", "case_notes", "case_actions")},
        **{
            f"mdt:{name}": on_meeting
            for name in ("meeting", "agenda", "agenda_print", "record_print", "attendance")
        },
        **{f"mdt:{name}": on_item for name in ("item", "item_action")},
        "accounts:user_active": {"user_id": other.pk},
        "referrals:referral": {"reference": referral.reference},
        "referrals:triage_referral": {"reference": referral.reference},
        "programme:workstream": {"workstream_id": workstream.pk},
        "programme:workstream_status": {"workstream_id": workstream.pk},
        "programme:grant": {"grant_id": programme_grant.pk},
        "programme:spend_add": {"grant_id": programme_grant.pk},
        "programme:risk": {"risk_id": risk.pk},
        "programme:risk_edit": {"risk_id": risk.pk},
        "programme:theme_edit": {"theme_id": theme.pk},
        "programme:workstream_edit": {"workstream_id": workstream.pk},
        "programme:phase_new": {"workstream_id": workstream.pk},
        "programme:phase_edit": {"phase_id": phase.pk},
        "programme:grant_edit": {"grant_id": programme_grant.pk},
        "programme:measure_edit": {"measure_id": measure.pk},
        "programme:risk_measure_new": {"risk_id": risk.pk},
        "programme:workstream_measure_new": {"workstream_id": workstream.pk},
        "programme:meeting": {"meeting_id": meeting.pk},
        "programme:body": {"body_id": body.pk},
        "programme:body_member_new": {"body_id": body.pk},
        **{
            f"programme:{name}": {"body_id": body.pk, "member_id": member.pk}
            for name in ("body_member_edit", "body_member_end")
        },
        "programme:action_update": {"action_id": logged.pk},
        **{
            f"programme:{name}": on_programme_meeting
            for name in (
                "meeting_edit",
                "meeting_attendance_new",
                "meeting_item_new",
                "meeting_approve_minutes",
                "meeting_remind",
                "meeting_members_present",
                "meeting_pack_pdf",
                "meeting_pack_xlsx",
            )
        },
        **{
            f"programme:{name}": {**on_programme_meeting, "attendance_id": attending.pk}
            for name in ("meeting_attendance_edit", "meeting_attendance_remove")
        },
        **{
            f"programme:{name}": {**on_programme_meeting, "item_id": agenda_item.pk}
            for name in ("meeting_item_edit", "meeting_item_move", "meeting_item_remove")
        },
        "workforce:download": {"file_format": "csv"},
        "jobs:job": {"job_id": 1},
        "linkage_review:run": {"run_id": 1},
        "cohorts:definition": {"name": "high_intensity_ae"},
        "cohorts:run": {"name": "high_intensity_ae"},
        "cohorts:result": {"run_id": 999_999},
        "cohorts:download": {"run_id": 999_999, "file_format": "csv"},
        "cohorts:release": {"run_id": 999_999},
        "workforce:team": {"team_id": team.pk},
        "workforce:team_edit": {"team_id": team.pk},
        "workforce:session": {"session_id": session.pk},
        "workforce:session_edit": {"session_id": session.pk},
        "workforce:programme_edit": {"programme_id": course.pk},
        "feeds:feed": {"feed": "gp_patients"},
        "feeds:delivery": {"delivery_id": 1},
        "feeds:fix": {"delivery_id": 1, "line": 2},
        "feeds:close": {"delivery_id": 1, "line": 2},
    }


def test_anonymous_users_are_sent_to_sign_in_everywhere_but_the_allowlist(
    client: Client, sample_arguments: dict[str, dict[str, object]]
) -> None:
    for name in sorted(set(url_names()) - PUBLIC_URLS):
        response = client.get(reverse(name, kwargs=sample_arguments.get(name)))
        if name.startswith("api:"):
            # An API client is told it is not signed in, not sent to a page.
            assert response.status_code == 401, name
            continue
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_the_policy_table_says_on_every_page(
    role: Role, client_as: Callable[..., Client], sample_arguments: dict[str, dict[str, object]]
) -> None:
    client = client_as(role)
    granted = permissions_of(frozenset({role}))
    for name, needed in sorted(URL_PERMISSIONS.items()):
        if name == "accounts:logout":
            continue  # POST only; signing out is checked in the accounts tests
        url = reverse(name, kwargs=sample_arguments.get(name))
        denied_before = AuditEvent.objects.filter(verb="access.denied").count()
        response = client.get(url)
        if needed in granted:
            allowed = {200, 302}
            allowed |= {404} if name in OTHER_PEOPLES_OBJECTS | NOT_A_PAGE else set()
            allowed |= {405} if name in POST_ONLY else set()
            assert response.status_code in allowed, (role, name, response.status_code)
        else:
            assert response.status_code == 403, (role, name, response.status_code)
            assert AuditEvent.objects.filter(verb="access.denied").count() == denied_before + 1


def test_the_documented_role_table_is_the_policy_table() -> None:
    from pathlib import Path

    from joinedup.web.accounts.policy import policy_table_markdown

    docs = Path(__file__).parents[2] / "docs" / "web-app.md"
    assert policy_table_markdown() in docs.read_text(encoding="utf-8")
