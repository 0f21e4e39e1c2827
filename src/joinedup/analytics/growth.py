"""Children's BMI against the UK90 reference: z-scores and centiles, as SQL for DuckDB.

The National Child Measurement Programme counts a child as living with obesity (for population
monitoring) when their BMI is at or above the 95th centile of the UK90 BMI reference for their
sex and age. The reference is published as LMS values (Cole, Freeman & Preece 1995): for each sex
and age, L (the Box-Cox power), M (the median) and S (the coefficient of variation). A child's
z-score is ((BMI/M)^L - 1) / (L*S), or log(BMI/M)/S when L is 0, and the centile is the standard
normal distribution function of z.

The packaged table (``uk90_bmi_lms.csv``, see reference/data/SOURCES.md) has one row a month from
4 to 20 years. Between two rows L, M and S are interpolated linearly in age; outside that range,
for sexes other than 'M' and 'F', and for a BMI that is not positive, the z-score is NULL.

Everything here is SQL text built from SQL expressions the caller passes (usually column names),
so the work is done by DuckDB over whole tables: the look-up of the reference is a range join.
"""

from __future__ import annotations

import math
import re
from statistics import NormalDist

import duckdb

from joinedup.engines import sql_string
from joinedup.reference.files import read_reference_csv

UK90_FILE = "uk90_bmi_lms.csv"
UK90_TABLE = "uk90_bmi_lms"

# Abramowitz & Stegun (1964), formula 7.1.26: erf(x) ~ 1 - t*(a1 + t*(a2 + ...))*exp(-x^2),
# t = 1/(1 + p*x) for x >= 0, absolute error below 1.5e-7 (so under 1e-5 of a centile).
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


def _table_name(name: str) -> str:
    # Table names are spliced into SQL text, so only plain (optionally schema-qualified) names pass.
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain table name: {name!r}")
    return name


def literal_table_sql(columns: tuple[tuple[str, str], ...], rows: list[tuple[object, ...]]) -> str:
    """A query returning ``rows`` as a table of ``columns`` (name, SQL type), written so that
    every engine reads it alike: small reference lists made on any engine without a file."""
    names = ", ".join(name for name, _type in columns)
    typed = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in columns)
    values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"SELECT {typed} FROM (VALUES {values}) AS reference_rows({names})"


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return sql_string(str(value))


def uk90_sql() -> str:
    """The packaged UK90 BMI LMS table as a query (see :func:`register_uk90` for its columns)."""
    rows: list[tuple[object, ...]] = [
        (row["sex"], float(row["age_years"]), float(row["l"]), float(row["m"]), float(row["s"]))
        for row in read_reference_csv(UK90_FILE)
    ]
    reference = literal_table_sql(
        (
            ("sex", "VARCHAR"),
            ("age_years", "DOUBLE"),
            ("l", "DOUBLE"),
            ("m", "DOUBLE"),
            ("s", "DOUBLE"),
        ),
        rows,
    )
    return f"""
        SELECT sex, age_years, l, m, s,
               lead(age_years) OVER w AS age_next,
               lead(l) OVER w AS l_next,
               lead(m) OVER w AS m_next,
               lead(s) OVER w AS s_next
        FROM ({reference}) AS uk90
        WINDOW w AS (PARTITION BY sex ORDER BY age_years)
        ORDER BY sex, age_years
        """


def register_uk90(connection: duckdb.DuckDBPyConnection, table_name: str = UK90_TABLE) -> None:
    """Load the packaged UK90 BMI LMS table into ``connection`` as ``table_name`` (replacing it).

    Columns: ``sex`` ('M'/'F'), ``age_years``, ``l``, ``m``, ``s`` as in the CSV, and
    ``age_next``, ``l_next``, ``m_next``, ``s_next``: the next reference point of the same sex
    (NULL on the last), so that one row holds the whole interval to interpolate over.
    """
    connection.execute(f"CREATE OR REPLACE TABLE {_table_name(table_name)} AS {uk90_sql()}")


def lms_z_sql(value: str, power: str, median: str, cv: str) -> str:
    """SQL for the LMS z-score of ``value`` from SQL for L (power), M (median) and S (cv).

    NULL unless the value is positive: the Box-Cox transform has no meaning below zero.
    """
    ratio = f"({value}) / ({median})"
    return (
        f"CASE WHEN ({value}) > 0 THEN "
        f"CASE WHEN ({power}) = 0 THEN ln({ratio}) / ({cv}) "
        f"ELSE (pow({ratio}, {power}) - 1) / (({power}) * ({cv})) END END"
    )


