"""Disclosure control: SDC-01 to SDC-07, and attacks on what it publishes."""

from __future__ import annotations

import csv
import doctest
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from sdc_attack import (
    PINNED,
    TableAttack,
    bounds_of,
    difference_range,
    hidden_everything,
)

from joinedup.analytics import disclosure
from joinedup.analytics.disclosure import (
    RULE,
    Controlled,
    ControlledCrosstab,
    Count,
    Crosstab,
    Percentage,
    Rate,
    Reason,
    Statistic,
    StatisticOf,
    Summary,
    Table,
    control_count,
    control_crosstab,
    control_percentage,
    control_rate,
    control_statistic,
    control_summary,
    control_table,
    publish,
)
from joinedup.exports import write_csv, write_xlsx

HIDDEN = "[c]"

# Many small counts, zeros among them, and some large ones.
COUNT = st.one_of(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15), st.integers(16, 400))


@st.composite
def grids(draw: st.DrawFn, sides: tuple[int, int] = (2, 8)) -> list[list[int]]:
    rows, columns = draw(st.integers(*sides)), draw(st.integers(*sides))
    return [[draw(COUNT) for _ in range(columns)] for _ in range(rows)]


def keyed(grid: list[list[int]]) -> dict[tuple[str, str], int]:
    return {(f"r{i}", f"c{j}"): n for i, line in enumerate(grid) for j, n in enumerate(line)}


def controlled_grid(grid: list[list[int]]) -> list[list[Controlled[int]]]:
    table = control_crosstab(keyed(grid))
    return [[table.cells[(row, column)] for column in table.columns] for row in table.rows]


def attacker(grid: list[list[int]]) -> TableAttack:
    figures = controlled_grid(grid)
    bounds = {(i, j): bounds_of(f) for i, line in enumerate(figures) for j, f in enumerate(line)}
    return TableAttack(grid, bounds)


def small_cells(grid: list[list[int]]) -> list[tuple[int, int]]:
    return [(i, j) for i, line in enumerate(grid) for j, n in enumerate(line) if 1 <= n <= 7]


def width(extremes: tuple[float, float]) -> float:
    return extremes[1] - extremes[0]


# SDC-01: one count ----------------------------------------------------------------------------

EXPECTED = {0: 0, **dict.fromkeys(range(1, 8), HIDDEN), **dict.fromkeys(range(8, 13), 10)}
EXPECTED |= {**dict.fromkeys(range(13, 18), 15), 18: 20, 19: 20, 20: 20}
LARGE = {22: 20, 23: 25, 100: 100, 102: 100, 103: 105, 998: 1000, 123_457: 123_455}
LARGE |= {123_458: 123_460, 10**12 + 2: 10**12, 10**12 + 3: 10**12 + 5}


@pytest.mark.parametrize(("count", "expected"), sorted({**EXPECTED, **LARGE}.items()))
def test_sdc01_a_count_is_hidden_when_1_to_7_and_otherwise_rounded_to_5(
    count: int, expected: int | str
) -> None:
    assert control_count(count).export() == expected


def test_sdc01_a_true_zero_is_published_as_zero_not_hidden() -> None:
    zero = control_count(0)
    assert (zero.value, zero.redacted, zero.display) == (0, False, "0")


def test_sdc01_numpy_integers_are_counts() -> None:
    rounded = control_count(np.int64(13))  # type: ignore[arg-type]  # as numpy sums give them
    assert rounded.value == 15 and type(rounded.value) is int
    assert control_count(np.int32(5)).display == HIDDEN  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [True, 3.0, 12.5, "12"])
def test_sdc01_only_whole_numbers_are_counts(bad: object) -> None:
    with pytest.raises(TypeError):
        control_count(bad)  # type: ignore[arg-type]


def test_sdc01_a_negative_count_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="0 or more") as error:
        control_count(-4)
    assert "4" not in str(error.value)


# SDC-02: tables with totals -------------------------------------------------------------------


