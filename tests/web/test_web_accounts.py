"""Signing in: argon2, lockout (AC-19), two-factor (AC-12), roles (AC-05, AC-06) and CSRF (AC-13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, signed_in
from joinedup.web.accounts.models import SignInAttempt, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
SIGN_IN = "/accounts/sign-in/"


def sign_in(client: Client, email: str, password: str) -> int:
    return client.post(SIGN_IN, {"email": email, "password": password}).status_code


def test_passwords_are_hashed_with_argon2(make_user: Callable[..., User]) -> None:
    assert make_user(Role.ANALYST).password.startswith("argon2$argon2id$")


def test_the_right_password_signs_in(make_user: Callable[..., User]) -> None:
    user, client = make_user(Role.ANALYST), Client()
    assert sign_in(client, user.email, PASSWORD) == 302
    assert client.get("/").status_code == 200


def test_a_thousand_wrong_passwords_lock_the_account_until_the_cool_down_has_passed(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.ANALYST)
    clients = [Client(REMOTE_ADDR=f"10.0.{i // 250}.{i % 250}") for i in range(1000)]
    for client in clients:  # a different address each time: the account lock alone must hold
        response = client.post(SIGN_IN, {"email": user.email, "password": "wrong password"})
        assert response.status_code == 200
        assert b"Enter a correct email address and password" in response.content or (
            b"too many attempts" in response.content
        )
    locked = Client(REMOTE_ADDR="10.9.9.9")
    response = locked.post(SIGN_IN, {"email": user.email, "password": PASSWORD})
    assert b"too many attempts" in response.content
    assert locked.get("/").status_code == 302  # still not signed in
    # Only the first five were checked against the hash; the rest were refused unchecked.
    assert SignInAttempt.objects.filter(while_locked=False, succeeded=False).count() == 5
    SignInAttempt.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert sign_in(Client(), user.email, PASSWORD) == 302


def test_credential_stuffing_from_one_address_locks_the_address(
    make_user: Callable[..., User],
) -> None:
    victim, client = make_user(Role.ANALYST), Client(REMOTE_ADDR="192.0.2.7")
    for n in range(20):
        sign_in(client, f"person{n}@example.org", "Winter2024!")
    assert (
        b"too many attempts"
        in client.post(SIGN_IN, {"email": victim.email, "password": PASSWORD}).content
    )
    assert sign_in(Client(REMOTE_ADDR="192.0.2.8"), victim.email, PASSWORD) == 302


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.ANALYST)
    unknown = Client().post(SIGN_IN, {"email": "nobody@example.org", "password": "x"}).content
    wrong = Client().post(SIGN_IN, {"email": user.email, "password": "x"}).content
    assert b"Enter a correct email address and password" in unknown
    assert b"Enter a correct email address and password" in wrong


def test_sign_in_refuses_a_post_without_its_csrf_token(make_user: Callable[..., User]) -> None:
    user, client = make_user(Role.ANALYST), Client(enforce_csrf_checks=True)
    response = client.post(SIGN_IN, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 403


def test_a_cross_site_post_to_change_roles_is_refused(make_user: Callable[..., User]) -> None:
    admin, target = make_user(Role.ADMINISTRATOR), make_user(Role.ANALYST)
    client = signed_in(admin, enforce_csrf_checks=True)
    url = reverse("accounts:user_roles", kwargs={"user_id": target.pk})
    assert client.post(url, {"roles": ["ig_lead"]}).status_code == 403
    assert target.roles == frozenset({Role.ANALYST})


def test_nobody_can_raise_their_own_role(make_user: Callable[..., User]) -> None:
    for role in Role:
        user = make_user(role, email=f"self-{role}@example.org")
        url = reverse("accounts:user_roles", kwargs={"user_id": user.pk})
        response = signed_in(user).post(url, {"roles": ["administrator", "ig_lead"]})
        assert response.status_code == 403, role
        assert user.roles == frozenset({role}), role
    assert AuditEvent.objects.filter(
        verb="access.denied", object_id="accounts:user_roles"
    ).count() == len(Role)


def test_an_administrator_changes_someone_elses_roles_and_it_is_audited(
    make_user: Callable[..., User], organisation: object
) -> None:
    admin, target = make_user(Role.ADMINISTRATOR), make_user(Role.ANALYST)
    url = reverse("accounts:user_roles", kwargs={"user_id": target.pk})
    # Mass assignment (AC-06): fields other than roles are ignored.
    response = signed_in(admin).post(
        url, {"roles": ["practitioner"], "organisation": 999, "email": "x@y.z", "is_active": ""}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.roles == frozenset({Role.PRACTITIONER})
    assert target.email.startswith("analyst") and target.is_active
    event = AuditEvent.objects.get(verb="user.roles_changed")
    assert event.detail == {"before": ["analyst"], "after": ["practitioner"]}
    assert verify().intact


def test_a_removed_role_takes_effect_at_the_next_request(make_user: Callable[..., User]) -> None:
    user = make_user(Role.IG_LEAD)
    client = signed_in(user)
    assert client.get(reverse("governance:agreements")).status_code == 200
    user.role_assignments.all().delete()
    assert client.get(reverse("governance:agreements")).status_code == 403


def test_a_practitioner_must_set_up_two_factor_before_anything_else(
    make_user: Callable[..., User],
) -> None:
    user, client = make_user(Role.PRACTITIONER), Client()
    sign_in(client, user.email, PASSWORD)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor_enrol")
    assert reverse("governance:agreements") not in client.get(response["Location"]).content.decode()
    secret = client.session["joinedup_two_factor_pending_secret"]
    client.post(reverse("accounts:two_factor_enrol"), {"code": pyotp.TOTP(secret).now()})
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert user.has_two_factor


def test_an_enrolled_user_gives_a_code_at_each_sign_in_and_a_code_works_once(
    make_user: Callable[..., User],
) -> None:
    secret = pyotp.random_base32()
    user = make_user(Role.PRACTITIONER, totp_secret=secret)
    first, second = Client(), Client()
    for client in (first, second):
        sign_in(client, user.email, PASSWORD)
        assert client.get("/")["Location"] == reverse("accounts:two_factor_verify")
    code = pyotp.TOTP(secret).now()
    first.post(reverse("accounts:two_factor_verify"), {"code": code})
    assert first.get("/").status_code == 200
    second.post(reverse("accounts:two_factor_verify"), {"code": code})  # replayed
    assert second.get("/").status_code == 302


def test_an_analyst_without_two_factor_signs_in_with_a_password_alone(
    make_user: Callable[..., User],
) -> None:
    user, client = make_user(Role.ANALYST), Client()
    sign_in(client, user.email, PASSWORD)
    assert client.get("/").status_code == 200


def test_sign_out_needs_a_post_and_ends_the_session(make_user: Callable[..., User]) -> None:
    client = signed_in(make_user(Role.ANALYST))
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get("/").status_code == 302


def test_a_disabled_account_is_signed_out_everywhere_at_its_next_request(
    make_user: Callable[..., User],
) -> None:
    """AC-11: every session of the account ends at once, and the change is audited."""
    admin = make_user(Role.ADMINISTRATOR, email="admin@example.org")
    target = make_user(Role.ANALYST, email="analyst@example.org")
    first, second = signed_in(target), signed_in(target)
    assert first.get("/").status_code == second.get("/").status_code == 200
    response = signed_in(admin).post(f"/accounts/users/{target.pk}/active/", {"active": "no"})
    assert response.status_code == 302
    for session in (first, second):
        refused = session.get("/")
        assert refused.status_code == 302 and "/accounts/sign-in/" in refused["Location"]
    assert AuditEvent.objects.filter(verb="user.disabled", object_id=str(target.pk)).exists()
    # Nobody disables themselves (nor, so, locks the partnership out by mistake).
    assert (
        signed_in(admin).post(f"/accounts/users/{admin.pk}/active/", {"active": "no"}).status_code
        == 403
    )
    admin.refresh_from_db()
    assert admin.is_active


def test_the_users_page_lists_a_hundred_at_a_time(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMINISTRATOR, email="admin@example.org")
    for n in range(120):
        make_user(Role.ANALYST, email=f"analyst-{n:03d}@example.org")
    client = signed_in(admin)
    first, second = client.get("/accounts/users/"), client.get("/accounts/users/?page=2")
    assert first.content.decode().count("Change roles<") == 99  # not the admin's own row
    assert "Page 1 of 2" in first.content.decode()
    assert "analyst-119@example.org" in second.content.decode()
    assert "analyst-119@example.org" not in first.content.decode()
