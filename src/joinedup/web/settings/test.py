"""The test suite: SQLite in a throwaway folder (never the hub's data directory).

tests/web/conftest.py switches the database to a real PostgreSQL server, which it starts, when
JOINEDUP_TEST_DATABASE=postgresql.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

from joinedup.web.settings.base import *  # noqa: F403

SECRET_KEY = secrets.token_urlsafe(50)
JOINEDUP_FIELD_KEY = Fernet.generate_key().decode("ascii")
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(tempfile.mkdtemp(prefix="joinedup-web-test-")) / "operational.sqlite3",
    }
}
# Django's test set-up keeps sent email in django.core.mail.outbox (the locmem backend).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
