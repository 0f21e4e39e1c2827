"""The borough's wards (since the 2020 boundary review) and which of them touch each other."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from joinedup.reference import read_reference_csv, reference_path

BOUNDARIES = "chorley_wards2025_boundaries.geojson"


@dataclass(frozen=True)
class Ward:
    code: str
    name: str


@cache
def wards() -> tuple[Ward, ...]:
    """Every current ward of the borough, by name."""
    rows = [r for r in read_reference_csv("chorley_wards.csv") if r["ward_set"].startswith("WD25")]
    return tuple(sorted((Ward(r["ward_code"], r["ward_name"]) for r in rows), key=lambda w: w.name))


def ward_names() -> dict[str, str]:
    return {ward.code: ward.name for ward in wards()}


def ward_choices() -> list[tuple[str, str]]:
    return [(ward.code, ward.name) for ward in wards()]


def find_ward(text: str) -> Ward:
    """The ward whose code or name is ``text`` (any case); a ValueError if there is none.

    >>> find_ward("chorley east").code
    'E05013066'
    """
    wanted = text.strip().casefold()
    for ward in wards():
        if wanted in (ward.code.casefold(), ward.name.casefold()):
            return ward
    raise ValueError(f"{text!r} is not a ward of the borough")


@cache
def boundaries() -> dict[str, Any]:
    """The wards' boundaries, a GeoJSON FeatureCollection in WGS84."""
    loaded: dict[str, Any] = json.loads(reference_path(BOUNDARIES).read_text(encoding="utf-8"))
    return loaded


@cache
def neighbours() -> tuple[tuple[str, str], ...]:
    """Pairs (ward, neighbour), both ways round: wards whose boundaries share a point.

    Neighbouring boundaries in the ONS file are drawn from the same line, so they share their
    vertices exactly; a shared point is enough to be "within reach" of each other.
    """
    points: dict[str, set[tuple[float, float]]] = {}
    for feature in boundaries()["features"]:
        code = feature["properties"]["ward_code"]
        points[code] = set(_vertices(feature["geometry"]))
    return tuple(
        (a, b) for a in sorted(points) for b in sorted(points) if a != b and points[a] & points[b]
    )


def _vertices(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [(x, y) for polygon in polygons for ring in polygon for x, y, *_ in ring]
