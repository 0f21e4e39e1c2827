"""The programme's pages. Reading needs VIEW_AGGREGATES (executive members, hub coordinators,
programme officers); changing needs MANAGE_PROGRAMME: the policy table's business."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.programme import charts, scoring
from joinedup.web.programme.changes import add_spend, save_risk, set_workstream_status
from joinedup.web.programme.forms import RiskForm, SpendLineForm, WorkstreamStatusForm
from joinedup.web.programme.models import (
    Grant,
    Phase,
    Risk,
    SpendLine,
    Status,
    Theme,
    Workstream,
)


def _can_manage(request: HttpRequest) -> bool:
    return Permission.MANAGE_PROGRAMME in permissions_of(signed_in_user(request).roles)


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
            "underspending": underspending,
            "can_manage": _can_manage(request),
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
            "can_manage": _can_manage(request),
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
            "can_manage": _can_manage(request),
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
            "can_manage": _can_manage(request),
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
            "can_manage": _can_manage(request),
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