@given(grids())
@settings(max_examples=150, deadline=None)
def test_sdc02_random_tables_publish_no_small_count_and_add_up(grid: list[list[int]]) -> None:
    table = control_crosstab(keyed(grid))
    figures = controlled_grid(grid)
    for line, counts in zip(figures, grid, strict=True):
        for figure, count in zip(line, counts, strict=True):
            assert (figure.reason is Reason.SMALL_COUNT) == (1 <= count <= 7)
            if not figure.redacted:
                assert figure.export() == control_count(count).export()
    lines = [*figures, *map(list, zip(*figures, strict=True))]
    totals = [*table.row_totals.values(), *table.column_totals.values()]
    for line, total in zip(lines, totals, strict=True):
        hidden = sum(figure.redacted for figure in line)
        assert hidden == 0 or hidden >= 2
        assert total.redacted == (hidden > 0)
        if not total.redacted:
            assert total.value == sum(figure.value or 0 for figure in line)
    everything = [figure for line in figures for figure in line]
    assert table.grand_total.redacted == any(figure.redacted for figure in everything)
    if not table.grand_total.redacted:
        assert table.grand_total.value == sum(figure.value or 0 for figure in everything)
    published = [f.value for f in [*everything, *totals, table.grand_total] if f.value is not None]
    assert all(value % 5 == 0 and not 1 <= value <= 7 for value in published)


@given(grids(sides=(1, 6)))
@settings(max_examples=60, deadline=None)
def test_sdc02_the_same_table_always_gives_the_same_release(grid: list[list[int]]) -> None:
    assert control_crosstab(keyed(grid)) == control_crosstab(dict(keyed(grid)))


@given(st.lists(COUNT, min_size=1, max_size=12))
@settings(max_examples=100, deadline=None)
def test_sdc02_random_one_way_tables_publish_no_small_count_and_add_up(counts: list[int]) -> None:
    table = control_table(dict(enumerate(counts)))
    figures = list(table.cells.values())
    hidden = sum(figure.redacted for figure in figures)
    assert hidden == 0 or hidden >= 2 or len(figures) == 1
    assert table.total.redacted == (hidden > 0)
    if not table.total.redacted:
        assert table.total.value == sum(figure.value or 0 for figure in figures)
    for figure, count in zip(figures, counts, strict=True):
        assert figure.redacted or figure.export() == control_count(count).export()
    attack = TableAttack([counts], {(0, j): bounds_of(f) for j, f in enumerate(figures)})
    for _, j in small_cells([counts]):
        if width(attack.range_of((0, j))) < PINNED:  # only when the total alone gives it away
            before = TableAttack([counts], hidden_everything(attack.bounds))
            assert width(before.range_of((0, j))) < PINNED


def test_sdc02_a_line_with_one_small_count_hides_its_smallest_other_cell() -> None:
    table = control_crosstab(keyed([[40, 3, 25, 60], [50, 50, 50, 50], [50, 50, 50, 50]]))
    hidden = {key for key, figure in table.cells.items() if figure.redacted}
    # Row r0 takes its smallest other cell (25); column c1 and then column c2 take a 50 each, the
    # first in order among equals; row r1 then holds two hidden cells and needs no more.
    assert hidden == {("r0", "c1"), ("r0", "c2"), ("r1", "c1"), ("r1", "c2")}
    assert table.cells[("r0", "c2")].reason is Reason.SECONDARY
    assert table.row_totals["r2"].value == 200
    assert table.column_totals["c0"].value == 140
    assert [table.row_totals["r0"].display, table.grand_total.display] == [HIDDEN, HIDDEN]


def test_sdc02_a_table_with_nothing_small_is_rounded_and_adds_up() -> None:
    table = control_crosstab(keyed([[12, 13], [0, 101]]))
    assert [line[1:] for line in table.export_rows()[1:3]] == [[10, 15, 25], [0, 100, 100]]
    assert table.export_rows()[-1][1:] == [10, 115, 125]


