"""Who is calling: a personal token (set by TokenAuthenticationMiddleware) or the session.

The session route keeps CSRF protection (django-ninja's session auth checks the token on
POST and PUT); the token route needs none, as no browser sends it by itself.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from joinedup.web.accounts.tokens import token_of


class PersonalToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The middleware has checked the token against its digest already.
        return request.user if token_of(request) is not None else None


API_AUTH = [PersonalToken(), SessionAuth()]
