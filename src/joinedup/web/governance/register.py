"""The database register of agreements, as the feed loader and the analytics read it.

On a hub with a web app (``joinedup.web.has_web_database``) the register is the one the
information governance lead edits in the web database: ``feeds.agreements.load_register`` takes
its entries from ``hub_register_entries``, in the TOML form (``Agreement.as_register_entry``),
and reads them as it reads the TOML register. A process that has not set Django up yet is set up
here for the hub; a process set up for another database is refused rather than read
(``RegisterUnavailableError``). Notices for the IG lead become audit events ``notice.KIND``.

Models are imported inside the functions: this module is imported before Django is set up.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from joinedup.feeds.agreements import (
    Agreement,
    RegisterUnavailableError,
    register_from_entries,
    register_path,
)
from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.web import (
    DEFAULT_SETTINGS,
    SETTINGS_MARKER,
    database_elsewhere,
    operational_database,
    settings_module,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from joinedup.web.audit.models import AuditEvent
    from joinedup.web.governance.importer import ImportReport

NOTICE_VERB_PREFIX = "notice."


def hub_register_entries(home: Path) -> list[dict[str, object]]:
    """The entries of the hub's database register (filled from its TOML register if empty)."""
    open_hub_database(home)
    fill_if_empty(home, actor="joinedup (first use of the database register)")
    return register_entries()


def register_entries() -> list[dict[str, object]]:
    """Every agreement in the web database, in the TOML form, by reference."""
    from joinedup.web.governance.models import Agreement as AgreementRow

    return [row.as_register_entry() for row in AgreementRow.objects.order_by("reference")]


def database_register() -> dict[str, Agreement]:
    """The web database's register as the records the loader obeys (for the web app's own use)."""
    return register_from_entries(register_entries())


def fill_if_empty(home: Path, actor: str) -> ImportReport | None:
    """Fill an empty database register from the hub's TOML register, or from the packaged seed
    if the hub has none; each agreement is audited as created by ``actor``."""
    from joinedup.web.governance.importer import import_register
    from joinedup.web.governance.models import Agreement as AgreementRow

    if AgreementRow.objects.exists():
        return None
    hub_register = register_path(home)
    try:
        return import_register(hub_register if hub_register.exists() else None, actor=actor)
    except ValueError as error:
        raise RegisterUnavailableError(
            f"the database register is empty and {hub_register} cannot fill it: {error}"
        ) from error


def open_hub_database(home: Path) -> None:
    """Set Django up for this hub's web database, or check that it already is."""
    from django.apps import apps

    module = settings_module()
    marker = home / SETTINGS_MARKER
    if marker.exists() and (wanted := marker.read_text(encoding="utf-8").strip()) != module:
        raise RegisterUnavailableError(
            f"the register of agreements of the hub {home} is in the web database of the "
            f"settings {wanted}, and this command runs with {module}: run it with "
            f"DJANGO_SETTINGS_MODULE={wanted} and the web app's database variables"
        )
    if not apps.ready:
        # The dev settings find the hub's database through $JOINEDUP_HOME when first read.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
        os.environ[HOME_ENVIRONMENT_VARIABLE] = str(home)
    _refuse_another_database(home, module)
    if not apps.ready:
        from joinedup.web.cli import open_hub

        open_hub(home)


def _refuse_another_database(home: Path, module: str) -> None:
    if database_elsewhere(module):
        return  # production: the settings name the database, whatever the data directory
    from django.conf import settings

    database = settings.DATABASES["default"]
    expected = operational_database(home)
    same = database["ENGINE"] == "django.db.backends.sqlite3" and (
        Path(str(database["NAME"])).resolve() == expected.resolve()
    )
    if not same:
        raise RegisterUnavailableError(
            f"the hub {home} keeps its register of agreements in {expected}, but Django is "
            f"already set up in this process for the database {database['NAME']}: the register "
            f"cannot be read here; run the command in a process of its own, with --home {home}"
        )


def record_notice(home: Path, kind: str, detail: dict[str, object]) -> None:
    """A notice for the IG lead from the feed loader, as an audit event ``notice.KIND``."""
    record_hub_event(
        home,
        f"{NOTICE_VERB_PREFIX}{kind}",
        actor="joinedup load",
        target=("agreement", str(detail.get("agreement", ""))),
        detail=detail,
    )


def record_hub_event(
    home: Path, verb: str, actor: str, target: tuple[str, str], detail: dict[str, object]
) -> None:
    """An audit event in the hub's web database from a command outside the web app (the feed
    loader, the data lifecycle), about ``target`` (object type, object id)."""
    open_hub_database(home)
    from django.db import transaction

    from joinedup.web.audit.chain import record

    with transaction.atomic():
        record(verb, actor=actor, object_type=target[0], object_id=target[1], detail=detail)


def recent_notices(on: dt.datetime, days: int) -> QuerySet[AuditEvent]:
    """Notices recorded in the ``days`` days up to ``on``, newest first."""
    from joinedup.web.audit.models import AuditEvent

    return AuditEvent.objects.filter(
        verb__startswith=NOTICE_VERB_PREFIX, at__gte=on - dt.timedelta(days=days)
    ).order_by("-sequence")
