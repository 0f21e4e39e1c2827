"""The hub's pseudonymisation key: created at first use, kept in the data directory for its owner
only, and never written anywhere else. Without it nobody can recompute a record key."""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

KEY_BYTES = 32
KEY_DIGEST_BYTES = 16


class KeyUnavailableError(RuntimeError):
    """The key is missing or unreadable when records keyed with it already exist."""


def key_path(home: Path) -> Path:
    return home / "secrets" / "pseudonymisation.key"


def load_key(home: Path, stores_exist: bool) -> bytes:
    """The key; created if this hub has never loaded anything, refused if it has lost it."""
    path = key_path(home)
    if not path.exists():
        if stores_exist:
            raise KeyUnavailableError(
                f"the pseudonymisation key {path} is missing but records keyed with it are loaded; "
                "restore it from the hub's backup (loading with a new key would break every record key)"
            )
        return _create(path)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise KeyUnavailableError(
            f"the pseudonymisation key {path} is readable by others; make it owner-only (chmod 600)"
        )
    try:
        key = path.read_bytes()
    except OSError as error:
        raise KeyUnavailableError(
            f"the pseudonymisation key {path} cannot be read: {error.strerror}"
        ) from error
    if len(key) != KEY_BYTES:
        raise KeyUnavailableError(f"the pseudonymisation key {path} is damaged (wrong length)")
    return key


def _create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(KEY_BYTES)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def keyed(key: bytes, feed: str, values: Iterable[str | None]) -> list[str | None]:
    """Keyed BLAKE2b of ``feed:value`` for each value: a pseudonymous key no one can recompute
    without the hub's key (BLAKE2 in keyed mode is a MAC, as HMAC is)."""
    prefix = f"{feed}:".encode()
    return [
        None
        if v is None
        else hashlib.blake2b(prefix + v.encode(), key=key, digest_size=KEY_DIGEST_BYTES).hexdigest()
        for v in values
    ]
