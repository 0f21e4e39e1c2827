"""A matched comparison group by coarsened exact matching, and its balance table.

Each person of the intervention is put in a stratum by age band (18-44, 45-64, 65+), sex,
deprivation (deciles 1-4, 5-8, 9-10) and banded use of services in the rule year (A&E
attendances 0, 1, 2, 3-4, 5+; emergency admissions 0, 1+; crisis contact with two or more
agencies or not). Everyone in the pool who shares a stratum with someone of the intervention is kept, weighted by how many of
the intervention are in the stratum over how many of the pool are (so the comparison counts as
many people as the intervention it matches); people of the intervention in a stratum with nobody
from the pool are left out, and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt

# Coarse enough that most of a few hundred people find a match; index dates need no stratum of
# their own, since the pool's are drawn from the same referral dates.
STRATUM = """concat_ws('|',
    CASE WHEN age < 45 THEN 1 WHEN age < 65 THEN 2 ELSE 3 END,
    sex,
    (imd_decile - 1) // 4,
    CASE WHEN prior_ae >= 5 THEN 5 WHEN prior_ae >= 3 THEN 3 ELSE prior_ae END,
    least(prior_admissions, 1),
    CAST(prior_agencies >= 2 AS INTEGER))"""

COVARIATES: tuple[tuple[str, str], ...] = (
    ("age", "Age (years)"),
    ("CAST(sex = 'F' AS DOUBLE)", "Female"),
    ("imd_decile", "Deprivation decile (1 = most deprived)"),
    ("prior_ae", "A&E attendances in the rule year"),
    ("prior_admissions", "Emergency admissions in the rule year"),
    ("prior_agencies", "Agencies in crisis contact in the rule year"),
)


@dataclass(frozen=True)
class BalanceRow:
    """Standardised mean difference of one characteristic, before and after matching."""

    label: str
    intervention_mean: float
    pool_mean: float
    matched_intervention_mean: float
    matched_mean: float
    smd_before: float
    smd_after: float


@dataclass(frozen=True)
class Matching:
    matched_intervention: int
    unmatched_intervention: int
    pool: int
    comparison_people: int
    balance: list[BalanceRow]


def match(connection: duckdb.DuckDBPyConnection, treated: str, pool: str) -> Matching:
    """Fill ``ev_matched_treated`` and ``ev_matched_pool`` (with weights) from the two tables."""
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ev_strata AS
        SELECT *, {STRATUM} AS stratum, true AS treated FROM {treated}
        UNION ALL BY NAME SELECT *, {STRATUM} AS stratum, false AS treated FROM {pool};
        CREATE OR REPLACE TEMP TABLE ev_stratum_weights AS
        SELECT stratum, count(*) FILTER (WHERE treated) / count(*) FILTER (WHERE NOT treated)
               AS weight
        FROM ev_strata GROUP BY 1
        HAVING count(*) FILTER (WHERE treated) > 0 AND count(*) FILTER (WHERE NOT treated) > 0;
        CREATE OR REPLACE TEMP TABLE ev_matched AS
        SELECT s.*, CASE WHEN s.treated THEN 1.0 ELSE w.weight END AS weight
        FROM ev_strata AS s JOIN ev_stratum_weights AS w USING (stratum);
        """
    )
    counts = connection.execute(
        f"""SELECT (SELECT count(*) FROM ev_matched WHERE treated),
                   (SELECT count(*) FROM {treated}),
                   (SELECT count(*) FROM {pool}),
                   (SELECT count(*) FROM ev_matched WHERE NOT treated)"""
    ).fetchall()[0]
    matched, treated_all, pool_all, comparison = (int(n) for n in counts)
    return Matching(matched, treated_all - matched, pool_all, comparison, _balance(connection))


def _balance(connection: duckdb.DuckDBPyConnection) -> list[BalanceRow]:
    columns = ", ".join(f"CAST({sql} AS DOUBLE)" for sql, _ in COVARIATES)
    strata = connection.execute(f"SELECT treated, {columns} FROM ev_strata").fetchnumpy()
    matched = connection.execute(f"SELECT treated, weight, {columns} FROM ev_matched").fetchnumpy()
    keys = list(strata)[1:]
    rows = []
    for key, (_, label) in zip(keys, COVARIATES, strict=True):
        before_t, before_c = _split(strata, key)
        after_t, after_c = _split(matched, key)
        weights_c = np.asarray(matched["weight"])[~np.asarray(matched["treated"], dtype=bool)]
        spread = _pooled_sd(before_t, before_c)
        rows.append(
            BalanceRow(
                label,
                _mean(before_t),
                _mean(before_c),
                _mean(after_t),
                _mean(after_c, weights_c),
                _smd(_mean(before_t), _mean(before_c), spread),
                _smd(_mean(after_t), _mean(after_c, weights_c), spread),
            )
        )
    return rows


Floats = npt.NDArray[np.float64]


def _split(table: dict[str, npt.NDArray[np.generic]], key: str) -> tuple[Floats, Floats]:
    treated = np.asarray(table["treated"], dtype=bool)
    values = np.asarray(table[key], dtype=np.float64)
    return values[treated], values[~treated]


def _mean(values: Floats, weights: Floats | None = None) -> float:
    if len(values) == 0:
        return float("nan")
    return float(np.average(values, weights=weights))


def _pooled_sd(a: Floats, b: Floats) -> float:
    """The spread both standardised differences divide by: before matching, so before and after
    are on one scale (Austin 2009)."""
    variances = [float(np.var(x, ddof=1)) if len(x) > 1 else 0.0 for x in (a, b)]
    return float(np.sqrt(sum(variances) / 2))


def _smd(mean_a: float, mean_b: float, spread: float) -> float:
    if spread == 0 or not np.isfinite(mean_a) or not np.isfinite(mean_b):
        return 0.0
    return (mean_a - mean_b) / spread
