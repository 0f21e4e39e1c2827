"""Schemathesis fuzzes every operation in the OpenAPI document, as a user who holds every
permission the API checks, and finds no server error (500) and no undocumented status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.web.accounts import tokens
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.governance.importer import import_register

# Per operation; enough to reach every branch of the small bodies, and the suite stays quick.
EXAMPLES = 25


@pytest.fixture
def connection_kept_across_requests() -> Iterator[None]:
    """As Django's test client does: a bare WSGI handler closes the database connection after
    each request, which would end the test's own transaction (PostgreSQL notices)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def everything_token(
    make_user: Callable[..., User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    # An empty hub: a cohort asked for by name has nothing to run on, and must say so (400).
    monkeypatch.setenv(HOME_ENVIRONMENT_VARIABLE, str(tmp_path))
    import_register()
    user = make_user(Role.HUB_COORDINATOR, Role.IG_LEAD)
    return tokens.issue(user, "fuzz")


# Hundreds of requests in seconds, from one user: more than the API's rate allows.
@override_settings(JOINEDUP_API_RATE="100000/minute")
def test_the_api_never_answers_with_a_server_error(
    everything_token: str, connection_kept_across_requests: None
) -> None:
    # Loaded inside the test (not at collection): the schema comes from the app itself.
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    headers = {"Authorization": f"Bearer {everything_token}"}
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) >= 12
    seen: set[int] = set()

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same cases every run: a failure here is never a fluke
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
            seen.add(response.status_code)

        fuzz()
    # The fuzzing got past authentication and the policy (so it reached the operations'
    # own code), not only bounced off the door.
    assert 200 in seen and 401 not in seen and 429 not in seen, sorted(seen)
