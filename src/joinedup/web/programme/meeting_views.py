"""The pages for meetings and the action log. Reading (and the meeting pack) needs
VIEW_AGGREGATES; making and changing meetings, importing minutes, updating actions and sending
reminders needs MANAGE_PROGRAMME (the policy table's business)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.programme.minutes import NotMinutesError, parse_minutes
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.accounts.models import User
from joinedup.web.programme.meeting_forms import (
    ActionUpdateForm,
    AgendaItemForm,
    ApproveMinutesForm,
    AttendanceForm,
    BodyMemberForm,
    MeetingForm,
    MinutesForm,
)
from joinedup.web.programme.meetings import (
    MeetingExistsError,
    NoPreviousMeetingError,
    approve_previous_minutes,
    body_for,
    change_meeting,
    create_meeting,
    end_membership,
    following_meeting,
    import_minutes,
    matters_arising,
    members_not_recorded,
    members_on,
    move_agenda_item,
    open_actions,
    previous_meeting,
    record_members_present,
    remove_agenda_item,
    remove_attendance,
    save_agenda_item,
    save_attendance,
    save_member,
    update_action,
)
from joinedup.web.programme.models import (
    ActionLogEntry,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceKind,
    Body,
    BodyMember,
    Meeting,
)
from joinedup.web.programme.pack import build_pack, pack_pdf, pack_workbook, record_download
from joinedup.web.programme.reminders import send_reminders
from joinedup.web.programme.views import can_manage_programme


@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.prefetch_related("meetings")
    return render(
        request,
        "programme/meetings.html",
        {"bodies": bodies, "can_manage": can_manage_programme(request)},
    )


@require_GET
def body(request: HttpRequest, body_id: int) -> HttpResponse:
    found = get_object_or_404(Body, pk=body_id)
    current = list(members_on(found, timezone.localdate()))
    return render(
        request,
        "programme/body.html",
        {
            "body": found,
            "members": current,
            "past_members": [m for m in found.members.all() if m not in current],
            "meetings": found.meetings.all(),
            "can_manage": can_manage_programme(request),
        },
    )


def _body_url(found: Body) -> str:
    return reverse("programme:body", args=[found.pk])


def _saved_or_form(
    request: HttpRequest,
    form: forms.ModelForm[Any],
    save: Callable[[Any, User], object],
    done: str,
    template: str,
    context: dict[str, object],
) -> HttpResponse:
    """A sent, valid form's record saved through ``save`` (which audits it), then on to
    ``done``; otherwise the form's page, with its errors if it was sent."""
    if request.method == "POST" and form.is_valid():
        save(form.save(commit=False), signed_in_user(request))
        return redirect(done)
    return render(request, template, {"form": form, **context})


M = TypeVar("M", bound=models.Model)


def _new_or_owned(model: type[M], pk: int | None, **owner: Any) -> M:
    """A new row for ``owner`` (no ``pk``), or its existing row ``pk``: 404 if it is another's."""
    return model(**owner) if pk is None else get_object_or_404(model, pk=pk, **owner)


@require_http_methods(["GET", "POST"])
def body_member(request: HttpRequest, body_id: int, member_id: int | None = None) -> HttpResponse:
    found = get_object_or_404(Body, pk=body_id)
    member = _new_or_owned(BodyMember, member_id, body=found)
    return _saved_or_form(
        request,
        BodyMemberForm(request.POST or None, instance=member),
        save_member,
        f"{_body_url(found)}#members",
        "programme/body_member.html",
        {"body": found, "member": member},
    )


@require_POST
def body_member_end(request: HttpRequest, body_id: int, member_id: int) -> HttpResponse:
    found = get_object_or_404(Body, pk=body_id)
    member = get_object_or_404(BodyMember, pk=member_id, body=found)
    end_membership(member, timezone.localdate(), signed_in_user(request))
    return redirect(f"{_body_url(found)}#members")


@require_GET
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    attendance = list(found.attendance.all())
    items = list(found.items.all())
    return render(
        request,
        "programme/meeting.html",
        {
            "meeting": found,
            "attendance": attendance,
            "attended": [a for a in attendance if a.kind == AttendanceKind.ATTENDED],
            "apologies": [a for a in attendance if a.kind == AttendanceKind.APOLOGIES],
            "observers": [a for a in attendance if a.kind == AttendanceKind.OBSERVER],
            "items": items,
            "arising_in_agenda": any(item.is_matters_arising for item in items),
            "matters_arising": matters_arising(found),
            "actions": found.actions.all(),
            "previous": previous_meeting(found),
            "following": following_meeting(found),
            "reminders": found.reminders.select_related("recipient"),
            "not_recorded": members_not_recorded(found),
            "can_manage": can_manage_programme(request),
        },
    )


def _url(meeting: Meeting) -> str:
    return reverse("programme:meeting", args=[meeting.pk])


def _meeting(meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("body", "previous_minutes_approved_by"), pk=meeting_id
    )


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = create_meeting(form.details(), signed_in_user(request))
        except MeetingExistsError as error:
            form.add_error("date", str(error))
        else:
            return redirect("programme:meeting", meeting_id=made.pk)
    return render(request, "programme/meeting_form.html", {"form": form, "meeting": None})


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_of(found))
    if request.method == "POST" and form.is_valid():
        try:
            change_meeting(found, form.details(), signed_in_user(request))
        except MeetingExistsError as error:
            form.add_error("date", str(error))
        else:
            return redirect("programme:meeting", meeting_id=found.pk)
    return render(request, "programme/meeting_form.html", {"form": form, "meeting": found})


