"""Searching the audit log: one place for the page and the API, and the search is itself audited
(AC-16)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.audit.models import AuditEvent

PAGE = 200
LONGEST_QUERY = 200


def search(user: User, query: str, via: str) -> QuerySet[AuditEvent]:
    """Events whose verb or actor contains ``query``, or whose object is it, newest first."""
    query = query.strip()[:LONGEST_QUERY]
    found = AuditEvent.objects.order_by("-sequence")
    if query:
        found = (
            found.filter(verb__icontains=query)
            | found.filter(actor__icontains=query)
            | found.filter(object_id=query)
        )
    with transaction.atomic():
        record_by(user, "audit.viewed", "audit", "", {"query": query, "via": via})
    return found
