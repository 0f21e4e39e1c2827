"""Meetings and the action log: meetings made by hand or from imported minutes, their
attendance and agenda, approving the previous minutes, updating and clearing actions, and the
matters arising of a meeting (computed from the open actions of its body, never copied).

Every change is audited in the transaction that makes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from joinedup.programme.minutes import MinutesProposal, Person
from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.programme.measures import attach_pending_escalations
from joinedup.web.programme.models import (
    EXECUTIVE,
    IMPLEMENTATION_GROUP,
    ActionLogEntry,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Attendance,
    AttendanceKind,
    Body,
    Meeting,
)

BODIES = (EXECUTIVE, IMPLEMENTATION_GROUP)
# Every new meeting's agenda opens with these; the matters arising are the body's open actions.
STANDING_ITEMS = ("Apologies", "Minutes of the previous meeting", "Matters arising")


class MeetingExistsError(ValueError):
    """The body already has minutes for a meeting on that day."""


class NoPreviousMeetingError(ValueError):
    """The body has no earlier meeting whose minutes could be approved."""


def body_for(title: str | None) -> str:
    """The body whose minutes these are, guessed from the meeting's title."""
    if title and "implementation" in title.lower():
        return IMPLEMENTATION_GROUP
    return EXECUTIVE


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
        if not created and has_minutes(meeting):
            raise MeetingExistsError(
                f"The {body} already has minutes for {proposal.date:%d %B %Y}."
            )
        # A meeting made by hand beforehand: the minutes' record of the agenda replaces the plan.
        meeting.items.all().delete()
        meeting.title = (proposal.meeting or meeting.title)[:300]
        meeting.previous_minutes_approved = meeting.previous_minutes_approved or any(
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
                decisions="\n".join(item.decisions),
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
            following, made = Meeting.objects.get_or_create(body=body, date=proposal.next_meeting)
            if made:
                _add_standing_items(following)
        attach_pending_escalations()
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


def has_minutes(meeting: Meeting) -> bool:
    """Whether the meeting has been held and minuted: who came, or actions set at it. An agenda
    alone is only the plan."""
    return meeting.attendance.exists() or meeting.actions.exists()


def _add_standing_items(meeting: Meeting) -> None:
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, number=str(n), title=title, position=n)
        for n, title in enumerate(STANDING_ITEMS, start=1)
    )


@dataclass(frozen=True)
class MeetingDetails:
    body: str
    date: dt.date
    title: str = ""
    venue: str = ""
    next_meeting_on: dt.date | None = None


def _fill(meeting: Meeting, details: MeetingDetails) -> None:
    meeting.body, _ = Body.objects.get_or_create(name=details.body)
    meeting.date = details.date
    meeting.title = details.title
    meeting.venue = details.venue
    meeting.next_meeting_on = details.next_meeting_on


def _clash(details: MeetingDetails, other_than: int | None) -> Meeting | None:
    same_day = Meeting.objects.filter(body__name=details.body, date=details.date)
    if other_than is not None:
        same_day = same_day.exclude(pk=other_than)
    return same_day.first()


def create_meeting(details: MeetingDetails, by: User) -> Meeting:
    """A new meeting, its agenda opening with the standing items. A meeting already pencilled
    in for that day (the next meeting that imported minutes named) is filled in instead."""
    with transaction.atomic():
        meeting = _clash(details, None)
        if meeting is not None and has_minutes(meeting):
            raise MeetingExistsError(
                f"The {details.body} already has a meeting on {details.date:%d %B %Y}."
            )
        meeting = meeting or Meeting()
        _fill(meeting, details)
        meeting.save()
        if not meeting.items.exists():
            _add_standing_items(meeting)
        attach_pending_escalations()
        record_by(
            by,
            "programme.meeting_created",
            "meeting",
            str(meeting.pk),
            {"body": details.body, "date": details.date.isoformat()},
        )
    return meeting


def change_meeting(meeting: Meeting, details: MeetingDetails, by: User) -> None:
    """Change a meeting's body, date, title, venue or next meeting's date."""
    with transaction.atomic():
        if _clash(details, meeting.pk) is not None:
            raise MeetingExistsError(
                f"The {details.body} already has a meeting on {details.date:%d %B %Y}."
            )
        _fill(meeting, details)
        meeting.save()
        # The actions set at a meeting belong to its body: they move with it.
        ActionLogEntry.objects.filter(raised_at=meeting).update(body=meeting.body)
        record_by(
            by,
            "programme.meeting_changed",
            "meeting",
            str(meeting.pk),
            {"body": details.body, "date": details.date.isoformat()},
        )


