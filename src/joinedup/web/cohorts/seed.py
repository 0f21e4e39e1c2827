"""For ``joinedup demo``: the demo analyst has run two cohorts and asked to release one, so that
the hub coordinator who signs in finds results by area and a release waiting for review."""

from __future__ import annotations

from pathlib import Path

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.airlock import release
from joinedup.web.airlock.models import Kind
from joinedup.web.airlock.outputs import published_cohort_content
from joinedup.web.cohorts.models import CohortRun
from joinedup.web.cohorts.running import run_and_record
from joinedup.web.demo import DEMO_USERS

DEMO_RUNS = ("high_intensity_ae", "frail_older_people")


def seed_cohort_runs(home: Path) -> list[CohortRun]:
    """The demo analyst's runs, once: a second call finds them and makes none."""
    email = next(u.email for u in DEMO_USERS if u.role == Role.ANALYST)
    analyst = User.objects.get(email=email)
    if CohortRun.objects.filter(run_by=analyst).exists():
        return []
    runs = [run_and_record(home, name, {}, analyst) for name in DEMO_RUNS]
    first = runs[0]
    first.release = release.request_release(
        analyst,
        title=f"{first.title}: people by area",
        purpose="The locality board's paper on high intensity use of A&E",
        kind=Kind.COHORT,
        content=published_cohort_content(first.published),
    )
    first.save(update_fields=["release"])
    return runs
