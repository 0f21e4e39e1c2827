"""Signing in and out, two-factor enrolment and verification, and role assignment."""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate, login, logout
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.web.accounts import fieldcrypt, lockout, tokens, twofactor
from joinedup.web.accounts.enforcement import refuse, signed_in_user
from joinedup.web.accounts.forms import CodeForm, RolesForm, SignInForm
from joinedup.web.accounts.models import ApiToken, RoleAssignment, User
from joinedup.web.accounts.policy import Role, needs_two_factor
from joinedup.web.audit.chain import record_by

WRONG_DETAILS = "Enter a correct email address and password"
LOCKED = "There have been too many attempts to sign in. Wait 15 minutes, then try again"
TWO_FACTOR_BROKEN = (
    "Two-factor sign-in is not working at the moment. Tell your hub administrator, "
    "then try again later"
)

logger = logging.getLogger(__name__)


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe and target else "/"


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        error = _try_sign_in(
            request, form.cleaned_data["email"].lower(), form.cleaned_data["password"]
        )
        if not error:
            return redirect(_next_url(request))
    elif request.method == "POST":
        error = WRONG_DETAILS
    return render(
        request, "accounts/sign_in.html", {"form": form, "error": error, "next": _next_url(request)}
    )


def _try_sign_in(request: HttpRequest, email: str, password: str) -> str:
    """Empty string when signed in; else the (deliberately generic) error to show."""
    ip = _client_ip(request)
    if lockout.is_locked(email, ip):
        lockout.note_attempt(email, ip, succeeded=False, while_locked=True)
        return LOCKED
    user = authenticate(request, username=email, password=password)
    if not isinstance(user, User):
        lockout.note_attempt(email, ip, succeeded=False)
        return WRONG_DETAILS
    lockout.note_attempt(email, ip, succeeded=True)
    login(request, user)  # a new session key: no session fixation
    return ""


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.has_two_factor:
        return redirect("accounts:two_factor_verify")
    secret = request.session.get(twofactor.PENDING_SECRET_KEY) or twofactor.new_secret()
    request.session[twofactor.PENDING_SECRET_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if twofactor.confirm(user, secret, form.cleaned_data["code"]):
                record_by(
                    user,
                    "two_factor.enrolled",
                    "user",
                    str(user.pk),
                )
                return _second_factor_given(request)
        form.add_error("code", "The security code is not right: check your app and try again")
    context = {
        "form": form,
        "secret": secret,
        "uri": twofactor.provisioning_uri(secret, user.email),
        "required": needs_two_factor(user.roles),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not user.has_two_factor:
        return redirect("accounts:two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = _client_ip(request)
        # Wrong codes count towards the same lockout as wrong passwords.
        if lockout.is_locked(user.email, ip):
            form.add_error("code", LOCKED)
        else:
            try:
                verified = twofactor.verify(user, form.cleaned_data["code"])
            except fieldcrypt.FieldKeyError:
                # Fail closed: the hub cannot read the secret (wrong field key), nobody gets in.
                logger.exception("two-factor sign-in refused: the stored secret is unreadable")
                form.add_error("code", TWO_FACTOR_BROKEN)
                return render(
                    request, "accounts/two_factor_verify.html", {"form": form}, status=500
                )
            if verified:
                return _second_factor_given(request)
            lockout.note_attempt(user.email, ip, succeeded=False)
            form.add_error("code", "The security code is not right: check your app and try again")
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _second_factor_given(request: HttpRequest) -> HttpResponse:
    request.session.cycle_key()
    request.session.pop(twofactor.PENDING_SECRET_KEY, None)
    request.session[twofactor.SESSION_KEY] = True
    return redirect("home")


USERS_PER_PAGE = 100


def users(request: HttpRequest) -> HttpResponse:
    """Everyone who signs in, a page of 100 at a time (the page stays fast as the partnership grows)."""
    everyone = (
        User.objects.select_related("organisation")
        .prefetch_related(Prefetch("role_assignments", to_attr="assignments"))
        .order_by("email")
    )
    page = Paginator(everyone, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"users": page, "page": page})


@require_http_methods(["GET", "POST"])
def user_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    editor, target = signed_in_user(request), get_object_or_404(User, pk=user_id)
    if target.pk == editor.pk:
        # Nobody changes their own roles, administrators included: a second person must.
        return refuse(request, editor, "accounts:user_roles")
    form = RolesForm(request.POST or None, initial={"roles": sorted(target.roles)})
    if request.method == "POST" and form.is_valid():
        _set_roles(editor, target, frozenset(Role(r) for r in form.cleaned_data["roles"]))
        return redirect("accounts:users")
    return render(request, "accounts/user_roles.html", {"form": form, "target": target})


@require_http_methods(["POST"])
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    """Disable or re-enable an account. A disabled user's sessions and tokens stop working at
    their next request, because every request reads ``is_active`` afresh (AC-11)."""
    editor, target = signed_in_user(request), get_object_or_404(User, pk=user_id)
    if target.pk == editor.pk:
        return refuse(request, editor, "accounts:user_active")
    active = request.POST.get("active") == "yes"
    with transaction.atomic():
        User.objects.filter(pk=target.pk).update(is_active=active)
        record_by(editor, "user.enabled" if active else "user.disabled", "user", str(target.pk))
    return redirect("accounts:users")


def _set_roles(editor: User, target: User, roles: frozenset[Role]) -> None:
    before = target.roles
    with transaction.atomic():
        RoleAssignment.objects.filter(user=target).exclude(role__in=roles).delete()
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=target, role=r) for r in roles - before]
        )
        record_by(
            editor,
            "user.roles_changed",
            "user",
            str(target.pk),
            {"before": sorted(before), "after": sorted(roles)},
        )


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Make a personal API token (shown once, on this response only) or revoke one."""
    user, made = signed_in_user(request), ""
    if request.method == "POST":
        revoke_id = request.POST.get("revoke", "")
        if revoke_id.isdigit():
            tokens.revoke(user, int(revoke_id))
        else:
            made = tokens.issue(user, request.POST.get("label", "").strip()[:100] or "API token")
    mine = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    return render(request, "accounts/api_tokens.html", {"tokens": mine, "made": made})
