"""Flagging a person's linkage (from the person page) and the hub coordinator's flags pages.

Flagging needs what opening the person needs: the role (the policy table) and a legitimate
relationship now (``people.opening``); without one the answer is the person page's own "not
found", audited. The coordinator sees the flagged records by agency and record id, not by name.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.home import resolve_home
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.linkflags import flags
from joinedup.web.linkflags.forms import FlagForm, ResolveForm
from joinedup.web.linkflags.models import LinkageFlag
from joinedup.web.people import access
from joinedup.web.people.views import opened_or_refused, person_page

RECENTLY_RESOLVED = 50


@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, person_key: str) -> HttpResponse:
    person_url = reverse("people:person", kwargs={"person_key": person_key})
    if request.method == "GET":
        return redirect(f"{person_url}#flag")
    opened = opened_or_refused(request, person_key, viewed=False)
    if isinstance(opened, HttpResponse):
        return opened
    user = signed_in_user(request)
    form = FlagForm(request.POST, records=opened.details.records)
    if not form.is_valid():
        # The page shown again is a view of the person, recorded as one.
        access.record_view(user, person_key, opened.why)
        return person_page(request, opened, form)
    data = form.cleaned_data
    flags.flag(user, person_key, data["kind"], form.chosen(), data["details"])
    return redirect(f"{person_url}#flags")


@require_GET
def flag_list(request: HttpRequest) -> HttpResponse:
    resolved = LinkageFlag.objects.filter(resolved_at__isnull=False).order_by("-resolved_at")
    context = {
        "waiting": flags.open_flags(),
        "resolved": resolved.select_related("resolved_by")[:RECENTLY_RESOLVED],
    }
    return render(request, "linkflags/flags.html", context)


@require_http_methods(["GET", "POST"])
def resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    found = get_object_or_404(
        LinkageFlag.objects.select_related("flagged_by__organisation", "resolved_by"), pk=flag_id
    )
    form = ResolveForm(request.POST if request.method == "POST" else None, kind=found.kind)
    refusal = ""
    if request.method == "POST" and not found.is_open:
        refusal = f"{found.reference} has been resolved already"
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            flags.resolve(
                found,
                signed_in_user(request),
                data["outcome"],
                data["note"],
                resolve_home(),
                other_person_key=data.get("other_person_key") or "",
            )
        except flags.FlagError as error:
            refusal = str(error)
        else:
            return redirect("linkflags:flags")
    options = form.options("outcome")
    errors = [(options[0].id, refusal)] if refusal else form.error_links()
    context = {"flag": found, "form": form, "choices": form.choices(), "errors": errors}
    status = 409 if refusal else 400 if errors else 200
    return render(request, "linkflags/resolve.html", context, status=status)
