"""Every change to the workforce records, each audited in the transaction that makes it.

Audit events name the team, programme and session by id, never the member of staff: the
register is the one place their name is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.workforce.coverage import staff_key
from joinedup.web.workforce.models import Completion, DevelopmentProgramme, Session, Team
from joinedup.web.workforce.register import RegisterRow


class CompletionRefusedError(ValueError):
    """A completion that cannot be recorded (the session has not happened yet)."""


def save_team(team: Team, by: User) -> Team:
    """Add a team, or change one (its headcount, most often)."""
    return _saved(
        team,
        by,
        ("workforce.team_added", "workforce.team_changed"),
        "workforce_team",
        lambda: {"headcount": team.headcount, "frontline": team.frontline},
    )


def save_programme(programme: DevelopmentProgramme, by: User) -> DevelopmentProgramme:
    """Add a programme of shared development, or change its goal or target date."""
    return _saved(
        programme,
        by,
        ("workforce.programme_added", "workforce.programme_changed"),
        "workforce_programme",
        lambda: {
            "goal_percent": programme.goal_percent,
            "target_date": programme.target_date.isoformat(),
        },
    )


def plan_session(session: Session, by: User) -> Session:
    """Plan a session, or change a planned one (its bookings, most often)."""
    return _saved(
        session,
        by,
        ("workforce.session_planned", "workforce.session_changed"),
        "workforce_session",
        lambda: {
            "programme": session.programme_id,
            "date": session.date.isoformat(),
            "capacity": session.capacity,
            "places_booked": session.places_booked,
        },
    )


Audited = TypeVar("Audited", Team, DevelopmentProgramme, Session)


def _saved(
    record: Audited,
    by: User,
    verbs: tuple[str, str],
    object_type: str,
    detail: Callable[[], dict[str, object]],
) -> Audited:
    """Check and save a new or changed record, audited as the first verb if new, else the second."""
    with transaction.atomic():
        creating = record.pk is None
        record.full_clean()
        record.save()
        record_by(by, verbs[0] if creating else verbs[1], object_type, str(record.pk), detail())
    return record


def record_completion(
    session: Session, team: Team, staff_name: str, staff_role: str, by: User
) -> Completion:
    """One member of staff completed the session's programme on the day of the session."""
    if session.date > timezone.localdate():
        raise CompletionRefusedError("The session has not happened yet")
    with transaction.atomic():
        completion = Completion.objects.create(
            team=team,
            programme_id=session.programme_id,
            staff_name=" ".join(staff_name.split()),
            staff_role=" ".join(staff_role.split()),
            session=session,
            completed_on=session.date,
            recorded_by=by,
        )
        record_by(
            by,
            "workforce.completion_recorded",
            "workforce_completion",
            str(completion.pk),
            {"team": team.pk, "programme": session.programme_id, "session": session.pk},
        )
    return completion


@dataclass(frozen=True)
class Imported:
    created: int
    already_recorded: int


def import_register(rows: Sequence[RegisterRow], by: User, filename: str) -> Imported:
    """Add a checked register's completions in one transaction; a row already recorded (same
    member of staff, team, programme and day) is left as it is, so sending a file twice adds
    nothing."""
    with transaction.atomic():
        existing = {
            (c.team_id, c.programme_id, staff_key(c.staff_name), c.completed_on)
            for c in Completion.objects.filter(team_id__in={r.team for r in rows})
        }
        new: list[Completion] = []
        for row in rows:
            key = (row.team, row.programme, staff_key(row.staff_name), row.completed_on)
            if key in existing:
                continue
            existing.add(key)
            new.append(
                Completion(
                    team_id=row.team,
                    programme_id=row.programme,
                    staff_name=" ".join(row.staff_name.split()),
                    staff_role=" ".join(row.staff_role.split()),
                    completed_on=row.completed_on,
                    recorded_by=by,
                )
            )
        Completion.objects.bulk_create(new)
        result = Imported(len(new), len(rows) - len(new))
        record_by(
            by,
            "workforce.register_imported",
            "workforce_register",
            filename[:200],
            {
                "rows": len(rows),
                "created": result.created,
                "already_recorded": result.already_recorded,
            },
        )
    return result
