"""Secrets kept encrypted in the database: the two-factor (TOTP) secrets, under the field key.

Fernet (AES-128-CBC with an HMAC-SHA256 over the whole token): a value made under another key,
or changed in the database, is refused, never decrypted into something else. The field key is
``settings.JOINEDUP_FIELD_KEY``: production reads it from the environment variable of that name,
development keeps it in the data directory (``web/field_key``), tests make one per run. It is
kept apart from the database, so a copy of the database alone gives no secret away; lose the
key and every enrolled user has to set up two-factor sign-in again.

All reading and writing of an encrypted value goes through ``encrypt`` and ``decrypt``.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

SETTING = "JOINEDUP_FIELD_KEY"
HOW_TO_MAKE_ONE = (
    'make one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class FieldKeyError(RuntimeError):
    """The field key is missing or malformed, or is not the key a stored value was made with."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def check_key(key: str) -> str:
    """``key`` itself if it is a usable field key; else a FieldKeyError saying what is wrong."""
    _fernet(key)
    return key


@functools.lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    if not key:
        raise FieldKeyError(f"{SETTING} is not set: {HOW_TO_MAKE_ONE}")
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise FieldKeyError(
            f"{SETTING} is not a valid key (32 bytes, URL-safe base64): {HOW_TO_MAKE_ONE}"
        ) from error


def _current() -> Fernet:
    return _fernet(str(getattr(settings, SETTING, "") or "").strip())


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise FieldKeyError(
            f"a stored secret cannot be decrypted with {SETTING}: either the key is not the "
            "one it was encrypted with (restore the right key from its backup) or the value "
            "was changed in the database"
        ) from error