def test_sdc02_missing_pairs_are_zero_and_given_labels_fix_the_order() -> None:
    table = control_crosstab({("A", "y"): 30}, rows=["A", "B"], columns=["x", "y"])
    assert table.export_rows() == [
        ["", "x", "y", "Total"],
        ["A", 0, 30, 30],
        ["B", 0, 0, 0],
        ["Total", 0, 30, 30],
    ]
    with pytest.raises(ValueError, match="not among"):
        control_crosstab({("C", "y"): 30}, rows=["A"], columns=["y"])


def test_sdc02_a_one_dimensional_table_hides_a_second_cell_and_its_total() -> None:
    table = control_table({"Astley": 3, "Buckshaw": 40, "Chorley East": 52, "Clayton": 0})
    assert table.export_rows() == [
        ["Astley", HIDDEN],
        ["Buckshaw", 40],
        ["Chorley East", 50],
        ["Clayton", HIDDEN],  # the smallest other cell; the rounding of 40 and 52 does the rest
        ["Total", HIDDEN],
    ]
    assert control_table({"A": 9, "B": 20}).total.value == 30


# The attack: true totals known ----------------------------------------------------------------


# Hiding two cells a line is not enough: here it leaves the 6 pinned (column c0 holds 12, 7 and
# 7, all at the top of what they could be, and 213 rounds to 215 but its row total is 213).
TWO_A_LINE_IS_NOT_ENOUGH = [[6, 0], [12, 15], [213, 0], [7, 6], [7, 8]]


@given(grids(sides=(2, 6)))
@example(TWO_A_LINE_IS_NOT_ENOUGH)
@settings(max_examples=80, deadline=None)
def test_attack_no_small_count_is_pinned_by_the_true_totals(grid: list[list[int]]) -> None:
    """With the true row, column and grand totals, no small count is narrowed to one value,
    unless the true totals pin it before anything is published (the release is not the cause)."""
    small = small_cells(grid)
    assume(small)
    attack = attacker(grid)
    for cell in small:
        if width(attack.range_of(cell)) < PINNED:
            before = TableAttack(grid, hidden_everything(attack.bounds))
            assert width(before.range_of(cell)) < PINNED, f"{cell} pinned by the release"


def test_attack_pins_a_small_count_that_two_hidden_cells_a_line_leave_exposed() -> None:
    grid = TWO_A_LINE_IS_NOT_ENOUGH
    attack = attacker(grid)
    two_a_line = dict(attack.bounds)
    for cell in [(1, 0), (1, 1), (2, 0), (2, 1)]:
        two_a_line[cell] = bounds_of(control_count(grid[cell[0]][cell[1]]))
    for cell in [(0, 1), (4, 1)]:
        two_a_line[cell] = (0.0, None)
    assert TableAttack(grid, two_a_line).range_of((0, 0)) == pytest.approx((6, 6))
    assert all(width(attack.range_of(cell)) >= PINNED for cell in small_cells(grid))


def test_attack_when_the_totals_alone_give_a_count_away_everything_is_still_hidden() -> None:
    # Column c2 holds two small counts with a true total of 14: both must be 7, published or not.
    grid = [[7, 10, 7], [13, 4, 7]]
    table = control_crosstab(keyed(grid))
    assert all(figure.redacted for figure in table.cells.values())
    before = TableAttack(grid, hidden_everything(attacker(grid).bounds))
    assert before.range_of((0, 2)) == pytest.approx((7, 7))


# The attack: differencing two releases --------------------------------------------------------