def save_attendance(row: Attendance, by: User) -> None:
    """Add or change one person's attendance (present, apologies or observer)."""
    with transaction.atomic():
        verb = "programme.attendance_added" if row.pk is None else "programme.attendance_changed"
        row.save()
        record_by(
            by, verb, "meeting", str(row.meeting_id), {"attendance": row.pk, "kind": row.kind}
        )


def remove_attendance(row: Attendance, by: User) -> None:
    with transaction.atomic():
        record_by(
            by,
            "programme.attendance_removed",
            "meeting",
            str(row.meeting_id),
            {"attendance": row.pk, "kind": row.kind},
        )
        row.delete()


def save_agenda_item(item: AgendaItem, by: User) -> None:
    """Add an item (at the end of the agenda) or change one."""
    with transaction.atomic():
        adding = item.pk is None
        if adding:
            last = item.meeting.items.aggregate(last=Max("position"))["last"]
            item.position = 0 if last is None else last + 1
        item.save()
        record_by(
            by,
            "programme.agenda_item_added" if adding else "programme.agenda_item_changed",
            "meeting",
            str(item.meeting_id),
            {"item": item.pk, "title": item.title},
        )


def move_agenda_item(item: AgendaItem, up: bool, by: User) -> bool:
    """Swap an item with the one before (or after) it; False when it is already first (last)."""
    with transaction.atomic():
        items = list(AgendaItem.objects.select_for_update().filter(meeting=item.meeting_id))
        at = next(n for n, i in enumerate(items) if i.pk == item.pk)
        to = at - 1 if up else at + 1
        if not 0 <= to < len(items):
            return False
        items[at], items[to] = items[to], items[at]
        for position, each in enumerate(items):
            each.position = position
        AgendaItem.objects.bulk_update(items, ["position"])
        record_by(
            by,
            "programme.agenda_item_moved",
            "meeting",
            str(item.meeting_id),
            {"item": item.pk, "position": to},
        )
    return True


def remove_agenda_item(item: AgendaItem, by: User) -> None:
    with transaction.atomic():
        record_by(
            by,
            "programme.agenda_item_removed",
            "meeting",
            str(item.meeting_id),
            {"item": item.pk, "title": item.title},
        )
        item.delete()


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The body's meeting before this one."""
    return (
        Meeting.objects.filter(body=meeting.body_id, date__lt=meeting.date)
        .order_by("-date")
        .first()
    )


def following_meeting(meeting: Meeting) -> Meeting | None:
    """The body's meeting after this one."""
    return (
        Meeting.objects.filter(body=meeting.body_id, date__gt=meeting.date)
        .select_related("previous_minutes_approved_by")
        .order_by("date")
        .first()
    )


def approve_previous_minutes(meeting: Meeting, amendments: str, by: User) -> Meeting:
    """Record, at ``meeting``, that the previous meeting's minutes were approved as a correct
    record (with amendments, if any); the previous meeting is returned."""
    with transaction.atomic():
        previous = previous_meeting(meeting)
        if previous is None:
            raise NoPreviousMeetingError(
                f"The {meeting.body} has no meeting before {meeting.date:%d %B %Y}, so there "
                "are no previous minutes to approve."
            )
        meeting.previous_minutes_approved = True
        meeting.previous_minutes_approved_by = by
        meeting.previous_minutes_approved_at = timezone.now()
        meeting.previous_minutes_amendments = amendments
        meeting.save(
            update_fields=[
                "previous_minutes_approved",
                "previous_minutes_approved_by",
                "previous_minutes_approved_at",
                "previous_minutes_amendments",
            ]
        )
        record_by(
            by,
            "programme.minutes_approved",
            "meeting",
            str(previous.pk),
            {"at_meeting": meeting.pk, "amendments": amendments},
        )
    return previous


def cleared_since(meeting: Meeting) -> QuerySet[ActionLogEntry]:
    """The body's actions cleared since its previous meeting (all cleared ones if none)."""
    previous = previous_meeting(meeting)
    cleared = ActionLogEntry.objects.filter(
        body=meeting.body_id, status=ActionStatus.CLEARED, raised_at__date__lt=meeting.date
    ).select_related("body", "raised_at")
    if previous is not None:
        cleared = cleared.filter(updates__at__date__gte=previous.date).distinct()
    return cleared.order_by("raised_at__date", "id")
