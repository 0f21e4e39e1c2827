"""Every change to the programme, each audited in the transaction that makes it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models, transaction
from django.utils.text import slugify

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.programme.models import (
    Grant,
    Measure,
    Phase,
    Risk,
    RiskScoreChange,
    SpendLine,
    Status,
    StatusChange,
    Theme,
    Workstream,
)


def set_workstream_status(workstream: Workstream, status: Status, note: str, by: User) -> bool:
    """Change a workstream's status, kept in its history; False when it was that already."""
    with transaction.atomic():
        locked = Workstream.objects.select_for_update().get(pk=workstream.pk)
        old = Status(locked.status)
        if old == status and not note:
            return False
        locked.status = status
        locked.save(update_fields=["status"])
        StatusChange.objects.create(
            workstream=locked, old_status=old, new_status=status, note=note, changed_by=by
        )
        record_by(
            by,
            "programme.workstream_status",
            "workstream",
            str(locked.pk),
            {"from": old.value, "to": status.value, "note": note},
        )
    workstream.status = status
    return True


RISK_FIELDS = (
    "title",
    "cause",
    "effect",
    "owner",
    "likelihood",
    "impact",
    "mitigations",
    "review_on",
)


def save_risk(risk: Risk, note: str, by: User) -> Risk:
    """Create or update a risk; a new score (or a new risk) is kept in its score history."""
    with transaction.atomic():
        creating = risk.pk is None
        before = None if creating else Risk.objects.select_for_update().get(pk=risk.pk)
        risk.full_clean()
        risk.save()
        rescored = before is None or (before.likelihood, before.impact) != (
            risk.likelihood,
            risk.impact,
        )
        if rescored:
            RiskScoreChange.objects.create(
                risk=risk,
                old_likelihood=None if before is None else before.likelihood,
                old_impact=None if before is None else before.impact,
                new_likelihood=risk.likelihood,
                new_impact=risk.impact,
                note=note,
                changed_by=by,
            )
        changed = [
            name
            for name in RISK_FIELDS
            if before is None or getattr(before, name) != getattr(risk, name)
        ]
        if not creating and risk.review_flagged:
            risk.review_flagged = False  # saving the risk is its review
            risk.save(update_fields=["review_flagged"])
        record_by(
            by,
            "programme.risk_created" if creating else "programme.risk_updated",
            "risk",
            str(risk.pk),
            {"fields": changed, "score": risk.score, "note": note},
        )
    return risk


def add_spend(line: SpendLine, by: User) -> SpendLine:
    """Record spend (actual) or expected spend (forecast) against a grant."""
    with transaction.atomic():
        line.full_clean()
        line.save()
        record_by(
            by,
            "programme.spend_added",
            "grant",
            str(line.grant_id),
            {
                "spend_line": line.pk,
                "amount": f"{line.amount:.2f}",
                "on": line.on.isoformat(),
                "kind": line.kind,
                "workstream": line.workstream_id,
            },
        )
    return line


