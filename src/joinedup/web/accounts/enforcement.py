"""The one enforcement point: every request is checked against ``policy`` before its view runs.

Deny by default: a URL name that the policy does not list is refused for everyone. Roles are
read from the database on every request, so a role removed mid-session takes effect at the
next request (AC-10). Refusals are audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from joinedup.web.accounts import twofactor
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import (
    BEFORE_TWO_FACTOR_URLS,
    PUBLIC_URLS,
    Permission,
    needs_two_factor,
    permission_flags,
    permission_needed,
    permissions_of,
)
from joinedup.web.accounts.tokens import token_of
from joinedup.web.audit.chain import record_by


class PolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in PUBLIC_URLS:
            return None
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            if is_api(name):
                # An API client is told, not redirected to a page it cannot fill in.
                return JsonResponse({"detail": "Sign in or give an API token"}, status=401)
            return redirect_to_login(request.get_full_path())
        roles = user.roles
        if name not in BEFORE_TWO_FACTOR_URLS and _second_factor_missing(request, user, roles):
            if is_api(name):
                return JsonResponse({"detail": "Two-factor sign-in is needed first"}, status=403)
            step = "verify" if user.has_two_factor else "enrol"
            return redirect(f"accounts:two_factor_{step}")
        needed = permission_needed(name, request.method or "GET")
        if needed is None or needed not in permissions_of(roles):
            return refuse(request, user, name)
        return None


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request this middleware let through to a view: always a signed-in ``User``."""
    assert isinstance(request.user, User)
    return request.user


def user_holds(request: HttpRequest, permission: Permission) -> bool:
    """Whether the signed-in user's roles grant ``permission`` (to show or hide a control)."""
    return permission in permissions_of(signed_in_user(request).roles)


def is_api(url_name: str) -> bool:
    return url_name.startswith("api:")


def _second_factor_missing(request: HttpRequest, user: User, roles: Any) -> bool:
    if token_of(request) is not None:
        # Tokens are made only on a page behind the full sign-in, second factor included.
        return False
    required = needs_two_factor(roles) or user.has_two_factor
    return required and not request.session.get(twofactor.SESSION_KEY, False)


def refuse(request: HttpRequest, user: User, name: str) -> HttpResponse:
    """403 with a plain page, and a ``denied`` audit event naming the page, not its contents."""
    with transaction.atomic():
        record_by(
            user,
            "access.denied",
            "url",
            name or "(unnamed)",
            {"method": request.method or "", "path": request.path},
        )
    if is_api(name):
        return JsonResponse({"detail": "You do not have permission to do this"}, status=403)
    return render(request, "forbidden.html", status=403)


def render_with_permissions(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    """``template`` rendered with ``can``: the signed-in user's permissions (``permission_flags``)."""
    granted = permissions_of(signed_in_user(request).roles)
    return render(request, template, {**context, "can": permission_flags(granted)}, status=status)
