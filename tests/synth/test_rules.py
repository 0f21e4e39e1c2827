"""Rules with edges: NHS number check digits, ages on birthdays, identifier errors."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from joinedup.synth import noise
from joinedup.synth.dates import age_in_years, day_number
from joinedup.synth.nhs_numbers import check_digits, is_valid, synthetic


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _has_double_letter(name: str) -> bool:
    return any(x == y for x, y in itertools.pairwise(name))


def reference_check_digit(stem: str) -> int:
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else check


@given(st.integers(min_value=0, max_value=999_999_999))
def test_check_digit_agrees_with_the_published_algorithm(stem: int) -> None:
    assert int(check_digits(np.array([stem], dtype=np.int64))[0]) == reference_check_digit(
        f"{stem:09d}"
    )


def test_known_numbers() -> None:
    assert is_valid("9990000018") and is_valid("999 000 0018")
    assert not is_valid("9990000019") and not is_valid("9990000000")  # wrong check; check digit 10
    assert not is_valid("999000001") and not is_valid("99900000AB")


def test_synthetic_numbers_are_valid_unique_and_never_issued() -> None:
    numbers = synthetic(50_000, np.random.default_rng(3))
    assert len(np.unique(numbers)) == len(numbers)
    assert all(is_valid(str(n)) and str(n).startswith("999") for n in numbers[:2000])


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2040, 1, 1)),
)
def test_age_in_completed_years(born: dt.date, on: dt.date) -> None:
    expected = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    got = age_in_years(np.array([day_number(born)], dtype=np.int32), day_number(on))
    assert int(got[0]) == expected


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12),
    st.floats(0, 0.999),
    st.floats(0, 0.999),
)
def test_a_typo_is_one_small_edit(name: str, draw: float, where: float) -> None:
    changed = noise.typo(name, draw, where)
    assert abs(len(changed) - len(name)) <= 1
    assert changed[0] == name[0]  # people rarely mistype the first letter
    assert edit_distance(changed, name) == 1 or (changed == name and _has_double_letter(name))


@given(st.integers(1900, 2020), st.integers(1, 12), st.integers(1, 28))
def test_swapped_day_and_month_is_a_real_date(year: int, month: int, day: int) -> None:
    y, m, d = noise.swapped_day_month(year, month, day)
    dt.date(y, m, d)
    assert (y, m, d) == ((year, day, month) if day <= 12 and day != month else (year, month, day))


def test_nicknames_and_postcode_typos() -> None:
    assert noise.nickname("William", 0.0) in {"Bill", "Will", "Billy", "Liam", "Willie", "Wills"}
    assert noise.nickname("Zzyzx", 0.5) == "Zzyzx"
    assert noise.postcode_typo("PR7 1AB", 0.5) == "PR71AB"
    assert noise.postcode_typo("PR7 1AB", 0.9) == "PR7 1BA"
    mistyped = noise.nhs_typo("9990000018", 0.37)
    assert len(mistyped) == 10 and mistyped != "9990000018"
