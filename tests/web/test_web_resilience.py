"""When something goes wrong (FLT-03, FLT-04, AUD-06, AUD-07): a full disk or a failing audit
write shows the GOV.UK "Sorry, there is a problem with the service" page and commits nothing
without its audit event; a PostgreSQL restart costs the requests in flight, not a restart of the
app; and the application log names pages, never people, while the audit names the person_key."""

from __future__ import annotations

import contextlib
import errno
import importlib
import io
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client, override_settings
from test_web_api import new_agreement

from conftest import ON_POSTGRESQL, signed_in
from joinedup.feeds import store
from joinedup.linkage.persons import person_details
from joinedup.web.accounts import tokens
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.airlock.models import OutputRequest
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent, ChainHead
from joinedup.web.governance.models import Agreement

PROBLEM = "Sorry, there is a problem with the service"
TABLE = b"ward,people\nAstley,52\nChisnall,30\nEuxton,40\nWhittle,61\n"
AUDIT_TABLE = AuditEvent._meta.db_table


def upload(client: Client, data: bytes = TABLE) -> Any:
    return client.post(
        "/outputs/new/table/",
        {
            "title": "People by ward",
            "purpose": "Locality planning",
            "table": SimpleUploadedFile("t.csv", data, content_type="text/csv"),
        },
    )


def assert_problem_page(response: Any) -> None:
    body = response.content.decode()
    assert response.status_code == 500, body[:500]
    assert f'<h1 class="govuk-heading-l">{PROBLEM}</h1>' in body
    assert f"<title>{PROBLEM} – JoinedUp</title>" in body
    # Never a debug page, a traceback or the database's own words.
    for leak in ("Traceback", "Error", "disk", "sqlite", "psycopg", "SELECT", "INSERT"):
        assert leak not in body, leak


@contextlib.contextmanager
def audit_write_fails_for_lack_of_space() -> Iterator[None]:
    """The disk fills up at the moment the audit event is written, after the change.

    SQLite: the database may grow by 64 pages only (``PRAGMA max_page_count``) and a trigger
    writes 10 MB before each audit insert, so that insert fails with SQLite's own "database or
    disk is full". PostgreSQL: a trigger raises its disk_full error (SQLSTATE 53100).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("CREATE TABLE test_filler (data BLOB)")
            cursor.execute(f"PRAGMA max_page_count = {pages + 64}")
            cursor.execute(
                f"CREATE TRIGGER test_disk_full BEFORE INSERT ON {AUDIT_TABLE} "
                "BEGIN INSERT INTO test_filler VALUES (zeroblob(10000000)); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' "
                "USING ERRCODE = 'disk_full'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER test_disk_full BEFORE INSERT ON {AUDIT_TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION test_disk_full()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER test_disk_full")
                cursor.execute("DROP TABLE test_filler")
                cursor.execute("PRAGMA max_page_count = 1073741823")
            else:
                cursor.execute(f"DROP TRIGGER test_disk_full ON {AUDIT_TABLE}")
                cursor.execute("DROP FUNCTION test_disk_full()")


@contextlib.contextmanager
def sqlite_database_full() -> Iterator[None]:
    """Every page the database may have is in use: the next write that needs a page fails."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
        cursor.execute("CREATE TABLE test_filler (data BLOB)")
        with contextlib.suppress(Exception):
            # Use up the free pages too, one page at a time, until SQLite says it is full.
            for _ in range(100_000):
                cursor.execute("INSERT INTO test_filler VALUES (zeroblob(3000))")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_filler")
            cursor.execute("PRAGMA max_page_count = 1073741823")


# FLT-03, AUD-06 ---------------------------------------------------------------------------------


# Outside the test's own transaction: the request's transaction is the only one, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_full_disk_at_the_audit_write_rolls_the_change_back_and_shows_the_problem_page(
    make_user: Callable[..., User],
) -> None:
    analyst = make_user(Role.ANALYST)
    client = signed_in(analyst, raise_request_exception=False)
    events_before = AuditEvent.objects.count()
    with audit_write_fails_for_lack_of_space():
        failed = upload(client)
    assert_problem_page(failed)
    # The output row was written first, then the audit insert failed: both are gone.
    assert not OutputRequest.objects.exists()
    assert AuditEvent.objects.count() == events_before
    assert verify().intact

    # With space again, the same request works and is audited.
    assert upload(client).status_code == 302
    made = OutputRequest.objects.get()
    assert AuditEvent.objects.filter(verb="output.requested", object_id=str(made.pk)).exists()
    assert verify().intact


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's page limit stands in for a full disk")
@pytest.mark.django_db(transaction=True)
def test_an_upload_that_does_not_fit_on_a_full_disk_shows_the_problem_page(
    make_user: Callable[..., User],
) -> None:
    analyst = make_user(Role.ANALYST)
    client = signed_in(analyst, raise_request_exception=False)
    # About 60 kB of counts: more than the pages left on the full database.
    rows = "".join(f"Area {n:04d},{50 + n % 40}\n" for n in range(3000))
    with sqlite_database_full():
        failed = upload(client, f"area,people\n{rows}".encode())
    assert_problem_page(failed)
    assert not OutputRequest.objects.exists()
    assert not AuditEvent.objects.filter(verb="output.requested").exists()
    assert verify().intact