@require_http_methods(["GET", "POST"])
def meeting_attendance(
    request: HttpRequest, meeting_id: int, attendance_id: int | None = None
) -> HttpResponse:
    found = _meeting(meeting_id)
    row = _new_or_owned(Attendance, attendance_id, meeting=found)
    return _saved_or_form(
        request,
        AttendanceForm(request.POST or None, instance=row),
        save_attendance,
        f"{_url(found)}#attendance",
        "programme/meeting_attendance.html",
        {"meeting": found, "row": row},
    )


@require_POST
def meeting_members_present(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    record_members_present(found, signed_in_user(request))
    return redirect(f"{_url(found)}#attendance")


@require_POST
def meeting_attendance_remove(
    request: HttpRequest, meeting_id: int, attendance_id: int
) -> HttpResponse:
    found = _meeting(meeting_id)
    remove_attendance(
        get_object_or_404(Attendance, pk=attendance_id, meeting=found), signed_in_user(request)
    )
    return redirect(f"{_url(found)}#attendance")


@require_http_methods(["GET", "POST"])
def meeting_item(request: HttpRequest, meeting_id: int, item_id: int | None = None) -> HttpResponse:
    found = _meeting(meeting_id)
    item = _new_or_owned(AgendaItem, item_id, meeting=found)
    return _saved_or_form(
        request,
        AgendaItemForm(request.POST or None, instance=item),
        save_agenda_item,
        f"{_url(found)}#agenda",
        "programme/meeting_item.html",
        {"meeting": found, "item": item},
    )


@require_POST
def meeting_item_move(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=found)
    move_agenda_item(item, request.POST.get("direction") == "up", signed_in_user(request))
    return redirect(f"{_url(found)}#agenda")


@require_POST
def meeting_item_remove(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    remove_agenda_item(
        get_object_or_404(AgendaItem, pk=item_id, meeting=found), signed_in_user(request)
    )
    return redirect(f"{_url(found)}#agenda")


@require_http_methods(["GET", "POST"])
def meeting_approve_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    previous = previous_meeting(found)
    form = ApproveMinutesForm(
        request.POST or None, initial={"amendments": found.previous_minutes_amendments}
    )
    if request.method == "POST" and form.is_valid():
        try:
            approve_previous_minutes(
                found, form.cleaned_data["amendments"], signed_in_user(request)
            )
        except NoPreviousMeetingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("programme:meeting", meeting_id=found.pk)
    return render(
        request,
        "programme/meeting_approve.html",
        {"form": form, "meeting": found, "previous": previous},
    )


@require_POST
def meeting_remind(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    today = timezone.localdate()
    report = None
    if found.date >= today:
        report = send_reminders(found, today, by=signed_in_user(request))
    return render(
        request,
        "programme/meeting_reminders.html",
        {"meeting": found, "report": report, "today": today},
    )


def _download(request: HttpRequest, meeting_id: int, kind: str) -> HttpResponse:
    found = _meeting(meeting_id)
    pack = build_pack(found, timezone.localdate())
    if kind == "pdf":
        content, content_type = pack_pdf(pack), "application/pdf"
    else:
        content = pack_workbook(pack)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    record_download(found, kind, signed_in_user(request))
    response = HttpResponse(content, content_type=content_type)
    filename = f"{slugify(pack.name)}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def meeting_pack_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _download(request, meeting_id, "pdf")


@require_GET
def meeting_pack_xlsx(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _download(request, meeting_id, "xlsx")


@require_http_methods(["GET", "POST"])
def minutes_import(request: HttpRequest) -> HttpResponse:
    form = MinutesForm(request.POST or None, request.FILES or None)
    proposal = None
    if request.method == "POST" and form.is_valid():
        text = form.minutes()
        try:
            proposal = parse_minutes(text)
        except NotMinutesError as error:
            form.add_error("text", str(error))
        else:
            body = form.cleaned_data["body"] or body_for(proposal.meeting)
            if "confirm" in request.POST:
                try:
                    created = import_minutes(proposal, body, signed_in_user(request))
                except MeetingExistsError as error:
                    form.add_error(None, str(error))
                else:
                    return redirect("programme:meeting", meeting_id=created.pk)
            return render(
                request,
                "programme/minutes_preview.html",
                {"form": form, "proposal": proposal, "body": body, "minutes": text},
            )
    return render(request, "programme/minutes_import.html", {"form": form})


@require_GET
def actions(request: HttpRequest) -> HttpResponse:
    by_body: dict[str, list[ActionLogEntry]] = {}
    for action in open_actions():
        by_body.setdefault(action.body.name, []).append(action)
    return render(
        request,
        "programme/actions.html",
        {"by_body": sorted(by_body.items()), "can_manage": can_manage_programme(request)},
    )


@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, action_id: int) -> HttpResponse:
    found = get_object_or_404(
        ActionLogEntry.objects.select_related("body", "raised_at"), pk=action_id
    )
    initial_status = ActionStatus.CLEARED if request.GET.get("clear") else found.status
    form = ActionUpdateForm(request.POST or None, initial={"status": initial_status})
    if request.method == "POST" and form.is_valid():
        update_action(
            found,
            form.cleaned_data["text"],
            ActionStatus(form.cleaned_data["status"]),
            signed_in_user(request),
        )
        return redirect("programme:actions")
    return render(
        request,
        "programme/action_update.html",
        {"action": found, "form": form, "updates": found.updates.select_related("by")},
    )
