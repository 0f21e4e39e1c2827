"""The ward maps of the community pages, drawn on the server by the hub's own map renderer
(``analytics.charts.choropleth_svg``), with the ward that has the largest gap outlined."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from joinedup.analytics import charts
from joinedup.web.community.gaps import Gap
from joinedup.web.community.wards import boundaries

HIGHLIGHT = "#d4351c"  # GOV.UK red: stands out from every blue of the map's classes
ET.register_namespace("", charts.SVG_NS)


def gap_map_svg(gaps: Sequence[Gap], title: str, legend_title: str) -> str:
    """Wards shaded by places per 100 people in need (lighter is a bigger gap); the ward
    ranked first is outlined in red and named in the map's description."""
    values = {g.ward_code: g.places_per_100 for g in gaps}
    drawn = _choropleth(values, title, legend_title)
    largest = next((g for g in gaps if g.rank == 1 and g.people > 0), None)
    if largest is None:
        return drawn
    return outline(drawn, largest.ward_code, f"{largest.ward_name} has the largest gap")


def count_map_svg(counts: Mapping[str, int], title: str, legend_title: str) -> str:
    """Wards shaded by a count (of assets, or places) in each."""
    return _choropleth({code: float(n) for code, n in counts.items()}, title, legend_title, 0)


def _choropleth(
    values: Mapping[str, float | None], title: str, legend_title: str, decimals: int = 1
) -> str:
    return charts.choropleth_svg(
        boundaries(),
        values,
        code_property="ward_code",
        name_property="ward_name",
        title=title,
        legend_title=legend_title,
        decimals=decimals,
    )


def outline(svg: str, ward_code: str, saying: str) -> str:
    """The map with one ward drawn on top with a thick red edge, and ``saying`` added to its
    tooltip and to the map's description (so a screen reader hears it too)."""
    namespace = {"svg": charts.SVG_NS}
    root = ET.fromstring(svg)
    for group in root.iter(f"{{{charts.SVG_NS}}}g"):
        for path in group.findall("svg:path", namespace):
            if path.get("data-code") == ward_code:
                group.remove(path)
                group.append(path)
                path.attrib |= {"stroke": HIGHLIGHT, "stroke-width": "4", "data-highlight": "1"}
                title = path.find("svg:title", namespace)
                if title is not None:
                    title.text = f"{title.text}. {saying}"
    desc = root.find("svg:desc", namespace)
    if desc is not None:
        desc.text = f"{desc.text} {saying}, outlined in red."
    return ET.tostring(root, encoding="unicode")