class FullDiskFile(io.BytesIO):
    """A temporary file on a disk with no space left: every write fails with ENOSPC."""

    name = "/tmp/full-disk.upload"

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.django_db(transaction=True)
def test_an_upload_spooled_to_a_full_temporary_disk_shows_the_problem_page(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    analyst = make_user(Role.ANALYST)
    client = signed_in(analyst, raise_request_exception=False)
    monkeypatch.setattr(
        "django.core.files.uploadedfile.tempfile",
        SimpleNamespace(NamedTemporaryFile=lambda **_: FullDiskFile()),
    )
    # Every upload goes to a temporary file, as a large one would.
    with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=0):
        failed = upload(client)
    assert_problem_page(failed)
    assert not OutputRequest.objects.exists()
    assert verify().intact


@pytest.mark.django_db
def test_a_page_that_does_not_exist_gets_the_govuk_not_found_page(
    make_user: Callable[..., User],
) -> None:
    response = signed_in(make_user(Role.ANALYST)).get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in body
    assert "If you typed the web address, check it is correct." in body


@pytest.mark.django_db
def test_a_refusal_uses_the_forbidden_page_and_permission_denied_does_too(
    make_user: Callable[..., User],
) -> None:
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from joinedup.web import urls

    refused = signed_in(make_user(Role.ANALYST)).get("/audit/")
    assert refused.status_code == 403 and "You cannot see this page" in refused.content.decode()
    request = RequestFactory().get("/")
    request.user = make_user(Role.ANALYST, email="other@example.org")
    response = urls.handler403(request, PermissionDenied())
    assert response.status_code == 403 and b"You cannot see this page" in response.content


def test_the_problem_page_needs_neither_the_request_nor_the_database() -> None:
    from django.test import RequestFactory

    from joinedup.web import urls

    # No database access allowed here (no django_db mark): rendering would fail if it tried.
    response = urls.handler500(RequestFactory().get("/"))
    assert_problem_page(response)


# FLT-04 -------------------------------------------------------------------------------------------


def test_production_checks_its_database_connection_before_each_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "JOINEDUP_SECRET_KEY": "x" * 60,
        "JOINEDUP_ALLOWED_HOSTS": "hub.example",
        "JOINEDUP_DB_NAME": "joinedup",
        "JOINEDUP_FIELD_KEY": "n4bQ0hV0cYk1mF8Yt2xk5W2fJ0Zr3uE6aD9sL7pG1qI=",
    }.items():
        monkeypatch.setenv(name, value)
    production = importlib.import_module("joinedup.web.settings.production")
    database = production.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0


@contextlib.contextmanager
def waitress_serving(threads: int = 1) -> Iterator[str]:
    """The app served by waitress in this process, as `joinedup serve` serves it."""
    import waitress.server
    from django.core.wsgi import get_wsgi_application

    server = waitress.server.create_server(
        get_wsgi_application(), host="127.0.0.1", port=0, threads=threads
    )
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        runner.join(timeout=10)


