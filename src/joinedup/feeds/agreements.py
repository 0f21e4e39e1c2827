"""The register of data sharing agreements, as records the command line reads.

The packaged register is copied into the hub's data directory on first use; from then on the
hub's own copy is the register (the web app takes it over later). A feed loads only under an
active agreement that covers its partner, the dataset and every field in the file.
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


class AgreementRefusedError(PermissionError):
    """A load the register does not allow; the message says which agreement and why."""


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

    def in_force(self, on: dt.date) -> bool:
        return self.status == "active" and self.start <= on <= self.end


def register_path(home: Path) -> Path:
    return home / "governance" / "agreements.toml"


def load_register(home: Path) -> dict[str, Agreement]:
    """The hub's register, seeded from the packaged one the first time."""
    path = register_path(home)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (
            files("joinedup.feeds").joinpath("agreements.toml").open("rb") as source,
            path.open("wb") as target,
        ):
            shutil.copyfileobj(source, target)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {a["id"]: _agreement(a) for a in raw.get("agreement", [])}


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
    )


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
        raise AgreementRefusedError(
            f"agreement {agreement.id} is not in force on {on.isoformat()} "
            f"(status {agreement.status}, {agreement.start.isoformat()} to {agreement.end.isoformat()})"
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
    """Agreements whose review date falls within the next ``within_days`` days (or has passed)."""
    horizon = on + dt.timedelta(days=within_days)
    return [a for a in load_register(home).values() if a.status == "active" and a.review <= horizon]


def notify_ig_lead(home: Path, kind: str, detail: dict[str, object]) -> None:
    """Leave a notice for the information governance lead (the web app will show these)."""
    path = home / "governance" / "notifications.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "kind": kind, **detail}
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")
