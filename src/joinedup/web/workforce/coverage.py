"""Training coverage of the frontline workforce: who is trained against the goal, by team and
organisation, the trend by month, and when the goal is met at the current rate.

Plain typed Python over plain records, with no Django in it, so that the rules are tested on
small hand-built data. The rules:

- only frontline teams count towards a goal of frontline staff;
- a member of staff is counted once per team and programme, however often they complete it
  (names are compared ignoring case and spacing);
- a team's trained staff never count above its headcount: coverage stops at 100%, and a
  register with more trained staff than the headcount is flagged as a data problem (the
  headcount is out of date, or names are spelt two ways), not shown as over 100%;
- a completion dated after the day of the figures does not count yet.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The current rate is the pace of the last six months: long enough to smooth one busy month of
# sessions, short enough to reflect the present plan.
RATE_WINDOW_DAYS = 182
# Past a century the goal is, for planning, never met at this rate (and a date would overflow).
HORIZON_DAYS = 36_525


@dataclass(frozen=True)
class TeamRecord:
    key: int
    organisation: str
    name: str
    frontline: bool
    headcount: int


@dataclass(frozen=True)
class CompletionRecord:
    team: int
    staff: str
    completed_on: dt.date


@dataclass(frozen=True)
class Goal:
    """A share of frontline staff (100 for "all frontline staff") to be trained by a date."""

    percent: int
    target: dt.date

    def staff_for(self, headcount: int) -> int:
        """Staff to train to meet the goal: ``ceil(headcount × percent / 100)``.

        >>> Goal(90, dt.date(2027, 3, 31)).staff_for(11)
        10
        """
        return math.ceil(headcount * self.percent / 100)


def staff_key(name: str) -> str:
    """The same person however the register spells their spacing and capitals.

    >>> staff_key("  Jo  SMITH ") == staff_key("jo smith")
    True
    """
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Coverage:
    """Trained staff against headcount for one team, organisation or the whole partnership."""

    label: str
    headcount: int
    trained: int  # distinct staff, never above the headcount
    recorded: int  # distinct staff as the register has them, which may be above it
    goal_staff: int
    frontline: bool = True
    teams_over_headcount: int = 0  # for an organisation or the total: teams flagged below it

    @property
    def share(self) -> float:
        return self.trained / self.headcount if self.headcount else 0.0

    @property
    def percent(self) -> int:
        """Whole percent, rounded down, so that 100% is shown only when everyone is trained."""
        return self.trained * 100 // self.headcount if self.headcount else 0

    @property
    def gap(self) -> int:
        return max(self.goal_staff - self.trained, 0)

    @property
    def met(self) -> bool:
        return self.frontline and self.headcount > 0 and self.gap == 0

    @property
    def more_recorded_than_headcount(self) -> bool:
        return self.recorded > self.headcount or self.teams_over_headcount > 0


def _trained_staff(
    completions: Iterable[CompletionRecord], as_of: dt.date
) -> dict[int, dict[str, dt.date]]:
    """Each team's distinct staff, with the day each first completed."""
    first: dict[int, dict[str, dt.date]] = {}
    for completion in completions:
        if completion.completed_on > as_of:
            continue
        staff = first.setdefault(completion.team, {})
        key = staff_key(completion.staff)
        if key not in staff or completion.completed_on < staff[key]:
            staff[key] = completion.completed_on
    return first


def team_coverage(
    teams: Sequence[TeamRecord],
    completions: Iterable[CompletionRecord],
    goal: Goal,
    as_of: dt.date,
) -> list[Coverage]:
    """One line per team, in the order given."""
    staff = _trained_staff(completions, as_of)
    return [
        Coverage(
            label=team.name,
            headcount=team.headcount,
            trained=min(len(staff.get(team.key, {})), team.headcount),
            recorded=len(staff.get(team.key, {})),
            goal_staff=goal.staff_for(team.headcount) if team.frontline else 0,
            frontline=team.frontline,
        )
        for team in teams
    ]


