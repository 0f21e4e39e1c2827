"""The register for the information governance lead: list, read, create and edit agreements."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.governance.changes import save_agreement
from joinedup.web.governance.forms import AgreementForm
from joinedup.web.governance.models import Agreement


@require_GET
def agreements(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    found = Agreement.objects.all()
    if query:
        # The ORM parameterises the search text: it is never spliced into SQL (AC-18).
        found = (
            found.filter(title__icontains=query)
            | found.filter(reference__icontains=query)
            | found.filter(partner__icontains=query)
        )
    context = {
        "agreements": found.order_by("reference"),
        "query": query,
        "today": timezone.localdate(),
        "can_manage": _can_manage(request),
    }
    return render(request, "governance/agreements.html", context)


@require_GET
def agreement(request: HttpRequest, reference: str) -> HttpResponse:
    found = get_object_or_404(Agreement, reference=reference)
    return render(
        request,
        "governance/agreement.html",
        {"agreement": found, "can_manage": _can_manage(request)},
    )


@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Agreement())


@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, reference: str) -> HttpResponse:
    return _edit(request, get_object_or_404(Agreement, reference=reference))


def _edit(request: HttpRequest, instance: Agreement) -> HttpResponse:
    form = AgreementForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        saved = save_agreement(form, user)
        return redirect("governance:agreement", reference=saved.reference)
    return render(request, "governance/agreement_form.html", {"form": form, "instance": instance})


def _can_manage(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and Permission.MANAGE_AGREEMENTS in permissions_of(user.roles)
