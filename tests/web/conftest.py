"""Web app fixtures: users in each role, signed-in clients, and the database under test.

The suite runs on SQLite by default. With JOINEDUP_TEST_DATABASE=postgresql it runs on a real
PostgreSQL server that this file starts for the session (test_web_postgresql.py does that run).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from joinedup.web.accounts import twofactor
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent

ON_POSTGRESQL = os.environ.get("JOINEDUP_TEST_DATABASE") == "postgresql"
PASSWORD = "correct horse battery staple"


def today() -> dt.date:
    """The hub's today, asked afresh by each test so a run that crosses midnight stays right."""
    return timezone.localdate()


if ON_POSTGRESQL:
    # The PostgreSQL run is this suite itself; it must not start itself again.
    collect_ignore = ["test_web_postgresql.py"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> Iterator[None]:
    if not ON_POSTGRESQL:
        yield
        return
    from django.db import connections
    from postgres_server import start_postgres

    server = start_postgres()
    # In place: Django's connection handler holds this very dict. Any connection already made
    # is dropped, so the next one is made with the PostgreSQL backend.
    settings.DATABASES["default"].update(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "joinedup",
            "HOST": server.socket_dir,
            "PORT": str(server.port),
            "USER": server.user,
            "PASSWORD": "",
            "OPTIONS": {},
        }
    )
    connections.close_all()
    if hasattr(connections._connections, "default"):  # type: ignore[attr-defined]
        del connections["default"]
    try:
        yield
    finally:
        connections.close_all()
        server.stop()


@pytest.fixture(scope="session")
def linked_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic borough, loaded and linked for real: the person index of the pages."""
    from linked_hub import build_linked_home

    return build_linked_home(tmp_path_factory)


@pytest.fixture
def on_linked_home(linked_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The linked borough as the web app's data directory (``$JOINEDUP_HOME``)."""
    monkeypatch.setenv("JOINEDUP_HOME", str(linked_home))
    return linked_home


@pytest.fixture(autouse=True)
def _audit_tables_emptied_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a transactional test, Django empties every table with DELETE on SQLite, which the
    audit tables' triggers refuse (AUD-02): empty those two first, as a superuser would."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional or ON_POSTGRESQL:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # so that its flush comes after this
    yield
    from audit_triggers import empty_audit_tables

    empty_audit_tables()


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="Chorley Council")


@pytest.fixture
def make_user(organisation: Organisation) -> Callable[..., User]:
    def make(*roles: Role, email: str | None = None, **extra: Any) -> User:
        address = email or f"{'-'.join(roles) or 'nobody'}@example.org"
        return User.objects.create_user(
            address, PASSWORD, organisation=organisation, roles=roles, **extra
        )

    return make


def signed_in(user: User, **client_options: Any) -> Client:
    """A client signed in as ``user``, with the second factor given (as if they had typed a code)."""
    client = Client(**client_options)
    client.force_login(user)
    session = client.session
    session[twofactor.SESSION_KEY] = True
    session.save()
    return client


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    return make_user(Role.PRACTITIONER, email="pat@police.example")


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_COORDINATOR, email="hana@council.example")


def person_verbs(person_key: str) -> list[str]:
    """The audit events about one person, in order: views, refusals, flags."""
    return list(
        AuditEvent.objects.filter(object_type="person", object_id=person_key)
        .order_by("sequence")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def client_as(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(*roles: Role) -> Client:
        return signed_in(make_user(*roles))

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives chromium, so a run can leave them out (-m "not browser")."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
