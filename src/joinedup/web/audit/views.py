"""The audit log for the information governance lead: search by verb, actor or object."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record
from joinedup.web.audit.models import AuditEvent

PAGE = 200


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    found = AuditEvent.objects.order_by("-sequence")
    if query:
        found = (
            found.filter(verb__icontains=query)
            | found.filter(actor__icontains=query)
            | found.filter(object_id=query)
        )
    user = request.user
    assert isinstance(user, User)
    with transaction.atomic():
        # Looking at the audit is itself audited (AC-16).
        record(
            "audit.viewed",
            actor_id=user.pk,
            actor=user.email,
            object_type="audit",
            detail={"query": query},
        )
    return render(request, "audit/events.html", {"events": found[:PAGE], "query": query})
