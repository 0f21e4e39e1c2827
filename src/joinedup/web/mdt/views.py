"""The MDT pages: meetings, a meeting, its printable agenda and record, and the chair's steps
(schedule, adjust the agenda, attendance, each item's outcome and actions). What each person
sees of an agenda item is ``meetings.as_seen_by``; chair steps are for the meeting's chair."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.cases import casework
from joinedup.web.cases.forms import ActionForm
from joinedup.web.cases.workflow import WorkflowError
from joinedup.web.mdt import meetings
from joinedup.web.mdt.forms import AttendanceForm, MeetingForm, OutcomeForm
from joinedup.web.mdt.models import AgendaItem, Meeting, Presence


def _found(request: HttpRequest, among: QuerySet[Meeting], meeting_id: int) -> Meeting:
    """The meeting among those the user may reach; else 404, the attempt audited."""
    found = among.filter(pk=meeting_id).first() if 0 < meeting_id <= casework.LARGEST_ID else None
    if found is None:
        casework.record_refusal(
            signed_in_user(request),
            meeting_id,
            path=request.path,
            method=request.method or "GET",
            object_type="mdt_meeting",
            reason="not a meeting of the user's, or not chaired by them",
        )
        raise Http404("No such meeting")
    return found


def _item(request: HttpRequest, meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of the chair's meeting whose case the chair works on now; else 404, audited."""
    item = get_object_or_404(meeting.items.select_related("case"), pk=item_id)
    if (
        casework.find_case(
            signed_in_user(request), item.case_id, path=request.path, method=request.method or "GET"
        )
        is None
    ):
        raise Http404("No such case")
    return item


def _attendance(meeting: Meeting) -> dict[str, list[Any]]:
    rows = list(meeting.attendance.select_related("user", "organisation"))
    return {
        "present": [a for a in rows if a.presence == Presence.PRESENT],
        "apologies": [a for a in rows if a.presence == Presence.APOLOGIES],
    }


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    user = signed_in_user(request)
    return {
        "meeting": meeting,
        "items": meetings.as_seen_by(meeting, user),
        "is_chair": meeting.chair_id == user.pk,
        **_attendance(meeting),
    }


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    today = timezone.localdate()
    found = meetings.meetings_of(user).select_related("chair__organisation")
    return render(
        request,
        "mdt/meetings.html",
        {
            "upcoming": found.filter(held_on__gte=today).order_by("held_on", "starts_at"),
            "past": found.filter(held_on__lt=today)[:50],
            "can_chair": Permission.CHAIR_MDT in permissions_of(user.roles),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = MeetingForm(request.POST or None, initial={"chair": user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            made = meetings.schedule(by=user, **form.cleaned_data)
        except meetings.MeetingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("mdt:meeting", meeting_id=made.pk)
    return render(request, "mdt/meeting_new.html", {"form": form})


@require_GET
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _found(request, meetings.meetings_of(signed_in_user(request)), meeting_id)
    return render(request, "mdt/meeting.html", _meeting_context(request, found))


@require_GET
def agenda_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _found(request, meetings.meetings_of(signed_in_user(request)), meeting_id)
    return render(request, "mdt/agenda_print.html", _meeting_context(request, found))


@require_GET
def record_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _found(request, meetings.meetings_of(signed_in_user(request)), meeting_id)
    return render(request, "mdt/record_print.html", _meeting_context(request, found))


@require_http_methods(["GET", "POST"])
def agenda(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The chair adjusts the agenda: add one of their cases, take an item off, move one."""
    user = signed_in_user(request)
    found = _found(request, meetings.chaired_by(user), meeting_id)
    error = ""
    if request.method == "POST":
        try:
            _change_agenda(request, found, user)
        except meetings.MeetingError as refusal:
            error = str(refusal)
        else:
            return redirect("mdt:agenda", meeting_id=found.pk)
    context = {
        **_meeting_context(request, found),
        "candidates": meetings.candidates(found),
        "others": casework.cases_of(user)
        .filter(status="open")
        .exclude(pk__in=found.items.values("case_id")),
        "error": error,
        "error_target": "agenda",
    }
    return render(request, "mdt/agenda.html", context)


def _number(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _change_agenda(request: HttpRequest, meeting: Meeting, user: User) -> None:
    if (case_id := _number(request, "add")) is not None:
        case = casework.find_case(user, case_id, path=request.path, method="POST")
        if case is None:
            raise Http404("No such case")
        meetings.add_to_agenda(meeting, case, by=user)
        return
    for name in ("remove", "up", "down"):
        if (item_id := _number(request, name)) is not None:
            item = get_object_or_404(meeting.items, pk=item_id)
            if name == "remove":
                meetings.remove_from_agenda(item, by=user)
            else:
                meetings.move(item, by=user, up=name == "up")
            return
    raise meetings.MeetingError("Choose what to change on the agenda")


@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = _found(request, meetings.chaired_by(user), meeting_id)
    rows = _attendance(found)
    initial = {key: [a.user_id for a in value] for key, value in rows.items()}
    form = AttendanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.record_attendance(found, by=user, **form.cleaned_data)
        except meetings.MeetingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("mdt:meeting", meeting_id=found.pk)
    return render(request, "mdt/attendance.html", {"meeting": found, "form": form})


@require_http_methods(["GET", "POST"])
def item(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """The chair records one item's discussion: a short summary, the decision, a review date."""
    user = signed_in_user(request)
    found = _found(request, meetings.chaired_by(user), meeting_id)
    the_item = _item(request, found, item_id)
    initial = {"summary": the_item.summary, "decision": the_item.decision}
    form = OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.record_outcome(the_item, by=user, **form.cleaned_data)
        except (meetings.MeetingError, WorkflowError) as error:
            form.add_error(None, str(error))
        else:
            return redirect("mdt:item_action", meeting_id=found.pk, item_id=the_item.pk)
    return render(request, "mdt/item.html", {"meeting": found, "item": the_item, "form": form})


@require_http_methods(["GET", "POST"])
def item_action(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """The chair records an action agreed on the item: it becomes one of the case's actions."""
    user = signed_in_user(request)
    found = _found(request, meetings.chaired_by(user), meeting_id)
    the_item = _item(request, found, item_id)
    form = ActionForm(the_item.case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.add_item_action(the_item, by=user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            return redirect("mdt:item_action", meeting_id=found.pk, item_id=the_item.pk)
    actions = [link.action for link in the_item.actions.select_related("action__owner")]
    return render(
        request,
        "mdt/item_action.html",
        {"meeting": found, "item": the_item, "form": form, "actions": actions},
    )
