"""The name and street catalogues load, are well formed and fit their purpose."""

import csv
from collections import Counter
from importlib import resources

import numpy as np
import pytest

from joinedup.reference.files import read_reference_csv
from joinedup.synth import names


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("joinedup.synth").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _all_catalogues() -> list[names.WeightedNames]:
    catalogues = [names.forenames(sex, era) for sex in ("F", "M") for era in names.ERAS]
    return [*catalogues, names.surnames(), names.street_stems(), names.street_suffixes()]


def test_every_catalogue_loads_with_probabilities_summing_to_one() -> None:
    for catalogue in _all_catalogues():
        assert len(catalogue.names) == len(catalogue.probabilities) > 0
        assert catalogue.probabilities.dtype == np.float64
        assert (catalogue.probabilities > 0).all()
        assert catalogue.probabilities.sum() == pytest.approx(1.0)


def test_every_sex_and_era_has_at_least_sixty_forenames() -> None:
    for sex in ("F", "M"):
        for era in names.ERAS:
            assert len(names.forenames(sex, era).names) >= 60, (sex, era)


def test_no_duplicate_rows() -> None:
    forename_keys = Counter((r["sex"], r["era"], r["name"]) for r in _rows("forenames.csv"))
    assert [key for key, n in forename_keys.items() if n > 1] == []
    surname_keys = Counter(r["surname"] for r in _rows("surnames.csv"))
    assert [key for key, n in surname_keys.items() if n > 1] == []
    street_keys = Counter((r["kind"], r["value"]) for r in _rows("streets.csv"))
    assert [key for key, n in street_keys.items() if n > 1] == []
    pairs = Counter((r["name"], r["nickname"]) for r in read_reference_csv("nicknames.csv"))
    assert [key for key, n in pairs.items() if n > 1] == []


def test_weights_are_positive_integers() -> None:
    for filename in ("forenames.csv", "surnames.csv", "streets.csv"):
        for row in _rows(filename):
            assert row["weight"].isdigit() and int(row["weight"]) > 0, (filename, row)


def test_every_name_encodes_in_windows_1252() -> None:
    texts = [name for catalogue in _all_catalogues() for name in catalogue.names]
    texts += [form for key, forms in names.nicknames().items() for form in (key, *forms)]
    for text in texts:
        text.encode("cp1252")  # raises UnicodeEncodeError if not
    # ... and some of them really do need more than ASCII, to exercise accent handling.
    assert any(not text.isascii() for text in texts)


def test_catalogues_are_sizeable() -> None:
    assert len(names.surnames().names) >= 400
    assert len(names.street_stems().names) >= 200
    assert {"Road", "Street", "Lane", "Close"} <= set(names.street_suffixes().names)
    assert sum(len(forms) for forms in names.nicknames().values()) >= 120


def test_nickname_keys_are_mostly_forenames_in_the_catalogue() -> None:
    known = {
        name for sex in ("F", "M") for era in names.ERAS for name in names.forenames(sex, era).names
    }
    keys = list(names.nicknames())
    assert sum(key in known for key in keys) >= 0.8 * len(keys)
    assert names.nicknames()["William"][:2] == ("Bill", "Billy")


def test_street_and_road_are_the_commonest_suffixes() -> None:
    suffixes = names.street_suffixes()
    top_two = {suffixes.names[i] for i in np.argsort(-suffixes.probabilities)[:2]}
    assert top_two == {"Road", "Street"}


def test_era_of_birth_year() -> None:
    years = np.array(
        [1850, 1900, 1919, 1920, 1939, 1940, 1959, 1960, 1999, 2000, 2009, 2010, 2019, 2035]
    )
    assert names.era_of_birth_year(years).tolist() == [0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 4, 5, 5, 5]


def test_unknown_sex_or_era_is_refused() -> None:
    with pytest.raises(ValueError):
        names.forenames("X", 1920)
    with pytest.raises(ValueError):
        names.forenames("F", 1930)


def test_cached_catalogues_cannot_be_changed_by_a_caller() -> None:
    catalogue = names.surnames()
    with pytest.raises(ValueError):
        catalogue.probabilities[0] = 0.5
    mine = names.nicknames()
    mine["William"] = ()
    assert names.nicknames()["William"] != ()
    assert names.surnames() is catalogue


def test_the_commonest_forename_fits_the_era() -> None:
    for sex, era, expected in (
        ("F", 1920, "Margaret"),
        ("F", 1960, "Susan"),
        ("F", 2010, "Olivia"),
        ("M", 1960, "Paul"),
        ("M", 2010, "Oliver"),
    ):
        catalogue = names.forenames(sex, era)
        assert catalogue.names[int(np.argmax(catalogue.probabilities))] == expected


def test_names_were_more_concentrated_a_century_ago() -> None:
    for sex in ("F", "M"):
        first = names.forenames(sex, names.ERAS[0]).probabilities
        last = names.forenames(sex, names.ERAS[-1]).probabilities
        assert np.sort(first)[-10:].sum() > np.sort(last)[-10:].sum()
