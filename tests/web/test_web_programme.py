"""Programme management: the work programme, its funding and its risk register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from conftest import signed_in, today
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.programme import charts, scoring
from joinedup.web.programme.importer import SEED_PROGRAMME, ProgrammeFileError, import_programme
from joinedup.web.programme.models import (
    Grant,
    Phase,
    Risk,
    SpendLine,
    Status,
    StatusChange,
    Theme,
    Workstream,
)

XSS = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


@pytest.fixture
def seeded(db: None) -> None:
    import_programme()


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROGRAMME_OFFICER)


def test_the_seed_programme_imports_the_papers_themes_workstreams_and_phases(seeded: None) -> None:
    assert list(Theme.objects.values_list("name", flat=True)) == [
        "Building Community Capacity",
        "Establish the Consistent Frontline",
        "Enhanced Multi-disciplinary Approaches",
        "Supporting Activity",
    ]
    extended = Workstream.objects.get(name="Extended MDT")
    assert (extended.lead_name, extended.lead_organisation) == ("Police", "Lancashire Constabulary")
    assert Workstream.objects.count() == 13
    evaluation = Phase.objects.get(key="mdt-evaluation")
    assert (evaluation.start, evaluation.end) == (dt.date(2015, 9, 1), dt.date(2015, 11, 30))
    assert [p.key for p in evaluation.depends_on.all()] == ["mdt-trial-reformat"]
    award = Grant.objects.get()
    assert award.amount == Decimal("245000.00") and award.spend_by == dt.date(2016, 3, 31)
    assert Risk.objects.count() == 4
    assert AuditEvent.objects.filter(verb="programme.imported").count() == 1


def test_importing_again_changes_nothing(seeded: None) -> None:
    counts = (Phase.objects.count(), SpendLine.objects.count(), Risk.objects.count())
    report = import_programme()
    assert report.created == []
    assert (Phase.objects.count(), SpendLine.objects.count(), Risk.objects.count()) == counts
    assert all(r.history.count() == 1 for r in Risk.objects.all())


def test_a_file_with_an_unknown_dependency_is_refused_whole(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[theme]]\nname = "T"\n[[theme.workstream]]\nname = "W"\n'
        '[[theme.workstream.phase]]\nkey = "a"\ntitle = "A"\nstart = 2015-03-01\n'
        'end = 2015-04-01\ndepends_on = ["nowhere"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ProgrammeFileError, match="nowhere"):
        import_programme(bad)
    assert not Theme.objects.exists()


def test_phases_that_wait_for_each_other_are_refused(db: None, tmp_path: Path) -> None:
    phase = '[[theme.workstream.phase]]\nkey = "{}"\ntitle = "{}"\nstart = 2015-03-01\nend = 2015-04-01\ndepends_on = ["{}"]\n'
    looped = tmp_path / "looped.toml"
    looped.write_text(
        '[[theme]]\nname = "T"\n[[theme.workstream]]\nname = "W"\n'
        + phase.format("a", "A", "b")
        + phase.format("b", "B", "a"),
        encoding="utf-8",
    )
    with pytest.raises(ProgrammeFileError, match="loop"):
        import_programme(looped)
    assert not Phase.objects.exists()


def test_the_cli_imports_a_file(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from joinedup.cli import app

    monkeypatch.setattr("joinedup.web.cli.open_hub", lambda home: tmp_path)
    result = CliRunner().invoke(app, ["programme", "import", str(SEED_PROGRAMME), "--json"])
    assert result.exit_code == 0, result.output
    assert '"phases": ' in result.output
    assert Theme.objects.count() == 4


def test_the_timeline_lists_every_phase(seeded: None, make_user: Callable[..., User]) -> None:
    page = signed_in(make_user(Role.EXECUTIVE_MEMBER)).get(reverse("programme:timeline"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<table" in html
    for phase in Phase.objects.all():
        assert html.count(f'<th scope="row" class="govuk-table__header">{phase.title}</th>') == 1


def test_the_overview_shows_each_workstream_with_its_status(
    seeded: None, make_user: Callable[..., User]
) -> None:
    html = (
        signed_in(make_user(Role.HUB_COORDINATOR))
        .get(reverse("programme:overview"))
        .content.decode()
    )
    for workstream in Workstream.objects.all():
        assert workstream.name in html
    assert "govuk-tag--red" in html  # Communications and Engagement is off track


def test_changing_a_status_is_audited_and_kept_in_history(seeded: None, officer: User) -> None:
    workstream = Workstream.objects.get(name="Extended MDT")
    client = signed_in(officer)
    url = reverse("programme:workstream_status", kwargs={"workstream_id": workstream.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "off_track", "note": "No data sharing protocol yet"})
    assert response.status_code == 302
    workstream.refresh_from_db()
    assert workstream.status == Status.OFF_TRACK
    change = StatusChange.objects.get(workstream=workstream)
    assert (change.old_status, change.new_status, change.changed_by) == (
        "at_risk",
        "off_track",
        officer,
    )
    event = AuditEvent.objects.get(verb="programme.workstream_status")
    assert event.object_id == str(workstream.pk) and event.actor == officer.email
    assert event.detail["from"] == "at_risk" and event.detail["to"] == "off_track"
    assert verify().intact
    page = client.get(reverse("programme:workstream", kwargs={"workstream_id": workstream.pk}))
    assert "No data sharing protocol yet" in page.content.decode()


def test_an_unknown_status_is_refused_with_an_error(seeded: None, officer: User) -> None:
    workstream = Workstream.objects.first()
    assert workstream is not None
    url = reverse("programme:workstream_status", kwargs={"workstream_id": workstream.pk})
    page = signed_in(officer).post(url, {"status": "fine"})
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    assert not StatusChange.objects.exists()


def test_the_seed_grant_warns_that_the_forecast_leaves_money_unspent(
    seeded: None, make_user: Callable[..., User]
) -> None:
    award = Grant.objects.get()
    summary = charts.spend_summary(award)
    # £225,000 spent or forecast, of which £12,000 after the spend-by date.
    assert summary.forecast_after_deadline == Decimal("12000")
    assert summary.unspent_at_deadline == Decimal("32000")
    assert summary.underspends
    page = signed_in(make_user(Role.EXECUTIVE_MEMBER)).get(
        reverse("programme:grant", kwargs={"grant_id": award.pk})
    )
    html = page.content.decode()
    assert "govuk-warning-text" in html and "£32,000.00 unspent" in html
    assert "<svg" in html


def test_no_warning_when_the_forecast_spends_it_all(
    db: None, make_user: Callable[..., User]
) -> None:
    grant = Grant.objects.create(name="G", funder="F", amount=100, spend_by=dt.date(2016, 3, 31))
    SpendLine.objects.create(grant=grant, amount=40, on=dt.date(2015, 10, 1), kind="actual")
    SpendLine.objects.create(grant=grant, amount=60, on=dt.date(2016, 3, 31), kind="forecast")
    assert charts.spend_summary(grant).unspent_at_deadline == 0
    html = (
        signed_in(make_user(Role.EXECUTIVE_MEMBER))
        .get(reverse("programme:grant", kwargs={"grant_id": grant.pk}))
        .content.decode()
    )
    assert "govuk-warning-text" not in html


@given(st.integers(1, 5), st.integers(1, 5))
def test_score_and_rag(likelihood: int, impact: int) -> None:
    score = scoring.score(likelihood, impact)
    assert score == likelihood * impact and 1 <= score <= 25
    rag = scoring.rag(score)
    assert rag == ("red" if score >= 15 else "amber" if score >= 5 else "green")
    # One step up in either never lowers the rating.
    order = ["green", "amber", "red"]
    if likelihood < 5:
        assert order.index(scoring.rag(scoring.score(likelihood + 1, impact))) >= order.index(rag)


@pytest.mark.parametrize(("score", "rag"), [(1, "green"), (4, "green"), (5, "amber"), (12, "amber"), (15, "red"), (25, "red")])  # fmt: skip
def test_rag_edges(score: int, rag: str) -> None:
    assert scoring.rag(score) == rag


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 1), (3, -1)])
def test_scores_outside_one_to_five_are_refused(likelihood: int, impact: int) -> None:
    with pytest.raises(ValueError):
        scoring.score(likelihood, impact)


def _risk(title: str, likelihood: int, impact: int, review_on: dt.date) -> Risk:
    return Risk.objects.create(
        title=title, owner="PMO", likelihood=likelihood, impact=impact, review_on=review_on
    )


def test_the_escalation_list(db: None, make_user: Callable[..., User]) -> None:
    on = today()
    high = _risk("High", 3, 5, on + dt.timedelta(days=30))
    just_under = _risk("Just under", 4, 3, on + dt.timedelta(days=30))
    overdue = _risk("Overdue", 1, 2, on - dt.timedelta(days=1))
    due_today = _risk("Due on", 2, 2, on)
    listed = [risk for risk, _ in charts.to_escalate(Risk.objects.all(), on)]
    assert listed == [high, overdue]
    with override_settings(JOINEDUP_RISK_ESCALATION_SCORE=12):
        listed = [risk for risk, _ in charts.to_escalate(Risk.objects.all(), on)]
        assert listed == [high, just_under, overdue]
    html = (
        signed_in(make_user(Role.EXECUTIVE_MEMBER)).get(reverse("programme:risks")).content.decode()
    )
    escalate = html.split('id="escalate"')[1].split("Heat map")[0]
    assert "High" in escalate and "Overdue" in escalate
    assert "Just under" not in escalate and due_today.title not in escalate


def test_the_heat_map_counts_risks_in_each_cell(db: None) -> None:
    on = today()
    for n in range(3):
        _risk(f"r{n}", 5, 5, on)
    _risk("low", 1, 1, on)
    grid = dict(charts.heat_map(Risk.objects.all()))
    assert grid[5][4] == (5, 3, "red")
    assert grid[1][0] == (1, 1, "green")
    assert sum(count for row in grid.values() for _, count, _ in row) == 4


def test_a_new_score_is_audited_and_kept_in_history(db: None, officer: User) -> None:
    client = signed_in(officer)
    fields = {
        "title": "Leads not released",
        "cause": "c",
        "effect": "e",
        "owner": "PMO",
        "likelihood": "2",
        "impact": "3",
        "mitigations": "m",
        "review_on": "2030-01-01",
        "note": "",
    }
    assert client.post(reverse("programme:risk_new"), fields).status_code == 302
    risk = Risk.objects.get()
    edit = reverse("programme:risk_edit", kwargs={"risk_id": risk.pk})
    assert client.post(edit, {**fields, "likelihood": "5", "note": "Worse"}).status_code == 302
    assert client.post(edit, {**fields, "likelihood": "5", "owner": "Exec"}).status_code == 302
    scores = [(c.old_score, c.new_score) for c in risk.history.order_by("id")]
    assert scores == [(None, 6), (6, 15)]  # the owner's change is audited, not a new score
    verbs = list(
        AuditEvent.objects.filter(object_type="risk")
        .order_by("sequence")
        .values_list("verb", flat=True)
    )
    assert verbs == ["programme.risk_created", "programme.risk_updated", "programme.risk_updated"]
    assert verify().intact


def test_a_score_outside_one_to_five_is_refused_by_the_form(db: None, officer: User) -> None:
    page = signed_in(officer).post(
        reverse("programme:risk_new"),
        {"title": "t", "owner": "o", "likelihood": "6", "impact": "1", "review_on": "2030-01-01"},
    )
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    assert not Risk.objects.exists()


@pytest.mark.parametrize("name", ["programme:overview", "programme:timeline", "programme:risks", "programme:grants", "programme:risk_new"])  # fmt: skip
def test_a_practitioner_is_refused(name: str, make_user: Callable[..., User]) -> None:
    assert signed_in(make_user(Role.PRACTITIONER)).get(reverse(name)).status_code == 403


def test_readers_cannot_change_anything(seeded: None, make_user: Callable[..., User]) -> None:
    workstream = Workstream.objects.first()
    assert workstream is not None
    client = signed_in(make_user(Role.EXECUTIVE_MEMBER))
    url = reverse("programme:workstream_status", kwargs={"workstream_id": workstream.pk})
    assert client.post(url, {"status": "complete"}).status_code == 403
    assert client.post(reverse("programme:risk_new"), {}).status_code == 403
    assert not StatusChange.objects.exists()


def test_free_text_is_escaped(db: None, officer: User) -> None:
    theme = Theme.objects.create(name=XSS)
    workstream = Workstream.objects.create(
        theme=theme, name=XSS, objective=XSS, lead_name=XSS, lead_organisation=XSS
    )
    Phase.objects.create(
        workstream=workstream,
        key="x",
        title=XSS,
        start=dt.date(2015, 3, 1),
        end=dt.date(2015, 4, 1),
    )
    grant = Grant.objects.create(
        name=XSS, funder=XSS, conditions=XSS, amount=10, spend_by=dt.date(2016, 3, 31)
    )
    SpendLine.objects.create(
        grant=grant,
        workstream=workstream,
        description=XSS,
        amount=1,
        on=dt.date(2016, 1, 1),
        kind="actual",
    )
    risk = Risk.objects.create(
        title=XSS, cause=XSS, effect=XSS, owner=XSS, mitigations=XSS, likelihood=5, impact=5,
        review_on=dt.date(2015, 1, 1),
    )  # fmt: skip
    client = signed_in(officer)
    client.post(
        reverse("programme:workstream_status", kwargs={"workstream_id": workstream.pk}),
        {"status": "at_risk", "note": XSS},
    )
    for url in (
        reverse("programme:overview"),
        reverse("programme:timeline"),
        reverse("programme:workstream", kwargs={"workstream_id": workstream.pk}),
        reverse("programme:grants"),
        reverse("programme:grant", kwargs={"grant_id": grant.pk}),
        reverse("programme:risks"),
        reverse("programme:risk", kwargs={"risk_id": risk.pk}),
    ):
        html = client.get(url).content.decode()
        assert XSS not in html, url
        assert "&lt;script&gt;" in html, url


def test_the_demo_seeds_the_programme_once(db: None) -> None:
    from joinedup.web.demo import SeedReport, seed_programme

    first, second = SeedReport(), SeedReport()
    seed_programme(first)
    seed_programme(second)
    assert first.programme_seeded and not second.programme_seeded
    assert Theme.objects.count() == 4


def test_an_overspend_is_flagged(db: None, make_user: Callable[..., User]) -> None:
    grant = Grant.objects.create(name="G", funder="F", amount=100, spend_by=dt.date(2016, 3, 31))
    SpendLine.objects.create(grant=grant, amount=150, on=dt.date(2015, 10, 1), kind="actual")
    html = (
        signed_in(make_user(Role.EXECUTIVE_MEMBER))
        .get(reverse("programme:grant", kwargs={"grant_id": grant.pk}))
        .content.decode()
    )
    assert "£50.00 more than the award" in html


def test_recording_forecast_spend_clears_the_warning_and_is_audited(
    seeded: None, officer: User
) -> None:
    award = Grant.objects.get()
    client = signed_in(officer)
    url = reverse("programme:spend_add", kwargs={"grant_id": award.pk})
    assert client.get(url).status_code == 200
    workstream = Workstream.objects.get(name="Community Capacity")
    response = client.post(
        url,
        {
            "on": "2016-03-15",
            "workstream": str(workstream.pk),
            "description": "Evaluation brought forward",
            "amount": "32000",
            "kind": "forecast",
        },
    )
    assert response.status_code == 302
    assert charts.spend_summary(award).unspent_at_deadline == 0
    event = AuditEvent.objects.get(verb="programme.spend_added")
    assert event.object_id == str(award.pk) and event.detail["amount"] == "32000.00"
    page = client.get(reverse("programme:grant", kwargs={"grant_id": award.pk}))
    assert "govuk-warning-text" not in page.content.decode()


def test_a_negative_amount_is_refused(seeded: None, officer: User) -> None:
    award = Grant.objects.get()
    before = SpendLine.objects.count()
    page = signed_in(officer).post(
        reverse("programme:spend_add", kwargs={"grant_id": award.pk}),
        {"on": "2016-03-15", "amount": "-5", "kind": "actual"},
    )
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    assert SpendLine.objects.count() == before


def test_a_phase_starting_before_its_dependency_ends_is_marked(db: None) -> None:
    theme = Theme.objects.create(name="T")
    workstream = Workstream.objects.create(theme=theme, name="W")

    def phase(key: str, start: dt.date, end: dt.date) -> Phase:
        return Phase.objects.create(workstream=workstream, key=key, title=key, start=start, end=end)

    first = phase("first", dt.date(2015, 3, 1), dt.date(2015, 5, 31))
    after = phase("after", dt.date(2015, 6, 1), dt.date(2015, 8, 31))
    early = phase("early", dt.date(2015, 5, 31), dt.date(2015, 8, 31))
    after.depends_on.add(first)
    early.depends_on.add(first)
    assert charts.overlapping_dependencies(after) == ()
    assert charts.overlapping_dependencies(early) == (first,)


def test_the_overview_points_to_risks_to_escalate_and_underspends(
    seeded: None, make_user: Callable[..., User]
) -> None:
    html = (
        signed_in(make_user(Role.EXECUTIVE_MEMBER))
        .get(reverse("programme:overview"))
        .content.decode()
    )
    assert "risks to escalate to the Executive" in html
    assert "leaves £32,000 unspent on 31 March 2016" in html


# Editing the work programme in the browser.


def _verbs(object_type: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=object_type)
        .order_by("sequence")
        .values_list("verb", flat=True)
    )


def test_the_officer_builds_a_programme_in_the_browser(db: None, officer: User) -> None:
    client = signed_in(officer)
    assert client.get(reverse("programme:theme_new")).status_code == 200
    assert client.post(reverse("programme:theme_new"), {"name": "Prevention"}).status_code == 302
    theme = Theme.objects.get(name="Prevention")
    fields = {
        "theme": str(theme.pk),
        "name": "Falls",
        "objective": "Fewer falls at home",
        "lead_name": "Jo Bloggs",
        "lead_organisation": "Chorley Council",
    }
    assert client.post(reverse("programme:workstream_new"), fields).status_code == 302
    workstream = Workstream.objects.get(name="Falls")
    edit = reverse("programme:workstream_edit", kwargs={"workstream_id": workstream.pk})
    assert client.post(edit, {**fields, "lead_organisation": "NHS Chorley"}).status_code == 302
    workstream.refresh_from_db()
    assert (workstream.lead_name, workstream.lead_organisation) == ("Jo Bloggs", "NHS Chorley")
    new_phase = reverse("programme:phase_new", kwargs={"workstream_id": workstream.pk})
    phase_fields = {
        "title": "Scope",
        "start": "2016-01-01",
        "end": "2016-02-29",
        "status": "on_track",
    }
    assert client.post(new_phase, phase_fields).status_code == 302
    scope = Phase.objects.get(title="Scope")
    later = {**phase_fields, "title": "Pilot", "start": "2016-03-01", "end": "2016-06-30"}
    assert client.post(new_phase, {**later, "depends_on": [str(scope.pk)]}).status_code == 302
    pilot = Phase.objects.get(title="Pilot")
    assert list(pilot.depends_on.all()) == [scope] and pilot.key and pilot.key != scope.key
    grant = {
        "name": "Falls fund",
        "funder": "NHS England",
        "amount": "50000",
        "conditions": "Spent on prevention",
        "spend_by": "2017-03-31",
    }
    assert client.post(reverse("programme:grant_new"), grant).status_code == 302
    award = Grant.objects.get(name="Falls fund")
    edit_grant = reverse("programme:grant_edit", kwargs={"grant_id": award.pk})
    assert client.post(edit_grant, {**grant, "amount": "60000"}).status_code == 302
    award.refresh_from_db()
    assert award.amount == Decimal("60000.00")
    assert _verbs("theme") == ["programme.theme_created"]
    assert _verbs("workstream") == ["programme.workstream_created", "programme.workstream_updated"]
    assert _verbs("phase") == ["programme.phase_created", "programme.phase_created"]
    assert _verbs("grant") == ["programme.grant_created", "programme.grant_updated"]
    updated = AuditEvent.objects.filter(verb="programme.workstream_updated").get()
    assert updated.detail["fields"] == ["lead_organisation"] and updated.actor == officer.email
    assert AuditEvent.objects.get(verb="programme.grant_updated").detail["fields"] == ["amount"]
    assert verify().intact
    page = client.get(reverse("programme:workstream", kwargs={"workstream_id": workstream.pk}))
    assert "Pilot" in page.content.decode() and "NHS Chorley" in page.content.decode()


def test_a_phase_ending_before_it_starts_is_refused(db: None, officer: User) -> None:
    workstream = Workstream.objects.create(theme=Theme.objects.create(name="T"), name="W")
    page = signed_in(officer).post(
        reverse("programme:phase_new", kwargs={"workstream_id": workstream.pk}),
        {
            "title": "Back to front",
            "start": "2016-03-01",
            "end": "2016-02-01",
            "status": "on_track",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in html
    assert 'href="#id_end"' in html and "must be the same as or after the start date" in html
    assert not Phase.objects.exists()
    assert not AuditEvent.objects.filter(object_type="phase").exists()


def test_phases_cannot_be_made_to_wait_for_each_other(db: None, officer: User) -> None:
    workstream = Workstream.objects.create(theme=Theme.objects.create(name="T"), name="W")

    def phase(key: str) -> Phase:
        return Phase.objects.create(
            workstream=workstream, key=key, title=key.title(),
            start=dt.date(2016, 1, 1), end=dt.date(2016, 2, 1),
        )  # fmt: skip

    first, second, third = phase("first"), phase("second"), phase("third")
    second.depends_on.add(first)
    third.depends_on.add(second)
    client = signed_in(officer)
    edit = reverse("programme:phase_edit", kwargs={"phase_id": first.pk})
    form = client.get(edit).content.decode()
    assert 'value="2016-01-01"' in form and 'value="2016-02-01"' in form  # as the picker needs
    page = client.post(
        edit,
        {
            "title": "First",
            "start": "2016-01-01",
            "end": "2016-02-01",
            "status": "on_track",
            "depends_on": [str(third.pk)],
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in html
    assert 'href="#id_depends_on_0"' in html
    assert "First waits for Third waits for Second waits for First" in html
    assert not first.depends_on.exists()
    assert not AuditEvent.objects.filter(object_type="phase").exists()


@pytest.mark.parametrize("name", ["programme:theme_new", "programme:workstream_new", "programme:grant_new", "programme:measures"])  # fmt: skip
def test_a_practitioner_cannot_edit_the_programme(
    name: str, make_user: Callable[..., User]
) -> None:
    assert signed_in(make_user(Role.PRACTITIONER)).get(reverse(name)).status_code == 403


def test_readers_cannot_edit_the_programme(seeded: None, make_user: Callable[..., User]) -> None:
    client = signed_in(make_user(Role.EXECUTIVE_MEMBER))
    workstream = Workstream.objects.get(name="Extended MDT")
    phase = workstream.phases.first()
    assert phase is not None
    for url in (
        reverse("programme:theme_new"),
        reverse("programme:workstream_edit", kwargs={"workstream_id": workstream.pk}),
        reverse("programme:phase_new", kwargs={"workstream_id": workstream.pk}),
        reverse("programme:phase_edit", kwargs={"phase_id": phase.pk}),
        reverse("programme:grant_edit", kwargs={"grant_id": Grant.objects.get().pk}),
    ):
        assert client.post(url, {"name": "x", "title": "x"}).status_code == 403, url
    page = client.get(reverse("programme:workstream", kwargs={"workstream_id": workstream.pk}))
    assert "Change this workstream" not in page.content.decode()
    assert not AuditEvent.objects.filter(verb__endswith="_updated").exists()


def test_a_second_workstream_of_the_same_name_in_a_theme_is_refused(
    seeded: None, officer: User
) -> None:
    existing = Workstream.objects.get(name="Extended MDT")
    before = Workstream.objects.count()
    page = signed_in(officer).post(
        reverse("programme:workstream_new"),
        {"theme": str(existing.theme_id), "name": "Extended MDT", "lead_name": "PMO"},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in html and "already exists" in html
    assert Workstream.objects.count() == before
    page = signed_in(officer).post(reverse("programme:theme_new"), {"name": existing.theme.name})
    assert "already exists" in page.content.decode()
