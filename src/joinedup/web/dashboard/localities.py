"""The locality view: the borough's map shaded by one indicator, and each neighbourhood's profile
beside the borough's, with intervals. The Executive dashboard's localities and the analysts'
locality profiles (``joinedup.web.localities``) both show the borough through this module.

The profiles are the hub's locality profiles (``joinedup.analytics.profiles``): every count
through disclosure control before any rate or interval is made. They are built once per data
snapshot and kept in memory, with the packaged LSOA and ward boundaries.
"""

from __future__ import annotations

import datetime as dt
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from joinedup.analytics import base, charts
from joinedup.analytics.base import NotReadyError
from joinedup.analytics.disclosure import Controlled
from joinedup.analytics.profiles import (
    BOROUGH,
    EVENT_RATES,
    LEVEL_TITLES,
    MAP_PROPERTIES,
    OBESITY,
    AreaProfile,
    Boundaries,
    Figure,
    Indicator,
    LocalityProfiles,
    ProfileYearError,
    build_profiles,
    display,
)
from joinedup.linkage.published import NotLinkedError
from joinedup.web.dashboard.dashboard import NO_LINKED_DATA

LEVELS = {"ward": "Wards", "lsoa": "Neighbourhoods (LSOAs)"}
DEFAULT_LEVEL = "ward"
DEFAULT_INDICATOR = "ae_attendances_rate"
SVG = charts.SVG_NS
COHORT_PREFIX = "cohort_"  # the built-in cohorts' indicators, as profiles.py keys them
SERVICE_USE = frozenset(
    f"{rate.key}_{suffix}" for rate in EVENT_RATES for suffix in ("rate", "dsr")
)
THEMES = (
    "Who lives here",
    "Use of services",
    "Children's health",
    "The hub's cohorts",
)


@dataclass(frozen=True)
class Localities:
    profiles: LocalityProfiles
    boundaries: Boundaries

    def indicator(self, key: str) -> Indicator:
        found = {i.key: i for i in self.profiles.indicators}
        if key in found:
            return found[key]
        return found.get(DEFAULT_INDICATOR, self.profiles.indicators[0])


_cache: dict[tuple[str, str], Localities] = {}
_lock = threading.Lock()


def localities(home: Path, today: dt.date) -> Localities:
    """The profiles of the current snapshot: built on first asking, then from memory."""
    connection = base.open_base(home)
    try:
        name = base.snapshot(connection).name
    finally:
        connection.close()
    key = (str(home.resolve()), name)
    with _lock:
        if key not in _cache:
            _cache[key] = Localities(build_profiles(home, today=today), Boundaries.packaged())
        return _cache[key]


def forget() -> None:
    with _lock:
        _cache.clear()


def available(home: Path, today: dt.date) -> tuple[Localities | None, str]:
    """The profiles, or None and why there are none yet."""
    try:
        return localities(home, today), ""
    except (NotReadyError, NotLinkedError):
        return None, NO_LINKED_DATA
    except ProfileYearError as short:
        return None, f"the linked data holds no whole calendar year to profile: {short}"


def level_of(asked: str | None) -> str:
    """The level asked for, or wards when the request names none we know."""
    return asked if asked in LEVELS else DEFAULT_LEVEL


def theme(indicator: Indicator) -> str:
    if indicator.key.startswith(COHORT_PREFIX):
        return THEMES[3]
    if indicator.key == OBESITY:
        return THEMES[2]
    if indicator.key in SERVICE_USE:
        return THEMES[1]
    return THEMES[0]


def by_theme(indicators: tuple[Indicator, ...]) -> list[tuple[str, list[Indicator]]]:
    """The indicators grouped by theme for a reader choosing one, each group in profile order."""
    groups: dict[str, list[Indicator]] = {name: [] for name in THEMES}
    for indicator in indicators:
        groups[theme(indicator)].append(indicator)
    return [(name, found) for name, found in groups.items() if found]


def decimals(indicator: Indicator, level: str) -> int:
    """An LSOA has one deprivation decile, a whole number; a ward's is a mean of its LSOAs'."""
    return 0 if indicator.kind == "decile" and level == "lsoa" else indicator.decimals


def map_svg(
    found: Localities, indicator: Indicator, level: str, link: Callable[[str], str] | None = None
) -> str:
    """The map of ``indicator`` by ward or LSOA; with ``link``, each area a link to the address
    ``link(code)`` gives."""
    on_map = found.boundaries.codes(level)
    values = {
        area.code: area.figures[indicator.key].value
        for area in found.profiles.areas(level)
        if area.code in on_map
    }
    code_property, name_property = MAP_PROPERTIES[level]
    drawn = charts.choropleth_svg(
        found.boundaries.of(level),
        values,
        code_property=code_property,
        name_property=name_property,
        title=f"{indicator.title}, {found.profiles.year}, by {LEVEL_TITLES[level]}",
        legend_title=indicator.unit,
        decimals=decimals(indicator, level),
    )
    return drawn if link is None else _linked(drawn, link)


def _linked(svg: str, link: Callable[[str], str]) -> str:
    """Each area's path wrapped in a link to its profile, named by the area and its figure. The
    map becomes a group of links, named by its title and summarised by its description (an image
    cannot hold links that assistive technology can reach)."""
    ET.register_namespace("", SVG)
    root = ET.fromstring(svg)
    root.set("role", "group")
    for group in root.iter(f"{{{SVG}}}g"):
        for index, path in enumerate(list(group)):
            code = path.get("data-code")
            if path.tag != f"{{{SVG}}}path" or code is None:
                continue
            name = path.findtext(f"{{{SVG}}}title", default=code)
            anchor = ET.Element(f"{{{SVG}}}a", {"href": link(code), "aria-label": name})
            group.remove(path)
            anchor.append(path)
            group.insert(index, anchor)
    return ET.tostring(root, encoding="unicode")


@dataclass(frozen=True)
class Line:
    """One indicator of one area, beside the borough, as the page shows it."""

    indicator: Indicator
    value: str
    interval: str
    borough: str
    comparison: str
    is_count: bool
    count: str = ""  # a rate's or percentage's numerator and denominator, as controlled
    denominator: str = ""


def shown(figure: Figure, indicator: Indicator, level: str) -> str:
    if figure.value is None:
        return figure.mark
    return f"{figure.value:,.{decimals(indicator, level)}f}"


def counts_residents(indicator: Indicator) -> bool:
    """A count made from the hub's data (through disclosure control); the Census's residents and
    the deprivation deciles are published figures, read from no feed."""
    return indicator.kind == "count" and bool(indicator.feeds)


def line(found: Localities, area: AreaProfile, indicator: Indicator) -> Line:
    figure = area.figures[indicator.key]
    interval = ""
    if indicator.compared and figure.lower is not None:
        interval = f"{display(figure, indicator, 'lower')} to {display(figure, indicator, 'upper')}"
    return Line(
        indicator,
        shown(figure, indicator, area.level),
        interval,
        shown(found.profiles.borough.figures[indicator.key], indicator, BOROUGH),
        figure.comparison if indicator.compared and area.level != BOROUGH else "",
        counts_residents(indicator),
        _controlled(figure.count),
        _controlled(figure.denominator),
    )


def _controlled(count: Controlled[int] | None) -> str:
    if count is None:
        return ""
    return count.display if count.value is None else f"{count.value:,}"


def lines(found: Localities, area: AreaProfile) -> list[Line]:
    return [line(found, area, indicator) for indicator in found.profiles.indicators]
