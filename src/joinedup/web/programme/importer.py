"""Import a work programme from a TOML file (``joinedup programme import FILE``; the demo seeds
``seed_programme.toml``). Idempotent: themes, workstreams, phases, grants and risks are matched
by name (phases by ``key``) and updated in place; the whole import is one audited transaction.

The file's shape::

    [[theme]]
    name = "Building Community Capacity"
      [[theme.workstream]]
      name = "Community Engagement"
      objective = "..."; lead = "..."; lead_organisation = "..."; status = "on_track"
        [[theme.workstream.phase]]
        key = "bcc-spec"; title = "..."; start = 2015-03-01; end = 2015-05-31
        status = "complete"; depends_on = ["other-key"]
    [[grant]]
    name = "..."; funder = "..."; amount = 245000; conditions = "..."; spend_by = 2016-03-31
      [[grant.spend]]
      workstream = "Community Engagement"; amount = 10000; on = 2015-10-31; kind = "actual"
    [[risk]]
    title = "..."; cause = "..."; effect = "..."; owner = "..."; likelihood = 3; impact = 4
    mitigations = "..."; review_on = 2015-12-01
    [[measure]]
    name = "..."; kind = "unspent_at_deadline"; grant = "..."; threshold = 0
    direction = "above"; risk = "..."   # or workstream = "..."
    # kind "cohort_size" takes cohort = "frail_older_people"; "referrals_received" days = 28
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from joinedup.web.audit.chain import record
from joinedup.web.programme import scoring
from joinedup.web.programme.changes import find_loop
from joinedup.web.programme.models import (
    Direction,
    Grant,
    Measure,
    MeasureKind,
    Phase,
    Risk,
    RiskScoreChange,
    SpendKind,
    SpendLine,
    Status,
    Theme,
    Workstream,
)

SEED_PROGRAMME = Path(__file__).with_name("seed_programme.toml")


class ProgrammeFileError(ValueError):
    """The file is not a work programme this importer understands."""


@dataclass
class ImportReport:
    themes: int = 0
    workstreams: int = 0
    phases: int = 0
    grants: int = 0
    spend_lines: int = 0
    risks: int = 0
    measures: int = 0
    created: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "themes": self.themes,
            "workstreams": self.workstreams,
            "phases": self.phases,
            "grants": self.grants,
            "spend_lines": self.spend_lines,
            "risks": self.risks,
            "measures": self.measures,
            "created": self.created,
        }


def _text(entry: dict[str, Any], name: str, required: bool = False) -> str:
    value = entry.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ProgrammeFileError(
            f"{name!r} must be {'non-empty ' if required else ''}text: {entry!r:.120}"
        )
    return value.strip()


def _date(entry: dict[str, Any], name: str) -> dt.date:
    value = entry.get(name)
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ProgrammeFileError(f"{name!r} must be a date (YYYY-MM-DD): {entry!r:.120}")
    return value


def _status(entry: dict[str, Any]) -> Status:
    value = entry.get("status", Status.NOT_STARTED.value)
    try:
        return Status(value)
    except ValueError:
        raise ProgrammeFileError(
            f"status {value!r} is not one of {', '.join(s.value for s in Status)}"
        ) from None


def _money(entry: dict[str, Any], name: str) -> Decimal:
    value = entry.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProgrammeFileError(f"{name!r} must be an amount in pounds: {entry!r:.120}")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ProgrammeFileError(f"{name!r} must be an amount in pounds: {value!r}") from None
    if amount < 0:
        raise ProgrammeFileError(f"{name!r} must not be negative: {value!r}")
    return amount


def _score(entry: dict[str, Any], name: str) -> int:
    value = entry.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value not in scoring.SCALE:
        raise ProgrammeFileError(f"{name!r} must be a whole number from 1 to 5: {entry!r:.120}")
    return value


def _refuse_cycles(depends_on: dict[str, list[str]]) -> None:
    """A phase cannot wait, however indirectly, for itself."""
    loop = find_loop(depends_on)
    if loop is not None:
        raise ProgrammeFileError(f"phases depend on each other in a loop: {' -> '.join(loop)}")


def _choice(entry: dict[str, Any], name: str, choices: list[str]) -> str:
    value = _text(entry, name, required=True)
    if value not in choices:
        raise ProgrammeFileError(f"{name} {value!r} is not one of {', '.join(choices)}")
    return value


def _import_measure(entry: dict[str, Any], report: ImportReport) -> None:
    name = _text(entry, "name", required=True)
    risk_title, workstream_name = _text(entry, "risk"), _text(entry, "workstream")
    if bool(risk_title) == bool(workstream_name):
        raise ProgrammeFileError(f"measure {name!r} must show one risk or one workstream")
    risk = Risk.objects.filter(title=risk_title).first() if risk_title else None
    workstream = (
        Workstream.objects.filter(name=workstream_name).first() if workstream_name else None
    )
    if risk is None and workstream is None:
        raise ProgrammeFileError(f"measure {name!r} shows an unknown risk or workstream")
    grant_name = _text(entry, "grant")
    grant = Grant.objects.filter(name=grant_name).first() if grant_name else None
    if grant_name and grant is None:
        raise ProgrammeFileError(f"measure {name!r} reads an unknown grant {grant_name!r}")
    days = entry.get("days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
        raise ProgrammeFileError(f"measure {name!r}: days must be a whole number of days")
    measure = Measure.objects.filter(name=name).first() or Measure(name=name)
    created = measure.pk is None
    measure.kind = _choice(entry, "kind", MeasureKind.values)
    measure.direction = _choice(entry, "direction", Direction.values)
    measure.threshold = _money(entry, "threshold")
    measure.cohort, measure.days, measure.grant = _text(entry, "cohort"), days, grant
    measure.risk, measure.workstream = risk, workstream
    try:
        measure.full_clean()
    except ValidationError as error:
        raise ProgrammeFileError(f"measure {name!r}: {'; '.join(error.messages)}") from None
    measure.save()
    report.measures += 1
    if created:
        report.created.append(f"measure {name}")


def import_programme(
    path: Path | None = None, actor: str = "joinedup programme import"
) -> ImportReport:
    source = path or SEED_PROGRAMME
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProgrammeFileError(f"{source.name} is not valid TOML: {error}") from None
    report = ImportReport()
    with transaction.atomic():
        workstreams: dict[str, Workstream] = {}
        dependencies: list[tuple[Phase, list[str]]] = []
        for theme_position, theme_entry in enumerate(data.get("theme", []), start=1):
            theme, created = Theme.objects.update_or_create(
                name=_text(theme_entry, "name", required=True),
                defaults={"position": theme_position},
            )
            report.themes += 1
            if created:
                report.created.append(f"theme {theme.name}")
            for position, entry in enumerate(theme_entry.get("workstream", []), start=1):
                workstream, created = Workstream.objects.update_or_create(
                    theme=theme,
                    name=_text(entry, "name", required=True),
                    defaults={
                        "objective": _text(entry, "objective"),
                        "lead_name": _text(entry, "lead"),
                        "lead_organisation": _text(entry, "lead_organisation"),
                        "status": _status(entry),
                        "position": position,
                    },
                )
                report.workstreams += 1
                if created:
                    report.created.append(f"workstream {workstream.name}")
                workstreams[workstream.name] = workstream
                for phase_entry in entry.get("phase", []):
                    start, end = _date(phase_entry, "start"), _date(phase_entry, "end")
                    if end < start:
                        raise ProgrammeFileError(
                            f"phase {phase_entry.get('key')!r} ends before it starts"
                        )
                    phase, created = Phase.objects.update_or_create(
                        key=_text(phase_entry, "key", required=True),
                        defaults={
                            "workstream": workstream,
                            "title": _text(phase_entry, "title", required=True),
                            "start": start,
                            "end": end,
                            "status": _status(phase_entry),
                        },
                    )
                    report.phases += 1
                    if created:
                        report.created.append(f"phase {phase.key}")
                    dependencies.append((phase, list(phase_entry.get("depends_on", []))))
        for phase, keys in dependencies:
            found = {p.key: p for p in Phase.objects.filter(key__in=keys)}
            missing = sorted(set(keys) - set(found))
            if missing:
                raise ProgrammeFileError(f"phase {phase.key!r} depends on unknown {missing}")
            phase.depends_on.set(found.values())
        _refuse_cycles({phase.key: keys for phase, keys in dependencies})
        for grant_entry in data.get("grant", []):
            grant, created = Grant.objects.update_or_create(
                name=_text(grant_entry, "name", required=True),
                defaults={
                    "funder": _text(grant_entry, "funder", required=True),
                    "amount": _money(grant_entry, "amount"),
                    "conditions": _text(grant_entry, "conditions"),
                    "spend_by": _date(grant_entry, "spend_by"),
                },
            )
            report.grants += 1
            if created:
                report.created.append(f"grant {grant.name}")
            # The file holds the whole spend profile: it replaces the one held.
            grant.spend.all().delete()
            for line in grant_entry.get("spend", []):
                name = _text(line, "workstream")
                if name and name not in workstreams:
                    known = Workstream.objects.filter(name=name).first()
                    if known is None:
                        raise ProgrammeFileError(f"spend on unknown workstream {name!r}")
                    workstreams[name] = known
                kind = _text(line, "kind", required=True)
                if kind not in SpendKind.values:
                    raise ProgrammeFileError(f"spend kind {kind!r} is not actual or forecast")
                SpendLine.objects.create(
                    grant=grant,
                    workstream=workstreams[name] if name else None,
                    description=_text(line, "description"),
                    amount=_money(line, "amount"),
                    on=_date(line, "on"),
                    kind=kind,
                )
                report.spend_lines += 1
        for risk_entry in data.get("risk", []):
            title = _text(risk_entry, "title", required=True)
            likelihood, impact = _score(risk_entry, "likelihood"), _score(risk_entry, "impact")
            risk = Risk.objects.filter(title=title).first() or Risk(title=title)
            before = None if risk.pk is None else (risk.likelihood, risk.impact)
            for name in ("cause", "effect", "mitigations"):
                setattr(risk, name, _text(risk_entry, name))
            risk.owner = _text(risk_entry, "owner", required=True)
            risk.likelihood, risk.impact = likelihood, impact
            risk.review_on = _date(risk_entry, "review_on")
            risk.save()
            if before != (likelihood, impact):
                RiskScoreChange.objects.create(
                    risk=risk,
                    old_likelihood=None if before is None else before[0],
                    old_impact=None if before is None else before[1],
                    new_likelihood=likelihood,
                    new_impact=impact,
                    note=f"Imported from {source.name}",
                )
            if before is None:
                report.created.append(f"risk {title}")
            report.risks += 1
        for measure_entry in data.get("measure", []):
            _import_measure(measure_entry, report)
        record(
            "programme.imported",
            actor=actor,
            object_type="programme",
            object_id=source.name,
            detail={k: v for k, v in report.as_dict().items() if k != "created"},
        )
    return report
