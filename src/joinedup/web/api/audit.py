"""The audit search over the API, for the IG lead; the search is itself audited (AC-16)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from joinedup.web.api.auth import caller
from joinedup.web.api.schemas import AuditEventOut
from joinedup.web.audit.chain import record
from joinedup.web.audit.models import AuditEvent

router = Router(tags=["audit"])
PAGE = 200


@router.get("/audit/events", response=list[AuditEventOut], url_name="audit_events")
def search_audit(request: HttpRequest, q: str = "", limit: int = PAGE) -> list[AuditEventOut]:
    query, user = q.strip()[:200], caller(request)
    found = AuditEvent.objects.order_by("-sequence")
    if query:
        found = (
            found.filter(verb__icontains=query)
            | found.filter(actor__icontains=query)
            | found.filter(object_id=query)
        )
    with transaction.atomic():
        record(
            "audit.viewed",
            actor_id=user.pk,
            actor=user.email,
            object_type="audit",
            detail={"query": query, "via": "api"},
        )
    return [
        AuditEventOut.model_validate(e, from_attributes=True)
        for e in found[: max(0, min(limit, PAGE))]
    ]
