"""The audit search over the API, for the IG lead; the search is itself audited (AC-16)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.api.schemas import AuditEventOut
from joinedup.web.audit.search import PAGE, search

router = Router(tags=["audit"])


@router.get("/audit/events", response=list[AuditEventOut], url_name="audit_events")
def search_audit(request: HttpRequest, q: str = "", limit: int = PAGE) -> list[AuditEventOut]:
    found = search(signed_in_user(request), q, via="api")
    return [
        AuditEventOut.model_validate(e, from_attributes=True)
        for e in found[: max(0, min(limit, PAGE))]
    ]
