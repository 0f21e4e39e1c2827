"""Feed contracts: what a partner's extract must look like, declared once per feed in a TOML file.

A contract names the file it recognises, how it is encoded and laid out, every column with its
type, format, whether it is required, its code list, and where it goes: the identity zone
(identifiers), the analytic zone (content), or both in coarsened form. Adding a partner feed
is writing one contract; nothing else changes.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

COLUMN_TYPES = (
    "string",
    "integer",
    "decimal",
    "date",
    "datetime",
    "code",
    "nhs_number",
    "postcode",
)
ZONES = ("key", "person", "identifier", "content", "coarse")
# Identity roles: what an identifier column means to linkage (same words as link-files).
ROLES = (
    "given_name",
    "family_name",
    "full_name",
    "birth_date",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "event_date",
)
ENCODINGS = ("utf-8", "cp1252")
FORMATS = ("csv", "xlsx")
HEADER_MODES = ("exact", "normalised")
DUPLICATE_RULES = ("quarantine", "last_wins")


class ContractError(ValueError):
    """A contract file that does not say what it must; the message names the file and the key."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    zone: str
    required: bool = False
    format: str | None = None
    codes: dict[str, str] = field(default_factory=dict)
    role: str | None = None
    # Free text that might carry data outside the agreement (NHS numbers, e-mail addresses).
    free_text: bool = False

    @property
    def analytic_name(self) -> str:
        return self.name.strip().lower().replace(" ", "_").replace("(", "").replace(")", "")


@dataclass(frozen=True)
class Contract:
    name: str
    partner: str
    description: str
    agreement: str
    file: str
    format: str
    encoding: str
    delimiter: str
    header: str
    # The row's own id, and the partner's id of the person, each from one or more columns
    # (a GP patient id is unique only with its practice code).
    record_id: tuple[str, ...]
    person_id: tuple[str, ...]
    event_date: str | None
    # Feeds from one partner system share a namespace, so one person has one key across them.
    person_namespace: str
    on_conflicting_duplicate: str
    sheet: str | None
    version: int
    columns: tuple[Column, ...]
    source: Path
    # How often the partner is expected to send a delivery; None when there is no schedule.
    expected_every_days: int | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def by_role(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    def recognises(self, filename: str) -> bool:
        return fnmatch.fnmatch(filename.lower(), self.file.lower())

    @property
    def rule_version(self) -> str:
        return f"{self.name}@{self.version}"


def _fail(source: Path, where: str, message: str) -> ContractError:
    return ContractError(f"{source.name}: {where}: {message}")


def _column(source: Path, name: str, spec: dict[str, Any]) -> Column:
    where = f"[columns.{name!r}]" if " " in name else f"[columns.{name}]"
    kind, zone = spec.get("type"), spec.get("zone")
    if kind not in COLUMN_TYPES:
        raise _fail(source, where, f"type must be one of {', '.join(COLUMN_TYPES)}, not {kind!r}")
    if zone not in ZONES:
        raise _fail(source, where, f"zone must be one of {', '.join(ZONES)}, not {zone!r}")
    if kind in ("date", "datetime") and not spec.get("format"):
        raise _fail(source, where, "a date needs a format, such as '%d/%m/%Y'")
    role = spec.get("role")
    if role is not None and role not in ROLES:
        raise _fail(source, where, f"role must be one of {', '.join(ROLES)}, not {role!r}")
    codes = spec.get("codes", {})
    if kind == "code" and not codes:
        raise _fail(
            source, where, "a code column needs its code list (codes = [...] or {code = meaning})"
        )
    if isinstance(codes, list):
        codes = {str(c): str(c) for c in codes}
    unknown = set(spec) - {"type", "zone", "required", "format", "codes", "role", "free_text"}
    if unknown:
        raise _fail(source, where, f"unknown keys {sorted(unknown)}")
    return Column(
        name=name,
        type=kind,
        zone=zone,
        required=bool(spec.get("required", False)),
        format=spec.get("format"),
        codes={str(k): str(v) for k, v in codes.items()},
        role=role,
        free_text=bool(spec.get("free_text", False)),
    )


def _names(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def parse_contract(source: Path, text: str) -> Contract:
    """A contract from its TOML text; errors name the file and the key at fault."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ContractError(f"{source.name}: {error}") from error
    feed = raw.get("feed")
    if not isinstance(feed, dict):
        raise _fail(source, "[feed]", "missing")
    missing = [k for k in ("name", "partner", "agreement", "file", "record_id") if k not in feed]
    if missing:
        raise _fail(source, "[feed]", f"missing {', '.join(missing)}")
    columns = tuple(_column(source, name, spec) for name, spec in raw.get("columns", {}).items())
    names = {c.name for c in columns}
    ids = {key: _names(feed.get(key)) for key in ("record_id", "person_id", "event_date")}
    for key, chosen in ids.items():
        for name in chosen:
            if name not in names:
                raise _fail(source, "[feed]", f"{key} {name!r} is not one of the columns")
    for key, allowed in (
        ("format", FORMATS),
        ("header", HEADER_MODES),
        ("on_conflicting_duplicate", DUPLICATE_RULES),
    ):
        if key in feed and feed[key] not in allowed:
            raise _fail(
                source, "[feed]", f"{key} must be one of {', '.join(allowed)}, not {feed[key]!r}"
            )
    if feed.get("format") == "xlsx" and not feed.get("sheet"):
        raise _fail(source, "[feed]", "a workbook feed needs the sheet to read (sheet = ...)")
    every = feed.get("expected_every_days")
    if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
        raise _fail(
            source, "[feed]", "expected_every_days must be a whole number of days, 1 or more"
        )
    encoding = feed.get("encoding", "utf-8")
    if encoding not in ENCODINGS:
        raise _fail(source, "[feed]", f"encoding must be one of {', '.join(ENCODINGS)}")
    return Contract(
        name=feed["name"],
        partner=feed["partner"],
        description=feed.get("description", ""),
        agreement=feed["agreement"],
        file=feed["file"],
        format=feed.get("format", "csv"),
        encoding=encoding,
        delimiter=feed.get("delimiter", ","),
        header=feed.get("header", "exact"),
        record_id=ids["record_id"],
        person_id=ids["person_id"],
        event_date=feed.get("event_date"),
        person_namespace=str(feed.get("person_namespace", feed["name"])),
        on_conflicting_duplicate=feed.get("on_conflicting_duplicate", "quarantine"),
        sheet=feed.get("sheet"),
        version=int(feed.get("version", 1)),
        columns=columns,
        source=source,
        expected_every_days=every,
    )


@cache
def packaged_contracts() -> tuple[Contract, ...]:
    """Every contract shipped with JoinedUp (one per partner feed of the synthetic borough)."""
    folder = files("joinedup.feeds").joinpath("contracts")
    found = sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return tuple(parse_contract(Path(p.name), p.read_text(encoding="utf-8")) for p in found)


def contract_named(name: str) -> Contract:
    for contract in packaged_contracts():
        if contract.name == name:
            return contract
    known = ", ".join(c.name for c in packaged_contracts())
    raise ContractError(f"no feed called {name!r}; the feeds are: {known}")


def recognise(filename: str) -> Contract | None:
    return next((c for c in packaged_contracts() if c.recognises(filename)), None)
