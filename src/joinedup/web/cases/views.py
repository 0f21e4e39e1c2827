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

from joinedup.web.accounts.enforcement import refuse
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.cases import casework, forms, outcomes
from joinedup.web.cases.models import (
    Action,
    ActionStatus,
    Case,
    CaseRole,
    CaseStatus,
    CaseWorker,
    Domain,
    Need,
)
from joinedup.web.cases.workflow import WorkflowError


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the policy middleware let only users through
    return request.user


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    """The case if the user works on it now; else 404, with the attempt audited (AC-03, AC-04)."""
    found = casework.find_case(
        user_of(request), case_id, path=request.path, method=request.method or "GET"
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
        casework.cases_of(user_of(request))
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
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    user = user_of(request)
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
        "can_manage": casework.may_manage_workers(found, user),
        "can_view_person": Permission.VIEW_IDENTIFIABLE in permissions_of(user.roles),
        "person_url": person_url(found.person_key),
        "is_open": found.status == CaseStatus.OPEN,
        "today": timezone.localdate(),
    }
    return render(request, "cases/case.html", context)


@dataclass(frozen=True)
class Step:
    """One change to a case: its page's words, its form, and what it does when valid."""

    title: str
    button: str
    form: type[forms.CaseForm]
    apply: Callable[[Case, User, Any], object]
    intro: str = ""
    lead_only: bool = False


def _step(request: HttpRequest, found: Case, step: Step, url_name: str) -> HttpResponse:
    user = user_of(request)
    if step.lead_only and not casework.may_manage_workers(found, user):
        return refuse(request, user, url_name)
    form = step.form(found, request.POST or None)
    if request.method == "POST" and found.status == CaseStatus.OPEN and form.is_valid():
        try:
            step.apply(found, user, form)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            return redirect("cases:case", case_id=found.pk)
    context = {"case": found, "form": form, "step": step, "is_open": found.status == "open"}
    return render(request, "cases/change.html", context)


def _data(form: Any) -> dict[str, Any]:
    return dict(form.cleaned_data)


ADD_WORKER = Step(
    "Add a worker to the case",
    "Add to the case",
    forms.WorkerForm,
    lambda case, user, form: casework.add_worker(case, _data(form)["worker"], added_by=user),
    "They see the case, and its person, from their next page: only the lead professional "
    "or the hub coordinator adds workers.",
    lead_only=True,
)
ADD_NEED = Step(
    "Add a need and its goal",
    "Add the need",
    forms.NeedForm,
    lambda case, user, form: casework.add_need(case, by=user, **_data(form)),
)
ADD_ACTION = Step(
    "Add an action",
    "Add the action",
    forms.ActionForm,
    lambda case, user, form: casework.add_action(case, by=user, **_data(form)),
)
ADD_NOTE = Step(
    "Add a case note",
    "Add the note",
    forms.NoteForm,
    lambda case, user, form: casework.add_note(case, author=user, **_data(form)),
)
CONSENT = Step(
    "Record consent",
    "Record consent",
    forms.ConsentForm,
    lambda case, user, form: casework.record_consent(case, by=user, **_data(form)),
    "Record each decision as it is made: earlier decisions are kept.",
)
REVIEW = Step(
    "Set the next review",
    "Set the review date",
    forms.ReviewForm,
    lambda case, user, form: casework.set_review(case, by=user, **_data(form)),
)
PAM = Step(
    "Record a Patient Activation Measure",
    "Record the PAM",
    forms.PamForm,
    lambda case, user, form: casework.record_pam(case, by=user, **_data(form)),
    "Enter the level and score exactly as the licensed PAM tool gave them. JoinedUp does not "
    "compute, check or estimate PAM: it only records what the tool reported. The first "
    "assessment is the baseline; later ones are follow-ups.",
)
SWEMWBS = Step(
    "Record a SWEMWBS assessment",
    "Record the SWEMWBS",
    forms.SwemwbsForm,
    lambda case, user, form: casework.record_swemwbs(
        case,
        by=user,
        answers=form.answers(),
        assessed_on=form.cleaned_data["assessed_on"],
        assessor=form.cleaned_data["assessor"],
    ),
    "Enter the person's answer to each of the seven statements over the last two weeks. "
    "JoinedUp adds them up and converts the total to the metric score with the published "
    "SWEMWBS conversion table.",
)
CLOSE = Step(
    "Close the case",
    "Close the case",
    forms.CloseForm,
    lambda case, user, form: casework.close_case(case, closed_by=user, **_data(form)),
    "A case closes with its outcome. Finish or cancel its open actions first, or say why it "
    "closes with them open. A closed case is kept, and no longer changes.",
    lead_only=True,
)


def _view(step: Step, url_name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, case_id: int) -> HttpResponse:
        return _step(request, case_or_404(request, case_id), step, url_name)

    return view


worker_add = _view(ADD_WORKER, "cases:worker_add")
need_add = _view(ADD_NEED, "cases:need_add")
action_add = _view(ADD_ACTION, "cases:action_add")
note_add = _view(ADD_NOTE, "cases:note_add")
consent = _view(CONSENT, "cases:consent")
review = _view(REVIEW, "cases:review")
pam_add = _view(PAM, "cases:pam_add")
swemwbs_add = _view(SWEMWBS, "cases:swemwbs_add")
close = _view(CLOSE, "cases:close")


def _update_goal(need: Need, case: Case, user: User, form: Any) -> None:
    casework.update_goal(need, by=user, **_data(form))


def _update_action(action: Action, case: Case, user: User, form: Any) -> None:
    casework.update_action(action, by=user, **_data(form))


@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, case_id: int, need_id: int) -> HttpResponse:
    the_case = case_or_404(request, case_id)
    found = get_object_or_404(the_case.needs, pk=need_id)
    step = Step(
        f"{found.get_domain_display()}: the goal",
        "Save",
        forms.GoalForm,
        partial(_update_goal, found),
        f"Goal: {found.goal}",
    )
    return _step(request, the_case, step, "cases:need_edit")


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, case_id: int, action_id: int) -> HttpResponse:
    the_case = case_or_404(request, case_id)
    found = get_object_or_404(the_case.actions, pk=action_id)
    step = Step(
        "Finish or cancel an action",
        "Save",
        forms.ActionStatusForm,
        partial(_update_action, found),
        f"Action: {found.description} (due {found.due:%d %B %Y})",
    )
    return _step(request, the_case, step, "cases:action_edit")


@require_http_methods(["GET", "POST"])
def worker_remove(request: HttpRequest, case_id: int, worker_id: int) -> HttpResponse:
    user = user_of(request)
    found = case_or_404(request, case_id)
    place = get_object_or_404(casework.current_workers(found), user_id=worker_id)
    if not casework.may_manage_workers(found, user):
        return refuse(request, user, "cases:worker_remove")
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
