"""The library as the hub sees it: every definition it can run, each text it has read kept as a
version, and the differences between any two versions, line by line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts.language import Definition
from joinedup.analytics.cohorts.run import digest
from joinedup.web.cohorts.models import CohortVersion


def remember(definition: Definition, origin: str) -> CohortVersion:
    """The version row of this text, made the first time the text is seen."""
    found, _ = CohortVersion.objects.get_or_create(
        name=definition.name,
        sha256=digest(definition),
        defaults={"version": definition.version, "text": definition.text, "origin": origin},
    )
    return found


def current(home: Path) -> dict[str, tuple[library.Entry, CohortVersion]]:
    """Every definition the hub can run now, by name, each with its version row."""
    return {
        name: (entry, remember(entry.definition, entry.origin))
        for name, entry in sorted(library.entries(home).items())
    }


def history(name: str) -> list[CohortVersion]:
    """The texts of one definition the hub has seen, oldest first."""
    return list(CohortVersion.objects.filter(name=name).order_by("first_seen", "id"))


@dataclass(frozen=True)
class DiffLine:
    """One line of a side-by-side difference: 'same', 'removed', 'added' or 'changed'."""

    kind: str
    old_number: int | None
    old: str
    new_number: int | None
    new: str


def differences(old: str, new: str) -> list[DiffLine]:
    """The lines of ``old`` and ``new`` side by side; unchanged lines are kept for context."""
    before, after = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", i + 1, before[i], j + 1, after[j]) for i, j in
                      zip(range(i1, i2), range(j1, j2), strict=True)]  # fmt: skip
            continue
        removed, added = list(range(i1, i2)), list(range(j1, j2))
        for k in range(max(len(removed), len(added))):
            i = removed[k] if k < len(removed) else None
            j = added[k] if k < len(added) else None
            kind = (
                "changed"
                if i is not None and j is not None
                else "removed"
                if j is None
                else "added"
            )
            lines.append(
                DiffLine(
                    kind,
                    None if i is None else i + 1,
                    "" if i is None else before[i],
                    None if j is None else j + 1,
                    "" if j is None else after[j],
                )
            )
    return lines
