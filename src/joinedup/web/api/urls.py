"""The NinjaAPI instance. Its URL names (namespace ``api``) are what the policy table lists."""

from __future__ import annotations

from ninja import NinjaAPI

from joinedup.web.api import agreements, airlock, audit, cases, people
from joinedup.web.api.auth import API_AUTH

api = NinjaAPI(
    title="JoinedUp",
    version="1",
    description=(
        "The hub's operations for programs: agreements, the audit search, the output "
        "airlock and a person's record (inside a legitimate relationship). Authenticate with a personal token (Authorization: Bearer ju_...) or the "
        "web app's session and CSRF token. What each role may call is the web app's policy."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    # No Swagger page: it loads scripts from a CDN, which the content security policy forbids.
    docs_url=None,
)
api.add_router("/", agreements.router)
api.add_router("/", audit.router)
api.add_router("/", airlock.router)
api.add_router("/", people.router)
api.add_router("/", cases.router)
