"""The workforce pages. Reading coverage needs VIEW_AGGREGATES; teams, sessions, completions and
registers need MANAGE_WORKFORCE (the policy table's business). Names of staff are shown only to
those who may change the register."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from joinedup import exports
from joinedup.web.accounts.enforcement import signed_in_user, user_holds
from joinedup.web.accounts.policy import Permission
from joinedup.web.workforce import charts
from joinedup.web.workforce.changes import (
    CompletionRefusedError,
    import_register,
    plan_session,
    record_completion,
    save_programme,
    save_team,
)
from joinedup.web.workforce.figures import DOWNLOAD_HEADER, download_rows, figures, known, team_line
from joinedup.web.workforce.forms import (
    CompletionForm,
    ProgrammeForm,
    RegisterForm,
    SessionForm,
    TeamForm,
)
from joinedup.web.workforce.models import DevelopmentProgramme, Session, Team
from joinedup.web.workforce.register import RegisterRefusedError, read_register

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _can_manage(request: HttpRequest) -> bool:
    return user_holds(request, Permission.MANAGE_WORKFORCE)


def _chosen_programme(request: HttpRequest) -> DevelopmentProgramme | None:
    wanted = request.GET.get("programme", "")
    programmes = DevelopmentProgramme.objects.all()
    if wanted.isdigit():
        return get_object_or_404(programmes, pk=int(wanted))
    return programmes.first()


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    programme = _chosen_programme(request)
    context: dict[str, object] = {
        "programme": programme,
        "programmes": DevelopmentProgramme.objects.all(),
        "can_manage": _can_manage(request),
    }
    if programme is not None:
        found = figures(programme, timezone.localdate())
        context |= {
            "figures": found,
            "bars": charts.coverage_bars(found.organisations, programme.goal_percent),
            "trend": charts.trend_line(found.trend, programme.goal_percent),
            "width": charts.WIDTH,
            "label_width": charts.LABEL_WIDTH,
        }
    return render(request, "workforce/overview.html", context)


@require_GET
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    found = get_object_or_404(Team.objects.select_related("organisation"), pk=team_id)
    today = timezone.localdate()
    can_manage = _can_manage(request)
    lines = [(p, team_line(found, p, today)) for p in DevelopmentProgramme.objects.all()]
    completions = found.completions.select_related("programme", "session") if can_manage else None
    return render(
        request,
        "workforce/team.html",
        {"team": found, "lines": lines, "completions": completions, "can_manage": can_manage},
    )


def _team_form(request: HttpRequest, instance: Team) -> HttpResponse:
    form = TeamForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = save_team(form.save(commit=False), signed_in_user(request))
        return redirect("workforce:team", team_id=saved.pk)
    return render(request, "workforce/team_form.html", {"form": form, "team": instance})


@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest) -> HttpResponse:
    return _team_form(request, Team())


@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    return _team_form(request, get_object_or_404(Team, pk=team_id))


@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    every = Session.objects.select_related("programme")
    return render(
        request,
        "workforce/sessions.html",
        {
            "planned": every.filter(date__gt=today),
            "held": every.filter(date__lte=today).order_by("-date", "-id"),
            "can_manage": _can_manage(request),
        },
    )


def _programme_form(request: HttpRequest, instance: DevelopmentProgramme) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = save_programme(form.save(commit=False), signed_in_user(request))
        return redirect(f"{reverse('workforce:overview')}?programme={saved.pk}")
    return render(request, "workforce/programme_form.html", {"form": form, "programme": instance})


@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    return _programme_form(request, DevelopmentProgramme())


@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    return _programme_form(request, get_object_or_404(DevelopmentProgramme, pk=programme_id))


def _session_form(request: HttpRequest, instance: Session) -> HttpResponse:
    initial = {} if instance.pk else {"programme": _chosen_programme(request)}
    form = SessionForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = plan_session(form.save(commit=False), signed_in_user(request))
        return redirect("workforce:session", session_id=saved.pk)
    return render(request, "workforce/session_form.html", {"form": form, "session": instance})


@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    return _session_form(request, Session())


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    return _session_form(request, get_object_or_404(Session, pk=session_id))


@require_http_methods(["GET", "POST"])
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    found = get_object_or_404(Session.objects.select_related("programme"), pk=session_id)
    form = CompletionForm(request.POST or None)
    held = found.is_past(timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            record_completion(
                found,
                form.cleaned_data["team"],
                form.cleaned_data["staff_name"],
                form.cleaned_data["staff_role"],
                signed_in_user(request),
            )
        except CompletionRefusedError as error:
            form.add_error(None, str(error))
        else:
            return redirect("workforce:session", session_id=found.pk)
    return render(
        request,
        "workforce/session.html",
        {
            "session": found,
            "form": form,
            "held": held,
            "completions": found.completions.select_related("team__organisation"),
        },
    )


@require_http_methods(["GET", "POST"])
def register_import(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None, request.FILES or None)
    problems, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["register"]
        try:
            rows = read_register(upload.read(), upload.name, known(timezone.localdate()))
        except RegisterRefusedError as refused:
            problems = refused.problems
        else:
            result = import_register(rows, signed_in_user(request), upload.name)
    return render(
        request,
        "workforce/import.html",
        {"form": form, "problems": problems, "shown": problems[:50], "result": result},
    )


@require_GET
def download(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in MEDIA_TYPES:
        raise Http404
    programme = _chosen_programme(request)
    if programme is None:
        raise Http404
    found = figures(programme, timezone.localdate())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"coverage.{file_format}"
        exports.write_table(path, DOWNLOAD_HEADER, download_rows(found))
        data = path.read_bytes()
    response = HttpResponse(data, content_type=MEDIA_TYPES[file_format])
    name = f"workforce-coverage-{programme.pk}-{found.as_of:%Y-%m-%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
