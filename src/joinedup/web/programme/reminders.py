"""Reminders before a meeting: each owner of open actions gets one email listing them.

Owners are named in the action log as the minutes name them; an owner is matched to an active
user by full name (case and spaces at either end aside). An owner with no account, or whose name
several users share, is listed back to the officer to chase by hand. Each reminder sent is kept
(``ActionReminder``), so running the reminders twice on one day sends nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record, record_by
from joinedup.web.programme.meetings import matters_arising
from joinedup.web.programme.models import ActionLogEntry, ActionReminder, Body, Meeting

DEFAULT_DAYS = 7


@dataclass(frozen=True)
class OwnerActions:
    owner: str
    actions: list[ActionLogEntry]
    email: str = ""


@dataclass
class ReminderReport:
    meeting: Meeting
    sent: list[OwnerActions] = field(default_factory=list)
    already_sent: list[OwnerActions] = field(default_factory=list)
    to_chase: list[OwnerActions] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        def people(rows: list[OwnerActions]) -> list[dict[str, object]]:
            return [
                {"owner": r.owner, "email": r.email, "actions": [a.wording for a in r.actions]}
                for r in rows
            ]

        return {
            "body": self.meeting.body.name,
            "meeting": self.meeting.date.isoformat(),
            "sent": people(self.sent),
            "already_sent": people(self.already_sent),
            "to_chase": people(self.to_chase),
        }


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def by_owner(actions: Iterable[ActionLogEntry]) -> dict[str, list[ActionLogEntry]]:
    """Actions by their owner's name as first written, owners told apart by ``_key``."""
    grouped: dict[str, list[ActionLogEntry]] = {}
    names: dict[str, str] = {}
    for action in actions:
        name = " ".join(action.owner_name.split())
        grouped.setdefault(names.setdefault(_key(name), name), []).append(action)
    return grouped


def _accounts() -> dict[str, User | None]:
    """Active users by the key of their full name; None where two users share a name."""
    found: dict[str, User | None] = {}
    for user in User.objects.filter(is_active=True).exclude(full_name=""):
        key = _key(user.full_name)
        found[key] = None if key in found else user
    return found


def next_meeting(body: Body, today: dt.date, days: int) -> Meeting | None:
    """The body's first meeting from today to ``days`` days ahead."""
    return (
        Meeting.objects.filter(
            body=body, date__gte=today, date__lte=today + dt.timedelta(days=days)
        )
        .select_related("body")
        .order_by("date")
        .first()
    )


def _message(meeting: Meeting, owner: str, actions: list[ActionLogEntry]) -> tuple[str, str]:
    subject = f"Your actions for the {meeting.body.name} on {meeting.date:%-d %B %Y}"
    lines = [
        f"Dear {owner},",
        "",
        f"The {meeting.body.name} meets on {meeting.date:%A %-d %B %Y}"
        + (f" at {meeting.venue}" if meeting.venue else "")
        + ". The action log shows these actions of yours still open:",
        "",
    ]
    for action in actions:
        due = f" (due: {action.due_label})" if action.due_label else ""
        lines.append(
            f"- {action.wording}{due}, from the meeting of {action.raised_at.date:%-d %B %Y}"
        )
    lines += [
        "",
        "Please send the programme office an update before the meeting, or say if the action "
        "can be cleared.",
    ]
    return subject, "\n".join(lines)


def send_reminders(
    meeting: Meeting, today: dt.date, by: User | None = None, actor: str = ""
) -> ReminderReport:
    """Email each owner of the open actions arising at ``meeting`` once on ``today``.

    ``by`` is the officer who asked (from the web app); ``actor`` names a command otherwise.
    """
    report = ReminderReport(meeting)
    accounts = _accounts()
    for owner, actions in sorted(by_owner(matters_arising(meeting)).items()):
        user = accounts.get(_key(owner)) if owner else None
        if user is None:
            report.to_chase.append(OwnerActions(owner or "(no owner)", actions))
            continue
        row = OwnerActions(owner, actions, user.email)
        with transaction.atomic():
            _, created = ActionReminder.objects.get_or_create(
                meeting=meeting,
                recipient=user,
                sent_on=today,
                defaults={"owner_name": owner[:300], "actions": len(actions)},
            )
            if not created:
                report.already_sent.append(row)
                continue
            subject, body = _message(meeting, owner, actions)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            detail = {"to": user.pk, "actions": len(actions), "meeting": meeting.pk}
            if by is not None:
                record_by(by, "programme.reminder_sent", "meeting", str(meeting.pk), detail)
            else:
                record(
                    "programme.reminder_sent",
                    actor=actor,
                    object_type="meeting",
                    object_id=str(meeting.pk),
                    detail=detail,
                )
        report.sent.append(row)
    return report


def remind_before_meetings(
    today: dt.date, days: int = DEFAULT_DAYS, actor: str = ""
) -> list[ReminderReport]:
    """Reminders for each body's next meeting within ``days`` days of ``today``."""
    reports = []
    for body in Body.objects.all():
        meeting = next_meeting(body, today, days)
        if meeting is not None:
            reports.append(send_reminders(meeting, today, actor=actor))
    return reports
