"""Hardening: the database refuses changes to the audit log (AUD-02), two-factor secrets are
encrypted at rest, and the API and person or case lookups are throttled (AC-15)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyotp
import pytest
from audit_triggers import as_superuser_without_triggers
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from conftest import ON_POSTGRESQL, PASSWORD, signed_in
from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.web import throttle
from joinedup.web.accounts import fieldcrypt, tokens, twofactor
from joinedup.web.accounts.models import ThrottleWindow, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import record, verify
from joinedup.web.audit.models import AuditEvent, ChainHead

EVENTS = AuditEvent._meta.db_table
HEAD = ChainHead._meta.db_table


def three_events() -> None:
    with transaction.atomic():
        for n in range(1, 4):
            record("test.event", actor="tester", object_type="thing", object_id=str(n))


def refused(sql: str, *params: object) -> DatabaseError:
    """Run ``sql`` on the app's own connection; it must fail, and leave nothing changed."""
    with (
        pytest.raises(DatabaseError) as raised,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return raised.value


def rows() -> list[tuple[object, ...]]:
    return list(AuditEvent.objects.order_by("sequence").values_list())


def head() -> tuple[int, str]:
    found = ChainHead.objects.get(pk=1)
    return found.sequence, found.hash


# AUD-02: the database refuses UPDATE and DELETE on audit events.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {EVENTS} SET object_id = '999' WHERE sequence = 2",
        f"UPDATE {EVENTS} SET detail = '{{}}'",
        f"DELETE FROM {EVENTS} WHERE sequence = 3",
        f"DELETE FROM {EVENTS}",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_audit_event(sql: str) -> None:
    three_events()
    before = rows()
    error = refused(sql)
    assert isinstance(error, IntegrityError)
    assert "append-only" in str(error)
    assert rows() == before
    assert verify().intact


@pytest.mark.django_db
def test_the_orm_cannot_go_round_the_model_either() -> None:
    three_events()
    before = rows()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(actor="someone else")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(sequence=3).delete()
    assert rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        f"DELETE FROM {HEAD}",
        f"UPDATE {HEAD} SET sequence = 2",  # backwards
        f"UPDATE {HEAD} SET sequence = 3, hash = 'x'",  # not forward
        f"UPDATE {HEAD} SET sequence = 4",  # forward, to an event that does not exist
        f"UPDATE {HEAD} SET id = 2",
    ],
)
def test_the_chain_head_only_moves_forward(sql: str) -> None:
    three_events()
    before = head()
    assert before[0] == 3
    assert isinstance(refused(sql), IntegrityError)
    assert head() == before


@pytest.mark.django_db
def test_recording_still_moves_the_head_forward() -> None:
    three_events()
    three_events()
    assert head()[0] == 6
    assert head()[1] == AuditEvent.objects.get(sequence=6).hash
    assert verify().intact and verify().checked == 6


@pytest.mark.django_db
def test_new_events_can_still_be_inserted() -> None:
    three_events()
    with transaction.atomic():
        event = record("test.event", object_id="4")
    assert event.sequence == 4 and AuditEvent.objects.count() == 4


