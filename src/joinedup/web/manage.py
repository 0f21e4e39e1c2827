"""Django's management commands for the web app: ``python -m joinedup.web.manage check --deploy``."""

from __future__ import annotations

import sys

from django.core.management import execute_from_command_line

from joinedup.web import DEFAULT_SETTINGS


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
