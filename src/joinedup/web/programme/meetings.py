"""Meetings and the action log: importing minutes, updating and clearing actions, and the
matters arising of a meeting (computed from the open actions of its body, never copied).

Every change is audited in the transaction that makes it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from joinedup.programme.minutes import MinutesProposal, Person
from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.programme.models import (
    ActionLogEntry,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Attendance,
    AttendanceKind,
    Body,
    Meeting,
)

BODIES = ("Executive", "Implementation Group")


class MeetingExistsError(ValueError):
    """The body already has minutes for a meeting on that day."""


def body_for(title: str | None) -> str:
    """The body whose minutes these are, guessed from the meeting's title."""
    if title and "implementation" in title.lower():
        return "Implementation Group"
    return "Executive"


def _due(due: str | None) -> tuple[dt.date | None, bool, str]:
    if not due:
        return None, False, ""
    if due.lower() == "next meeting":
        return None, True, due
    try:
        return dt.date.fromisoformat(due), False, due
    except ValueError:
        return None, False, due[:100]


def _attend(meeting: Meeting, kind: AttendanceKind, people: list[Person]) -> None:
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            kind=kind,
            name=p.name[:300],
            role=(p.role or "")[:300],
            organisation=(p.organisation or "")[:300],
            chair=p.chair,
        )
        for p in people
    )


def import_minutes(proposal: MinutesProposal, body_name: str, by: User) -> Meeting:
    """Create the meeting the minutes record, its attendance, items and actions (and the next
    meeting, if the minutes set one and it is not there yet)."""
    if proposal.date is None:
        raise MeetingExistsError("The minutes give no date for the meeting.")
    with transaction.atomic():
        body, _ = Body.objects.get_or_create(name=body_name)
        meeting, created = Meeting.objects.get_or_create(body=body, date=proposal.date)
        if not created and (meeting.items.exists() or meeting.attendance.exists()):
            raise MeetingExistsError(
                f"The {body} already has minutes for {proposal.date:%d %B %Y}."
            )
        meeting.title = (proposal.meeting or "")[:300]
        meeting.previous_minutes_approved = any(
            "minutes" in item.title.lower() for item in proposal.items
        )
        meeting.next_meeting_on = proposal.next_meeting
        meeting.save()
        _attend(meeting, AttendanceKind.ATTENDED, proposal.attendees)
        _attend(meeting, AttendanceKind.APOLOGIES, proposal.apologies)
        _attend(meeting, AttendanceKind.OBSERVER, proposal.observers)
        actions = 0
        for position, item in enumerate(proposal.items):
            AgendaItem.objects.create(
                meeting=meeting,
                number=(item.number or "")[:20],
                title=item.title[:500],
                text=item.text,
                position=position,
            )
            for action in item.actions:
                due_on, next_meeting, due_text = _due(action.due)
                entry = ActionLogEntry.objects.create(
                    body=body,
                    raised_at=meeting,
                    item=item.title[:500],
                    wording=action.wording,
                    owner_name=(action.owner_person or action.owner or "")[:300],
                    due_on=due_on,
                    due_next_meeting=next_meeting,
                    due_text=due_text,
                )
                ActionUpdate.objects.bulk_create(
                    ActionUpdate(action=entry, text=u, by_name="From the minutes")
                    for u in action.updates
                )
                actions += 1
        if proposal.next_meeting is not None:
            Meeting.objects.get_or_create(body=body, date=proposal.next_meeting)
        record_by(
            by,
            "programme.minutes_imported",
            "meeting",
            str(meeting.pk),
            {"body": body.name, "date": proposal.date.isoformat(), "actions": actions},
        )
    return meeting


def update_action(action: ActionLogEntry, text: str, status: ActionStatus, by: User) -> None:
    """Add an update to an action, changing its status (clearing it, perhaps)."""
    with transaction.atomic():
        locked = ActionLogEntry.objects.select_for_update().get(pk=action.pk)
        old = ActionStatus(locked.status)
        locked.status = status
        locked.save(update_fields=["status"])
        ActionUpdate.objects.create(action=locked, text=text, by=by)
        record_by(
            by,
            "programme.action_updated",
            "action",
            str(locked.pk),
            {"from": old.value, "to": status.value, "update": text},
        )
    action.status = status


def open_actions() -> QuerySet[ActionLogEntry]:
    return (
        ActionLogEntry.objects.exclude(status=ActionStatus.CLEARED)
        .select_related("body", "raised_at")
        .order_by("body__name", "raised_at__date", "id")
    )


def matters_arising(meeting: Meeting) -> QuerySet[ActionLogEntry]:
    """The body's actions still open, raised at its meetings before this one."""
    return open_actions().filter(body=meeting.body_id, raised_at__date__lt=meeting.date)
