"""The operational zone: the hub's Django web application (accounts, agreements, audit).

Settings live in ``joinedup.web.settings``: ``dev`` (SQLite in the data directory, the default
for ``joinedup serve``) and ``production`` (PostgreSQL, secure cookies, HSTS, SSL redirect).

Nothing here imports Django: the feed loader asks ``has_web_database`` before it decides
whether to set Django up at all.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SETTINGS = "joinedup.web.settings.dev"
TEST_SETTINGS = "joinedup.web.settings.test"
# Written by `joinedup serve` (and every web command) when settings other than the dev ones hold
# the hub's database: it names them, so a command run without them is refused, not misled.
SETTINGS_MARKER = Path("web") / "settings_module"


def setup_django(settings_module: str | None = None) -> None:
    """Configure Django once for a command-line entry point (``joinedup serve``, ``audit verify``).

    ``DJANGO_SETTINGS_MODULE`` wins when set, so production runs the same commands.
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module or DEFAULT_SETTINGS)
    django.setup()


def settings_module() -> str:
    """The settings Django is (or would be) set up with in this process."""
    return os.environ.get("DJANGO_SETTINGS_MODULE", "").strip() or DEFAULT_SETTINGS


def database_elsewhere(module: str) -> bool:
    """Whether ``module`` keeps the web database outside the data directory (production's
    PostgreSQL, or a deployment's own settings), rather than in ``HOME/web/`` (dev)."""
    return module not in (DEFAULT_SETTINGS, TEST_SETTINGS)


def operational_database(home: Path) -> Path:
    """Where the dev settings keep a hub's web database."""
    return home / "web" / "operational.sqlite3"


def has_web_database(home: Path) -> bool:
    """Whether this hub has a web app, whose database then holds the register of agreements."""
    return (
        operational_database(home).exists()
        or (home / SETTINGS_MARKER).exists()
        or database_elsewhere(settings_module())
    )
