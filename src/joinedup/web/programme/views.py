"""The programme's pages. Reading needs VIEW_AGGREGATES (executive members, hub coordinators,
programme officers); changing needs MANAGE_PROGRAMME: the policy table's business."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.web.accounts.enforcement import signed_in_user, user_holds
from joinedup.web.accounts.policy import Permission
from joinedup.web.programme import charts, measures, scoring
from joinedup.web.programme.changes import (
    DependencyLoopError,
    add_spend,
    save_grant,
    save_measure,
    save_phase,
    save_risk,
    save_theme,
    save_workstream,
    set_workstream_status,
)
from joinedup.web.programme.forms import (
    GrantForm,
    MeasureForm,
    PhaseForm,
    RiskForm,
    SpendLineForm,
    ThemeForm,
    WorkstreamForm,
    WorkstreamStatusForm,
)
from joinedup.web.programme.models import (
    Escalation,
    Grant,
    Measure,
    Phase,
    Risk,
    SpendLine,
    Status,
    Theme,
    Workstream,
)

TREND_SIZE = {"trend_width": charts.TREND_WIDTH, "trend_height": charts.TREND_HEIGHT}


def can_manage_programme(request: HttpRequest) -> bool:
    return user_holds(request, Permission.MANAGE_PROGRAMME)


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    themes = Theme.objects.prefetch_related(
        Prefetch("workstreams", queryset=Workstream.objects.order_by("position", "name"))
    )
    escalate = charts.to_escalate(Risk.objects.all(), timezone.localdate())
    underspending = [
        (grant, summary)
        for grant in Grant.objects.prefetch_related("spend")
        if (summary := charts.spend_summary(grant)).underspends
    ]
    return render(
        request,
        "programme/overview.html",
        {
            "themes": themes,
            "escalate_count": len(escalate),
            "waiting_count": Escalation.objects.filter(agenda_item__isnull=True).count(),
            "underspending": underspending,
            "can_manage": can_manage_programme(request),
        },
    )


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    phases = list(
        Phase.objects.select_related("workstream__theme")
        .prefetch_related("depends_on")
        .order_by("workstream__theme__position", "workstream__position", "start", "end", "id")
    )
    chart = charts.timeline(phases)
    return render(
        request,
        "programme/timeline.html",
        {"chart": chart, "width": charts.CHART_WIDTH, "label_width": charts.LABEL_WIDTH},
    )


@require_GET
def workstream(request: HttpRequest, workstream_id: int) -> HttpResponse:
    found = get_object_or_404(Workstream.objects.select_related("theme"), pk=workstream_id)
    return render(
        request,
        "programme/workstream.html",
        {
            "workstream": found,
            "phases": found.phases.prefetch_related("depends_on"),
            "history": found.history.select_related("changed_by"),
            "measures": _measures_shown(found.measures.all()),
            "add_measure_url": reverse(
                "programme:workstream_measure_new", kwargs={"workstream_id": found.pk}
            ),
            **TREND_SIZE,
            "can_manage": can_manage_programme(request),
        },
    )


@require_http_methods(["GET", "POST"])
def workstream_status(request: HttpRequest, workstream_id: int) -> HttpResponse:
    found = get_object_or_404(Workstream.objects.select_related("theme"), pk=workstream_id)
    form = WorkstreamStatusForm(request.POST or None, initial={"status": found.status})
    if request.method == "POST" and form.is_valid():
        set_workstream_status(
            found,
            Status(form.cleaned_data["status"]),
            form.cleaned_data["note"],
            signed_in_user(request),
        )
        return redirect("programme:workstream", workstream_id=found.pk)
    return render(request, "programme/workstream_status.html", {"workstream": found, "form": form})


@require_GET
def grants(request: HttpRequest) -> HttpResponse:
    rows = [
        (grant, charts.spend_summary(grant)) for grant in Grant.objects.prefetch_related("spend")
    ]
    return render(request, "programme/grants.html", {"rows": rows})


@require_GET
def grant(request: HttpRequest, grant_id: int) -> HttpResponse:
    found = get_object_or_404(Grant, pk=grant_id)
    summary = charts.spend_summary(found)
    bars, award_y = charts.spend_bars(summary)
    return render(
        request,
        "programme/grant.html",
        {
            "grant": found,
            "summary": summary,
            "bars": bars,
            "award_y": award_y,
            "chart_width": charts.SPEND_WIDTH,
            "chart_height": charts.SPEND_HEIGHT,
            "lines": found.spend.select_related("workstream"),
            "can_manage": can_manage_programme(request),
        },
    )


@require_http_methods(["GET", "POST"])
def spend_add(request: HttpRequest, grant_id: int) -> HttpResponse:
    found = get_object_or_404(Grant, pk=grant_id)
    form = SpendLineForm(request.POST or None, instance=SpendLine(grant=found))
    if request.method == "POST" and form.is_valid():
        add_spend(form.save(commit=False), signed_in_user(request))
        return redirect("programme:grant", grant_id=found.pk)
    return render(request, "programme/spend_form.html", {"form": form, "grant": found})


@require_GET
def risks(request: HttpRequest) -> HttpResponse:
    register = sorted(Risk.objects.all(), key=lambda r: (-r.score, r.review_on, r.title))
    today = timezone.localdate()
    return render(
        request,
        "programme/risks.html",
        {
            "risks": register,
            "heat_map": charts.heat_map(register),
            "escalate": charts.to_escalate(register, today),
            "threshold": scoring.escalation_score(),
            "today": today,
            "amber_from": scoring.AMBER_FROM,
            "red_from": scoring.RED_FROM,
            "can_manage": can_manage_programme(request),
        },
    )


@require_GET
def risk(request: HttpRequest, risk_id: int) -> HttpResponse:
    found = get_object_or_404(Risk, pk=risk_id)
    return render(
        request,
        "programme/risk.html",
        {
            "risk": found,
            "history": found.history.select_related("changed_by"),
            "overdue": found.review_overdue(timezone.localdate()),
            "measures": _measures_shown(found.measures.all()),
            "add_measure_url": reverse("programme:risk_measure_new", kwargs={"risk_id": found.pk}),
            **TREND_SIZE,
            "can_manage": can_manage_programme(request),
        },
    )


def _risk_form(request: HttpRequest, instance: Risk) -> HttpResponse:
    form = RiskForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = save_risk(
            form.save(commit=False), form.cleaned_data["note"], signed_in_user(request)
        )
        return redirect("programme:risk", risk_id=saved.pk)
    return render(request, "programme/risk_form.html", {"form": form, "risk": instance})


@require_http_methods(["GET", "POST"])
def risk_new(request: HttpRequest) -> HttpResponse:
    return _risk_form(request, Risk())


@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, risk_id: int) -> HttpResponse:
    return _risk_form(request, get_object_or_404(Risk, pk=risk_id))


# Editing the work programme: each form's rules live in the form and the model, each change
# in changes.py.


def _form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], HttpResponse],
    context: dict[str, Any],
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        return save()
    return render(request, "programme/edit_form.html", {"form": form, **context})


def _theme_form(request: HttpRequest, instance: Theme) -> HttpResponse:
    form = ThemeForm(request.POST or None, instance=instance)

    def save() -> HttpResponse:
        save_theme(form.save(commit=False), signed_in_user(request))
        return redirect("programme:overview")

    return _form_page(
        request,
        form,
        save,
        {
            "heading": "Change a theme" if instance.pk else "Add a theme",
            "back_url": reverse("programme:overview"),
            "button": "Save theme",
        },
    )


@require_http_methods(["GET", "POST"])
def theme_new(request: HttpRequest) -> HttpResponse:
    return _theme_form(request, Theme())


@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, theme_id: int) -> HttpResponse:
    return _theme_form(request, get_object_or_404(Theme, pk=theme_id))


def _workstream_form(request: HttpRequest, instance: Workstream) -> HttpResponse:
    initial = {"theme": request.GET.get("theme")} if instance.pk is None else None
    form = WorkstreamForm(request.POST or None, instance=instance, initial=initial)

    def save() -> HttpResponse:
        saved = save_workstream(form.save(commit=False), signed_in_user(request))
        return redirect("programme:workstream", workstream_id=saved.pk)

    return _form_page(
        request,
        form,
        save,
        {
            "heading": "Change a workstream" if instance.pk else "Add a workstream",
            "caption": instance.name if instance.pk else "",
            "back_url": _workstream_url(instance.pk),
            "button": "Save workstream",
        },
    )


def _workstream_url(pk: int | None) -> str:
    if pk is None:
        return reverse("programme:overview")
    return reverse("programme:workstream", kwargs={"workstream_id": pk})


@require_http_methods(["GET", "POST"])
def workstream_new(request: HttpRequest) -> HttpResponse:
    return _workstream_form(request, Workstream())


@require_http_methods(["GET", "POST"])
def workstream_edit(request: HttpRequest, workstream_id: int) -> HttpResponse:
    return _workstream_form(request, get_object_or_404(Workstream, pk=workstream_id))


def _phase_form(request: HttpRequest, instance: Phase) -> HttpResponse:
    form = PhaseForm(request.POST or None, instance=instance)
    context = {
        "heading": "Change a phase" if instance.pk else "Add a phase",
        "caption": instance.workstream.name,
        "back_url": _workstream_url(instance.workstream_id),
        "button": "Save phase",
    }

    def save() -> HttpResponse:
        try:
            save_phase(
                form.save(commit=False), form.cleaned_data["depends_on"], signed_in_user(request)
            )
        except DependencyLoopError as error:  # made by someone else since the form was checked
            form.add_error("depends_on", f"Phases cannot wait for each other in a loop: {error}")
            return render(request, "programme/edit_form.html", {"form": form, **context})
        return redirect("programme:workstream", workstream_id=instance.workstream_id)

    return _form_page(request, form, save, context)


@require_http_methods(["GET", "POST"])
def phase_new(request: HttpRequest, workstream_id: int) -> HttpResponse:
    return _phase_form(request, Phase(workstream=get_object_or_404(Workstream, pk=workstream_id)))


@require_http_methods(["GET", "POST"])
def phase_edit(request: HttpRequest, phase_id: int) -> HttpResponse:
    return _phase_form(
        request, get_object_or_404(Phase.objects.select_related("workstream"), pk=phase_id)
    )


def _grant_form(request: HttpRequest, instance: Grant) -> HttpResponse:
    form = GrantForm(request.POST or None, instance=instance)

    def save() -> HttpResponse:
        saved = save_grant(form.save(commit=False), signed_in_user(request))
        return redirect("programme:grant", grant_id=saved.pk)

    return _form_page(
        request,
        form,
        save,
        {
            "heading": "Change a grant" if instance.pk else "Add a grant",
            "caption": instance.name if instance.pk else "",
            "back_url": reverse("programme:grant", kwargs={"grant_id": instance.pk})
            if instance.pk
            else reverse("programme:grants"),
            "button": "Save grant",
        },
    )


@require_http_methods(["GET", "POST"])
def grant_new(request: HttpRequest) -> HttpResponse:
    return _grant_form(request, Grant())


@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, grant_id: int) -> HttpResponse:
    return _grant_form(request, get_object_or_404(Grant, pk=grant_id))


# Measures: what shows each risk and workstream, and what waits for the Executive.


def _measures_shown(found: Iterable[Measure]) -> list[measures.MeasureView]:
    return [measures.measure_view(m) for m in found]


@require_GET
def measures_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programme/measures.html",
        {
            "measures": _measures_shown(
                Measure.objects.select_related("risk", "workstream", "grant")
            ),
            "pending": Escalation.objects.filter(agenda_item__isnull=True),
            "on_agenda": Escalation.objects.filter(agenda_item__isnull=False).select_related(
                "agenda_item__meeting__body"
            ),
            "meeting": measures.next_executive_meeting(timezone.localdate()),
            "can_manage": can_manage_programme(request),
        },
    )


@require_POST
def measures_check(request: HttpRequest) -> HttpResponse:
    report = measures.check_measures(signed_in_user(request))
    messages.success(request, report.summary())
    for measure, why in report.unreadable:
        messages.warning(request, f"{measure.name} could not be read: {why}")
    return redirect("programme:measures")


def _measure_form(request: HttpRequest, instance: Measure) -> HttpResponse:
    form = MeasureForm(request.POST or None, instance=instance)
    shows = instance.risk or instance.workstream
    back_url = (
        reverse("programme:risk", kwargs={"risk_id": instance.risk.pk})
        if instance.risk is not None
        else _workstream_url(instance.workstream_id)
    )

    def save() -> HttpResponse:
        save_measure(form.save(commit=False), signed_in_user(request))
        return redirect(f"{back_url}#measures")

    return _form_page(
        request,
        form,
        save,
        {
            "heading": "Change a measure" if instance.pk else "Add a measure",
            "caption": str(shows),
            "back_url": back_url,
            "button": "Save measure",
        },
    )


@require_http_methods(["GET", "POST"])
def risk_measure_new(request: HttpRequest, risk_id: int) -> HttpResponse:
    return _measure_form(request, Measure(risk=get_object_or_404(Risk, pk=risk_id)))


@require_http_methods(["GET", "POST"])
def workstream_measure_new(request: HttpRequest, workstream_id: int) -> HttpResponse:
    found = get_object_or_404(Workstream, pk=workstream_id)
    return _measure_form(request, Measure(workstream=found))


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, measure_id: int) -> HttpResponse:
    found = get_object_or_404(Measure.objects.select_related("risk", "workstream"), pk=measure_id)
    return _measure_form(request, found)
