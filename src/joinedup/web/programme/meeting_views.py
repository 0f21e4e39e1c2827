"""The pages for meetings and the action log. Reading needs VIEW_AGGREGATES; importing minutes
and updating actions needs MANAGE_PROGRAMME (the policy table's business)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.programme.minutes import NotMinutesError, parse_minutes
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.programme.meeting_forms import ActionUpdateForm, MinutesForm
from joinedup.web.programme.meetings import (
    MeetingExistsError,
    body_for,
    import_minutes,
    matters_arising,
    open_actions,
    update_action,
)
from joinedup.web.programme.models import (
    ActionLogEntry,
    ActionStatus,
    AttendanceKind,
    Body,
    Meeting,
)


def _can_manage(request: HttpRequest) -> bool:
    return Permission.MANAGE_PROGRAMME in permissions_of(signed_in_user(request).roles)


@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.prefetch_related("meetings")
    return render(
        request,
        "programme/meetings.html",
        {"bodies": bodies, "can_manage": _can_manage(request)},
    )


@require_GET
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = get_object_or_404(Meeting.objects.select_related("body"), pk=meeting_id)
    attendance = list(found.attendance.all())
    return render(
        request,
        "programme/meeting.html",
        {
            "meeting": found,
            "attended": [a for a in attendance if a.kind == AttendanceKind.ATTENDED],
            "apologies": [a for a in attendance if a.kind == AttendanceKind.APOLOGIES],
            "observers": [a for a in attendance if a.kind == AttendanceKind.OBSERVER],
            "items": found.items.all(),
            "matters_arising": matters_arising(found),
            "actions": found.actions.all(),
            "can_manage": _can_manage(request),
        },
    )


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
        {"by_body": sorted(by_body.items()), "can_manage": _can_manage(request)},
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
