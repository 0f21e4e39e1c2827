"""The information governance lead's alert, on every page: emergency access not yet reviewed."""

from __future__ import annotations

from django.http import HttpRequest

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.people.models import BreakGlass


def break_glass_banner(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or Permission.VIEW_AUDIT not in permissions_of(user.roles):
        return {}
    return {"break_glass_waiting": BreakGlass.objects.filter(reviewed_at__isnull=True).count()}