@st.composite
def areas(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    size = draw(st.integers(2, 8))
    children = [draw(st.integers(0, 15)) for _ in range(size)]
    adults = [draw(COUNT) for _ in range(size)]
    return children, adults


@given(areas())
@settings(max_examples=80, deadline=None)
def test_attack_two_releases_do_not_pin_the_under_18s_of_any_area(
    people: tuple[list[int], list[int]],
) -> None:
    """All residents by area, then residents aged 18+ by area: the difference is the under-18s,
    and the two releases never narrow it to one value of 1 to 7."""
    children, adults = people
    everyone = [c + a for c, a in zip(children, adults, strict=True)]
    first = list(control_table(dict(enumerate(everyone))).cells.values())
    second = list(control_table(dict(enumerate(adults))).cells.values())
    for area, under_18 in enumerate(children):
        extremes = difference_range(first, second, area)
        assert extremes[0] - 1e-6 <= under_18 <= extremes[1] + 1e-6
        assert width(extremes) >= PINNED or not 1 <= under_18 <= 7, (area, extremes)


def test_attack_differencing_rounded_counts_leaves_a_range() -> None:
    # 12 residents, 8 of them adults: both publish as 10, so the 4 children could be 0 to 4.
    first, second = control_table({"A": 12, "B": 300}), control_table({"A": 8, "B": 296})
    cells = list(first.cells.values()), list(second.cells.values())
    assert difference_range(*cells, area=0) == pytest.approx((0, 4))


# SDC-03: rates and percentages ----------------------------------------------------------------


def test_sdc03_a_rate_is_made_from_the_controlled_counts_never_the_raw() -> None:
    assert control_rate(12, 1003).value == 10.0  # 10 per 1005; the raw 12 per 1003 is 12.0
    assert control_percentage(13, 22).value == 75.0  # 15 of 20, not 59.1
    assert control_rate(12, 1003, per=100_000, decimals=2).value == 995.02


@pytest.mark.parametrize("numerator", range(21))
def test_sdc03_a_percentage_is_hidden_exactly_when_its_numerator_is(numerator: int) -> None:
    percentage = control_percentage(numerator, 200)
    assert percentage.redacted == (1 <= numerator <= 7)
    if percentage.redacted:
        assert percentage.reason is Reason.HIDDEN_PART
        assert percentage.display == HIDDEN


@pytest.mark.parametrize("denominator", range(1, 8))
def test_sdc03_a_percentage_of_a_hidden_denominator_is_hidden(denominator: int) -> None:
    assert control_percentage(1, denominator).reason is Reason.HIDDEN_PART
    assert control_rate(0, denominator).reason is Reason.HIDDEN_PART


def test_sdc03_a_rate_of_a_secondary_suppressed_cell_is_hidden() -> None:
    table = control_table({"A": 3, "B": 40, "C": 52})
    assert table.cells["B"].reason is Reason.SECONDARY
    assert control_percentage(table.cells["B"], 1000).display == HIDDEN
    assert control_percentage(table.cells["C"], 1000).value == 5.0


def test_sdc03_nothing_to_divide_by_is_not_applicable_not_zero() -> None:
    rate = control_rate(0, 0)
    assert (rate.value, rate.reason, rate.display) == (None, Reason.NO_DENOMINATOR, "[z]")


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_sdc03_a_published_percentage_comes_from_two_published_counts(
    top: int, bottom: int
) -> None:
    percentage = control_percentage(top, bottom)
    if not percentage.redacted:
        shown_top, shown_bottom = control_count(top).value, control_count(bottom).value
        assert shown_top is not None and shown_bottom
        assert percentage.value == pytest.approx(100 * shown_top / shown_bottom, abs=0.05 + 1e-9)


# SDC-05: statistics of few people, none or all of a small group -------------------------------

SEVEN = [70.0, 71.0, 72.0, 80.0, 81.0, 85.0, 97.0]


@pytest.mark.parametrize("statistic", list(Statistic))
def test_sdc05_no_statistic_of_7_or_fewer_people(statistic: Statistic) -> None:
    for people in range(len(SEVEN) + 1):
        summary = control_summary(SEVEN[:people], statistic)
        assert (summary.reason, summary.display) == (Reason.SMALL_GROUP, HIDDEN)
    assert control_statistic(7, 80.0).redacted


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [
        (Statistic.MIN, 65.0),
        (Statistic.MAX, 97.0),
        (Statistic.MEAN, 77.6),
        (Statistic.MEDIAN, 76.0),
    ],
)
def test_sdc05_statistics_of_8_people_are_published(statistic: Statistic, expected: float) -> None:
    assert control_summary([65.0, *SEVEN], statistic).value == expected
    assert control_statistic(8, expected).value == expected


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(0, 30), (30, 30), (0, 12), (9, 11), (0, 47), (47, 47)],
)
def test_sdc05_none_or_all_of_a_small_group_is_not_published(
    numerator: int, denominator: int
) -> None:
    # (9, 11): 9 of 11 publishes as 10 of 10, which would read as "all of them".
    for figure in (
        control_percentage(numerator, denominator),
        control_rate(numerator, denominator),
    ):
        assert (figure.reason, figure.display) == (Reason.ALL_OR_NONE, HIDDEN)


