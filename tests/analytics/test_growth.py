"""UK90 BMI z-scores and centiles in SQL, checked against the RCPCH growth library's figures."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from statistics import NormalDist

import duckdb
import pytest

from joinedup.analytics.growth import (
    bmi_z_sql,
    centile_sql,
    decimal_age_sql,
    is_at_or_above_centile_sql,
    lms_z_sql,
    register_uk90,
    z_for_centile,
)
from joinedup.reference.files import reference_path

# (sex, decimal age, BMI, z-score, centile) from rcpchgrowth 4.6.5 (RCPCH, PyPI), computed outside
# the project with rcpchgrowth.global_functions.sds_for_measurement("uk-who", age, "bmi", bmi, sex)
# and centile(z). Its UK90 table is the one packaged here; between monthly ages it interpolates
# cubically where we interpolate linearly, which moves z by under 5e-5 at these ages.
RCPCH_CASES = [
    ("M", 5.0, 18.5, 1.951547, 97.4504),
    ("F", 11.0, 24.0, 2.025431, 97.8588),
    ("M", 4.5, 17.0, 1.028382, 84.8115),
    ("F", 5.25, 15.0, -0.325984, 37.2218),
    ("M", 10.5, 21.0, 1.703210, 95.5736),
    ("F", 10.9583, 22.3, 1.637827, 94.9271),
    ("M", 15.37, 30.0, 2.632160, 99.5758),
    ("F", 19.99, 20.0, -0.696184, 24.3157),
]
Z_TOLERANCE = 1e-3
CENTILE_TOLERANCE = 0.01


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    register_uk90(connection)
    yield connection
    connection.close()


def _lms_rows() -> dict[tuple[str, float], tuple[float, float, float]]:
    text = reference_path("uk90_bmi_lms.csv").read_text(encoding="utf-8")
    return {
        (row["sex"], float(row["age_years"])): (float(row["l"]), float(row["m"]), float(row["s"]))
        for row in csv.DictReader(io.StringIO(text))
    }


def _z(bmi: float, lms: tuple[float, float, float]) -> float:
    power, median, cv = lms
    return float(((bmi / median) ** power - 1) / (power * cv))


def _scores(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[str, float, float | None]]
) -> list[tuple[float | None, float | None, bool | None]]:
    con.execute("CREATE OR REPLACE TABLE kids (i INTEGER, sex VARCHAR, age DOUBLE, bmi DOUBLE)")
    con.executemany("INSERT INTO kids VALUES (?, ?, ?, ?)", [(i, *r) for i, r in enumerate(rows)])
    query = f"""
        WITH z AS (SELECT i, {bmi_z_sql("bmi", "age", "sex")} AS z FROM kids)
        SELECT z, {centile_sql("z")}, {is_at_or_above_centile_sql("z", 95)} FROM z ORDER BY i
    """
    return [(z, c, flag) for z, c, flag in con.sql(query).fetchall()]


def test_the_table_has_every_month_from_4_to_20_for_both_sexes(
    con: duckdb.DuckDBPyConnection,
) -> None:
    counts = con.sql(
        "SELECT sex, count(*), min(age_years), max(age_years), count(age_next) "
        "FROM uk90_bmi_lms GROUP BY sex ORDER BY sex"
    ).fetchall()
    assert counts == [("F", 193, 4.0, 20.0, 192), ("M", 193, 4.0, 20.0, 192)]
    rows = _lms_rows()
    assert rows[("M", 5.0)] == (-1.481, 15.547, 0.07856)
    assert rows[("F", 11.0)] == (-1.322, 17.478, 0.12789)


@pytest.mark.parametrize(("sex", "age", "bmi", "z", "centile"), RCPCH_CASES)
def test_z_and_centile_match_rcpchgrowth(
    con: duckdb.DuckDBPyConnection, sex: str, age: float, bmi: float, z: float, centile: float
) -> None:
    [(got_z, got_centile, _)] = _scores(con, [(sex, age, bmi)])
    assert got_z == pytest.approx(z, abs=Z_TOLERANCE)
    assert got_centile == pytest.approx(centile, abs=CENTILE_TOLERANCE)


def test_lms_is_interpolated_linearly_between_reference_ages(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = _lms_rows()
    before, after = rows[("F", 10.5)], rows[("F", 10.583333)]
    power, median, cv = (b + 0.25 * (a - b) for b, a in zip(before, after, strict=True))
    quarter = (power, median, cv)
    age_quarter = 10.5 + 0.25 * (10.583333 - 10.5)
    scores = _scores(con, [("F", 10.5, 21.0), ("F", age_quarter, 21.0), ("F", 10.583333, 21.0)])
    assert [z for z, _, _ in scores] == pytest.approx(
        [_z(21.0, before), _z(21.0, quarter), _z(21.0, after)], abs=1e-12
    )


def test_the_95th_centile_flag_turns_on_at_the_reference_threshold(
    con: duckdb.DuckDBPyConnection,
) -> None:
    power, median, cv = _lms_rows()[("M", 5.0)]
    bmi_95 = median * (1 + power * cv * NormalDist().inv_cdf(0.95)) ** (1 / power)
    scores = _scores(con, [("M", 5.0, bmi_95 - 0.01), ("M", 5.0, bmi_95 + 0.01)])
    assert [flag for _, _, flag in scores] == [False, True]
    assert scores[0][1] == pytest.approx(95.0, abs=0.2)
    # Just under the 95th centile and just over, from the RCPCH cases.
    assert [flag for _, _, flag in _scores(con, [("F", 10.9583, 22.3), ("F", 11.0, 24.0)])] == [
        False,
        True,
    ]


def test_no_score_outside_the_reference(con: duckdb.DuckDBPyConnection) -> None:
    scores = _scores(
        con,
        [
            ("M", 3.9, 16.0),  # under 4: UK90 BMI below 4 is not packaged
            ("M", 20.01, 20.0),
            ("X", 5.0, 16.0),
            ("M", 5.0, 0.0),
            ("M", 5.0, None),
        ],
    )
    assert scores == [(None, None, None)] * 5
    [(z, _, _)] = _scores(con, [("F", 20.0, 20.0)])
    assert z == pytest.approx(_z(20.0, _lms_rows()[("F", 20.0)]), abs=1e-12)


def test_a_callers_columns_named_like_the_reference_keep_their_meaning(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute(
        "CREATE TABLE measured AS SELECT * FROM (VALUES ('M', 5.0, 18.5, 1.0, 2.0, 3.0)) "
        "AS v(sex, age_years, bmi, l, m, s)"
    )
    [(z,)] = con.sql(
        f"SELECT {bmi_z_sql('bmi', 'age_years', 'sex')} FROM measured AS uk90_bmi_lms"
    ).fetchall()
    assert z == pytest.approx(1.951547, abs=Z_TOLERANCE)


def test_the_l_equals_zero_case_is_the_log_ratio(con: duckdb.DuckDBPyConnection) -> None:
    [(z,)] = con.sql(f"SELECT {lms_z_sql('20.0', '0.0', '16.0', '0.1')}").fetchall()
    assert z == pytest.approx(math.log(20.0 / 16.0) / 0.1, abs=1e-12)


def test_centile_approximates_the_normal_distribution(con: duckdb.DuckDBPyConnection) -> None:
    grid = [i / 100 for i in range(-600, 601)]
    got = con.sql(
        f"SELECT z, {centile_sql('z')} FROM unnest(?::DOUBLE[]) AS t(z) ORDER BY z", params=[grid]
    ).fetchall()
    worst = max(abs(c - 100 * NormalDist().cdf(z)) for z, c in got)
    assert worst < 1e-5
    [(nothing,)] = con.sql(f"SELECT {centile_sql('NULL::DOUBLE')}").fetchall()
    assert nothing is None


def test_z_for_centile() -> None:
    assert z_for_centile(95) == pytest.approx(1.6448536, abs=1e-7)
    assert z_for_centile(50) == 0.0
    for bad in (0, 100, -1, 101):
        with pytest.raises(ValueError, match="centile"):
            z_for_centile(bad)


def test_decimal_age_is_days_over_365_25(con: duckdb.DuckDBPyConnection) -> None:
    age_sql = decimal_age_sql("DATE '2014-09-01'", "DATE '2019-09-01'")
    [(age,)] = con.sql(f"SELECT {age_sql}").fetchall()
    assert age == pytest.approx(1826 / 365.25)


def test_only_plain_table_names_are_accepted() -> None:
    with pytest.raises(ValueError, match="table name"):
        register_uk90(duckdb.connect(), "uk90; DROP TABLE x")
    with pytest.raises(ValueError, match="table name"):
        bmi_z_sql("bmi", "age", "sex", table_name="(SELECT 1)")