def _combined(label: str, lines: Sequence[Coverage], goal: Goal) -> Coverage:
    frontline = [line for line in lines if line.frontline]
    headcount = sum(line.headcount for line in frontline)
    return Coverage(
        label=label,
        headcount=headcount,
        trained=sum(line.trained for line in frontline),
        recorded=sum(line.recorded for line in frontline),
        goal_staff=goal.staff_for(headcount),
        teams_over_headcount=sum(1 for line in frontline if line.more_recorded_than_headcount),
    )


def organisation_coverage(
    teams: Sequence[TeamRecord],
    completions: Iterable[CompletionRecord],
    goal: Goal,
    as_of: dt.date,
) -> list[Coverage]:
    """One line per organisation with a frontline team (alphabetical), from its frontline teams."""
    lines = team_coverage(teams, completions, goal, as_of)
    organisations = sorted({team.organisation for team in teams if team.frontline})
    return [
        _combined(
            organisation,
            [
                line
                for team, line in zip(teams, lines, strict=True)
                if team.organisation == organisation
            ],
            goal,
        )
        for organisation in organisations
    ]


def overall_coverage(
    teams: Sequence[TeamRecord],
    completions: Iterable[CompletionRecord],
    goal: Goal,
    as_of: dt.date,
) -> Coverage:
    """The whole partnership's frontline staff."""
    return _combined("All organisations", team_coverage(teams, completions, goal, as_of), goal)


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date  # the first of the month
    trained: int  # frontline staff trained by the end of the month (capped by team)
    headcount: int

    @property
    def percent(self) -> int:
        return self.trained * 100 // self.headcount if self.headcount else 0


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from ``first``'s to ``last``'s, both included.

    >>> [m.isoformat() for m in month_starts(dt.date(2026, 11, 5), dt.date(2027, 1, 1))]
    ['2026-11-01', '2026-12-01', '2027-01-01']
    """
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _trained_by(
    teams: Sequence[TeamRecord], staff: dict[int, dict[str, dt.date]], day: dt.date
) -> int:
    return sum(
        min(sum(1 for on in staff.get(t.key, {}).values() if on <= day), t.headcount)
        for t in teams
        if t.frontline
    )


def monthly_trend(
    teams: Sequence[TeamRecord], completions: Iterable[CompletionRecord], as_of: dt.date
) -> list[MonthPoint]:
    """Cumulative frontline staff trained at the end of each month, from the month of the first
    completion to the month of ``as_of`` (the last point is as of that day)."""
    staff = _trained_staff(completions, as_of)
    days = [on for team in teams if team.frontline for on in staff.get(team.key, {}).values()]
    if not days:
        return []
    headcount = sum(t.headcount for t in teams if t.frontline)
    return [
        MonthPoint(month, _trained_by(teams, staff, min(_month_end(month), as_of)), headcount)
        for month in month_starts(min(days), as_of)
    ]


@dataclass(frozen=True)
class Projection:
    gap: int
    per_month: float  # frontline staff newly trained a month, over the last six months
    expected: dt.date | None  # when the goal is met at that rate; None if never at that rate
    target: dt.date

    @property
    def met(self) -> bool:
        return self.gap == 0

    @property
    def by_target(self) -> bool:
        return self.met or (self.expected is not None and self.expected <= self.target)


def projection(
    teams: Sequence[TeamRecord],
    completions: Sequence[CompletionRecord],
    goal: Goal,
    as_of: dt.date,
    window_days: int = RATE_WINDOW_DAYS,
) -> Projection:
    """When the goal is met if training goes on at the pace of the last ``window_days``.

    The pace counts staff who newly count towards coverage in the window (a team already at its
    headcount adds nothing), so the projection never counts the same person twice.
    """
    gap = overall_coverage(teams, completions, goal, as_of).gap
    staff = _trained_staff(completions, as_of)
    start = as_of - dt.timedelta(days=window_days)
    gained = _trained_by(teams, staff, as_of) - _trained_by(teams, staff, start)
    per_day = gained / window_days
    if gap == 0:
        expected: dt.date | None = as_of
    elif per_day == 0:
        expected = None
    else:
        days = math.ceil(gap / per_day)
        expected = as_of + dt.timedelta(days=days) if days <= HORIZON_DAYS else None
    return Projection(gap, round(per_day * 365.25 / 12, 1), expected, goal.target)
