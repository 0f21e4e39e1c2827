"""Personal API tokens: made once and shown once, kept as a SHA-256, checked on each API call.

``TokenAuthenticationMiddleware`` runs before the policy middleware, so a request that comes
with a token is judged by the same policy table as a signed-in page: the token says who is
asking, never what they may do.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from joinedup.web.accounts.models import ApiToken, User
from joinedup.web.audit.chain import record_by

PREFIX = "ju_"
API_PATH = "/api/"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User, label: str) -> str:
    """Make a token for ``user``; the caller shows it once. The issue is audited."""
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        made = ApiToken.objects.create(user=user, label=label, digest=digest(token))
        record_by(
            user,
            "api_token.created",
            "api_token",
            str(made.pk),
            {"label": label},
        )
    return token


def revoke(user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens (someone else's is simply not found)."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            record_by(
                user,
                "api_token.revoked",
                "api_token",
                str(token_id),
            )
    return bool(updated)


def user_for(token: str) -> tuple[User, ApiToken] | None:
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user, found


def bearer(request: HttpRequest) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


class TokenAuthenticationMiddleware:
    """On /api/ only: a bearer token, when given, decides who the user is (and nothing else)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bearer(request) if request.path.startswith(API_PATH) else None
        if token is not None:
            found = user_for(token)
            # A wrong token is anonymous, never a fall-back to the session cookie beside it.
            request.user = found[0] if found else AnonymousUser()
            request.api_token = found[1] if found else None  # type: ignore[attr-defined]
            # Not a cookie: a cross-site page cannot send it, so CSRF does not apply.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


def token_of(request: HttpRequest) -> ApiToken | None:
    token = getattr(request, "api_token", None)
    return token if isinstance(token, ApiToken) else None
