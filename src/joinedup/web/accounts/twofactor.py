"""Time-based one-time passwords (RFC 6238, 30-second steps) with pyotp.

A code is accepted for the current step or one step either side (clock drift), and never twice:
the step of the last accepted code is kept on the user. The secret is kept encrypted
(``User.totp_secret`` reads and writes it through ``fieldcrypt``).
"""

from __future__ import annotations

import datetime as dt
import time

import pyotp

from joinedup.web.accounts.models import User

ISSUER = "JoinedUp"
SESSION_KEY = "joinedup_two_factor_verified"
PENDING_SECRET_KEY = "joinedup_two_factor_pending_secret"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def accepted_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to if it is valid and newer than ``last_step``, else None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    at = time.time() if now is None else now
    current = totp.timecode(dt.datetime.fromtimestamp(at, tz=dt.UTC))
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and totp.generate_otp(step) == code:
            return step
    return None


def confirm(user: User, secret: str, code: str) -> bool:
    """Enrol ``user`` with ``secret`` once they prove their authenticator holds it."""
    step = accepted_step(secret, code, None)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step = secret, step
    user.save(update_fields=["totp_secret_encrypted", "totp_last_step"])
    return True


def verify(user: User, code: str) -> bool:
    """Whether ``code`` is a fresh code for ``user``; a FieldKeyError (no sign-in) when the field
    key cannot decrypt their secret."""
    step = accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    # Compare-and-set: two requests racing with the same code cannot both win.
    updated = User.objects.filter(pk=user.pk, totp_last_step=user.totp_last_step).update(
        totp_last_step=step
    )
    return updated == 1
