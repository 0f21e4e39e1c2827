"""The operational zone: the hub's Django web application (accounts, agreements, audit).

Settings live in ``joinedup.web.settings``: ``dev`` (SQLite in the data directory, the default
for ``joinedup serve``) and ``production`` (PostgreSQL, secure cookies, HSTS, SSL redirect).
"""

from __future__ import annotations

import os

DEFAULT_SETTINGS = "joinedup.web.settings.dev"


def setup_django(settings_module: str | None = None) -> None:
    """Configure Django once for a command-line entry point (``joinedup serve``, ``audit verify``).

    ``DJANGO_SETTINGS_MODULE`` wins when set, so production runs the same commands.
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module or DEFAULT_SETTINGS)
    django.setup()
