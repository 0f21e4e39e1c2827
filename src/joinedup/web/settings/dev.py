"""Development and the embedded hub: SQLite under the data directory (``HOME/web/``).

The data directory is ``$JOINEDUP_HOME`` (``joinedup serve --home`` sets it), else ``./var``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

from joinedup.home import ensure_home, resolve_home
from joinedup.web import operational_database
from joinedup.web.accounts.fieldcrypt import new_key
from joinedup.web.settings.base import *  # noqa: F403

HUB = resolve_home()
WEB_HOME = ensure_home(HUB / "web")


def _kept_key(name: str, make: Callable[[], str]) -> str:
    """A key made once per hub and kept in the data directory, readable by its owner only."""
    path = WEB_HOME / name
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(make())
    return path.read_text().strip()


SECRET_KEY = _kept_key("secret_key", lambda: secrets.token_urlsafe(50))
# Two-factor secrets are encrypted under this one (joinedup.web.accounts.fieldcrypt).
JOINEDUP_FIELD_KEY = _kept_key("field_key", new_key)
DEBUG = os.environ.get("JOINEDUP_DEBUG", "") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": operational_database(HUB),
        # Writers wait for each other rather than fail at once (the audit chain serialises them).
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}
# Email (reminders to action owners) is written to files under HOME/web/outbox, one a message,
# unless JOINEDUP_EMAIL_HOST names an SMTP server to send it through.
if os.environ.get("JOINEDUP_EMAIL_HOST"):
    EMAIL_HOST = os.environ["JOINEDUP_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("JOINEDUP_EMAIL_PORT", "25"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(ensure_home(WEB_HOME / "outbox"))
