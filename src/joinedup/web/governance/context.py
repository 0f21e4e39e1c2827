"""The reviews-due banner, on every page, for whoever may manage agreements."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.governance.reviews import reviews_due


def reviews_due_banner(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or Permission.MANAGE_AGREEMENTS not in permissions_of(user.roles):
        return {}
    return {"reviews_due": list(reviews_due(timezone.localdate()))}
