"""Lockout after repeated failed sign-ins, per account and per address, with a cool-down.

An account (or address) with too many failures within the cool-down is refused, even with the
right password, until the cool-down has passed since its last counted failure. Tries made while
locked are kept but not counted, so hammering a locked account does not lock it for ever.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from joinedup.web.accounts.models import SignInAttempt


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.JOINEDUP_LOCKOUT_COOL_DOWN_SECONDS)


def is_locked(email: str, ip: str | None) -> bool:
    """True when the account or the address has used up its failures within the cool-down."""
    failures = SignInAttempt.objects.filter(
        succeeded=False, while_locked=False, at__gte=_window_start()
    )
    if failures.filter(email=email).count() >= settings.JOINEDUP_LOCKOUT_ACCOUNT_FAILURES:
        return True
    return ip is not None and (
        failures.filter(ip=ip).count() >= settings.JOINEDUP_LOCKOUT_IP_FAILURES
    )


def note_attempt(
    email: str, ip: str | None, *, succeeded: bool, while_locked: bool = False
) -> None:
    SignInAttempt.objects.create(email=email, ip=ip, succeeded=succeeded, while_locked=while_locked)