def test_sdc05_none_or_all_of_a_large_group_is_published() -> None:
    assert control_percentage(0, 1000).value == 0.0
    assert control_percentage(1000, 1000).value == 100.0
    assert control_percentage(50, 50).value == 100.0
    assert control_percentage(20, 40).value == 50.0


# SDC-07: a hidden figure is its own value, and exports say so ---------------------------------


def test_sdc07_a_hidden_count_is_neither_zero_nor_blank() -> None:
    hidden = control_count(3)
    assert hidden.value is None and hidden.redacted
    assert hidden != control_count(0)
    assert (hidden.display, str(hidden), hidden.export()) == (HIDDEN, HIDDEN, HIDDEN)
    assert f"{hidden}" == HIDDEN


def test_sdc07_a_controlled_figure_cannot_be_made_inconsistent() -> None:
    with pytest.raises(ValueError, match="exactly when"):
        Controlled(None)
    with pytest.raises(ValueError, match="exactly when"):
        Controlled(5, Reason.SMALL_COUNT)


def small_table() -> ControlledCrosstab[str, str]:
    return control_crosstab(keyed([[40, 3, 25, 60], [50, 50, 50, 50], [50, 50, 50, 50]]))


def test_sdc07_csv_excel_and_json_show_the_same_cells(tmp_path: Path) -> None:
    header, *rows = small_table().export_rows()
    write_csv(tmp_path / "t.csv", [str(h) for h in header], rows)
    write_xlsx(tmp_path / "t.xlsx", [str(h) for h in header], rows)
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as handle:
        from_csv = list(csv.reader(handle))
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    from_xlsx = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    from_json = [[str(v) for v in row] for row in json.loads(json.dumps([header, *rows]))]
    assert from_csv == from_xlsx == from_json
    assert from_csv[1] == ["r0", "40", HIDDEN, HIDDEN, "60", HIDDEN]
    assert all(cell != "" for row in from_csv[1:] for cell in row)


def test_sdc07_no_export_tells_a_small_count_from_a_secondary_suppression() -> None:
    exported = json.dumps(small_table().export_rows())
    assert all(reason.value not in exported for reason in Reason if reason is not Reason.PUBLISHED)
    assert exported.count(HIDDEN) == 4 + 2 + 2 + 1  # cells, row, column and grand totals


# The one door ---------------------------------------------------------------------------------


def test_publish_is_each_rule_through_one_door() -> None:
    counts = {"A": 3, "B": 40, "C": 52}
    assert publish(Count(12)) == control_count(12)
    assert publish(Table(counts)) == control_table(counts)
    assert publish(Crosstab(keyed([[3, 9], [9, 9]]))) == control_crosstab(keyed([[3, 9], [9, 9]]))
    assert publish(Rate(12, 1003)) == control_rate(12, 1003)
    assert publish(Percentage(30, 30)) == control_percentage(30, 30)
    assert publish(Summary(SEVEN, Statistic.MAX)) == control_summary(SEVEN, Statistic.MAX)
    assert publish(StatisticOf(8, 41.25)) == control_statistic(8, 41.25)
    with pytest.raises(TypeError):
        publish(12)  # type: ignore[call-overload]


def test_every_release_names_the_rule_applied() -> None:
    assert RULE.version.startswith("JoinedUp SDC v1: redact 1-7, round to 5")
    assert control_table({"A": 9}).rule is RULE
    assert control_crosstab(keyed([[9]])).rule is RULE


def test_the_examples_in_the_module_hold() -> None:
    failed, tried = doctest.testmod(disclosure)
    assert (failed, tried > 5) == (0, True)
