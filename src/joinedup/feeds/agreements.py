"""The register of data sharing agreements, as records the feed loader and the analytics obey.

A hub with a web app keeps its register in the web database, where the information governance
lead edits it (``joinedup.web.governance.register`` reads it; Django is set up only then). A hub
without one keeps it in ``HOME/governance/agreements.toml``, copied from the packaged seed on
first use. Both give the same entries (the TOML form) to ``register_from_entries``. A feed loads
only under an active agreement that covers its partner, the dataset and every field in the file.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from joinedup.feeds.contract import Contract

# Records of an agreement that names no retention period are kept until it ends and this many
# months more (time to close the work it supported), then purged by `joinedup retention run`.
RETAIN_AFTER_END_MONTHS = 6


class AgreementRefusedError(PermissionError):
    """A load the register does not allow; the message says which agreement and why."""


class RegisterUnavailableError(AgreementRefusedError):
    """The hub's register cannot be read as it should be (say, Django is set up for another
    hub's database): nothing is allowed rather than something under the wrong register."""


@dataclass(frozen=True)
class Agreement:
    id: str
    title: str
    partner: str
    datasets: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    purpose: str
    purposes: tuple[str, ...]
    lawful_basis: str
    special_category_condition: str
    start: dt.date
    review: dt.date
    end: dt.date
    status: str
    # How long each record is kept after its event (or its load, when it has no event date);
    # None: until the agreement ends, plus RETAIN_AFTER_END_MONTHS.
    retention_months: int | None = None

    def in_force(self, on: dt.date) -> bool:
        return self.status == "active" and self.start <= on <= self.end

    def why_not_in_force(self, on: dt.date) -> str:
        """Why the agreement does not allow anything on ``on``, in words ("" when it does)."""
        if self.status != "active":
            return f"its status is {self.status}"
        if on < self.start:
            return f"it starts on {self.start.isoformat()}"
        if on > self.end:
            return f"it ended on {self.end.isoformat()}"
        return ""

    def due_for_review(self, on: dt.date, within_days: int) -> bool:
        """Active, and its review date (or, if sooner, its end date) is within ``within_days``
        days of ``on`` or has passed: the information governance lead is warned before then."""
        horizon = on + dt.timedelta(days=within_days)
        return self.status == "active" and min(self.review, self.end) <= horizon


def register_path(home: Path) -> Path:
    return home / "governance" / "agreements.toml"


def load_register(home: Path) -> dict[str, Agreement]:
    """The hub's register: its web database's if it has a web app, else its TOML register
    (seeded from the packaged one the first time)."""
    from joinedup.web import has_web_database

    if has_web_database(home):
        from joinedup.web.governance.register import hub_register_entries

        return register_from_entries(hub_register_entries(home))
    path = register_path(home)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (
            files("joinedup.feeds").joinpath("agreements.toml").open("rb") as source,
            path.open("wb") as target,
        ):
            shutil.copyfileobj(source, target)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return register_from_entries(raw.get("agreement", []))


def register_from_entries(entries: Iterable[dict[str, object]]) -> dict[str, Agreement]:
    """The register from its entries in the TOML form (``[[agreement]]`` tables, or the web
    database's ``Agreement.as_register_entry()``), by id: the one place an entry is read."""
    return {str(entry["id"]): _agreement(entry) for entry in entries}


def _agreement(raw: dict[str, object]) -> Agreement:
    fields = raw.get("fields", {})
    assert isinstance(fields, dict)
    return Agreement(
        id=str(raw["id"]),
        title=str(raw.get("title", "")),
        partner=str(raw["partner"]),
        datasets=tuple(raw.get("datasets", ())),  # type: ignore[arg-type]
        fields={k: tuple(v) for k, v in fields.items()},
        purpose=str(raw.get("purpose", "")),
        purposes=tuple(str(p) for p in raw.get("purposes", ())),  # type: ignore[attr-defined]
        lawful_basis=str(raw.get("lawful_basis", "")),
        special_category_condition=str(raw.get("special_category_condition", "")),
        start=_date(raw["start"]),
        review=_date(raw["review"]),
        end=_date(raw["end"]),
        status=str(raw.get("status", "draft")),
        retention_months=_retention_months(raw),
    )