def find_loop(depends_on: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A chain of phases that waits, however indirectly, for itself; None when there is none.

    >>> find_loop({"a": ["b"], "b": []}) is None
    True
    >>> find_loop({"a": ["b"], "b": ["c"], "c": ["a"]})
    ['a', 'b', 'c', 'a']
    """
    done: set[str] = set()

    def visit(key: str, path: list[str]) -> list[str] | None:
        if key in path:
            return [*path[path.index(key) :], key]
        if key in done:
            return None
        for after in depends_on.get(key, []):
            if loop := visit(after, [*path, key]):
                return loop
        done.add(key)
        return None

    for key in sorted(depends_on):
        if loop := visit(key, []):
            return loop
    return None


def dependency_loop(phase: Phase, depends_on: Iterable[Phase]) -> list[str] | None:
    """The loop (as phase titles) that waiting for ``depends_on`` would make, if any."""
    graph: dict[str, list[str]] = {}
    for key, after in Phase.depends_on.through.objects.values_list(
        "from_phase__key", "to_phase__key"
    ):
        graph.setdefault(key, []).append(after)
    this = phase.key or "(this phase)"
    graph[this] = [p.key for p in depends_on]
    loop = find_loop(graph)
    if loop is None:
        return None
    titles = dict(Phase.objects.filter(key__in=loop).values_list("key", "title"))
    titles[this] = phase.title or "this phase"
    return [titles.get(key, key) for key in loop]


def _save_audited(
    instance: models.Model,
    names: Iterable[str],
    object_type: str,
    by: User,
    also_changed: Iterable[str] = (),
) -> None:
    """Validate and save ``instance``, audited as ``programme.<type>_created`` or ``_updated``
    with the fields that changed; call inside a transaction."""
    creating = instance.pk is None
    before = None if creating else type(instance)._default_manager.get(pk=instance.pk)
    instance.full_clean()
    instance.save()
    changed = [n for n in names if before is None or getattr(before, n) != getattr(instance, n)]
    record_by(
        by,
        f"programme.{object_type}_{'created' if creating else 'updated'}",
        object_type,
        str(instance.pk),
        {"fields": [*changed, *also_changed]},
    )


THEME_FIELDS = ("name", "position")
WORKSTREAM_FIELDS = ("theme_id", "name", "objective", "lead_name", "lead_organisation")
PHASE_FIELDS = ("title", "start", "end", "status")
GRANT_FIELDS = ("name", "funder", "amount", "conditions", "spend_by")


def save_theme(theme: Theme, by: User) -> Theme:
    with transaction.atomic():
        if theme.pk is None:
            theme.position = (Theme.objects.aggregate(m=models.Max("position"))["m"] or 0) + 1
        _save_audited(theme, THEME_FIELDS, "theme", by)
    return theme


def save_workstream(workstream: Workstream, by: User) -> Workstream:
    with transaction.atomic():
        if workstream.pk is None:
            siblings = Workstream.objects.filter(theme_id=workstream.theme_id)
            workstream.position = (siblings.aggregate(m=models.Max("position"))["m"] or 0) + 1
        _save_audited(workstream, WORKSTREAM_FIELDS, "workstream", by)
    return workstream


def _new_phase_key(phase: Phase) -> str:
    """A key for a phase added in the browser (an import file names its own)."""
    base = slugify(f"{phase.workstream.name} {phase.title}")[:80] or "phase"
    key, n = base, 1
    while Phase.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


class DependencyLoopError(ValueError):
    """Phases would wait, however indirectly, for themselves."""


def save_phase(phase: Phase, depends_on: Iterable[Phase], by: User) -> Phase:
    """Create or change a phase and what it waits for; a loop of dependencies is refused."""
    waits_for = list(depends_on)
    with transaction.atomic():
        if phase.pk is None:
            phase.key = _new_phase_key(phase)
            before: set[int] = set()
        else:
            before = set(Phase.objects.get(pk=phase.pk).depends_on.values_list("pk", flat=True))
        loop = dependency_loop(phase, waits_for)
        if loop is not None:
            raise DependencyLoopError(" waits for ".join(loop))
        moved = ["depends_on"] if {p.pk for p in waits_for} != before else []
        _save_audited(phase, PHASE_FIELDS, "phase", by, also_changed=moved)
        phase.depends_on.set(waits_for)
    return phase


def save_grant(grant: Grant, by: User) -> Grant:
    with transaction.atomic():
        _save_audited(grant, GRANT_FIELDS, "grant", by)
    return grant


MEASURE_FIELDS = ("name", "kind", "cohort", "days", "grant_id", "threshold", "direction")


def save_measure(measure: Measure, by: User) -> Measure:
    """Create or change a measure; what it read before is kept (its readings stay)."""
    with transaction.atomic():
        _save_audited(measure, MEASURE_FIELDS, "measure", by)
    return measure
