"""The coverage of one programme from the database: the records ``coverage`` works on, and the
figures the pages, the charts and the downloads show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joinedup.web.workforce import coverage
from joinedup.web.workforce.models import Completion, DevelopmentProgramme, Session, Team
from joinedup.web.workforce.register import Known, fold


def team_records(teams: list[Team]) -> list[coverage.TeamRecord]:
    return [
        coverage.TeamRecord(t.pk, t.organisation.name, t.name, t.frontline, t.headcount)
        for t in teams
    ]


def completion_records(programme: DevelopmentProgramme) -> list[coverage.CompletionRecord]:
    return [
        coverage.CompletionRecord(team, staff, on)
        for team, staff, on in Completion.objects.filter(programme=programme).values_list(
            "team_id", "staff_name", "completed_on"
        )
    ]


def goal_of(programme: DevelopmentProgramme) -> coverage.Goal:
    return coverage.Goal(programme.goal_percent, programme.target_date)


@dataclass(frozen=True)
class Figures:
    programme: DevelopmentProgramme
    as_of: dt.date
    overall: coverage.Coverage
    organisations: list[coverage.Coverage]
    teams: list[tuple[Team, coverage.Coverage]]
    trend: list[coverage.MonthPoint]
    projection: coverage.Projection
    planned: list[Session]  # future sessions with places left

    @property
    def planned_places_by_target(self) -> int:
        return sum(s.places_left for s in self.planned if s.date <= self.programme.target_date)

    @property
    def flagged(self) -> list[tuple[Team, coverage.Coverage]]:
        return [(t, c) for t, c in self.teams if c.more_recorded_than_headcount]


def figures(programme: DevelopmentProgramme, as_of: dt.date) -> Figures:
    teams = list(Team.objects.select_related("organisation"))
    records = team_records(teams)
    completions = completion_records(programme)
    goal = goal_of(programme)
    lines = coverage.team_coverage(records, completions, goal, as_of)
    planned = [
        s for s in Session.objects.filter(programme=programme, date__gt=as_of) if s.places_left > 0
    ]
    return Figures(
        programme=programme,
        as_of=as_of,
        overall=coverage.overall_coverage(records, completions, goal, as_of),
        organisations=coverage.organisation_coverage(records, completions, goal, as_of),
        teams=list(zip(teams, lines, strict=True)),
        trend=coverage.monthly_trend(records, completions, as_of),
        projection=coverage.projection(records, completions, goal, as_of),
        planned=planned,
    )


def team_line(team: Team, programme: DevelopmentProgramme, as_of: dt.date) -> coverage.Coverage:
    records = team_records([team])
    completions = [c for c in completion_records(programme) if c.team == team.pk]
    return coverage.team_coverage(records, completions, goal_of(programme), as_of)[0]


DOWNLOAD_HEADER = (
    "Organisation",
    "Team",
    "Frontline",
    "Frontline staff",
    "Trained",
    "Coverage (%)",
    "Goal (staff)",
    "Gap to the goal",
    "Check",
)
OVER_HEADCOUNT = "More staff trained than the headcount: check the headcount and the register"


def download_rows(found: Figures) -> list[tuple[object, ...]]:
    """One row per team, then one per organisation and the total, as the downloads have them."""
    rows: list[tuple[object, ...]] = [
        (team.organisation.name, team.name, "yes" if team.frontline else "no", *_figures(line))
        for team, line in found.teams
    ]
    for line in [*found.organisations, found.overall]:
        rows.append((line.label, "All frontline teams", "yes", *_figures(line)))
    return rows


def _figures(line: coverage.Coverage) -> tuple[object, ...]:
    return (
        line.headcount,
        line.trained,
        line.percent,
        line.goal_staff,
        line.gap,
        OVER_HEADCOUNT if line.more_recorded_than_headcount else "",
    )


def known(today: dt.date) -> Known:
    """The teams and programmes a register may name."""
    return Known(
        teams={
            (fold(t.organisation.name), fold(t.name)): t.pk
            for t in Team.objects.select_related("organisation")
        },
        programmes={fold(p.name): p.pk for p in DevelopmentProgramme.objects.all()},
        today=today,
    )
