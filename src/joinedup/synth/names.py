"""Name and street catalogues the synthetic borough draws from.

Real records are messy in ways that depend on *which* names people have: a Margaret born in 1930
becomes "Peggy" on one system, a Siân or a Zoë loses an accent on a system that only knows
ASCII, an O'Brien loses an apostrophe. Matching only gets a fair test if the synthetic residents
carry the names a Lancashire borough really has, at realistic frequencies for their age. So the
names live in small CSV files under ``joinedup/synth/data`` (sources in ``SOURCES.md`` there)
and this module turns them into weighted catalogues ready for ``numpy`` sampling.

>>> from joinedup.synth import names
>>> catalogue = names.forenames("F", 1920)
>>> catalogue.names[0], round(float(catalogue.probabilities.sum()), 6)
('Margaret', 1.0)

Files are read once per process (``functools.cache``); the arrays handed out are read-only so
that one caller cannot change what the next one draws from.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from joinedup.reference.files import read_reference_csv

__all__ = [
    "ERAS",
    "WeightedNames",
    "era_of_birth_year",
    "forenames",
    "nicknames",
    "street_stems",
    "street_suffixes",
    "surnames",
]

ERAS: tuple[int, ...] = (1920, 1940, 1960, 1980, 2000, 2010)
"""First birth year of each forename era; an era runs to the next one (the last to 2030)."""

SEXES: tuple[str, ...] = ("F", "M")


@dataclass(frozen=True, eq=False)
class WeightedNames:
    """Names with the probability of drawing each, aligned by position.

    Probabilities rather than raw weights, so that callers can hand them straight to
    ``Generator.choice``:

    >>> import numpy as np
    >>> catalogue = surnames()
    >>> rng = np.random.default_rng(1)
    >>> drawn = rng.choice(len(catalogue), size=3, p=catalogue.probabilities)
    >>> len([catalogue.names[i] for i in drawn])
    3

    ``eq=False`` because an array field has no single truth value to compare on; instances
    compare by identity, which is what a cached catalogue needs.
    """

    names: tuple[str, ...]
    probabilities: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        if len(self.names) != len(self.probabilities):
            raise ValueError("names and probabilities differ in length")

    def __len__(self) -> int:
        return len(self.names)


def _rows(filename: str) -> list[dict[str, str]]:
    """The rows of one packaged CSV file, read as UTF-8."""
    text = resources.files("joinedup.synth").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _weighted(pairs: Iterable[tuple[str, str]]) -> WeightedNames:
    """Normalise (name, integer weight) pairs into a read-only probability vector."""
    listed = list(pairs)
    weights = np.array([float(int(weight)) for _, weight in listed], dtype=np.float64)
    if len(weights) == 0 or (weights <= 0).any():
        raise ValueError("a catalogue needs at least one name, every weight positive")
    probabilities = weights / weights.sum()
    probabilities.setflags(write=False)
    return WeightedNames(tuple(name for name, _ in listed), probabilities)


@cache
def _forename_catalogues() -> dict[tuple[str, int], WeightedNames]:
    grouped: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for row in _rows("forenames.csv"):
        grouped.setdefault((row["sex"], int(row["era"])), []).append((row["name"], row["weight"]))
    return {key: _weighted(pairs) for key, pairs in grouped.items()}


def forenames(sex: str, era: int) -> WeightedNames:
    """Forenames given to babies of ``sex`` ("F" or "M") in the era starting ``era``.

    Popularity moves fast (Susan in the 1960s, Chloe around 2000), so a resident's first name
    has to fit their birth year for the data to look real:

    >>> forenames("M", 2010).names[0]
    'Oliver'
    >>> forenames("M", ERAS[int(era_of_birth_year(np.array([1955]))[0])]).names[0]
    'John'
    """
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES}, not {sex!r}")
    if era not in ERAS:
        raise ValueError(f"era must be one of {ERAS}, not {era!r}")
    return _forename_catalogues()[(sex, era)]


@cache
def surnames() -> WeightedNames:
    """Surnames at the frequencies a central-Lancashire borough has.

    National frequencies, with local names (Whittle, Baxendale, Sharples) raised and Welsh ones
    lowered, because duplicate-looking records are mostly people who share a common surname:

    >>> surnames().names[0]
    'Smith'
    """
    return _weighted((row["surname"], row["weight"]) for row in _rows("surnames.csv"))


@cache
def _nickname_table() -> dict[str, tuple[str, ...]]:
    forms: dict[str, list[str]] = {}
    for row in read_reference_csv("nicknames.csv"):
        forms.setdefault(row["name"], []).append(row["nickname"])
    return {name: tuple(informal) for name, informal in forms.items()}


def nicknames() -> dict[str, tuple[str, ...]]:
    """Formal forename -> the informal forms records use for it, in file order.

    A person registered as William turns up as Bill at the GP and Will at the council, the
    commonest reason two records for one person disagree on forename:

    >>> nicknames()["William"][:2]
    ('Bill', 'Billy')

    A fresh dict each call, so a caller may change theirs without touching anyone else's.
    """
    return dict(_nickname_table())


@cache
def _street_catalogue(kind: str) -> WeightedNames:
    return _weighted(
        (row["value"], row["weight"]) for row in _rows("streets.csv") if row["kind"] == kind
    )


def street_stems() -> WeightedNames:
    """First parts of street names (Church, Gillibrand, Pall Mall, Rowan), weighted.

    Addresses are matched on street names, so they should have the local flavour and the
    repetition (every town has a Church Street) of a real street index:

    >>> "Gillibrand" in street_stems().names
    True
    """
    return _street_catalogue("stem")


def street_suffixes() -> WeightedNames:
    """Street-type words (Road, Street, Lane, Close ...), weighted by how common they are.

    Kept apart from the stems so "Church Street" and "Church Road" both occur, as they do:

    >>> street_suffixes().names[:2]
    ('Road', 'Street')
    """
    return _street_catalogue("suffix")


def era_of_birth_year(years: npt.ArrayLike) -> npt.NDArray[np.intp]:
    """Index into ``ERAS`` of the forename era for each birth year, vectorised.

    Years before 1920 fall in the first era and years from 2030 on in the last, so every
    resident gets a catalogue:

    >>> era_of_birth_year(np.array([1900, 1939, 1940, 2019])).tolist()
    [0, 0, 1, 5]
    """
    starts = np.asarray(ERAS)
    index = np.searchsorted(starts, np.asarray(years), side="right") - 1
    return np.clip(index, 0, len(ERAS) - 1).astype(np.intp)