def bmi_z_sql(bmi: str, age_years: str, sex: str, table_name: str = UK90_TABLE) -> str:
    """SQL for the UK90 BMI z-score of a child, from SQL for their BMI, decimal age and sex.

    The result is a scalar subquery over the table made by :func:`register_uk90`; DuckDB turns it
    into one range join over all the rows of the outer query, not a look-up per row. The
    reference's columns are renamed inside it so that a caller's own ``sex`` or ``age_years``
    column still means the caller's. An engine that cannot run a correlated subquery over a
    range takes :func:`uk90_reference_sql` and :func:`uk90_match_sql` as an explicit join.
    """
    return (
        f"(SELECT {joined_bmi_z_sql(bmi, age_years)} "
        f"FROM ({uk90_reference_sql(table_name)}) AS ref "
        f"WHERE {uk90_match_sql(age_years, sex)})"
    )


def uk90_reference_sql(table_name: str = UK90_TABLE) -> str:
    """The reference's rows under names of their own (``uk90_sex``, ``uk90_age`` ...), to join."""
    return (
        "SELECT sex AS uk90_sex, age_years AS uk90_age, age_next AS uk90_age_next, "
        "l AS uk90_l, l_next AS uk90_l_next, m AS uk90_m, m_next AS uk90_m_next, "
        f"s AS uk90_s, s_next AS uk90_s_next FROM {_table_name(table_name)}"
    )


def uk90_match_sql(age_years: str, sex: str, ref: str = "ref") -> str:
    """SQL true for the one reference row (of :func:`uk90_reference_sql`, as ``ref``) whose
    interval holds the age, for the sex."""
    age = f"({age_years})"
    return (
        f"{ref}.uk90_sex = ({sex}) AND {ref}.uk90_age <= {age} "
        f"AND ({age} < {ref}.uk90_age_next "
        f"OR ({ref}.uk90_age_next IS NULL AND {age} = {ref}.uk90_age))"
    )


def joined_bmi_z_sql(bmi: str, age_years: str, ref: str = "ref") -> str:
    """SQL for the z-score from the matched reference row ``ref`` (see :func:`uk90_match_sql`),
    L, M and S interpolated linearly in age."""
    age = f"({age_years})"
    weight = f"coalesce(({age} - {ref}.uk90_age) / ({ref}.uk90_age_next - {ref}.uk90_age), 0)"

    def interpolated(column: str) -> str:
        start = f"{ref}.uk90_{column}"
        end = f"coalesce({ref}.uk90_{column}_next, {start})"
        return f"({start} + {weight} * ({end} - {start}))"

    return lms_z_sql(bmi, interpolated("l"), interpolated("m"), interpolated("s"))


def decimal_age_sql(birth_date: str, measured_on: str) -> str:
    """SQL for age in years (days / 365.25) on ``measured_on``, the convention of UK90 tools."""
    return f"(date_diff('day', CAST(({birth_date}) AS DATE), CAST(({measured_on}) AS DATE)) / 365.25e0)"


def centile_sql(z: str) -> str:
    """SQL for the centile (0-100) of a z-score: 100 times the standard normal distribution function.

    ``z`` appears several times in the result, so pass a column (compute the z-score once in a
    CTE) rather than the whole :func:`bmi_z_sql` expression.
    """
    x = f"(abs({z}) / {math.sqrt(2.0)!r})"
    t = f"(1.0 / (1.0 + {_ERF_P!r} * {x}))"
    polynomial = "0.0"
    for coefficient in reversed(_ERF_A):
        polynomial = f"({coefficient!r} + {t} * {polynomial})"
    erf = f"(1.0 - {t} * {polynomial} * exp(-{x} * {x}))"
    return f"(50.0 * (1.0 + sign({z}) * {erf}))"


def z_for_centile(centile: float) -> float:
    """The z-score at ``centile`` (strictly between 0 and 100), e.g. 1.6449 for the 95th."""
    if not 0.0 < centile < 100.0:
        raise ValueError(f"a centile is strictly between 0 and 100, not {centile!r}")
    return NormalDist().inv_cdf(centile / 100.0)


def is_at_or_above_centile_sql(z: str, centile: float) -> str:
    """SQL that is true when z-score ``z`` is at or above ``centile`` (NULL when z is NULL).

    Comparing z with the exact quantile avoids the centile approximation where only a threshold
    matters: the NCMP obesity flag is ``is_at_or_above_centile_sql(z, 95)``.
    """
    return f"(({z}) >= {z_for_centile(centile)!r})"
