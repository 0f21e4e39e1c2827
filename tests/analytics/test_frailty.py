"""The electronic Frailty Index in SQL, on hand-built GP records with known scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest

from joinedup.analytics.frailty import efi_sql, register_frailty_reference
from joinedup.reference.files import read_reference_csv

AS_AT = dt.date(2024, 3, 31)
BEFORE = "2023-06-01"
AFTER = "2024-04-01"

# The codes the synthetic GP system writes (synth/params.toml [conditions.codes]) and the eFI
# deficit each must count towards.
SYNTHETIC_CODES = {
    "59621000": "Hypertension",
    "44054006": "Diabetes",
    "195967001": "Respiratory disease",
    "13645005": "Respiratory disease",
    "414545008": "Ischaemic heart disease",
    "84114007": "Heart failure",
    "52448006": "Memory and cognitive problems",
    "709044004": "Chronic kidney disease",
}


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    register_frailty_reference(connection)
    connection.execute(
        "CREATE TABLE conditions (person_key VARCHAR, code VARCHAR, date_recorded DATE)"
    )
    yield connection
    connection.close()


def _one_code_per_deficit() -> list[str]:
    """The first code of each deficit that has one, in deficit order (35: not polypharmacy)."""
    firsts: dict[int, str] = {}
    for row in read_reference_csv("efi_deficits.csv"):
        if row["code"]:
            firsts.setdefault(int(row["deficit_id"]), row["code"])
    return [firsts[k] for k in sorted(firsts)]


def _record(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str]]) -> None:
    if rows:
        con.executemany("INSERT INTO conditions VALUES (?, ?, CAST(? AS DATE))", rows)


Frailty = tuple[int, float, str, str | None, str]


def _frailty(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, Frailty]:
    """Each person's (deficits, eFI, eFI category, recorded category, frailty category)."""
    return {
        key: (deficits, round(efi, 9), efi_category, recorded, category)
        for key, deficits, efi, efi_category, recorded, category in con.sql(query).fetchall()
    }


def _expect(deficits: int, efi_category: str, recorded: str | None, category: str) -> Frailty:
    return (deficits, round(deficits / 36, 9), efi_category, recorded, category)


def test_the_reference_has_the_36_deficits_and_the_synthetic_codes() -> None:
    rows = read_reference_csv("efi_deficits.csv")
    deficits = {int(r["deficit_id"]): r["deficit"] for r in rows}
    assert sorted(deficits) == list(range(1, 37))
    assert len(set(deficits.values())) == 36
    by_code = {r["code"]: r["deficit"] for r in rows if r["code"]}
    assert len(by_code) == sum(1 for r in rows if r["code"])  # no code in two deficits
    assert {code: by_code[code] for code in SYNTHETIC_CODES} == SYNTHETIC_CODES
    recorded = {r["code"]: r["category"] for r in read_reference_csv("frailty_codes.csv")}
    assert recorded == {
        "925791000000100": "mild",
        "925831000000107": "moderate",
        "925861000000102": "severe",
    }


@pytest.mark.parametrize(
    ("count", "category"),
    [
        (0, "fit"),
        (4, "fit"),
        (5, "mild"),
        (8, "mild"),
        (9, "moderate"),
        (12, "moderate"),
        (13, "severe"),
        (35, "severe"),
    ],
)
def test_categories_follow_the_published_cut_points(
    con: duckdb.DuckDBPyConnection, count: int, category: str
) -> None:
    # A filler code that is no deficit, so that a person with none still has a record.
    _record(con, [("p", "35489007", BEFORE)])
    _record(con, [("p", code, BEFORE) for code in _one_code_per_deficit()[:count]])
    result = _frailty(con, efi_sql("conditions", AS_AT))
    assert result["p"] == _expect(count, category, None, category)


