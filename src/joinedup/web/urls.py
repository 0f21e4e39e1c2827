"""Every URL of the web app. Each name must appear in accounts/policy.py (a test checks)."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.views import defaults
from django.views.decorators.http import require_GET

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permission_flags, permissions_of
from joinedup.web.api.urls import api
from joinedup.web.feeds.views import late_feeds_today


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    granted = permissions_of(user.roles) if isinstance(user, User) else frozenset()
    context: dict[str, object] = {"can": permission_flags(granted)}
    if Permission.LOAD_FEEDS in granted:
        context["late"] = late_feeds_today()
    return render(request, "home.html", context)


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("joinedup.web.accounts.urls")),
    path("agreements/", include("joinedup.web.governance.urls")),
    path("audit/", include("joinedup.web.audit.urls")),
    path("outputs/", include("joinedup.web.airlock.urls")),
    path("people/", include("joinedup.web.people.urls")),
    path("referrals/", include("joinedup.web.referrals.urls")),
    path("cases/", include("joinedup.web.cases.urls")),
    path("mdt/", include("joinedup.web.mdt.urls")),
    path("linkage-flags/", include("joinedup.web.linkflags.urls")),
    path("programme/", include("joinedup.web.programme.urls")),
    path("workforce/", include("joinedup.web.workforce.urls")),
    path("dashboard/", include("joinedup.web.dashboard.urls")),
    path("community/", include("joinedup.web.community.urls")),
    path("jobs/", include("joinedup.web.jobs.urls")),
    path("linkage-review/", include("joinedup.web.linkage_review.urls")),
    path("localities/", include("joinedup.web.localities.urls")),
    path("feeds/", include("joinedup.web.feeds.urls")),
    path("cohorts/", include("joinedup.web.cohorts.urls")),
    path("api/", api.urls),
]

# Error pages in the GOV.UK style (FLT-03). 500.html is rendered without the request, so that it
# shows even when the database is what failed; never a debug page (DEBUG is off outside dev).
handler403 = partial(defaults.permission_denied, template_name="forbidden.html")
handler404 = defaults.page_not_found
handler500 = defaults.server_error
