"""Scheduling and running MDT meetings: the agenda, attendance, outcomes and actions, audited.

Who sees which case on an agenda (docs/cases-and-mdt.md): the agenda is built from the chair's
own cases (``cases_of(chair)``), so the chair sees every item; everyone else sees the
reference, person key, discussion and actions of an item only if they work on its case now
(``cases_of(user)``), and otherwise only that there is an item. A meeting is visible to its
chair, to those recorded at it (present or apologies) and to workers on a case on its agenda;
to anyone else it is "not found". Chair-only steps are for the meeting's chair, and only on
cases the chair works on now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of, roles_with
from joinedup.web.cases import casework
from joinedup.web.cases.models import Action, Case, CaseStatus
from joinedup.web.mdt.models import (
    AgendaItem,
    Attendance,
    ItemAction,
    ItemReason,
    Meeting,
    Presence,
)


class MeetingError(ValueError):
    """A step the meeting does not allow; the message is for the chair."""


def _audit(verb: str, by: User, meeting: Meeting, **detail: Any) -> None:
    casework.audit(verb, by, "mdt_meeting", str(meeting.pk), **detail)


def meetings_of(user: User) -> QuerySet[Meeting]:
    """The meetings ``user`` chairs, was recorded at, or has a case of theirs on."""
    return Meeting.objects.filter(
        Q(chair=user)
        | Q(attendance__user=user)
        | Q(items__case__in=casework.cases_of(user).values("pk"))
    ).distinct()


def chaired_by(user: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(chair=user)


def chairs() -> QuerySet[User]:
    """Who may chair: an active user whose role chairs MDT meetings and works on cases."""
    chairing = {r.value for r in roles_with(Permission.CHAIR_MDT)}
    casework_roles = {r.value for r in roles_with(Permission.WORK_CASES)}
    return (
        User.objects.filter(is_active=True, role_assignments__role__in=chairing & casework_roles)
        .select_related("organisation")
        .distinct()
    )


def team() -> QuerySet[User]:
    """Who may be recorded at a meeting: anyone active whose role works on cases."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=[r.value for r in roles_with(Permission.WORK_CASES)],
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "full_name", "email")
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            Q(held_on__lt=meeting.held_on)
            | Q(held_on=meeting.held_on, starts_at__lt=meeting.starts_at)
        )
        .order_by("-held_on", "-starts_at")
        .first()
    )


def candidates(meeting: Meeting) -> list[tuple[Case, ItemReason]]:
    """The chair's open cases due for review by the meeting, or opened since the last one."""
    since = previous_meeting(meeting)
    due = Q(next_review__lte=meeting.held_on)
    if since is None:
        new = Q(pk__isnull=False)  # the first meeting takes every open case
    else:
        began = dt.datetime.combine(since.held_on, since.starts_at)
        new = Q(opened_at__gt=timezone.make_aware(began))
    found = (
        casework.cases_of(meeting.chair)
        .filter(status=CaseStatus.OPEN)
        .filter(due | new)
        .exclude(pk__in=meeting.items.values("case_id"))
    )
    # Reviews due first, earliest first; then new cases, oldest first.
    ordered = sorted(
        found,
        key=lambda case: (
            not _is_due(case, meeting),
            case.next_review or dt.date.max,
            case.opened_at,
        ),
    )
    return [
        (case, ItemReason.REVIEW_DUE if _is_due(case, meeting) else ItemReason.NEW_CASE)
        for case in ordered
    ]


def _is_due(case: Case, meeting: Meeting) -> bool:
    return case.next_review is not None and case.next_review <= meeting.held_on


def schedule(*, by: User, chair: User, held_on: dt.date, starts_at: dt.time, place: str) -> Meeting:
    """A new meeting, its agenda built from the chair's cases (the chair adjusts it after)."""
    if Permission.CHAIR_MDT not in permissions_of(chair.roles):
        raise MeetingError("The chair holds a role that chairs MDT meetings")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            held_on=held_on, starts_at=starts_at, place=place, chair=chair, scheduled_by=by
        )
        _audit("mdt.meeting_scheduled", by, meeting, held_on=held_on.isoformat(), chair_id=chair.pk)
        for case, reason in candidates(meeting):
            _add(meeting, case, by, reason)
    return meeting


def _add(meeting: Meeting, case: Case, by: User, reason: ItemReason) -> AgendaItem:
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(meeting=meeting, case=case, position=last + 1, reason=reason)
    _audit(
        "mdt.agenda_item_added",
        by,
        meeting,
        item=item.pk,
        case=case.reference,
        person_key=case.person_key,
        reason=reason.value,
    )
    return item


