"""The Splink model: comparisons designed for UK identifiers, blocking rules, and its training.

Comparisons and blocking rules depend only on which identifiers the input holds, so the same
design serves the identity zone and an analyst's ad hoc lists. Training follows Splink's guidance:
u by random sampling, m by expectation maximisation over blocks that leave each comparison free
in at least one session, and the prior from deterministic rules with a stated recall.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.charts import SplinkChart
from splink.internals.comparison_creator import ComparisonCreator

# Splink's INFO messages are for notebooks; JoinedUp shows its own progress.
logging.getLogger("splink").setLevel(logging.WARNING)

U_SAMPLE_PAIRS = 5e6
EM_MAX_PAIRS = 2_000_000
REISSUED_NHS_NUMBER_RATE = 0.001
SAME_ADDRESS_WORDS = (
    "len(list_intersect(address_tokens_l, address_tokens_r)) * 3"
    " >= greatest(len(address_tokens_l), len(address_tokens_r)) * 2"
)
SEED = 20170401


@dataclass(frozen=True)
class Available:
    """Which comparable identifiers an input holds."""

    given: bool = True
    family: bool = True
    birth_date: bool = True
    sex: bool = True
    postcode: bool = True
    address: bool = True
    nhs_number: bool = True
    other_id: bool = False

    def names(self) -> list[str]:
        return [name for name, present in self.__dict__.items() if present]

    def comparisons(self) -> list[str]:
        """The comparisons to make: postcode and address as one when both are present."""
        names = self.names()
        if self.postcode and self.address:
            names[names.index("postcode")] = "residence"
            names.remove("address")
        return names


def _null(column: str) -> cll.NullLevel:
    return cll.NullLevel(column)


def _swapped_names() -> cll.CustomLevel:
    similar = "jaro_winkler_similarity({a}, {b}) >= 0.9"
    return cll.CustomLevel(
        f"{similar.format(a='given_l', b='family_r')} AND {similar.format(a='family_l', b='given_r')}",
        "Given and family names swapped",
    )


def _name_comparison(
    column: str, description: str, partial: cll.CustomLevel, swapped: bool
) -> ComparisonCreator:
    """Exact (with term frequencies), a level of the name's own, close spelling, sound, names
    swapped, loose spelling."""
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[
            _null(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=True),
            partial,
            cll.JaroWinklerLevel(column, 0.92),
            cll.CustomLevel(f"{column}_sound_l = {column}_sound_r", "Sounds the same (Metaphone)"),
            *([_swapped_names()] if swapped else []),
            cll.JaroWinklerLevel(column, 0.80),
            cll.ElseLevel(),
        ],
    )


def _given_comparison(with_family: bool = True) -> ComparisonCreator:
    nickname = cll.CustomLevel(
        "list_has_any(given_roots_l, given_roots_r)", "Nickname of the same name"
    )
    description = "Given name: exact, nickname, spelling, sound"
    return _name_comparison("given", description, nickname, swapped=with_family)


def _family_comparison() -> ComparisonCreator:
    part = cll.CustomLevel(
        "len(list_intersect(family_tokens_l, family_tokens_r)) > 0",
        "Shares one part of a double-barrelled name",
    )
    description = "Family name: exact, one part of a double name, spelling, sound"
    return _name_comparison("family", description, part, swapped=True)


def _birth_date_comparison() -> ComparisonCreator:
    left, right = "birth_date_l", "birth_date_r"
    same = {part: f"{part}({left}) = {part}({right})" for part in ("year", "month", "day")}
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="Date of birth: exact, day and month swapped, one part wrong",
        comparison_levels=[
            _null("birth_date"),
            cll.ExactMatchLevel("birth_date", term_frequency_adjustments=True),
            cll.CustomLevel(
                f"{same['year']} AND month({left}) = day({right}) AND day({left}) = month({right})",
                "Day and month swapped",
            ),
            cll.CustomLevel(
                f"({same['year']} AND {same['month']}) OR ({same['year']} AND {same['day']}) "
                f"OR ({same['month']} AND {same['day']})",
                "Two of day, month and year agree",
            ),
            cll.CustomLevel(
                f"abs(date_diff('day', {left}, {right})) <= 365", "Within a year of each other"
            ),
            cll.ElseLevel(),
        ],
    )


def _postcode_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_description="Postcode: unit, sector, district (plain text if not a UK shape)",
        comparison_levels=[
            _null("postcode"),
            cll.ExactMatchLevel("postcode", term_frequency_adjustments=True),
            *_nearby_levels(),
            cll.ElseLevel(),
        ],
    )


def _nearby_levels() -> list[cll.CustomLevel]:
    return [
        cll.CustomLevel(
            "damerau_levenshtein(postcode_l, postcode_r) <= 1", "Postcode one keying error apart"
        ),
        cll.CustomLevel("postcode_sector_l = postcode_sector_r", "Same postcode sector"),
        cll.CustomLevel("postcode_district_l = postcode_district_r", "Same postcode district"),
    ]


def _address_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="address",
        comparison_description="Address: exact, most words shared",
        comparison_levels=[
            _null("address"),
            cll.ExactMatchLevel("address"),
            cll.CustomLevel(SAME_ADDRESS_WORDS, "Two thirds of words shared"),
            cll.ElseLevel(),
        ],
    )


def _residence_comparison() -> ComparisonCreator:
    """Postcode and address as one comparison: they say the same thing twice, and counting both
    would make everyone at one address look like one person."""
    same_address = f"(address_l = address_r OR {SAME_ADDRESS_WORDS})"
    missing = (
        "(postcode_l IS NULL AND address_l IS NULL) OR (postcode_r IS NULL AND address_r IS NULL)"
    )
    return cl.CustomComparison(
        output_column_name="residence",
        comparison_description="Where they live: address and postcode, unit, sector, district",
        comparison_levels=[
            cll.CustomLevel(missing).configure(
                is_null_level=True, label_for_charts="Address and postcode missing"
            ),
            cll.CustomLevel(
                f"postcode_l = postcode_r AND {same_address}", "Same address and postcode"
            ),
            cll.CustomLevel(
                "postcode_l = postcode_r", "Same postcode, not the same address"
            ).configure(tf_adjustment_column="postcode", tf_adjustment_weight=1.0),
            cll.CustomLevel(same_address, "Same address, postcode differs"),
            *_nearby_levels(),
            cll.ElseLevel(),
        ],
    )


def _sex_comparison() -> ComparisonCreator:
    return cl.ExactMatch("sex")


def _nhs_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="nhs_number",
        comparison_description="NHS number (valid ones only): same, or two different valid numbers",
        comparison_levels=[
            _null("nhs_number"),
            cll.ExactMatchLevel("nhs_number"),
            # Fixed, not estimated: people who share a name, an address and a birthday with
            # someone else (twins, namesakes in one house) would otherwise teach EM that two
            # different valid numbers are common among matches. Re-issued numbers are rare.
            cll.ElseLevel().configure(
                label_for_charts="Two different valid NHS numbers",
                m_probability=REISSUED_NHS_NUMBER_RATE,
                fix_m_probability=True,
            ),
        ],
    )


def _other_id_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="other_id",
        comparison_description="Another identifier: exact, one or two characters different",
        comparison_levels=[
            _null("other_id"),
            cll.ExactMatchLevel("other_id", term_frequency_adjustments=True),
            cll.DamerauLevenshteinLevel("other_id", 2),
            cll.ElseLevel(),
        ],
    )


COMPARISONS = {
    "given": _given_comparison,
    "family": _family_comparison,
    "birth_date": _birth_date_comparison,
    "sex": _sex_comparison,
    "postcode": _postcode_comparison,
    "address": _address_comparison,
    "residence": _residence_comparison,
    "nhs_number": _nhs_comparison,
    "other_id": _other_id_comparison,
}

# Each rule names the identifiers that must be equal; together they keep recall high when any one
# identifier is wrong or missing, and each stays tight enough for an ICS-sized population.
BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (
    ("family", "birth_date"),
    ("given", "birth_date"),
    ("given", "family"),
    ("postcode", "birth_date"),
    ("postcode", "given"),
    ("postcode", "family"),
    ("family_sound", "given_sound", "postcode_district"),
    ("other_id",),
    ("birth_date", "postcode_district", "sex"),
)
# A rule that would make more pairs than this is tightened with TIGHTENERS, in order, until it
# fits: at ICS scale "same given and family name" alone is hundreds of millions of pairs, while
# "same names and year of birth" stays small and loses almost no true matches.
RULE_BUDGET = 20_000_000
# Scoring works through the candidate pairs in chunks of about this many, so that the pairs with
# all their columns never have to be held (or spilled to disk) at once.
PAIRS_PER_CHUNK = 4_000_000
TIGHTENERS: tuple[str, ...] = ("birth_year", "sex", "given_sound", "family_sound")
# Single identifiers, each too loose to block on across a whole ICS but cheap on a short list; a
# caller adds those whose comparison count fits its budget (see files.loose_rules).
LOOSE_KEYS: tuple[str, ...] = ("birth_date", "postcode", "address", "family", "given")
# Pairs already decided before the model runs (same valid NHS number) are not scored again.
NOT_DECIDED_BY_NHS = "NOT coalesce(l.nhs_number = r.nhs_number, false)"


def _needs(key: str) -> str:
    return {
        "family_sound": "family",
        "given_sound": "given",
        "postcode_district": "postcode",
        "birth_year": "birth_date",
    }.get(key, key)


def pairs_blocked(
    connection: duckdb.DuckDBPyConnection, tables: Sequence[str], keys: Sequence[str]
) -> int:
    """How many pairs a rule of equality on all of ``keys`` makes, within one table or across
    two, counted from group sizes without making the pairs."""
    columns = ", ".join(keys)
    present = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    groups = [
        f"SELECT {columns}, count(*) AS n FROM {t} WHERE {present} GROUP BY ALL" for t in tables
    ]
    if len(groups) == 1:
        sql = f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM ({groups[0]})"
    else:
        sql = (
            f"SELECT coalesce(sum(a.n * b.n), 0) FROM ({groups[0]}) AS a "
            f"JOIN ({groups[1]}) AS b USING ({columns})"
        )
    pairs: int = connection.execute(sql).fetchall()[0][0]
    return int(pairs)


def _implied(key: str, keys: Sequence[str]) -> bool:
    """Whether ``key`` would add nothing to ``keys`` (a birth year beside the birth date)."""
    return key in keys or any(_needs(key) == k for k in keys if k != key)


@dataclass(frozen=True)
class Blocking:
    """Blocking rules fitted to the data, and how many pairs each makes there."""

    keys: tuple[tuple[str, ...], ...]
    pairs: tuple[int, ...]

    @property
    def chunks(self) -> int:
        """How many chunks to score the candidate pairs in (their total is an upper bound)."""
        return max(1, -(-sum(self.pairs) // PAIRS_PER_CHUNK))


def fitted_blocking(
    connection: duckdb.DuckDBPyConnection,
    tables: Sequence[str],
    available: Available,
    budget: int = RULE_BUDGET,
) -> Blocking:
    """BLOCKING_KEYS, each tightened with TIGHTENERS until it makes at most ``budget`` pairs on
    these tables (or no tightener is left)."""
    present = set(available.names())
    fitted, counts = [], []
    for keys in BLOCKING_KEYS:
        if not all(_needs(k) in present for k in keys):
            continue
        rule = list(keys)
        extra = [t for t in TIGHTENERS if _needs(t) in present and not _implied(t, rule)]
        pairs = pairs_blocked(connection, tables, rule)
        while pairs > budget and extra:
            rule.append(extra.pop(0))
            pairs = pairs_blocked(connection, tables, rule)
        fitted.append(tuple(rule))
        counts.append(pairs)
    return Blocking(tuple(fitted), tuple(counts))


def blocking_rules(
    available: Available,
    nhs_decided: bool = True,
    extra: Sequence[str] = (),
    keys: Sequence[tuple[str, ...]] = BLOCKING_KEYS,
) -> list[str]:
    """Prediction blocking rules; with ``nhs_decided`` pairs sharing a valid NHS number are left
    out (linked before the model runs), otherwise a rule on the NHS number finds them. ``extra``
    rules (from LOOSE_KEYS) follow the standard ones."""
    present = set(available.names())
    rules = []
    if available.nhs_number and not nhs_decided:
        rules.append("l.nhs_number = r.nhs_number")
    if {"given", "family"} <= present:
        rules.append("l.given = r.family AND l.family = r.given")
    for rule in keys:
        if all(_needs(k) in present for k in rule):
            equal = " AND ".join(f"l.{k} = r.{k}" for k in rule)
            decided = available.nhs_number and nhs_decided
            rules.append(f"{equal} AND {NOT_DECIDED_BY_NHS}" if decided else equal)
    return rules + list(extra)


def settings(
    available: Available,
    link_type: str,
    nhs_decided: bool = True,
    extra_rules: Sequence[str] = (),
    keys: Sequence[tuple[str, ...]] = BLOCKING_KEYS,
) -> SettingsCreator:
    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        _given_comparison(available.family) if name == "given" else COMPARISONS[name]()
        for name in available.comparisons()
    ]
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        unique_id_column_name="node_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules(
            available, nhs_decided, extra_rules, keys
        ),  # type: ignore[arg-type]
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=25,
        em_convergence=0.0001,
    )


def _training_blocks(available: Available) -> list[str]:
    """EM sessions: each leaves a different set of comparisons free to be estimated."""
    present = set(available.names())
    candidates = [
        ("nhs_number",),
        ("birth_date",),
        ("given", "family"),
        ("postcode",),
        ("other_id",),
        ("family",),
    ]
    chosen: list[str] = []
    estimated: set[str] = set()
    for keys in candidates:
        if not set(keys) <= present:
            continue
        frees = present - set(keys)
        if frees - estimated:
            chosen.append(" AND ".join(f"l.{k} = r.{k}" for k in keys))
            estimated |= frees
        if estimated >= present:
            break
    return chosen


def _prior_rules(available: Available) -> list[str]:
    present = set(available.names())
    rules = []
    if "nhs_number" in present:
        rules.append("l.nhs_number = r.nhs_number")
    if {"given", "family", "birth_date"} <= present:
        rules.append("l.given = r.given AND l.family = r.family AND l.birth_date = r.birth_date")
    elif "other_id" in present:
        rules.append("l.other_id = r.other_id")
    elif {"given", "family"} <= present:
        rules.append("l.given = r.given AND l.family = r.family")
    return rules


def train(linker: Linker, available: Available) -> None:
    """Estimate the model's parameters in place, deterministically for the same input."""
    prior: list[str | BlockingRuleCreator] = list(_prior_rules(available))
    if prior:
        try:
            linker.training.estimate_probability_two_random_records_match(prior, recall=0.8)
        except ValueError:
            # A small list where the rules already find most pairs: take them as all of them.
            linker.training.estimate_probability_two_random_records_match(prior, recall=1.0)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    for rule in _training_blocks(available):
        # Splink samples records (by a hash of their id, so the same each run) down to about
        # this many pairs: a block on date of birth alone is hundreds of millions at ICS scale.
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=EM_MAX_PAIRS
        )


def model_json(linker: Linker) -> dict[str, Any]:
    saved: dict[str, Any] = linker.misc.save_model_to_json()
    return saved


def write_model(linker: Linker, folder: Path) -> Path:
    """The trained model as JSON and Splink's match-weight chart beside it, as one version."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.json"
    path.write_text(json.dumps(model_json(linker), indent=2, sort_keys=True), encoding="utf-8")
    charts: dict[str, SplinkChart[Any]] = {
        "match_weights.html": linker.visualisations.match_weights_chart(),
        "m_u_parameters.html": linker.visualisations.m_u_parameters_chart(),
    }
    for name, chart in charts.items():
        chart.save_offline_chart(str(folder / name), overwrite=True, print_msg=False)
    return path