@pytest.mark.django_db
def test_a_superuser_can_lift_the_triggers_and_verify_still_finds_the_change() -> None:
    three_events()
    with as_superuser_without_triggers(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET actor = 'someone else' WHERE sequence = 2")
    assert verify().broken_at == 2
    # And the triggers are back afterwards.
    refused(f"UPDATE {EVENTS} SET actor = 'tester' WHERE sequence = 2")


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRESQL, reason="roles are PostgreSQL's")
def test_an_app_role_that_does_not_own_the_table_cannot_lift_the_triggers() -> None:
    three_events()
    role = "joinedup_app_test"
    with connection.cursor() as cursor:
        # Rolled back with the test, as roles are transactional in PostgreSQL.
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {EVENTS}, {HEAD} TO {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        assert "append-only" in str(refused(f"UPDATE {EVENTS} SET actor = 'x'"))
        assert "append-only" in str(refused(f"DELETE FROM {EVENTS}"))
        assert "owner" in str(refused(f"ALTER TABLE {EVENTS} DISABLE TRIGGER USER"))
        assert "owner" in str(refused(f"DROP TRIGGER audit_auditevent_append_only ON {EVENTS}"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert verify().intact and verify().checked == 3


@pytest.fixture
def audit_triggers_restored() -> Iterator[None]:
    yield
    call_command("migrate", "audit", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_migration_reversed_drops_the_triggers(audit_triggers_restored: None) -> None:
    three_events()
    call_command("migrate", "audit", "0002", verbosity=0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET actor = 'someone else' WHERE sequence = 2")
    assert verify().broken_at == 2
    call_command("migrate", "audit", verbosity=0)
    refused(f"UPDATE {EVENTS} SET actor = 'tester' WHERE sequence = 2")


# Two-factor secrets encrypted at rest under the field key.

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "joinedup.web.settings.production",
    "JOINEDUP_SECRET_KEY": "s" * 10 + "Zq8!vR2#pL5@xW9$mN3^bT6&hJ1*cF4(gD7)sA0-eY_uI+oP=lK",
    "JOINEDUP_ALLOWED_HOSTS": "hub.example.org",
    "JOINEDUP_DB_NAME": "joinedup",
}


def sign_in(client: Client, email: str) -> None:
    client.post(reverse("accounts:login"), {"email": email, "password": PASSWORD})


def stored_row(user: User) -> str:
    """Everything in the user's row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {User._meta.db_table} WHERE id = %s", [user.pk])
        return repr(cursor.fetchone())


@pytest.mark.django_db
def test_an_enrolled_secret_is_never_in_the_database_in_clear(
    make_user: Callable[..., User],
) -> None:
    user, client = make_user(Role.PRACTITIONER), Client()
    sign_in(client, user.email)
    client.get(reverse("accounts:two_factor_enrol"))
    secret = client.session[twofactor.PENDING_SECRET_KEY]
    client.post(reverse("accounts:two_factor_enrol"), {"code": pyotp.TOTP(secret).now()})
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert user.has_two_factor
    assert secret not in stored_row(user)
    assert user.totp_secret_encrypted and secret not in user.totp_secret_encrypted
    assert user.totp_secret == secret  # read back through the field key
    audit = repr(list(AuditEvent.objects.values_list()))
    assert secret not in audit


@pytest.mark.django_db
def test_a_code_from_the_secret_still_verifies(make_user: Callable[..., User]) -> None:
    secret = pyotp.random_base32()
    user = make_user(Role.PRACTITIONER, totp_secret=secret)
    assert secret not in stored_row(user)
    client = Client()
    sign_in(client, user.email)
    assert client.get("/")["Location"] == reverse("accounts:two_factor_verify")
    client.post(reverse("accounts:two_factor_verify"), {"code": pyotp.TOTP(secret).now()})
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_same_secret_is_stored_differently_each_time(make_user: Callable[..., User]) -> None:
    secret = pyotp.random_base32()
    first = make_user(Role.PRACTITIONER, totp_secret=secret, email="one@example.org")
    second = make_user(Role.PRACTITIONER, totp_secret=secret, email="two@example.org")
    assert first.totp_secret_encrypted != second.totp_secret_encrypted
    assert first.totp_secret == second.totp_secret == secret


@pytest.mark.django_db
def test_a_wrong_field_key_fails_closed_with_a_clear_error(
    make_user: Callable[..., User], caplog: pytest.LogCaptureFixture
) -> None:
    secret = pyotp.random_base32()
    user = make_user(Role.PRACTITIONER, totp_secret=secret)
    client = Client()
    sign_in(client, user.email)
    with override_settings(JOINEDUP_FIELD_KEY=fieldcrypt.new_key()):
        with pytest.raises(fieldcrypt.FieldKeyError, match="JOINEDUP_FIELD_KEY"):
            twofactor.verify(user, pyotp.TOTP(secret).now())
        response = client.post(
            reverse("accounts:two_factor_verify"), {"code": pyotp.TOTP(secret).now()}
        )
        assert response.status_code == 500
        assert "Two-factor sign-in is not working" in response.content.decode()
        assert "JOINEDUP_FIELD_KEY" in caplog.text
        # Not signed in: every page still asks for the second factor.
        assert client.get("/")["Location"] == reverse("accounts:two_factor_verify")
    user.refresh_from_db()
    assert user.totp_last_step is None
    # With the right key back, the same code works.
    client.post(reverse("accounts:two_factor_verify"), {"code": pyotp.TOTP(secret).now()})
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_secret_changed_in_the_database_is_refused(make_user: Callable[..., User]) -> None:
    user = make_user(Role.PRACTITIONER, totp_secret=pyotp.random_base32())
    token = user.totp_secret_encrypted
    User.objects.filter(pk=user.pk).update(totp_secret_encrypted=token[:-6] + "AAAAAA")
    user.refresh_from_db()
    with pytest.raises(fieldcrypt.FieldKeyError, match="changed in the database"):
        twofactor.verify(user, "123456")


@pytest.mark.parametrize("key", ["", "not a key", "c2hvcnQ="])
def test_a_missing_or_malformed_field_key_is_refused_clearly(key: str) -> None:
    with pytest.raises(fieldcrypt.FieldKeyError, match="JOINEDUP_FIELD_KEY"):
        fieldcrypt.check_key(key)
    with (
        override_settings(JOINEDUP_FIELD_KEY=key),
        pytest.raises(fieldcrypt.FieldKeyError, match="JOINEDUP_FIELD_KEY"),
    ):
        fieldcrypt.encrypt("JBSWY3DPEHPK3PXP")


def manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "joinedup.web.manage", *args],
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **environment,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_good_field_key() -> None:
    missing = manage("check", environment=PRODUCTION_ENVIRONMENT)
    assert missing.returncode != 0
    assert "JOINEDUP_FIELD_KEY" in missing.stderr
    malformed = manage(
        "check", environment={**PRODUCTION_ENVIRONMENT, "JOINEDUP_FIELD_KEY": "too-short"}
    )
    assert malformed.returncode != 0
    assert "JOINEDUP_FIELD_KEY is not a valid key" in malformed.stderr


def test_check_deploy_is_clean_with_a_field_key() -> None:
    environment = {**PRODUCTION_ENVIRONMENT, "JOINEDUP_FIELD_KEY": fieldcrypt.new_key()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_settings_keep_the_field_key_beside_the_secret_key(tmp_path: Path) -> None:
    environment = {
        "DJANGO_SETTINGS_MODULE": "joinedup.web.settings.dev",
        HOME_ENVIRONMENT_VARIABLE: str(tmp_path),
    }
    script = "from django.conf import settings; print(settings.JOINEDUP_FIELD_KEY)"
    runs = [
        subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            env={**os.environ, **environment},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    ]
    key_file = tmp_path / "web" / "field_key"
    assert runs[0] == runs[1] == key_file.read_text().strip()  # made once, then kept
    assert fieldcrypt.check_key(runs[0])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_secrets_already_enrolled(
    make_user: Callable[..., User], accounts_migrated_back: None
) -> None:
    user = make_user(Role.PRACTITIONER)
    secret = pyotp.random_base32()
    call_command("migrate", "accounts", "0002", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {User._meta.db_table} SET totp_secret = %s", [secret])
    call_command("migrate", "accounts", verbosity=0)
    user.refresh_from_db()
    assert secret not in stored_row(user)
    assert user.totp_secret == secret
    assert twofactor.verify(user, pyotp.TOTP(secret).now())
    # Reversed, the plaintext comes back (and forward again, it is encrypted again).
    call_command("migrate", "accounts", "0002", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT totp_secret FROM {User._meta.db_table}")
        assert cursor.fetchall() == [(secret,)]


@pytest.fixture
def accounts_migrated_back() -> Iterator[None]:
    yield
    call_command("migrate", verbosity=0)


# Throttling: the API per user (a), person and case lookups per user, audited (b, AC-15).

WINDOW = 1_800_000_000.0  # the start of a minute, in seconds since the epoch


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The throttle's clock, 10 seconds into a minute; move it by changing ``clock[0]``."""
    now = [WINDOW + 10]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


def throttled_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb="access.throttled").order_by("sequence"))


def bearer(make_user: Callable[..., User], *roles: Role, email: str) -> dict[str, str]:
    token = tokens.issue(make_user(*roles, email=email), "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
@override_settings(JOINEDUP_API_RATE="3/minute")
def test_the_api_answers_429_with_retry_after_past_its_rate(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    client = Client()
    mine = bearer(make_user, Role.HUB_COORDINATOR, email="coordinator@example.org")
    for _ in range(3):
        assert client.get("/api/agreements?q=Smith", **mine).status_code == 200
    refused = client.get("/api/agreements?q=Smith", **mine)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert refused["Content-Type"] == "application/json"
    assert "Too many requests" in refused.json()["detail"]
    assert client.get("/api/agreements", **mine).status_code == 429
    # Someone else has their own count.
    theirs = bearer(make_user, Role.IG_LEAD, email="ig@example.org")
    assert client.get("/api/agreements", **theirs).status_code == 200
    # Audited once for the window, naming the bucket and path, not the query.
    [event] = throttled_events()
    assert event.actor == "coordinator@example.org"
    assert event.detail == {
        "bucket": "api",
        "path": "/api/agreements",
        "method": "GET",
        "limit": 3,
        "period_seconds": 60,
    }
    # The next window starts afresh; the ended one is pruned.
    clock[0] = WINDOW + 60
    assert client.get("/api/agreements", **mine).status_code == 200
    assert not ThrottleWindow.objects.filter(starts=WINDOW).exists()


@pytest.mark.django_db
@override_settings(JOINEDUP_API_RATE="3/minute")
def test_the_api_counts_a_user_by_session_and_token_together(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    user = make_user(Role.HUB_COORDINATOR)
    token = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user, 'test')}"}
    session = signed_in(user)
    assert session.get("/api/agreements").status_code == 200
    assert session.get("/api/agreements", **token).status_code == 200
    assert Client().get("/api/agreements", **token).status_code == 200
    assert session.get("/api/agreements").status_code == 429


@pytest.mark.django_db
@override_settings(JOINEDUP_API_RATE="3/minute")
def test_the_api_throttle_comes_before_the_policy_and_counts_strangers_by_address(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    assert [stranger.get("/api/agreements").status_code for _ in range(4)] == [401] * 3 + [429]
    assert Client(REMOTE_ADDR="203.0.113.10").get("/api/agreements").status_code == 401
    analyst = signed_in(make_user(Role.ANALYST))  # may not read the audit log
    statuses = [analyst.get("/api/audit/events").status_code for _ in range(5)]
    assert statuses == [403] * 3 + [429] * 2
    assert AuditEvent.objects.filter(verb="access.denied").count() == 3
    assert len(throttled_events()) == 2  # one per address or user, for the window


@pytest.mark.django_db
@override_settings(JOINEDUP_API_RATE="3/minute")
def test_pages_are_not_counted_against_the_api(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    client = signed_in(make_user(Role.HUB_COORDINATOR))
    assert {client.get("/").status_code for _ in range(6)} == {200}
    assert not ThrottleWindow.objects.exists()


def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """A stand-in for a view that looks up a person or a case."""
    if (refused := throttle.person_lookup(request)) is not None:
        return refused
    return HttpResponse(f"case {case_id}")


def look_up(user: User, case_id: int, path: str = "/cases/{}/") -> HttpResponse:
    request = RequestFactory().get(path.format(case_id), {"q": "Jane Smith"})
    request.user = user
    return case_page(request, case_id)


@pytest.mark.django_db
@override_settings(JOINEDUP_LOOKUP_RATE="5/minute")
def test_lookups_past_the_limit_are_refused_and_audited_once_per_window(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    user = make_user(Role.PRACTITIONER)
    answers = [look_up(user, n) for n in range(1, 11)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 5
    page = answers[5]
    assert page["Retry-After"] == "50"
    assert "Too many requests" in page.content.decode()
    assert "Wait 50 seconds" in page.content.decode()
    [event] = throttled_events()
    assert (event.actor_id, event.object_type, event.object_id) == (user.pk, "throttle", "lookup")
    assert event.detail == {
        "bucket": "lookup",
        "path": "/cases/6/",
        "method": "GET",
        "limit": 5,
        "period_seconds": 60,
    }
    assert "Jane" not in repr(AuditEvent.objects.values_list())
    # Another user is not held up; the next window allows 5 again, and alerts again.
    assert look_up(make_user(Role.PRACTITIONER, email="other@example.org"), 1).status_code == 200
    clock[0] = WINDOW + 65
    assert [look_up(user, n).status_code for n in range(11, 18)] == [200] * 5 + [429] * 2
    assert len(throttled_events()) == 2
    assert verify().intact


@pytest.mark.django_db
@override_settings(JOINEDUP_LOOKUP_RATE="1/minute")
def test_a_lookup_through_the_api_is_refused_as_json(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    user = make_user(Role.PRACTITIONER)
    assert look_up(user, 1, "/api/cases/{}").status_code == 200
    refused = look_up(user, 2, "/api/cases/{}")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_ac_15_a_thousand_sequential_case_ids_in_a_minute_are_throttled_alerted_audited(
    make_user: Callable[..., User], clock: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(Role.PRACTITIONER)
    clock[0] = WINDOW
    statuses = []
    for case_id in range(1, 1001):  # 1,000 in 50 seconds, at the default rate
        statuses.append(look_up(user, case_id).status_code)
        clock[0] += 0.05
    assert statuses.count(200) == 60 and statuses.count(429) == 940
    assert statuses[:60] == [200] * 60
    [event] = throttled_events()  # alerted once, not 940 times
    assert event.detail["path"] == "/cases/61/" and event.detail["limit"] == 60
    assert "requests throttled in bucket lookup" in caplog.text
    assert ThrottleWindow.objects.get().hits == 1000


@pytest.mark.django_db
@override_settings(JOINEDUP_LOOKUP_RATE="1/minute")
def test_the_lookup_and_api_buckets_are_counted_apart(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    user = make_user(Role.HUB_COORDINATOR)
    assert look_up(user, 1).status_code == 200
    assert signed_in(user).get("/api/agreements").status_code == 200
    assert look_up(user, 2).status_code == 429


@pytest.mark.django_db
def test_ended_windows_are_pruned_when_a_new_one_starts(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    user = make_user(Role.PRACTITIONER)
    ended = int(WINDOW) - 60
    ThrottleWindow.objects.create(who="ip:192.0.2.1", bucket="api", starts=ended, ends=ended + 60)
    ThrottleWindow.objects.create(who="user:9", bucket="lookup", starts=ended, ends=int(WINDOW))
    look_up(user, 1)
    assert list(ThrottleWindow.objects.values_list("who", "hits")) == [(f"user:{user.pk}", 1)]


@pytest.mark.parametrize(
    ("text", "rate"),
    [("300/minute", (300, 60)), ("5/second", (5, 1)), ("1000/hour", (1000, 3600))],
)
def test_rates_are_read_from_their_settings(text: str, rate: tuple[int, int]) -> None:
    assert throttle.Rate.parse(text) == throttle.Rate(*rate)


@pytest.mark.parametrize("text", ["", "300", "300/day", "many/minute", "-1/minute"])
def test_a_malformed_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="like 300/minute"):
        throttle.Rate.parse(text)


def test_production_settings_take_the_rates_from_the_environment() -> None:
    environment = {**PRODUCTION_ENVIRONMENT, "JOINEDUP_FIELD_KEY": fieldcrypt.new_key()}
    script = (
        "from django.conf import settings as s; print(s.JOINEDUP_API_RATE, s.JOINEDUP_LOOKUP_RATE)"
    )
    read = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env={**os.environ, **environment, "JOINEDUP_LOOKUP_RATE": "30/minute"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.split() == ["300/minute", "30/minute"]
    wrong = manage("check", environment={**environment, "JOINEDUP_API_RATE": "lots"})
    assert wrong.returncode != 0 and "JOINEDUP_API_RATE" in wrong.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRESQL, reason="concurrent writers need a server database")
@override_settings(JOINEDUP_LOOKUP_RATE="50/minute")
def test_concurrent_lookups_are_all_counted_and_alerted_once(
    make_user: Callable[..., User], clock: list[float]
) -> None:
    user = make_user(Role.PRACTITIONER)

    def twenty_five(worker: int) -> list[int]:
        try:
            return [look_up(user, worker * 100 + n).status_code for n in range(25)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = [s for batch in pool.map(twenty_five, range(4)) for s in batch]
    assert statuses.count(200) == 50 and statuses.count(429) == 50
    assert ThrottleWindow.objects.get().hits == 100
    assert len(throttled_events()) == 1
    assert verify().intact