def add_to_agenda(meeting: Meeting, case: Case, *, by: User) -> AgendaItem:
    with transaction.atomic():
        if not casework.cases_of(meeting.chair).filter(pk=case.pk).exists():
            raise MeetingError("The agenda takes only cases the chair works on")
        if meeting.items.filter(case=case).exists():
            raise MeetingError(f"{case.reference} is on the agenda already")
        reason = ItemReason.REVIEW_DUE if _is_due(case, meeting) else ItemReason.ADDED
        return _add(meeting, case, by, reason)


def remove_from_agenda(item: AgendaItem, *, by: User) -> None:
    with transaction.atomic():
        if item.discussed_at is not None or item.actions.exists():
            raise MeetingError("An item that has been discussed stays on the record")
        meeting, case = item.meeting, item.case
        item.delete()
        _audit(
            "mdt.agenda_item_removed",
            by,
            meeting,
            case=case.reference,
            person_key=case.person_key,
        )


def move(item: AgendaItem, *, by: User, up: bool) -> None:
    """Swap the item with the one above (or below) it."""
    with transaction.atomic():
        items = list(item.meeting.items.order_by("position", "pk"))
        at = next(i for i, each in enumerate(items) if each.pk == item.pk)
        other = at - 1 if up else at + 1
        if not 0 <= other < len(items):
            return
        items[at], items[other] = items[other], items[at]
        for position, each in enumerate(items, start=1):
            if each.position != position:
                each.position = position
                each.save(update_fields=["position"])
        _audit("mdt.agenda_reordered", by, item.meeting, order=[each.pk for each in items])


def record_attendance(
    meeting: Meeting, *, by: User, present: Iterable[User], apologies: Iterable[User]
) -> None:
    """Who came and who sent apologies, each with their organisation now; replaces any before."""
    there, sorry = list(present), list(apologies)
    if {u.pk for u in there} & {u.pk for u in sorry}:
        raise MeetingError("Someone is either present or sends apologies, not both")
    with transaction.atomic():
        meeting.attendance.all().delete()
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, user=u, organisation=u.organisation, presence=p)
                for users, p in ((there, Presence.PRESENT), (sorry, Presence.APOLOGIES))
                for u in users
            ]
        )
        _audit(
            "mdt.attendance_recorded",
            by,
            meeting,
            present=sorted(u.pk for u in there),
            apologies=sorted(u.pk for u in sorry),
        )


def record_outcome(
    item: AgendaItem,
    *,
    by: User,
    summary: str,
    decision: str,
    next_review: dt.date | None = None,
) -> None:
    """The discussion's short summary and decision; a new review date goes onto the case."""
    if not summary.strip() or not decision.strip():
        raise MeetingError("Record a short summary and the decision")
    with transaction.atomic():
        if next_review is not None:
            casework.set_review(item.case, by=by, next_review=next_review)
        item.summary, item.decision = summary, decision
        item.discussed_at, item.discussed_by = timezone.now(), by
        item.save(update_fields=["summary", "decision", "discussed_at", "discussed_by"])
        _audit(
            "mdt.item_discussed",
            by,
            item.meeting,
            item=item.pk,
            case=item.case.reference,
            person_key=item.case.person_key,
        )


def add_item_action(
    item: AgendaItem, *, by: User, description: str, owner: User, due: dt.date
) -> Action:
    """An action agreed at the meeting: a new action on the case, remembered as the MDT's."""
    with transaction.atomic():
        action = casework.add_action(
            item.case, by=by, description=description, owner=owner, due=due, meeting=item.meeting_id
        )
        ItemAction.objects.create(item=item, action=action)
    return action


@dataclass(frozen=True)
class Shown:
    """An agenda item as one user may see it: ``case`` is None when they do not work on it."""

    item: AgendaItem
    case: Case | None
    actions: list[Action]


def as_seen_by(meeting: Meeting, user: User) -> list[Shown]:
    theirs = set(casework.cases_of(user).values_list("pk", flat=True))
    shown = []
    for item in meeting.items.select_related("case").prefetch_related(
        "actions__action__owner__organisation"
    ):
        if item.case_id in theirs:
            actions = [link.action for link in item.actions.all()]
            shown.append(Shown(item, item.case, actions))
        else:
            shown.append(Shown(item, None, []))
    return shown
