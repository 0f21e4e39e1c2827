"""The demo's frontline workforce: each demo organisation's frontline teams, Making Every Contact
Count and the emerging leaders programme, sessions held and planned, and completions that give
partial coverage.

The headcounts are illustrative, not the partners' real numbers; staff appear by made-up staff
references (such as ``LTH-ED-017``), never names. Dates are relative to the day of seeding, so
the demo always has sessions behind it and ahead of it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from django.utils import timezone

from joinedup.web.accounts.models import Organisation
from joinedup.web.audit.chain import record
from joinedup.web.workforce.models import (
    Completion,
    DevelopmentProgramme,
    ProgrammeKind,
    Session,
    Team,
)

ACTOR = "joinedup demo"

# (organisation, code, team, frontline, headcount, manager): illustrative headcounts.
DEMO_TEAMS = (
    ("Chorley Council", "CC-CS", "Customer services", True, 24, "Manager, customer services"),
    ("Chorley Council", "CC-NO", "Neighbourhood officers", True, 12, "Neighbourhoods manager"),
    ("Chorley Council", "CC-HO", "Housing options", True, 9, "Housing options manager"),
    ("Chorley Council", "CC-PP", "Planning policy", False, 8, "Planning policy manager"),
    ("Chorley GP Federation", "GP-RC", "Practice reception teams", True, 40, "Federation operations lead"),
    ("Chorley GP Federation", "GP-CN", "Care navigators", True, 8, "Care navigation lead"),
    ("Lancashire Teaching Hospitals", "LTH-ED", "Emergency department nursing", True, 60, "ED matron"),
    ("Lancashire Teaching Hospitals", "LTH-CN", "Community nursing, Chorley", True, 30, "Community nursing team leader"),
    ("Lancashire Constabulary", "LC-NP", "Chorley neighbourhood policing team", True, 22, "Neighbourhood inspector"),
    ("Lancashire Constabulary", "LC-PC", "Police community support officers", True, 14, "Neighbourhood sergeant"),
    ("Lancashire Fire and Rescue", "LFR-WC", "Chorley watch crews", True, 32, "Station manager"),
    ("Lancashire Fire and Rescue", "LFR-PR", "Prevention and community safety", True, 6, "Prevention manager"),
    ("Chorley Voluntary Sector Partnership", "VS-LW", "Social prescribing link workers", True, 6, "Link worker lead"),
    ("Chorley Voluntary Sector Partnership", "VS-CC", "Community connectors", True, 10, "Volunteer coordinator"),
)  # fmt: skip

VENUES = ("Chorley Town Hall, committee room 2", "Union Street offices", "Chorley fire station")


def _next_march_31(after: dt.date) -> dt.date:
    end = dt.date(after.year, 3, 31)
    return end if end > after else dt.date(after.year + 1, 3, 31)


def seed_workforce(organisations: Mapping[str, Organisation]) -> bool:
    """Seed the demo workforce once (False, and nothing changed, if any programme exists).
    Call it inside the seeding transaction."""
    if DevelopmentProgramme.objects.exists():
        return False
    today = timezone.localdate()
    target = _next_march_31(today + dt.timedelta(days=180))
    teams = {
        code: Team.objects.create(
            organisation=organisations[org], name=name, frontline=frontline,
            headcount=headcount, manager_name=manager,
        )
        for org, code, name, frontline, headcount, manager in DEMO_TEAMS
    }  # fmt: skip
    mecc_1, mecc_2, leaders = _programmes(target)
    rng = random.Random(12)
    _course(mecc_1, teams, today, rng, held=8, planned=4, per_session=17)
    _course(mecc_2, teams, today, rng, held=2, planned=2, per_session=10)
    _course(leaders, teams, today, rng, held=1, planned=1, per_session=12)
    # One register with more trained care navigators than the team's headcount: the overview
    # flags it, as it would a headcount that has fallen out of date.
    for n in range(1, 10):
        Completion.objects.get_or_create(
            team=teams["GP-CN"], programme=mecc_1, staff_name=f"GP-CN-{n:03d}",
            defaults={"completed_on": today - dt.timedelta(days=100)},
        )  # fmt: skip
    record("workforce.demo_seeded", actor=ACTOR, object_type="workforce", object_id="demo")
    return True


def _programmes(target: dt.date) -> tuple[DevelopmentProgramme, ...]:
    return (
        DevelopmentProgramme.objects.create(
            name="Making Every Contact Count, level 1", kind=ProgrammeKind.MECC_1,
            goal="All frontline staff", goal_percent=100, target_date=target, position=1,
        ),
        DevelopmentProgramme.objects.create(
            name="Making Every Contact Count, level 2", kind=ProgrammeKind.MECC_2,
            goal="A quarter of frontline staff (brief interventions)", goal_percent=25,
            target_date=target, position=2,
        ),
        DevelopmentProgramme.objects.create(
            name="Emerging leaders", kind=ProgrammeKind.EMERGING_LEADERS,
            goal="One in twenty frontline staff", goal_percent=5,
            target_date=target + dt.timedelta(days=365), position=3,
        ),
    )  # fmt: skip


def _course(
    programme: DevelopmentProgramme,
    teams: Mapping[str, Team],
    today: dt.date,
    rng: random.Random,
    *,
    held: int,
    planned: int,
    per_session: int,
) -> None:
    frontline = [(code, team) for code, team in teams.items() if team.frontline]
    weights = [team.headcount for _, team in frontline]
    for k in range(held, 0, -1):
        session = _session(programme, today - dt.timedelta(days=30 * k), k, booked=per_session)
        for code, team in rng.choices(frontline, weights=weights, k=per_session):
            Completion.objects.create(
                team=team, programme=programme, session=session, completed_on=session.date,
                staff_name=f"{code}-{rng.randint(1, team.headcount):03d}",
            )  # fmt: skip
    for k in range(1, planned + 1):
        _session(programme, today + dt.timedelta(days=30 * k - 9), k, booked=rng.randint(4, 14))


def _session(programme: DevelopmentProgramme, on: dt.date, n: int, booked: int) -> Session:
    return Session.objects.create(
        programme=programme, date=on, venue=VENUES[n % len(VENUES)], capacity=20,
        places_booked=min(booked, 20), trainer="Public health practitioner, Chorley Council",
    )  # fmt: skip
