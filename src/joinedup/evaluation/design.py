"""What an evaluation compares: an intervention group, a comparison group and the windows.

An intervention is the Integrated Action Team's referrals (``iat``: each person's index date is
their referral) or a list of localities. A comparison is the control area, a matched group drawn
from the rest of the linked data, or a list of localities. Localities are the MSOA names the
locality profiles use (for example "Clayton Brook").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from joinedup.synth.params import load_params

IAT = "iat"
CONTROL_AREA = "control-area"
MATCHED = "matched"


class Kind(StrEnum):
    REFERRALS = "referrals"  # the people the team took referrals of
    AREA = "area"  # eligible-looking residents of some localities
    MATCHED = "matched"  # drawn from outside the intervention, matched to it


@dataclass(frozen=True)
class Group:
    """One side of the comparison: who is in it and how they were chosen."""

    kind: Kind
    localities: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.kind is Kind.REFERRALS:
            return "People referred to the Integrated Action Team"
        if self.kind is Kind.MATCHED:
            return "Matched comparison group"
        return "Eligible-looking residents of " + ", ".join(self.localities)


@dataclass(frozen=True)
class Windows:
    """Months before and after each person's index date; both whole quarters."""

    months_before: int = 12
    months_after: int = 12

    def __post_init__(self) -> None:
        for months in (self.months_before, self.months_after):
            if months <= 0 or months % 6:
                raise ValueError("windows are whole half-years: 6, 12, 18 or 24 months")

    @property
    def quarters(self) -> range:
        """Quarters relative to the index date: -4 is the year's first quarter before it."""
        return range(-self.months_before // 3, self.months_after // 3)

    @property
    def rule_months(self) -> tuple[int, int]:
        """The year whose use decides who looks eligible: the one before the before-window, so
        the window compared is not the one people were chosen on (no regression to the mean)."""
        return self.months_before + 12, self.months_before


@dataclass(frozen=True)
class Design:
    intervention: Group
    comparison: Group
    windows: Windows = Windows()
    index_date: dt.date | None = None  # for an area intervention that started on one day


def team_localities() -> tuple[str, ...]:
    """Where the Integrated Action Team works (the synthetic borough's plan)."""
    return tuple(load_params().section("intervention")["localities"])


def control_localities() -> tuple[str, ...]:
    """The partnership's control area: localities like the team's, with no team."""
    return tuple(load_params().section("intervention")["control_area"])


def localities_of(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def intervention_group(name: str | None) -> Group:
    """``iat`` (the default) or comma-separated locality names."""
    if name is None or name.strip().lower() == IAT:
        return Group(Kind.REFERRALS)
    return Group(Kind.AREA, localities_of(name))


def comparison_group(name: str | None) -> Group:
    """``control-area`` (the default), ``matched``, or comma-separated locality names."""
    key = (name or CONTROL_AREA).strip().lower()
    if key == CONTROL_AREA:
        return Group(Kind.AREA, control_localities())
    if key == MATCHED:
        return Group(Kind.MATCHED)
    return Group(Kind.AREA, localities_of(name or ""))


def localities_to_avoid(group: Group) -> tuple[str, ...]:
    """The localities a comparison must stay out of: those named, and the team's (wherever the
    team works, its people are not a comparison for anything)."""
    return tuple(dict.fromkeys((*group.localities, *team_localities())))
