"""The IG lead's banners, on every page, for whoever may manage agreements: agreements due for
review, and the feed loader's notices (deliveries refused under an agreement) of recent days."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.governance.register import recent_notices
from joinedup.web.governance.reviews import reviews_due

NOTICES_SHOWN = 10


def reviews_due_banner(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or Permission.MANAGE_AGREEMENTS not in permissions_of(user.roles):
        return {}
    days = settings.JOINEDUP_NOTICE_DAYS
    return {
        "reviews_due": reviews_due(timezone.localdate()),
        "notices": list(recent_notices(timezone.now(), days)[:NOTICES_SHOWN]),
        "notice_days": days,
    }
