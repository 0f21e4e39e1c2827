"""The case pages: your cases, one case, and one page for each change to it (GOV.UK's one
thing per page). Every page finds its case through ``cases_of``: a case the user does not work
on now is "not found" (and the attempt audited), whatever its organisation or team."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.web.accounts.enforcement import refuse, signed_in_user
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.cases import casework, forms, outcomes, service_use
from joinedup.web.cases.models import ActionStatus, Case, CaseRole, CaseStatus, CaseWorker
from joinedup.web.cases.workflow import WorkflowError
from joinedup.web.governance.sharing import Domain
from joinedup.web.throttle import counts_as_lookup


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    """The case if the user works on it now; else 404, with the attempt audited (AC-03, AC-04)."""
    found = casework.find_case(
        signed_in_user(request), case_id, path=request.path, method=request.method or "GET"
    )
    if found is None:
        raise Http404("No such case")
    return found


def person_url(person_key: str) -> str:
    """The person page (the lead's ``people:person``), or its address until that page exists."""
    try:
        return reverse("people:person", args=[person_key])
    except NoReverseMatch:
        return f"/people/{quote(person_key, safe='')}/"


@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    leads = CaseWorker.objects.filter(
        removed_at__isnull=True, role=CaseRole.LEAD_PROFESSIONAL
    ).select_related("user__organisation")
    found = (
        casework.cases_of(signed_in_user(request))
        .select_related("organisation")
        .prefetch_related(Prefetch("workers", queryset=leads, to_attr="leads"))
        .annotate(
            open_actions=Count(
                "actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True
            ),
            overdue_actions=Count(
                "actions",
                filter=Q(actions__status=ActionStatus.OPEN, actions__due__lt=today),
                distinct=True,
            ),
        )
        .order_by("next_review", "-opened_at")
    )
    return render(
        request,
        "cases/cases.html",
        {
            "open": [c for c in found if c.status == CaseStatus.OPEN],
            "closed": [c for c in found if c.status == CaseStatus.CLOSED],
            "today": today,
        },
    )


@require_GET
@counts_as_lookup
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = case_or_404(request, case_id)
    casework.record_view(found, user, via="page")
    workers = list(casework.current_workers(found))
    needs = list(found.needs.all())
    context = {
        "case": found,
        "workers": workers,
        "lead": next((w.user for w in workers if w.role == CaseRole.LEAD_PROFESSIONAL), None),
        "agencies": sorted({w.user.organisation.name for w in workers}),
        "needs_by_domain": [
            (label, [n for n in needs if n.domain == value])
            for value, label in Domain.choices
            if any(n.domain == value for n in needs)
        ],
        "actions": list(found.actions.select_related("owner__organisation")),
        "notes": list(found.notes.select_related("author__organisation")),
        "consent": casework.current_consent(found),
        "consents": list(found.consents.select_related("recorded_by")),
        "measures": outcomes.of_case(found),
        # Still shown once the case closes: the workers keep the case, and the panel with it.
        "service_use": service_use.panel(found),
        "can_manage": casework.may_manage_workers(found, user),
        "can_view_person": Permission.VIEW_IDENTIFIABLE in permissions_of(user.roles),
        "person_url": person_url(found.person_key),
        "is_open": found.status == CaseStatus.OPEN,
        "today": timezone.localdate(),
    }
    return render(request, "cases/case.html", context)


@dataclass(frozen=True)
class Step:
    """One change to a case: its form (which has the page's words), and the casework function
    that makes the change, called as ``change(case, <actor>=user, **form.changes())``."""

    form: type[forms.CaseForm]
    change: Callable[..., object]
    actor: str = "by"
    lead_only: bool = False
    intro: str = ""  # more words for this one change, after the form's own


def _step(request: HttpRequest, found: Case, step: Step) -> HttpResponse:
    user = signed_in_user(request)
    if step.lead_only and not casework.may_manage_workers(found, user):
        return refuse(request, user, _url_name(request))
    form = step.form(found, request.POST or None)
    if request.method == "POST" and found.status == CaseStatus.OPEN and form.is_valid():
        try:
            step.change(found, **{step.actor: user}, **form.changes())
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            return redirect("cases:case", case_id=found.pk)
    context = {"case": found, "form": form, "step": step, "is_open": found.status == "open"}
    return render(request, "cases/change.html", context)


def _url_name(request: HttpRequest) -> str:
    return request.resolver_match.view_name if request.resolver_match else ""


def _view(step: Step) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, case_id: int) -> HttpResponse:
        return _step(request, case_or_404(request, case_id), step)

    return view


worker_add = _view(Step(forms.WorkerForm, casework.add_worker, "added_by", lead_only=True))
need_add = _view(Step(forms.NeedForm, casework.add_need))
action_add = _view(Step(forms.ActionForm, casework.add_action))
note_add = _view(Step(forms.NoteForm, casework.add_note, "author"))
consent = _view(Step(forms.ConsentForm, casework.record_consent))
review = _view(Step(forms.ReviewForm, casework.set_review))
pam_add = _view(Step(forms.PamForm, casework.record_pam))
swemwbs_add = _view(Step(forms.SwemwbsForm, casework.record_swemwbs))
close = _view(Step(forms.CloseForm, casework.close_case, "closed_by", True))


@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, case_id: int, need_id: int) -> HttpResponse:
    return _change_one(request, case_id, "needs", need_id, forms.GoalForm, casework.update_goal)


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, case_id: int, action_id: int) -> HttpResponse:
    form, change = forms.ActionStatusForm, casework.update_action
    return _change_one(request, case_id, "actions", action_id, form, change)


def _change_one(
    request: HttpRequest,
    case_id: int,
    kind: str,
    target_id: int,
    form: type[forms.CaseForm],
    change: Callable[..., None],
) -> HttpResponse:
    """A change to one need or action of the case (404 if the case has no such one)."""
    the_case = case_or_404(request, case_id)
    target = get_object_or_404(getattr(the_case, kind), pk=target_id)
    step = Step(form, partial(_on, change, target), intro=target.describe())
    return _step(request, the_case, step)


def _on(change: Callable[..., None], target: object, case: Case, **values: Any) -> None:
    """A change to one thing in the case (a need, an action), called as a case's change is."""
    change(target, **values)


@require_http_methods(["GET", "POST"])
def worker_remove(request: HttpRequest, case_id: int, worker_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = case_or_404(request, case_id)
    place = get_object_or_404(casework.current_workers(found), user_id=worker_id)
    if not casework.may_manage_workers(found, user):
        return refuse(request, user, _url_name(request))
    error = ""
    if request.method == "POST":
        try:
            casework.remove_worker(found, place.user, removed_by=user)
        except WorkflowError as refusal:
            error = str(refusal)
        else:
            return redirect("cases:case", case_id=found.pk)
    return render(
        request,
        "cases/worker_remove.html",
        {"case": found, "place": place, "error": error, "error_target": "remove"},
    )


@require_GET
def team_outcomes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/outcomes.html",
        {"team": outcomes.of_team(), "as_of": timezone.now()},
    )
