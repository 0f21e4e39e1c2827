"""The audit log for the information governance lead: search by verb, actor or object."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from joinedup.web.accounts.models import User
from joinedup.web.audit.search import PAGE, search


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    user = request.user
    assert isinstance(user, User)
    found = search(user, query, via="page")
    return render(request, "audit/events.html", {"events": found[:PAGE], "query": query[:200]})
