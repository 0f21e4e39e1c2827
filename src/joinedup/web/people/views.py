"""A person's page, break-glass access, its review, and the subject access report.

The policy table decides which roles reach each page; ``access.relationship`` decides, for the
person page, whether this user may see this person now. Without a relationship the answer is
the same page whether or not the person exists, so that nobody learns who is in the index.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.home import resolve_home
from joinedup.linkage.persons import people_with_nhs_number
from joinedup.linkage.published import NotLinkedError
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.cases import service_use
from joinedup.web.cases.models import Case
from joinedup.web.linkflags.forms import FlagForm
from joinedup.web.linkflags.panel import flag_panel
from joinedup.web.people import access
from joinedup.web.people import requests as sar_register
from joinedup.web.people.forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    LogRequestForm,
    RequestStepForm,
    SubjectAccessForm,
)
from joinedup.web.people.models import BreakGlass, SubjectAccessRequest
from joinedup.web.people.opening import (
    NoRelationshipError,
    OpenedPerson,
    PersonNotFoundError,
    open_person,
)
from joinedup.web.people.subject_access import as_workbook, subject_access_report
from joinedup.web.throttle import counts_as_lookup


@require_http_methods(["GET"])
@counts_as_lookup
def person(request: HttpRequest, person_key: str) -> HttpResponse:
    opened = opened_or_refused(request, person_key)
    return opened if isinstance(opened, HttpResponse) else person_page(request, opened)


def opened_or_refused(
    request: HttpRequest, person_key: str, *, viewed: bool = True
) -> OpenedPerson | HttpResponse:
    """The person opened for the signed-in user, or the page that says they cannot be (404)."""
    try:
        return open_person(signed_in_user(request), person_key, request.path, viewed=viewed)
    except NoRelationshipError:
        context = {"person_key": person_key, "form": BreakGlassForm()}
        return render(request, "people/no_relationship.html", context, status=404)
    except PersonNotFoundError:
        return render(request, "people/not_found.html", {"person_key": person_key}, status=404)


def person_page(
    request: HttpRequest, opened: OpenedPerson, flag_form: FlagForm | None = None
) -> HttpResponse:
    """The person page; with ``flag_form`` when a flag on the linkage was not valid (400)."""
    # Service use before the referral and since: for a case only, never for break-glass.
    on_case = opened.why.kind == "case"
    context = {
        "person": opened.details,
        "why": opened.why,
        "service_use_shown": on_case,
        "service_use": (
            service_use.panel(Case.objects.get(reference=opened.why.reference)) if on_case else None
        ),
        **flag_panel(opened.details, flag_form),
    }
    return render(request, "people/person.html", context, status=400 if flag_form else 200)


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, person_key: str) -> HttpResponse:
    user = signed_in_user(request)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access.break_glass(user, person_key, form.cleaned_data["reason"])
        except access.BreakGlassRefusedError as refusal:
            form.add_error("reason", str(refusal))
        else:
            return redirect("people:person", person_key=person_key)
    return render(
        request,
        "people/no_relationship.html",
        {"person_key": person_key, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    reviewed = BreakGlass.objects.filter(reviewed_at__isnull=False).select_related(
        "user__organisation", "reviewed_by"
    )[:50]
    return render(
        request,
        "people/break_glass_reviews.html",
        {"waiting": access.awaiting_review(), "reviewed": reviewed},
    )


@require_http_methods(["GET", "POST"])
def break_glass_review(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = get_object_or_404(BreakGlass.objects.select_related("user__organisation"), pk=grant_id)
    form = BreakGlassReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access.review(
                grant,
                signed_in_user(request),
                form.cleaned_data["outcome"],
                form.cleaned_data["note"],
            )
        except access.BreakGlassRefusedError as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("people:break_glass_reviews")
    return render(request, "people/break_glass_review.html", {"grant": grant, "form": form})


@require_http_methods(["GET", "POST"])
def subject_access(request: HttpRequest) -> HttpResponse:
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        keys = _person_keys(form.cleaned_data)
        if len(keys) == 1:
            report = subject_access_report(resolve_home(), keys[0], signed_in_user(request))
            response = HttpResponse(
                as_workbook(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="subject-access-{keys[0]}.xlsx"'
            )
            return response
        form.add_error(
            None,
            "No person in the index has this NHS number"
            if not keys
            else f"{len(keys)} people in the index have this NHS number: "
            "ask the hub coordinator to review their linkage, then search by person key",
        )
    return render(request, "people/subject_access.html", {"form": form})


def _person_keys(cleaned: dict[str, str]) -> list[str]:
    if cleaned.get("person_key"):
        return [cleaned["person_key"]]
    try:
        return people_with_nhs_number(resolve_home(), cleaned["nhs_number"])
    except NotLinkedError:
        return []


@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> HttpResponse:
    form = LogRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        logged = sar_register.log_request(
            form.cleaned_data["received_on"],
            form.cleaned_data["description"],
            signed_in_user(request),
        )
        return redirect("people:request", reference=logged.reference)
    today = timezone.localdate()
    rows = [
        (r, sar_register.deadline_of(r))
        for r in SubjectAccessRequest.objects.order_by("-received_on")
    ]
    return render(request, "people/requests.html", {"form": form, "rows": rows, "today": today})


@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    found = get_object_or_404(SubjectAccessRequest, reference=reference)
    form = RequestStepForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sar_register.take_step(
                found, data["step"], data["on"], signed_in_user(request), data["note"]
            )
        except sar_register.RequestStepError as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("people:request", reference=found.reference)
    found.refresh_from_db()
    context = {
        "sar": found,
        "deadline": sar_register.deadline_of(found),
        "pauses": sar_register.pauses_of(found),
        "form": form,
        "today": timezone.localdate(),
        "report_form": SubjectAccessForm(initial={"person_key": found.person_key}),
    }
    return render(request, "people/request.html", context, status=400 if form.errors else 200)
