"""Production: PostgreSQL from the environment, HTTPS only, secure cookies, HSTS.

Required: JOINEDUP_SECRET_KEY, JOINEDUP_FIELD_KEY (the key two-factor secrets are encrypted
under: back it up apart from the database), JOINEDUP_ALLOWED_HOSTS (comma-separated) and
JOINEDUP_DB_NAME; optional JOINEDUP_DB_HOST, JOINEDUP_DB_PORT, JOINEDUP_DB_USER,
JOINEDUP_DB_PASSWORD (else libpq's own PG* variables and ~/.pgpass apply), and the throttling
rates JOINEDUP_API_RATE and JOINEDUP_LOOKUP_RATE (like 300/minute).
"""

from __future__ import annotations

import os
import re

from joinedup.web.accounts.fieldcrypt import check_key
from joinedup.web.settings.base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(f"production settings need the environment variable {name}")
    return value


SECRET_KEY = _required("JOINEDUP_SECRET_KEY")
JOINEDUP_FIELD_KEY = check_key(_required("JOINEDUP_FIELD_KEY"))
DEBUG = False
ALLOWED_HOSTS = [host.strip() for host in _required("JOINEDUP_ALLOWED_HOSTS").split(",")]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _required("JOINEDUP_DB_NAME"),
        "HOST": os.environ.get("JOINEDUP_DB_HOST", ""),
        "PORT": os.environ.get("JOINEDUP_DB_PORT", ""),
        "USER": os.environ.get("JOINEDUP_DB_USER", ""),
        "PASSWORD": os.environ.get("JOINEDUP_DB_PASSWORD", ""),
        "CONN_MAX_AGE": 60,
        # A restarted server costs the requests in flight, not a restart of the app (FLT-04).
        "CONN_HEALTH_CHECKS": True,
    }
}


def _rate(name: str, default: str) -> str:
    """An optional throttling rate, like 300/minute (joinedup.web.throttle)."""
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"[0-9]+/(second|minute|hour)", value):
        raise RuntimeError(f"{name} must be a count per second, minute or hour, like 300/minute")
    return value


JOINEDUP_API_RATE = _rate("JOINEDUP_API_RATE", JOINEDUP_API_RATE)  # noqa: F405
JOINEDUP_LOOKUP_RATE = _rate("JOINEDUP_LOOKUP_RATE", JOINEDUP_LOOKUP_RATE)  # noqa: F405

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# __Host- cookies are refused by browsers unless Secure, host-only and for the whole site.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Email (reminders to action owners) goes through SMTP: JOINEDUP_EMAIL_HOST (default localhost),
# JOINEDUP_EMAIL_PORT (default 587), JOINEDUP_EMAIL_USER and JOINEDUP_EMAIL_PASSWORD (optional),
# from JOINEDUP_EMAIL_FROM. STARTTLS unless JOINEDUP_EMAIL_TLS=0.
EMAIL_HOST = os.environ.get("JOINEDUP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JOINEDUP_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("JOINEDUP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JOINEDUP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("JOINEDUP_EMAIL_TLS", "1") != "0"
DEFAULT_FROM_EMAIL = os.environ.get("JOINEDUP_EMAIL_FROM", DEFAULT_FROM_EMAIL)  # noqa: F405
