"""The hub's pseudonymisation key: created at first use, kept in the data directory for its owner
only, and never written anywhere else. Without it nobody can recompute a record key."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

KEY_BYTES = 32
KEY_HEX_CHARS = 32


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


def keyed(key: bytes, namespace: str, values: Iterable[str | None]) -> list[str | None]:
    """HMAC-SHA256 of ``namespace:value`` for each value, truncated to 128 bits: a pseudonymous key
    nobody can recompute without the hub's key. ``key_sql`` computes the same inside DuckDB."""
    prefix = f"{namespace}:".encode()
    return [
        None
        if v is None
        else hmac.new(key, prefix + v.encode(), hashlib.sha256).hexdigest()[:KEY_HEX_CHARS]
        for v in values
    ]


def pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer HMAC pads of ``key`` (RFC 2104), for computing HMAC in SQL."""
    block = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def key_sql(namespace_literal: str, value_sql: str, pads_alias: str = "k") -> str:
    """SQL for HMAC-SHA256(key, namespace:value) truncated, reading the pads from a joined table."""
    message = f"encode({namespace_literal} || ':' || {value_sql})"
    inner = f"unhex(sha256({pads_alias}.ipad || {message}))"
    return f"CASE WHEN {value_sql} IS NOT NULL THEN left(sha256({pads_alias}.opad || {inner}), {KEY_HEX_CHARS}) END"
