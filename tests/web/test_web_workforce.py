"""The frontline workforce: coverage of Making Every Contact Count and shared development against
the goal, on small hand-built data whose answers are known; the register import; the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conftest import signed_in
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.workforce import charts
from joinedup.web.workforce.coverage import (
    CompletionRecord,
    Goal,
    TeamRecord,
    monthly_trend,
    organisation_coverage,
    overall_coverage,
    projection,
    team_coverage,
)
from joinedup.web.workforce.models import Completion, DevelopmentProgramme, Session, Team
from joinedup.web.workforce.register import Known, RegisterRefusedError, read_register

D = dt.date
AS_OF = D(2026, 6, 30)
GOAL = Goal(100, D(2027, 3, 31))
TEAMS = [
    TeamRecord(1, "Council", "Customer services", True, 10),
    TeamRecord(2, "Council", "Planning policy", False, 5),
    TeamRecord(3, "Police", "Neighbourhood team", True, 4),
]


def done(team: int, staff: str, on: dt.date) -> CompletionRecord:
    return CompletionRecord(team, staff, on)


COMPLETIONS = [
    done(1, "Ann Smith", D(2026, 4, 10)),
    done(1, "ann  SMITH", D(2026, 5, 2)),  # the same person again: counts once
    done(1, "Bob Jones", D(2026, 5, 20)),
    done(1, "Cat Lee", D(2026, 7, 1)),  # after the day of the figures: not yet
    done(2, "Dee Khan", D(2026, 4, 1)),  # not a frontline team: not counted
    done(3, "Eve Ray", D(2026, 6, 1)),
]


# --- coverage on hand-built data -------------------------------------------------------------


def test_team_coverage_counts_each_person_once_and_ignores_what_is_not_yet_done() -> None:
    lines = team_coverage(TEAMS, COMPLETIONS, GOAL, AS_OF)
    assert [(c.label, c.trained, c.headcount, c.percent, c.gap) for c in lines] == [
        ("Customer services", 2, 10, 20, 8),
        ("Planning policy", 1, 5, 20, 0),  # not frontline: no goal to meet
        ("Neighbourhood team", 1, 4, 25, 3),
    ]


def test_organisations_and_the_total_count_frontline_teams_only() -> None:
    organisations = organisation_coverage(TEAMS, COMPLETIONS, GOAL, AS_OF)
    assert [(c.label, c.trained, c.headcount, c.gap) for c in organisations] == [
        ("Council", 2, 10, 8),
        ("Police", 1, 4, 3),
    ]
    total = overall_coverage(TEAMS, COMPLETIONS, GOAL, AS_OF)
    assert (total.trained, total.headcount, total.percent, total.gap) == (3, 14, 21, 11)


def test_a_goal_below_all_staff_rounds_the_staff_needed_up() -> None:
    goal = Goal(25, GOAL.target)
    total = overall_coverage(TEAMS, COMPLETIONS, goal, AS_OF)
    assert (total.goal_staff, total.gap, total.met) == (4, 1, False)  # ceil(14 × 25%) = 4
    assert Goal(25, GOAL.target).staff_for(12) == 3


def test_more_trained_than_the_headcount_stops_at_100_percent_and_is_flagged() -> None:
    teams = [TeamRecord(1, "Fire", "Watch", True, 2), TeamRecord(2, "Fire", "Prevention", True, 3)]
    completions = [done(1, name, D(2026, 5, 1)) for name in ("A", "B", "C")]
    watch, prevention = team_coverage(teams, completions, GOAL, AS_OF)
    assert (watch.trained, watch.recorded, watch.percent, watch.gap) == (2, 3, 100, 0)
    assert watch.more_recorded_than_headcount and watch.met
    assert not prevention.more_recorded_than_headcount
    (fire,) = organisation_coverage(teams, completions, GOAL, AS_OF)
    # The organisation is 2 of 5, not 3 of 5, and carries the team's flag.
    assert (fire.trained, fire.headcount, fire.percent) == (2, 5, 40)
    assert fire.more_recorded_than_headcount and fire.teams_over_headcount == 1


def test_the_trend_is_cumulative_by_month_to_the_day_of_the_figures() -> None:
    trend = monthly_trend(TEAMS, COMPLETIONS, AS_OF)
    assert [(p.month, p.trained, p.headcount, p.percent) for p in trend] == [
        (D(2026, 4, 1), 1, 14, 7),
        (D(2026, 5, 1), 2, 14, 14),
        (D(2026, 6, 1), 3, 14, 21),
    ]
    assert monthly_trend(TEAMS, [], AS_OF) == []


def test_the_projection_at_the_current_rate() -> None:
    # 3 newly trained in the 182 days to 30 June: 11 to go takes ceil(11 / (3/182)) = 668 days.
    found = projection(TEAMS, COMPLETIONS, GOAL, AS_OF)
    assert found.gap == 11
    assert found.per_month == round(3 / 182 * 365.25 / 12, 1) == 0.5
    assert found.expected == AS_OF + dt.timedelta(days=668)
    assert not found.by_target  # not by 31 March 2027
    later_goal = Goal(100, D(2028, 12, 31))
    assert projection(TEAMS, COMPLETIONS, later_goal, AS_OF).by_target


def test_the_projection_when_nobody_is_being_trained_or_the_goal_is_met() -> None:
    stalled = projection(TEAMS, COMPLETIONS, GOAL, D(2027, 6, 30))
    assert stalled.expected is None and not stalled.by_target and not stalled.met
    small = [TeamRecord(1, "Council", "Customer services", True, 2)]
    met = projection(small, COMPLETIONS, GOAL, AS_OF)
    assert met.met and met.by_target and met.expected == AS_OF


teams_strategy = st.lists(
    st.tuples(st.sampled_from(["Council", "Police", "Fire"]), st.booleans(), st.integers(0, 6)),
    min_size=1,
    max_size=5,
).map(
    lambda rows: [
        TeamRecord(n, org, f"Team {n}", frontline, headcount)
        for n, (org, frontline, headcount) in enumerate(rows)
    ]
)
completions_strategy = st.lists(
    st.tuples(
        st.integers(0, 4),
        st.sampled_from(["Ann", "Bob", "Cat", "Dee", "Eve", "Fay", "Gus", "Hal"]),
        st.dates(D(2025, 1, 1), D(2026, 12, 31)),
    ),
    max_size=40,
).map(lambda rows: [done(team, staff, on) for team, staff, on in rows])


@given(teams_strategy, completions_strategy, st.integers(1, 100))
def test_coverage_never_passes_100_percent_and_a_surplus_is_always_flagged(
    teams: list[TeamRecord], completions: list[CompletionRecord], percent: int
) -> None:
    goal = Goal(percent, GOAL.target)
    for line in [
        *team_coverage(teams, completions, goal, AS_OF),
        *organisation_coverage(teams, completions, goal, AS_OF),
        overall_coverage(teams, completions, goal, AS_OF),
    ]:
        assert 0 <= line.trained <= line.headcount
        assert line.share <= 1 and line.percent <= 100
        assert line.trained + line.gap >= line.goal_staff
        if line.recorded > line.headcount:
            assert line.more_recorded_than_headcount


@given(teams_strategy, completions_strategy, st.data())
def test_completing_again_however_spelt_changes_nothing(
    teams: list[TeamRecord], completions: list[CompletionRecord], data: st.DataObject
) -> None:
    again = data.draw(st.lists(st.sampled_from(completions), max_size=10)) if completions else []
    respelt = [done(c.team, f"  {c.staff.upper()} ", c.completed_on) for c in again]
    assert team_coverage(teams, completions + respelt, GOAL, AS_OF) == team_coverage(
        teams, completions, GOAL, AS_OF
    )


@given(teams_strategy, completions_strategy)
def test_organisations_add_up_and_the_trend_ends_at_the_total(
    teams: list[TeamRecord], completions: list[CompletionRecord]
) -> None:
    organisations = organisation_coverage(teams, completions, GOAL, AS_OF)
    total = overall_coverage(teams, completions, GOAL, AS_OF)
    assert sum(c.trained for c in organisations) == total.trained
    assert sum(c.headcount for c in organisations) == total.headcount
    trend = monthly_trend(teams, completions, AS_OF)
    assert [p.trained for p in trend] == sorted(p.trained for p in trend)
    assert (trend[-1].trained if trend else 0) == total.trained


def test_the_charts_put_the_goal_line_and_bars_on_the_same_scale() -> None:
    lines = organisation_coverage(TEAMS, COMPLETIONS, GOAL, AS_OF)
    chart = charts.coverage_bars(lines, 100)
    assert chart.goal_x == charts.LABEL_WIDTH + charts.BAR_AREA
    assert chart.bars[0].width == round(charts.BAR_AREA * 0.2, 1)
    trend = charts.trend_line(monthly_trend(TEAMS, COMPLETIONS, AS_OF), 100)
    assert [p.y for p in trend.points] == sorted((p.y for p in trend.points), reverse=True)
    assert trend.goal_y < trend.points[-1].y  # the goal sits above the line


# --- reading a register ------------------------------------------------------------------------

KNOWN = Known(
    teams={("chorley council", "customer services"): 1, ("lancashire constabulary", "pcsos"): 2},
    programmes={"making every contact count, level 1": 7},
    today=D(2026, 6, 30),
)
HEADER = "Organisation,Team,Programme,Name or staff reference,Role,Completed on\n"


def test_a_csv_register_is_read_with_any_capitals_and_either_date_style() -> None:
    rows_text = (
        HEADER + '"Chorley Council","Customer services","Making Every Contact Count, level 1",'
        '"Ann Smith","Advisor","10/04/2026"\n'
        'Lancashire Constabulary,PCSOs,"MAKING EVERY CONTACT COUNT, LEVEL 1",LC-0042,,2026-05-01\n'
        ",,,,,\n"
    )
    rows = read_register(rows_text.encode(), "register.csv", KNOWN)
    assert [(r.line, r.team, r.programme, r.staff_name, r.completed_on) for r in rows] == [
        (2, 1, 7, "Ann Smith", D(2026, 4, 10)),
        (3, 2, 7, "LC-0042", D(2026, 5, 1)),
    ]


def test_a_broken_register_is_refused_naming_each_line_and_field() -> None:
    text = (
        HEADER + '"Chorley Council","Customer services","Making Every Contact Count, level 1",'
        'Ann,,2026-04-10\n"Chorley Council","Parks","Making Every Contact Count, level 1",Bob,,'
        '2026-04-10\n"Chorley Council","Customer services","First aid",Cat,,31/02/2026\n'
        '"Chorley Council","Customer services","Making Every Contact Count, level 1",,,2026-07-01\n'
        '"Chorley Council","Customer services","Making Every Contact Count, level 1",Dee,,'
        "2026-07-01\n"
    )
    with pytest.raises(RegisterRefusedError) as refused:
        read_register(text.encode(), "register.csv", KNOWN)
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (3, "Team"),
        (4, "Programme"),
        (4, "Completed on"),
        (5, "Name or staff reference"),
        (6, "Completed on"),
    ]
    assert "1 July 2026 is in the future" in str(refused.value.problems[-1])


def test_a_register_without_a_heading_or_not_utf8_is_refused_whole() -> None:
    with pytest.raises(RegisterRefusedError) as refused:
        read_register(b"Organisation,Team,Name\n", "register.csv", KNOWN)
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (1, "Programme"),
        (1, "Completed on"),
    ]
    with pytest.raises(RegisterRefusedError, match="UTF-8"):
        read_register(HEADER.encode() + b"\xff\xfe\n", "register.csv", KNOWN)
    with pytest.raises(RegisterRefusedError, match="Excel"):
        read_register(b"not a workbook", "register.xlsx", KNOWN)


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_register_takes_date_cells_as_dates() -> None:
    content = xlsx(
        [
            HEADER.strip().split(","),
            [
                "Chorley Council",
                "Customer services",
                "Making Every Contact Count, level 1",
                "Ann",
                "Advisor",
                dt.datetime(2026, 4, 10),
            ],
        ]
    )
    (row,) = read_register(content, "Register.XLSX", KNOWN)
    assert (row.line, row.staff_name, row.completed_on) == (2, "Ann", D(2026, 4, 10))


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def mecc(db: None) -> DevelopmentProgramme:
    return DevelopmentProgramme.objects.create(
        name="Making Every Contact Count, level 1",
        kind="mecc_1",
        target_date=timezone.localdate() + dt.timedelta(days=300),
    )


@pytest.fixture
def teams(organisation: Organisation) -> list[Team]:
    police = Organisation.objects.create(name="Lancashire Constabulary")
    return [
        Team.objects.create(organisation=organisation, name="Customer services", headcount=10),
        Team.objects.create(organisation=police, name="PCSOs", headcount=4, manager_name="Sgt"),
    ]


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROGRAMME_OFFICER)


def register_file(rows: list[str], name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "\n".join(rows) + "\n").encode(), "text/csv")


TODAY_ROW = '"{org}","{team}","Making Every Contact Count, level 1",{name},Officer,{on}'


def row(org: str, team: str, name: str, on: dt.date | str) -> str:
    return TODAY_ROW.format(org=org, team=team, name=name, on=on)


@pytest.mark.django_db
def test_a_register_with_one_broken_row_imports_nothing(
    officer: User, mecc: DevelopmentProgramme, teams: list[Team]
) -> None:
    client = signed_in(officer)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    upload = register_file(
        [
            row("Chorley Council", "Customer services", "Ann", yesterday),
            row("Chorley Council", "Customer services", "Bob", "soon"),
        ]
    )
    response = client.post(reverse("workforce:register_import"), {"register": upload})
    assert response.status_code == 200
    assert "Line 3, Completed on: &#x27;soon&#x27; is not a date" in response.content.decode()
    assert "Nothing from the file was saved" in response.content.decode()
    assert not Completion.objects.exists()
    assert not AuditEvent.objects.filter(verb="workforce.register_imported").exists()


@pytest.mark.django_db
def test_a_register_imports_once_audited_and_again_adds_nothing(
    officer: User, mecc: DevelopmentProgramme, teams: list[Team]
) -> None:
    client = signed_in(officer)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rows = [
        row("Chorley Council", "Customer services", "Ann Smith", yesterday),
        row("Chorley Council", "Customer services", "ann smith", yesterday),
        row("Lancashire Constabulary", "PCSOs", "LC-0042", yesterday),
    ]
    first = client.post(reverse("workforce:register_import"), {"register": register_file(rows)})
    assert "2 completions added; 1 already recorded" in first.content.decode()
    second = client.post(reverse("workforce:register_import"), {"register": register_file(rows)})
    assert "0 completions added; 3 already recorded" in second.content.decode()
    assert Completion.objects.count() == 2
    events = AuditEvent.objects.filter(verb="workforce.register_imported").order_by("sequence")
    assert [e.detail["created"] for e in events] == [2, 0]
    assert "Ann" not in str([e.detail for e in events])  # staff names stay out of the audit
    assert verify().intact


@pytest.mark.django_db
def test_an_officer_plans_a_session_records_completions_and_coverage_rises(
    officer: User, mecc: DevelopmentProgramme, teams: list[Team]
) -> None:
    client = signed_in(officer)
    overview = reverse("workforce:overview")
    assert "0 of 14 frontline staff trained (0%)" in client.get(overview).content.decode()
    response = client.post(
        reverse("workforce:session_new"),
        {
            "programme": mecc.pk,
            "date": timezone.localdate().isoformat(),
            "venue": "Town Hall",
            "trainer": "Public health",
            "capacity": 12,
            "places_booked": 3,
        },
    )
    session = Session.objects.get()
    assert response["Location"] == reverse("workforce:session", args=[session.pk])
    page = reverse("workforce:session", args=[session.pk])
    for name in ("Ann Smith", "Bob Jones", " ann   SMITH "):
        client.post(page, {"team": teams[0].pk, "staff_name": name, "staff_role": "Advisor"})
    assert Completion.objects.count() == 3
    assert "2 of 14 frontline staff trained (14%)" in client.get(overview).content.decode()
    assert (
        list(
            AuditEvent.objects.filter(verb__startswith="workforce.")
            .order_by("sequence")
            .values_list("verb", flat=True)
        )
        == ["workforce.session_planned"] + ["workforce.completion_recorded"] * 3
    )


@pytest.mark.django_db
def test_a_session_to_come_takes_no_completions_and_counts_as_places_planned(
    officer: User, mecc: DevelopmentProgramme, teams: list[Team]
) -> None:
    session = Session.objects.create(
        programme=mecc,
        date=timezone.localdate() + dt.timedelta(days=10),
        venue="Union Street",
        capacity=20,
        places_booked=5,
        trainer="t",
    )
    client = signed_in(officer)
    page = client.get(reverse("workforce:session", args=[session.pk])).content.decode()
    assert "once the session has been held" in page
    refused = client.post(
        reverse("workforce:session", args=[session.pk]),
        {"team": teams[0].pk, "staff_name": "Ann"},
    )
    assert "The session has not happened yet" in refused.content.decode()
    assert not Completion.objects.exists()
    overview = client.get(reverse("workforce:overview")).content.decode()
    assert "Union Street" in overview and "15 of 20" in overview


@pytest.mark.django_db
def test_staff_names_are_shown_only_to_those_who_keep_the_register(
    officer: User,
    make_user: Callable[..., User],
    mecc: DevelopmentProgramme,
    teams: list[Team],
) -> None:
    Completion.objects.create(
        team=teams[0], programme=mecc, staff_name="Zed Example", completed_on=D(2026, 1, 5)
    )
    page = reverse("workforce:team", args=[teams[0].pk])
    executive = signed_in(make_user(Role.EXECUTIVE_MEMBER, email="exec@example.org"))
    seen = executive.get(page).content.decode()
    assert "Customer services" in seen and "Zed Example" not in seen
    assert "Zed Example" in signed_in(officer).get(page).content.decode()
    assert executive.get(reverse("workforce:session_new")).status_code == 403


@pytest.mark.django_db
def test_a_team_is_added_and_its_headcount_changed_audited(
    officer: User, organisation: Organisation
) -> None:
    client = signed_in(officer)
    form = {
        "organisation": organisation.pk,
        "name": "Housing options",
        "frontline": "True",
        "headcount": 9,
        "manager_name": "",
    }
    client.post(reverse("workforce:team_new"), form)
    team = Team.objects.get(name="Housing options")
    assert team.frontline and team.headcount == 9
    client.post(reverse("workforce:team_edit", args=[team.pk]), {**form, "headcount": 11})
    team.refresh_from_db()
    assert team.headcount == 11
    verbs = AuditEvent.objects.filter(object_type="workforce_team").values_list("verb", flat=True)
    assert list(verbs.order_by("sequence")) == ["workforce.team_added", "workforce.team_changed"]


@pytest.mark.django_db
def test_the_coverage_downloads_as_csv_and_excel_with_the_data_problem_named(
    officer: User, mecc: DevelopmentProgramme, teams: list[Team]
) -> None:
    for name in ("A", "B", "C", "D", "E"):  # five trained in a team of four
        Completion.objects.create(
            team=teams[1], programme=mecc, staff_name=name, completed_on=D(2026, 1, 5)
        )
    client = signed_in(officer)
    overview = client.get(reverse("workforce:overview")).content.decode()
    assert "Check the headcount" in overview and "5 trained, headcount 4" in overview
    response = client.get(reverse("workforce:download", args=["csv"]))
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:6] == [
        "Organisation",
        "Team",
        "Frontline",
        "Frontline staff",
        "Trained",
        "Coverage (%)",
    ]
    pcsos = next(line for line in lines if line[1] == "PCSOs")
    assert pcsos[3:8] == ["4", "4", "100", "4", "0"] and pcsos[8].startswith("More staff trained")
    assert lines[-1][:6] == ["All organisations", "All frontline teams", "yes", "14", "4", "28"]
    excel = client.get(reverse("workforce:download", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None and sheet.cell(1, 1).value == "Organisation"
    assert client.get(reverse("workforce:download", args=["pdf"])).status_code == 404


@pytest.mark.django_db
def test_the_demo_seeds_frontline_teams_for_every_partner_with_partial_coverage() -> None:
    from joinedup.web.demo import DEMO_ORGANISATIONS, seed_demo
    from joinedup.web.workforce.figures import figures

    seed_demo()
    organisations = set(Team.objects.values_list("organisation__name", flat=True))
    assert organisations == set(DEMO_ORGANISATIONS)
    mecc = DevelopmentProgramme.objects.get(kind="mecc_1")
    found = figures(mecc, timezone.localdate())
    assert 0 < found.overall.percent < 100
    assert found.planned and found.trend
    assert [t.name for t, _ in found.flagged] == ["Care navigators"]
    counts = (Team.objects.count(), Completion.objects.count(), Session.objects.count())
    seed_demo()
    assert (Team.objects.count(), Completion.objects.count(), Session.objects.count()) == counts


@pytest.mark.django_db
def test_a_programme_is_added_with_its_goal_and_its_target_date_changed_audited(
    officer: User, teams: list[Team]
) -> None:
    client = signed_in(officer)
    form = {
        "name": "Emerging leaders",
        "kind": "emerging_leaders",
        "goal": "One in twenty frontline staff",
        "goal_percent": 5,
        "target_date": "2027-03-31",
    }
    added = client.post(reverse("workforce:programme_new"), form)
    leaders = DevelopmentProgramme.objects.get()
    assert added["Location"] == f"{reverse('workforce:overview')}?programme={leaders.pk}"
    refused = client.post(
        reverse("workforce:programme_edit", args=[leaders.pk]), {**form, "goal_percent": 120}
    )
    assert "Ensure this value is less than or equal to 100" in refused.content.decode()
    client.post(
        reverse("workforce:programme_edit", args=[leaders.pk]),
        {**form, "target_date": "2028-03-31"},
    )
    leaders.refresh_from_db()
    assert leaders.target_date == D(2028, 3, 31)
    # 5% of 14 frontline staff is 0.7: one person meets the goal.
    page = client.get(reverse("workforce:overview")).content.decode()
    assert "Still to train for the goal" in page and ">1</dd>" in page
    verbs = AuditEvent.objects.filter(object_type="workforce_programme").order_by("sequence")
    assert list(verbs.values_list("verb", flat=True)) == [
        "workforce.programme_added",
        "workforce.programme_changed",
    ]


@pytest.mark.django_db
def test_a_session_cannot_book_more_places_than_it_has(
    officer: User, mecc: DevelopmentProgramme
) -> None:
    session = Session.objects.create(
        programme=mecc, date=D(2026, 12, 1), venue="v", capacity=10, places_booked=2, trainer="t"
    )
    form = {
        "programme": mecc.pk,
        "date": "2026-12-01",
        "venue": "v",
        "trainer": "t",
        "capacity": 10,
        "places_booked": 11,
    }
    client = signed_in(officer)
    refused = client.post(reverse("workforce:session_edit", args=[session.pk]), form)
    assert "Places booked must not be more than the places" in refused.content.decode()
    client.post(reverse("workforce:session_edit", args=[session.pk]), {**form, "places_booked": 9})
    session.refresh_from_db()
    assert (session.places_booked, session.places_left) == (9, 1)


@pytest.mark.django_db
def test_an_excel_register_uploads_through_the_page(
    officer: User, mecc: DevelopmentProgramme, teams: list[Team]
) -> None:
    content = xlsx(
        [
            HEADER.strip().split(","),
            [
                "Lancashire Constabulary",
                "PCSOs",
                mecc.name,
                "LC-0007",
                "PCSO",
                dt.datetime(2026, 2, 3),
            ],
        ]
    )
    upload = SimpleUploadedFile("register.xlsx", content)
    response = signed_in(officer).post(reverse("workforce:register_import"), {"register": upload})
    assert "1 completion added; 0 already recorded" in response.content.decode()
    assert Completion.objects.get().completed_on == D(2026, 2, 3)
    wrong = SimpleUploadedFile("register.pdf", b"%PDF")
    refused = signed_in(officer).post(reverse("workforce:register_import"), {"register": wrong})
    assert "The file must be a CSV or an Excel (.xlsx) file" in refused.content.decode()


@pytest.mark.django_db
def test_a_team_name_that_looks_like_a_formula_downloads_as_text(
    officer: User, mecc: DevelopmentProgramme, organisation: Organisation
) -> None:
    Team.objects.create(organisation=organisation, name="=HYPERLINK(1)", headcount=3)
    response = signed_in(officer).get(reverse("workforce:download", args=["csv"]))
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[1][1] == "'=HYPERLINK(1)"
