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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from joinedup.web.accounts import twofactor
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import (
    BEFORE_TWO_FACTOR_URLS,
    PUBLIC_URLS,
    URL_PERMISSIONS,
    needs_two_factor,
    permissions_of,
)
from joinedup.web.audit.chain import record


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
            return redirect_to_login(request.get_full_path())
        roles = user.roles
        if name not in BEFORE_TWO_FACTOR_URLS and _second_factor_missing(request, user, roles):
            step = "verify" if user.has_two_factor else "enrol"
            return redirect(f"accounts:two_factor_{step}")
        needed = URL_PERMISSIONS.get(name)
        if needed is None or needed not in permissions_of(roles):
            return refuse(request, user, name)
        return None


def _second_factor_missing(request: HttpRequest, user: User, roles: Any) -> bool:
    required = needs_two_factor(roles) or user.has_two_factor
    return required and not request.session.get(twofactor.SESSION_KEY, False)


def refuse(request: HttpRequest, user: User, name: str) -> HttpResponse:
    """403 with a plain page, and a ``denied`` audit event naming the page, not its contents."""
    with transaction.atomic():
        record(
            "access.denied",
            actor_id=user.pk,
            actor=user.email,
            object_type="url",
            object_id=name or "(unnamed)",
            detail={"method": request.method or "", "path": request.path},
        )
    return render(request, "forbidden.html", status=403)