def _retention_months(raw: dict[str, object]) -> int | None:
    value = raw.get("retention_months")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RegisterUnavailableError(
            f"agreement {raw['id']}: retention_months must be a whole number of months, "
            f"1 or more, not {value!r}"
        )
    return value


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def authorise(home: Path, contract: Contract, header: list[str], on: dt.date) -> Agreement:
    """The agreement covering this delivery, or a refusal that says which rule it breaks."""
    agreement = load_register(home).get(contract.agreement)
    if agreement is None:
        raise AgreementRefusedError(
            f"feed {contract.name} names agreement {contract.agreement}, which is not in the register"
        )
    if not agreement.in_force(on):
        why = agreement.why_not_in_force(on)
        notify_ig_lead(
            home,
            "agreement_not_in_force",
            {"feed": contract.name, "agreement": agreement.id, "reason": why},
        )
        raise AgreementRefusedError(
            f"agreement {agreement.id} is not in force on {on.isoformat()}: {why}; the delivery "
            f"of {contract.name} is refused and the information governance lead has been told"
        )
    if contract.name not in agreement.datasets:
        raise AgreementRefusedError(
            f"agreement {agreement.id} does not cover the dataset {contract.name}"
        )
    allowed = set(agreement.fields.get(contract.name, ()))
    outside = [name for name in header if name not in allowed]
    if outside:
        notify_ig_lead(
            home,
            "field_outside_agreement",
            {"feed": contract.name, "agreement": agreement.id, "fields": outside},
        )
        raise AgreementRefusedError(
            f"agreement {agreement.id} does not cover the field(s) {', '.join(outside)} of {contract.name}; "
            "the file is refused and the information governance lead has been told"
        )
    return agreement


def authorise_purpose(
    home: Path, purpose: str, datasets: Iterable[str], on: dt.date
) -> dict[str, Agreement]:
    """The agreement in force on ``on`` that lets each dataset be used for ``purpose``; refused,
    naming the datasets, when any has none."""
    register = load_register(home)
    covering: dict[str, Agreement] = {}
    for dataset in sorted(set(datasets)):
        found = [
            a
            for a in register.values()
            if dataset in a.datasets and purpose in a.purposes and a.in_force(on)
        ]
        if found:
            covering[dataset] = found[0]
    missing = sorted(set(datasets) - set(covering))
    if missing:
        raise AgreementRefusedError(
            f"no data sharing agreement in force on {on} lets {', '.join(missing)} be used for "
            f"the purpose {purpose!r}; ask the information governance lead"
        )
    return covering


def reviews_due(home: Path, on: dt.date, within_days: int = 30) -> list[Agreement]:
    """The hub's agreements due for review (see ``due_for_review``)."""
    return due_for_review(load_register(home).values(), on, within_days)


def due_for_review(
    agreements: Iterable[Agreement], on: dt.date, within_days: int = 30
) -> list[Agreement]:
    """The agreements ``Agreement.due_for_review`` picks, soonest review first: the one rule for
    the command line and the IG lead's banner in the web app."""
    due = [a for a in agreements if a.due_for_review(on, within_days)]
    return sorted(due, key=lambda a: (a.review, a.id))


def notify_ig_lead(home: Path, kind: str, detail: dict[str, object]) -> None:
    """Leave a notice for the information governance lead: a line in the hub's
    ``governance/notifications.jsonl`` and, on a hub with a web app, an audit event
    ``notice.KIND`` that the IG lead's banner shows."""
    path = home / "governance" / "notifications.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "kind": kind, **detail}
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")
    from joinedup.web import has_web_database

    if has_web_database(home):
        from joinedup.web.governance.register import record_notice

        record_notice(home, kind, detail)