def call(url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def agreement(reference: str) -> dict[str, Any]:
    return {**new_agreement(reference), "title": "Restart agreement"}


def the_test_server() -> Any:
    from postgres_server import PostgresServer, postgres_binaries

    database = settings.DATABASES["default"]
    return PostgresServer(
        root=Path(database["HOST"]),
        port=int(database["PORT"]),
        user=database["USER"],
        bin_dir=postgres_binaries(),
    )


def side_connection() -> Any:
    import psycopg

    database = connection.settings_dict
    return psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
    )


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def connections_as_in_production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Persistent connections, checked before a request reuses them; afterwards, every session
    but this thread's is ended (the workers' outlive the server; the test database could not
    be dropped)."""
    monkeypatch.setitem(settings.DATABASES["default"], "CONN_MAX_AGE", 60)
    monkeypatch.setitem(settings.DATABASES["default"], "CONN_HEALTH_CHECKS", True)
    yield
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.mark.skipif(not ON_POSTGRESQL, reason="runs in the PostgreSQL run (test_web_postgresql.py)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("connections_as_in_production")
def test_a_postgresql_restart_fails_the_request_in_flight_and_the_app_recovers(
    make_user: Callable[..., User],
) -> None:
    server = the_test_server()
    token = tokens.issue(make_user(Role.IG_LEAD), "restart")  # also makes the chain's head
    with waitress_serving(threads=1) as url:
        # 1. A restart between requests: the worker's idle connection is dead; the health
        #    check notices and the next request reconnects.
        assert call(f"{url}/api/agreements", token)[0] == 200
        server.restart()
        assert call(f"{url}/api/agreements", token)[0] == 200

        # 2. A restart with a request in flight: it has inserted the agreement and waits to
        #    write its audit event (another session holds the chain's head) when the server
        #    goes down.
        holder = side_connection()
        holder.execute(f"SELECT * FROM {ChainHead._meta.db_table} FOR UPDATE")
        outcome: dict[str, tuple[int, str]] = {}
        flight = threading.Thread(
            target=lambda: outcome.update(
                {"in flight": call(f"{url}/api/agreements", token, agreement("DSA-RESTART-1"))}
            )
        )
        flight.start()
        wait_for(
            lambda: (
                holder.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0] > 0
            )
        )
        server.restart()
        flight.join(timeout=60)
        with contextlib.suppress(Exception):
            holder.close()
        status, body = outcome["in flight"]
        assert status == 500 and PROBLEM in body and "Traceback" not in body

        # 3. The app was not restarted: the next request succeeds, change and audit together.
        assert call(f"{url}/api/agreements", token, agreement("DSA-RESTART-2"))[0] == 201

    connections.close_all()  # this thread's connection died with the restart
    assert not Agreement.objects.filter(reference="DSA-RESTART-1").exists()
    assert not AuditEvent.objects.filter(object_id="DSA-RESTART-1").exists()
    assert AuditEvent.objects.filter(verb="agreement.created", object_id="DSA-RESTART-2").exists()
    assert verify().intact


# AUD-07 -------------------------------------------------------------------------------------------

CANARY = "Zebedee Canary"


@pytest.fixture
def canary_person(linked_home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Any]:
    """A resident of the linked borough known to several partners, with an NHS number."""
    monkeypatch.setenv("JOINEDUP_HOME", str(linked_home))
    version = store.current(linked_home)
    assert version is not None
    zones = store.connect_zones(version, read_only=True)
    try:
        key = zones.execute(
            """
            SELECT p.person_key FROM link_record_persons AS p
            JOIN identity_records AS i USING (feed, record_key)
            GROUP BY 1 HAVING count(DISTINCT p.feed) >= 3 AND bool_or(i.nhs_number_valid)
            ORDER BY 1 DESC LIMIT 1
            """
        ).fetchall()[0][0]
    finally:
        zones.close()
    return key, person_details(linked_home, key)


@pytest.mark.django_db
def test_application_logs_name_pages_never_the_canary_resident_while_the_audit_has_the_ids(
    make_user: Callable[..., User],
    canary_person: tuple[str, Any],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, details = canary_person
    nhs_number = details.nhs_numbers[0]
    query = "?" + urlencode({"name": CANARY, "nhs_number": nhs_number})
    reason = f"{CANARY} ({nhs_number}) was reported missing by a neighbour this morning"
    practitioner = make_user(Role.PRACTITIONER, email="pat@police.example")
    client = signed_in(practitioner, raise_request_exception=False)
    caplog.set_level(logging.INFO)

    # Refused without a relationship (404), then break-glass with the canary in the reason
    # and the query string, then the person page itself.
    assert client.get(f"/people/{key}/{query}").status_code == 404
    granted = client.post(f"/people/{key}/break-glass/{query}", {"reason": reason})
    assert granted.status_code == 302
    assert client.get(f"/people/{key}/{query}").status_code == 200
    # A method the page does not take, with the canary in the body (405).
    assert client.put(f"/people/{key}/{query}", data=reason).status_code == 405
    # A form posted without its CSRF token (403, logged by django.security.csrf).
    strict = signed_in(practitioner, enforce_csrf_checks=True)
    assert strict.post(f"/people/{key}/break-glass/{query}", {"reason": reason}).status_code == 403
    # The subject access search with the canary's name where a key should be (a form error).
    ig_lead = signed_in(make_user(Role.IG_LEAD, email="ig@council.example"))
    searched = ig_lead.post(
        f"/people/subject-access/{query}", {"person_key": CANARY, "nhs_number": nhs_number}
    )
    assert searched.status_code == 200

    # A failure whose exception message quotes the canary (500).
    def failing(*_: object) -> None:
        raise ValueError(f"no record for {CANARY}, NHS number {nhs_number}, {details.name}")

    monkeypatch.setattr("joinedup.web.people.opening.person_details", failing)
    assert client.get(f"/people/{key}/{query}").status_code == 500

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = [r for r in caplog.records if r.name.startswith(("django", "waitress"))]
    logged = "\n".join(f"{formatter.format(r)} {r.__dict__!r}" for r in records)
    for expected in ("Not Found", "Method Not Allowed", "Forbidden", "Internal Server Error"):
        assert expected in logged, logged
    assert "/people/<str:person_key>/" in logged  # the page, by its pattern
    assert "Traceback" in logged and "ValueError" in logged  # the failure, by its place
    canaries = {CANARY, "Zebedee", "Canary", nhs_number, details.name, key, "nhs_number="}
    canaries |= set(details.name.split())
    for canary in canaries:
        assert canary not in logged, canary

    # The audit, not the log, says who saw whom: person_key and the user's id.
    events = AuditEvent.objects.filter(
        object_type="person", object_id=key, actor_id=practitioner.pk
    )
    verbs = set(events.values_list("verb", flat=True))
    assert {"person.viewed", "person.break_glass"} <= verbs, verbs
    assert verify().intact
