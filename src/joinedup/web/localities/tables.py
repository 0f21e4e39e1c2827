"""The locality profiles' tables as files: the map's table, an area's profile and a comparison of
two places, each in CSV or as an Excel workbook with a Notes sheet.

Every cell comes from the profiles' own published table (``profiles.level_table``): counts as
disclosure control published them (rounded, or a mark), never a raw count, and rates,
percentages and intervals as the profiles made them from those counts.
"""

from __future__ import annotations

from joinedup.analytics.profiles import (
    BOROUGH,
    AreaProfile,
    Indicator,
    LocalityProfiles,
    indicator_columns,
    level_table,
    notes,
)
from joinedup.web.dashboard.downloads import Format, Sheet, file_of
from joinedup.web.localities.comparison import METHOD, compare_figures

Cells = dict[str, object]  # a column of the profiles' table -> its published value
PARTS = ("count", "denominator", "value", "lower", "upper", "comparison")
AREA_COLUMNS = ("area_type", "area_code", "area_name", "ward_code", "ward_name")


def published(profiles: LocalityProfiles, area: AreaProfile) -> Cells:
    """An area's row of the profiles' published table, by column."""
    level = "ward" if area.level == BOROUGH else area.level
    header, rows = level_table(profiles, level)
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        if cells["area_code"] == area.code and cells["area_type"] == area.level:
            return cells
    raise KeyError(area.code)


def _parts(cells: Cells, indicator: Indicator) -> list[object]:
    """count, denominator, value, lower, upper and comparison; blank where it has none."""
    return [cells.get(f"{indicator.key}_{part}", "") for part in PARTS]


def map_table(profiles: LocalityProfiles, indicator: Indicator, level: str) -> Sheet:
    header, rows = level_table(profiles, level)
    kept = [c for c in (*AREA_COLUMNS, *indicator_columns(indicator)) if c in header]
    at = [header.index(c) for c in kept]
    return ("Areas", kept, [[row[i] for i in at] for row in rows])


PROFILE_HEADER = [
    "indicator",
    "title",
    "unit",
    *(f"area_{part}" for part in PARTS[:-1]),
    *(f"borough_{part}" for part in PARTS[:-1]),
    "compared_with_borough",
]


def profile_table(profiles: LocalityProfiles, area: AreaProfile) -> Sheet:
    mine, borough = published(profiles, area), published(profiles, profiles.borough)
    rows = []
    for indicator in profiles.indicators:
        here, there = _parts(mine, indicator), _parts(borough, indicator)
        rows.append(
            [indicator.key, indicator.title, indicator.unit, *here[:-1], *there[:-1], here[-1]]
        )
    return ("Profile", PROFILE_HEADER, rows)


COMPARISON_HEADER = [
    "indicator",
    "title",
    "unit",
    *(f"first_{part}" for part in PARTS),
    *(f"second_{part}" for part in PARTS),
    "borough_value",
    "first_against_second",
]


def comparison_table(profiles: LocalityProfiles, first: AreaProfile, second: AreaProfile) -> Sheet:
    """Each indicator of the two places (the comparison columns are each against the borough)
    and the first against the second by their intervals."""
    one, two = published(profiles, first), published(profiles, second)
    borough = published(profiles, profiles.borough)
    rows = []
    for indicator in profiles.indicators:
        key = indicator.key
        difference = ""
        if indicator.compared:
            difference = compare_figures(first.figures[key], second.figures[key])
        cells = [*_parts(one, indicator), *_parts(two, indicator)]
        rows.append(
            [key, indicator.title, indicator.unit, *cells, borough[f"{key}_value"], difference]
        )
    return ("Comparison", COMPARISON_HEADER, rows)


def as_file(
    profiles: LocalityProfiles, sheet: Sheet, file_format: Format, *areas: AreaProfile
) -> bytes:
    """The table as CSV, or a workbook with the notes: the areas, the methods and the rule."""
    lines = [(f"Area: {a.name}", f"{a.code} ({a.level})") for a in areas]
    if len(areas) == 2:
        lines.append(("Two places compared", METHOD))
    lines += notes(profiles)
    return file_of([sheet, ("Notes", ["Topic", "Note"], [list(n) for n in lines])], file_format)