def test_each_deficit_counts_once_however_many_codes(con: duckdb.DuckDBPyConnection) -> None:
    _record(
        con,
        [
            ("p", "59621000", BEFORE),  # essential hypertension
            ("p", "59621000", "2023-09-01"),  # recorded again
            ("p", "38341003", BEFORE),  # hypertensive disorder: the same deficit
            ("p", "195967001", BEFORE),  # asthma and COPD: both respiratory disease
            ("p", "13645005", BEFORE),
            ("p", "52448006", BEFORE),  # dementia
        ],
    )
    assert _frailty(con, efi_sql("conditions", AS_AT))["p"][0] == 3


def test_only_records_on_or_before_the_date_count(con: duckdb.DuckDBPyConnection) -> None:
    on_the_day = AS_AT.isoformat()
    codes = _one_code_per_deficit()
    _record(con, [("p", code, on_the_day) for code in codes[:5]])
    _record(con, [("p", code, AFTER) for code in codes[5:20]])
    _record(con, [("p", "925861000000102", AFTER)])
    _record(con, [("later", "84114007", AFTER)])
    result = _frailty(con, efi_sql("conditions", AS_AT))
    assert result == {"p": _expect(5, "mild", None, "mild")}
    later = _frailty(con, efi_sql("conditions", dt.datetime(2024, 4, 1, 9, 30)))
    assert later["p"] == _expect(20, "severe", "severe", "severe")
    assert later["later"][2] == "fit"


def test_a_recorded_severe_frailty_code_outranks_few_deficits(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _record(
        con,
        [
            ("severe", "925861000000102", BEFORE),
            ("severe", "84114007", BEFORE),  # heart failure: one deficit, 0.028
            ("mild", "925791000000100", BEFORE),
            ("mild", "52448006", BEFORE),
        ],
    )
    codes = _one_code_per_deficit()
    # Recorded as mildly frail, but ten deficits since: the computed category is worse.
    _record(con, [("worse", "925791000000100", BEFORE)])
    _record(con, [("worse", code, BEFORE) for code in codes[:10]])
    # Moderate once, mild later: the worst recorded stands.
    _record(con, [("was", "925831000000107", "2020-01-01"), ("was", "925791000000100", BEFORE)])
    result = _frailty(con, efi_sql("conditions", AS_AT))
    assert result["severe"] == _expect(1, "fit", "severe", "severe")
    assert result["mild"] == _expect(1, "fit", "mild", "mild")
    assert result["worse"] == _expect(10, "moderate", "mild", "moderate")
    assert result["was"] == _expect(0, "fit", "moderate", "moderate")


def test_a_population_scores_people_without_records_as_fit(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _record(con, [("p", "84114007", BEFORE), ("outsider", "84114007", BEFORE)])
    con.execute("CREATE TABLE registered AS SELECT * FROM (VALUES ('p'), ('q')) AS v(person_key)")
    result = _frailty(con, efi_sql("conditions", AS_AT, population="registered"))
    assert result == {
        "p": _expect(1, "fit", None, "fit"),
        "q": _expect(0, "fit", None, "fit"),
    }


def test_codes_as_integers_and_dates_as_text_or_timestamps(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute(
        "CREATE TABLE coded AS SELECT * FROM (VALUES "
        "('p', 925831000000107, '2023-06-01'), ('p', 84114007, '2024-03-31'), "
        "('p', 44054006, '2024-04-01')) AS v(person_key, code, date_recorded)"
    )
    con.execute(
        "CREATE TABLE stamped AS SELECT person_key, code, "
        "CAST(date_recorded AS TIMESTAMP) + INTERVAL 18 HOUR AS date_recorded FROM coded"
    )
    for table in ("coded", "stamped", "(SELECT * FROM coded WHERE code > 0)"):
        result = _frailty(con, efi_sql(table, AS_AT))
        assert result == {"p": _expect(1, "fit", "moderate", "moderate")}


def test_only_plain_table_names_are_accepted(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="table name"):
        efi_sql("conditions", AS_AT, deficits_table="efi_deficits e, secrets")
    with pytest.raises(ValueError, match="table name"):
        register_frailty_reference(con, codes_table="x; DROP TABLE y")
