"""The high intensity use (HIU) prediction model: who will attend A&E often next year.

Features are what the hub knows about a person at the end of an index year (age, sex,
deprivation, that year's A&E attendances, admissions, GP and mental health contacts, police
incidents, long-term conditions, frailty, agencies in contact); the outcome is whether they
attend A&E at least ``threshold`` times in the calendar year after. A logistic regression on
standardised features is trained on earlier index years and judged on a later, held-out one,
beside the simple rule "``threshold``+ attendances last year". Every figure that leaves goes
through disclosure control; the fitted model is saved as JSON under
HOME/analytics/models/hiu/<snapshot>/ and the run recorded in the provenance log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt

from joinedup.analytics import base, disclosure, events, provenance, risk

Progress = Callable[[str], None]
Array = npt.NDArray[np.float64]
PURPOSE = "population_health_management"
THRESHOLD = 5  # attendances in a year: the British Red Cross's "more than five" is 6+; NHS HIU 5+
YOUNGEST = 18  # the NHS England High Intensity Use programme is for adults
TRAINING_YEARS = 2
MODEL_FORMAT = 1
REQUIRED_FEEDS = ("gp_patients", "ae_attendances")  # the population, and the outcome itself
AGENCY_FEEDS = {s.feed: s.agency for s in events.SOURCES if s.agency is not None}


@dataclass(frozen=True)
class Feature:
    """One input of the model. Counts are skewed (a few people attend 50 times), so they enter
    as log(1 + n): otherwise those few would set the slope for everyone."""

    name: str
    describes: str
    feeds: tuple[str, ...]
    log: bool = False


FEATURES: tuple[Feature, ...] = (
    Feature("age", "age in years at the end of the index year", ()),
    Feature("female", "1 if recorded as female, else 0", ()),
    Feature("imd_decile", "IMD 2019 decile of the LSOA lived in (1 most deprived)", ()),
    Feature("ae_attendances", "A&E attendances in the index year", ("ae_attendances",), True),
    Feature(
        "emergency_admissions",
        "emergency admissions in the index year",
        ("emergency_admissions",),
        True,
    ),
    Feature("gp_appointments", "GP appointments attended in the year", ("gp_appointments",), True),
    Feature(
        "gp_missed_appointments", "GP appointments missed in the year", ("gp_appointments",), True
    ),
    Feature(
        "mental_health_contacts",
        "secondary mental health contacts attended in the year",
        ("mental_health_contacts",),
        True,
    ),
    Feature("police_incidents", "police incidents in the year", ("police_incidents",), True),
    Feature(
        "long_term_conditions",
        "long-term conditions recorded by the end of the year",
        ("gp_conditions",),
    ),
    Feature("frailty", "eFI category at 65+ (0 fit to 3 severe)", ("gp_conditions",)),
    Feature(
        "agencies",
        "agencies in contact in the year, of those the purpose allows",
        tuple(sorted(AGENCY_FEEDS)),
    ),
)
COUNTED_KINDS = {**risk.ACTIVITY_KINDS, "police_incidents": "police_incident"}


# Features -------------------------------------------------------------------------------------


def features_sql(index_year: int, features: Sequence[Feature], agencies: Sequence[str]) -> str:
    """One row per adult registered, alive and living in the borough at the end of
    ``index_year``: person_key, sex, imd_decile, the features (from that year and before only)
    and ``next_year_attendances`` (A&E attendances in the year after: the outcome)."""
    at = dt.date(index_year, 12, 31)
    names = {f.name for f in features}
    year = f"event_date BETWEEN DATE '{index_year}-01-01' AND DATE '{at.isoformat()}'"
    following = (
        f"event_date BETWEEN DATE '{index_year + 1}-01-01' AND DATE '{index_year + 1}-12-31'"
    )
    counted = {column: kind for column, kind in COUNTED_KINDS.items() if column in names}
    sources = [risk.event_counts_sql(counted, year)] if counted else []
    if "long_term_conditions" in names:
        sources.append(risk.condition_counts_sql(at))
    if "frailty" in names:
        older = f"(SELECT person_key FROM population WHERE age >= {risk.FRAILTY_FROM_AGE})"
        sources.append(risk.frailty_rank_sql(at, older))
    if "agencies" in names:
        sources.append(
            "SELECT person_key, count(DISTINCT agency) AS agencies FROM events "
            f"WHERE agency IN ({risk.quoted(agencies) or 'NULL'}) AND {year} GROUP BY person_key"
        )
    sources.append(
        "SELECT person_key, count(*) AS next_year_attendances FROM events "
        f"WHERE kind = 'ae_attendance' AND {following} GROUP BY person_key"
    )
    joins = " ".join(f"LEFT JOIN ({sql}) USING (person_key)" for sql in sources)
    columns = ", ".join(f"CAST({_feature_sql(f.name)} AS DOUBLE) AS {f.name}" for f in features)
    return f"""
        WITH population AS ({risk.population_sql(at, YOUNGEST, resident_only=True)})
        SELECT person_key, sex, a.imd_decile AS area_imd_decile, {columns},
               coalesce(next_year_attendances, 0) AS next_year_attendances
        FROM population JOIN areas AS a USING (lsoa21) {joins}
        ORDER BY person_key
    """


def _feature_sql(name: str) -> str:
    # An unrecorded sex counts as not female rather than leaving a hole in the data.
    own = {"age": "age", "female": "coalesce(sex = 'F', false)", "imd_decile": "a.imd_decile"}
    return own.get(name, f"coalesce({name}, 0)")


@dataclass(frozen=True)
class FeatureTable:
    """The features of one index year, a row per person, with what the outcome needs."""

    index_year: int
    names: tuple[str, ...]
    values: Array  # people x features, untransformed
    next_year_attendances: npt.NDArray[np.int64]
    sex: npt.NDArray[np.str_]
    imd_decile: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.next_year_attendances)

    def column(self, name: str) -> Array:
        return self.values[:, self.names.index(name)]

    def outcome(self, threshold: int) -> npt.NDArray[np.bool_]:
        return self.next_year_attendances >= threshold


def feature_table(
    connection: duckdb.DuckDBPyConnection,
    index_year: int,
    features: Sequence[Feature] = FEATURES,
    agencies: Sequence[str] = tuple(sorted(set(AGENCY_FEEDS.values()))),
) -> FeatureTable:
    found = connection.execute(features_sql(index_year, features, agencies)).fetchnumpy()
    names = tuple(f.name for f in features)
    columns = [np.asarray(found[name], dtype=np.float64) for name in names]
    people = len(found["next_year_attendances"])
    return FeatureTable(
        index_year,
        names,
        np.column_stack(columns) if columns else np.zeros((people, 0)),
        np.asarray(found["next_year_attendances"], dtype=np.int64),
        np.asarray(found["sex"], dtype=np.str_),
        np.asarray(found["area_imd_decile"], dtype=np.int64),
    )


# The model ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HiuModel:
    """A fitted model as plain numbers: risk = logistic(intercept + sum of coefficient x
    (transformed feature - mean) / scale). Anyone can score with it, sklearn or not."""

    features: tuple[str, ...]
    logged: tuple[bool, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float

    def risk(self, values: Array) -> Array:
        transformed = np.where(np.array(self.logged), np.log1p(values), values)
        standard = (transformed - np.array(self.means)) / np.array(self.scales)
        return logistic(self.intercept + standard @ np.array(self.coefficients))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> HiuModel:
        return cls(
            tuple(str(n) for n in raw["features"]),
            tuple(bool(x) for x in raw["logged"]),
            tuple(float(x) for x in raw["means"]),
            tuple(float(x) for x in raw["scales"]),
            tuple(float(x) for x in raw["coefficients"]),
            float(raw["intercept"]),
        )


def fit(
    tables: Sequence[FeatureTable],
    features: Sequence[Feature],
    threshold: int = THRESHOLD,
    class_weight: str | None = None,
    regularisation: float = 1.0,
) -> HiuModel:
    """Logistic regression on standardised features over every row of ``tables``.

    ``class_weight=None`` by default: "balanced" weighting barely moves the ranking but inflates
    every predicted risk, and the risks are what the calibration figures and users read."""
    # sklearn ships no type information.
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

    logged = np.array([f.log for f in features])
    values = np.vstack([t.values for t in tables])
    outcome = np.concatenate([t.outcome(threshold) for t in tables])
    if outcome.all() or not outcome.any():
        raise ValueError(
            f"the training years need people with and without {threshold}+ attendances"
        )
    transformed = np.where(logged, np.log1p(values), values)
    scaler = StandardScaler().fit(transformed)
    model = LogisticRegression(C=regularisation, class_weight=class_weight, max_iter=1000)
    model.fit(scaler.transform(transformed), outcome)
    return HiuModel(
        tuple(f.name for f in features),
        tuple(bool(x) for x in logged),
        tuple(float(x) for x in scaler.mean_),
        tuple(float(x) for x in scaler.scale_),
        tuple(float(x) for x in model.coef_[0]),
        float(model.intercept_[0]),
    )


def model_folder(home: Path, snapshot: base.Snapshot) -> Path:
    return home / "analytics" / "models" / "hiu" / snapshot.name


def save_model(folder: Path, model: HiuModel, about: Mapping[str, Any]) -> Path:
    """``model.json``: the coefficients with their feature names, and ``about`` (training years,
    snapshot, ...). Written beside its name and renamed, so a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / "model.json"
    partial = path.with_suffix(".partial")
    partial.write_text(
        json.dumps({"format": MODEL_FORMAT, **about, "model": model.as_dict()}, indent=2),
        encoding="utf-8",
    )
    partial.replace(path)
    return path


def load_model(path: Path) -> tuple[HiuModel, dict[str, Any]]:
    """The model saved at ``path``, and everything saved about it."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path} is not a HIU model of format {MODEL_FORMAT}")
    return HiuModel.from_dict(raw.pop("model")), raw


# Validation statistics ------------------------------------------------------------------------

REPLICATES = 1000
HIU, NOT_HIU = "HIU next year", "not HIU next year"
OUTCOMES = (HIU, NOT_HIU)


def logistic(x: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -500.0, 500.0))), dtype=np.float64)


def _logit(risk: Array) -> Array:
    clipped = np.clip(risk, 1e-12, 1 - 1e-12)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


def _ranked(scores: Array) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The order that sorts the scores, and where each run of tied scores starts in it."""
    order = np.argsort(scores, kind="stable")
    ordered = scores[order]
    return order, np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])


def _weighted_auc(
    ranked: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
    outcome: npt.NDArray[np.bool_],
    weights: Array,
) -> float:
    order, starts = ranked
    if not len(order):
        return math.nan
    weight, positive = weights[order], outcome[order]
    cases = np.add.reduceat(np.where(positive, weight, 0.0), starts)
    others = np.add.reduceat(np.where(positive, 0.0, weight), starts)
    pairs = cases.sum() * others.sum()
    if pairs == 0:
        return math.nan
    below = np.cumsum(others) - others
    return float((cases * (below + others / 2)).sum() / pairs)


def auc(scores: Array, outcome: npt.NDArray[np.bool_]) -> float:
    """ROC AUC: the chance that someone with the outcome scores above someone without (a tie
    counts half). NaN when either group is empty."""
    return _weighted_auc(_ranked(scores), outcome, np.ones(len(scores)))


def bootstrap_aucs(
    scores: Sequence[Array], outcome: npt.NDArray[np.bool_], replicates: int, seed: int
) -> Array:
    """Each score's AUC on ``replicates`` resamples of the people (replicates x scores); every
    score sees the same resamples, so their differences are paired. Resampling is by weights
    (how often each person was drawn), so the sort is done once."""
    rng = np.random.default_rng(seed)
    ranked = [_ranked(s) for s in scores]
    people = len(outcome)
    result = np.empty((replicates, len(scores)))
    for replicate in range(replicates):
        drawn = np.bincount(rng.integers(0, people, people), minlength=people).astype(np.float64)
        result[replicate] = [_weighted_auc(r, outcome, drawn) for r in ranked]
    return result


def calibration(risk: Array, outcome: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """Calibration-in-the-large (a in logit P = a + logit risk: 0 is right on average, above 0
    under-predicts) and the calibration slope (b in logit P = a' + b logit risk: 1 is right,
    below 1 means the risks are too spread out)."""
    predictor = _logit(risk)
    observed = outcome.astype(np.float64)
    ones = np.ones((len(risk), 1))
    intercept = _newton(ones, observed, predictor, np.zeros(1))[0]
    slope = _newton(np.column_stack([ones, predictor]), observed, 0.0, np.array([0.0, 1.0]))[1]
    return float(intercept), float(slope)


def _newton(design: Array, observed: Array, offset: Array | float, start: Array) -> Array:
    """Maximum-likelihood logistic coefficients; NaN when they do not converge (separation)."""
    beta = start.copy()
    for _ in range(50):
        p = logistic(offset + design @ beta)
        gradient = design.T @ (observed - p)
        hessian = design.T @ (design * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        beta += step
        if np.abs(step).max() < 1e-9:
            return beta
    return np.full(len(beta), math.nan)


# Published validation -------------------------------------------------------------------------


def _statistic(people: int, value: float, decimals: int = 3) -> disclosure.Controlled[float]:
    """A statistic of ``people`` through disclosure control; one that could not be computed
    (no one with the outcome, a fit that did not converge) shows as not applicable."""
    if people >= disclosure.RULE.smallest_group_for_statistics and not math.isfinite(value):
        return disclosure.Controlled(None, disclosure.Reason.NO_DENOMINATOR)
    return disclosure.publish(disclosure.StatisticOf(people, value, decimals))


@dataclass(frozen=True)
class Interval:
    """A statistic with its bootstrap 95% interval, each published or hidden."""

    value: disclosure.Controlled[float]
    lower: disclosure.Controlled[float]
    upper: disclosure.Controlled[float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value.export(),
            "lower": self.lower.export(),
            "upper": self.upper.export(),
        }


def _interval(people: int, value: float, replicates: Array) -> Interval:
    finite = replicates[np.isfinite(replicates)]
    lower, upper = np.percentile(finite, [2.5, 97.5]) if len(finite) else (math.nan, math.nan)
    return Interval(
        _statistic(people, value),
        _statistic(people, float(lower)),
        _statistic(people, float(upper)),
    )


@dataclass(frozen=True)
class GroupFigures:
    """Discrimination and calibration in one group of the held-out year.

    AUCs and calibration are statistics over pairs of people with and without the outcome, so
    they are published only when both sides have enough people, not just the group."""

    group: str
    people: disclosure.Controlled[int]
    hiu: disclosure.Controlled[int]
    observed_percent: disclosure.Controlled[float]
    predicted_percent: disclosure.Controlled[float]
    auc: Interval
    rule_auc: Interval
    count_auc: Interval  # ranking by last year's attendances alone
    calibration_intercept: disclosure.Controlled[float]
    calibration_slope: disclosure.Controlled[float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "people": self.people.export(),
            "hiu": self.hiu.export(),
            "observed_percent": self.observed_percent.export(),
            "predicted_percent": self.predicted_percent.export(),
            "auc": self.auc.as_dict(),
            "rule_auc": self.rule_auc.as_dict(),
            "count_auc": self.count_auc.as_dict(),
            "calibration_intercept": self.calibration_intercept.export(),
            "calibration_slope": self.calibration_slope.export(),
        }


@dataclass(frozen=True)
class Scored:
    """The held-out year: each person's risk, last year's attendances, whether the rule flags
    them, and the outcome."""

    risk: Array
    prior: Array  # A&E attendances in the index year
    rule: npt.NDArray[np.bool_]
    outcome: npt.NDArray[np.bool_]

    def subset(self, chosen: npt.NDArray[np.bool_]) -> Scored:
        return Scored(
            self.risk[chosen], self.prior[chosen], self.rule[chosen], self.outcome[chosen]
        )


def _group(
    label: str,
    counts: disclosure.ControlledCrosstab[str, str],
    scored: Scored,
    replicates: int,
    seed: int,
) -> tuple[GroupFigures, Array]:
    """A group's figures, and its bootstrap AUCs (model, rule) for the caller's own use."""
    people, hiu = counts.row_totals[label], counts.cells[(label, HIU)]
    cases = int(scored.outcome.sum())
    pairs_people = min(cases, len(scored.outcome) - cases)
    rule = scored.rule.astype(np.float64)
    # Nothing about too few pairs is published, so their resamples are not worth drawing.
    drawn = (
        bootstrap_aucs([scored.risk, rule, scored.prior], scored.outcome, replicates, seed)
        if pairs_people >= disclosure.RULE.smallest_group_for_statistics
        else np.full((1, 3), math.nan)
    )
    intercept, slope = (
        calibration(scored.risk, scored.outcome) if pairs_people else (math.nan, math.nan)
    )
    figures = GroupFigures(
        label,
        people,
        hiu,
        disclosure.publish(disclosure.Percentage(hiu, people, decimals=2)),
        _statistic(len(scored.risk), 100 * float(scored.risk.mean()) if len(scored.risk) else 0, 2),
        _interval(pairs_people, auc(scored.risk, scored.outcome), drawn[:, 0]),
        _interval(pairs_people, auc(rule, scored.outcome), drawn[:, 1]),
        _interval(pairs_people, auc(scored.prior, scored.outcome), drawn[:, 2]),
        _statistic(pairs_people, intercept),
        _statistic(pairs_people, slope),
    )
    return figures, drawn


def _outcome_table(
    labels: npt.NDArray[np.str_], outcome: npt.NDArray[np.bool_], order: Sequence[str]
) -> disclosure.ControlledCrosstab[str, str]:
    """Counts of people by label and outcome, as one table so that hidden cells are protected
    against the totals."""
    counts: dict[tuple[str, str], int] = {}
    for column, chosen in ((HIU, outcome), (NOT_HIU, ~outcome)):
        found, n = np.unique(labels[chosen], return_counts=True)
        counts.update({(str(label), column): int(k) for label, k in zip(found, n, strict=True)})
    return disclosure.publish(disclosure.Crosstab(counts, list(order), list(OUTCOMES)))


@dataclass(frozen=True)
class DecileRow:
    decile: str
    people: disclosure.Controlled[int]
    hiu: disclosure.Controlled[int]
    predicted_percent: disclosure.Controlled[float]
    observed_percent: disclosure.Controlled[float]

    def as_dict(self) -> dict[str, Any]:
        return {k: v if isinstance(v, str) else v.export() for k, v in vars(self).items()}


DECILES = tuple(str(d) for d in range(1, 11))  # 10 holds the highest predicted risks


def _deciles(scored: Scored) -> list[DecileRow]:
    """Predicted against observed in tenths of the people ranked by predicted risk."""
    people = len(scored.risk)
    decile = np.empty(people, dtype=np.int64)
    decile[np.argsort(scored.risk, kind="stable")] = np.arange(people) * 10 // max(people, 1) + 1
    labels = decile.astype(np.str_)
    table = _outcome_table(labels, scored.outcome, DECILES)
    rows = []
    for label in DECILES:
        chosen = scored.risk[labels == label]
        predicted = 100 * float(chosen.mean()) if len(chosen) else 0.0
        total, hiu = table.row_totals[label], table.cells[(label, HIU)]
        rows.append(
            DecileRow(
                label,
                total,
                hiu,
                _statistic(len(chosen), predicted, 2),
                disclosure.publish(disclosure.Percentage(hiu, total, decimals=2)),
            )
        )
    return rows


@dataclass(frozen=True)
class Flagged:
    """The rule's list beside the model's list of the same length: who each catches."""

    people: disclosure.Controlled[int]
    rule_hiu: disclosure.Controlled[int]
    model_hiu: disclosure.Controlled[int]
    rule_share_of_hiu: disclosure.Controlled[float]
    model_share_of_hiu: disclosure.Controlled[float]

    def as_dict(self) -> dict[str, Any]:
        return {k: v.export() for k, v in vars(self).items()}


def _flagged(scored: Scored, all_hiu: disclosure.Controlled[int]) -> Flagged:
    flagged = int(scored.rule.sum())
    top = np.zeros(len(scored.risk), dtype=np.bool_)
    top[np.argsort(-scored.risk, kind="stable")[:flagged]] = True
    order = ("flagged", "not flagged")
    tables = [
        _outcome_table(np.where(chosen, *order).astype(np.str_), scored.outcome, order)
        for chosen in (scored.rule, top)
    ]
    rule_hiu, model_hiu = (t.cells[("flagged", HIU)] for t in tables)
    return Flagged(
        tables[0].row_totals["flagged"],
        rule_hiu,
        model_hiu,
        disclosure.publish(disclosure.Percentage(rule_hiu, all_hiu)),
        disclosure.publish(disclosure.Percentage(model_hiu, all_hiu)),
    )


@dataclass(frozen=True)
class Validation:
    """The held-out year's published figures."""

    overall: GroupFigures
    auc_gain: Interval  # the model's AUC minus the rule's, with a paired interval
    deciles: list[DecileRow]
    flagged: Flagged
    groups: list[GroupFigures]
    gaps: dict[str, float | None]
    replicates: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "auc_gain_over_rule": self.auc_gain.as_dict(),
            "deciles": [d.as_dict() for d in self.deciles],
            "flagged": self.flagged.as_dict(),
            "groups": [g.as_dict() for g in self.groups],
            "gaps": self.gaps,
            "bootstrap_replicates": self.replicates,
        }

    def headline(self) -> dict[str, Any]:
        """The figures the provenance log keeps for this run."""
        overall = self.overall.as_dict()
        return {
            k: overall[k]
            for k in (
                "people",
                "hiu",
                "auc",
                "rule_auc",
                "count_auc",
                "calibration_intercept",
                "calibration_slope",
            )
        }


SEXES = {"F": "female", "M": "male"}
UNKNOWN_SEX = "sex not recorded"
QUINTILES = tuple(f"IMD quintile {q}" for q in range(1, 6))  # 1 is the most deprived fifth


def validate(
    risk: Array,
    prior: Array,
    threshold: int,
    outcome: npt.NDArray[np.bool_],
    sex: npt.NDArray[np.str_],
    imd_decile: npt.NDArray[np.int64],
    replicates: int = REPLICATES,
    seed: int = 0,
) -> Validation:
    """Discrimination, calibration and the same per sex and IMD quintile, all published,
    beside the rule "``threshold``+ attendances last year" (``prior``)."""
    rule = prior >= threshold
    scored = Scored(risk, prior, rule, outcome)
    everyone = np.full(len(risk), "everyone").astype(np.str_)
    overall, drawn = _group(
        "everyone", _outcome_table(everyone, outcome, ["everyone"]), scored, replicates, seed
    )
    cases = int(outcome.sum())
    gain = _interval(
        min(cases, len(outcome) - cases),
        auc(risk, outcome) - auc(rule.astype(np.float64), outcome),
        drawn[:, 0] - drawn[:, 1],
    )
    sexes = np.where(sex == "F", SEXES["F"], np.where(sex == "M", SEXES["M"], UNKNOWN_SEX))
    quintiles = np.array(QUINTILES)[(imd_decile - 1) // 2]
    # People of unrecorded sex are a line of the sex table, so that the table still covers
    # everyone and their count cannot be had by subtraction; they get no figures of their own.
    unknown = [UNKNOWN_SEX] if (sexes == UNKNOWN_SEX).any() else []
    dimensions: list[tuple[npt.NDArray[np.str_], list[str], list[str]]] = [
        (sexes, [*SEXES.values()], unknown),
        (quintiles, [*QUINTILES], []),
    ]
    groups = []
    for labels, order, unscored in dimensions:
        table = _outcome_table(labels, outcome, [*order, *unscored])
        for number, label in enumerate(order, start=1):
            figures, _ = _group(
                label, table, scored.subset(labels == label), replicates, seed + number
            )
            groups.append(figures)
    return Validation(
        overall,
        gain,
        _deciles(scored),
        _flagged(scored, overall.hiu),
        groups,
        _gaps(groups),
        replicates,
    )


def _gaps(groups: Sequence[GroupFigures]) -> dict[str, float | None]:
    """Fairness gaps from the published figures only: the AUC and calibration-in-the-large
    between the sexes and across IMD quintiles (None when a figure in the gap is hidden)."""

    def spread(values: list[float | None], how: Callable[[list[float]], float]) -> float | None:
        known = [v for v in values if v is not None]
        return round(how(known), 3) if len(known) == len(values) and known else None

    by = {g.group: g for g in groups}
    sexes = [by[s] for s in SEXES.values()]
    quintiles = [by[q] for q in QUINTILES]
    return {
        "auc_female_minus_male": spread([g.auc.value.value for g in sexes], lambda v: v[0] - v[1]),
        "auc_range_across_imd_quintiles": spread(
            [g.auc.value.value for g in quintiles], lambda v: max(v) - min(v)
        ),
        "calibration_intercept_female_minus_male": spread(
            [g.calibration_intercept.value for g in sexes], lambda v: v[0] - v[1]
        ),
        "calibration_intercept_range_across_imd_quintiles": spread(
            [g.calibration_intercept.value for g in quintiles], lambda v: max(v) - min(v)
        ),
    }


# The run --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What a run was asked for; ``validation_year`` is the held-out outcome year."""

    validation_year: int
    threshold: int = THRESHOLD
    training_years: int = TRAINING_YEARS
    class_weight: str | None = None
    regularisation: float = 1.0
    replicates: int = REPLICATES
    seed: int = 20191231

    @property
    def training_index_years(self) -> list[int]:
        return list(range(self.validation_year - 1 - self.training_years, self.validation_year - 1))

    @property
    def validation_index_year(self) -> int:
        return self.validation_year - 1


@dataclass
class HiuReport:
    """A run's published figures, the model, and where it was saved."""

    run_id: str
    settings: Settings
    purpose: str
    agreements: list[str]
    left_out: dict[str, str]
    agencies: list[str]
    snapshot: dict[str, Any]
    features: tuple[Feature, ...]
    model: HiuModel
    coefficients: list[dict[str, Any]]  # as published
    model_path: Path
    training: dict[int, disclosure.Controlled[int]]
    validation: Validation
    seconds: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "settings": asdict(self.settings),
            "training_index_years": self.settings.training_index_years,
            "validation_index_year": self.settings.validation_index_year,
            "purpose": self.purpose,
            "agreements": self.agreements,
            "features_left_out": self.left_out,
            "agencies_counted": self.agencies,
            "snapshot": self.snapshot,
            "disclosure_control": disclosure.RULE.version,
            "coefficients": self.coefficients,
            "model_path": str(self.model_path),
            "training_people": {str(y): n.export() for y, n in self.training.items()},
            "validation": self.validation.as_dict(),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def coefficient_rows(
    model: HiuModel, features: Sequence[Feature], people: int
) -> list[dict[str, Any]]:
    """Each feature with its mean and standard deviation over the ``people`` training rows, its
    coefficient per standard deviation and that as an odds ratio, all through the statistic
    control (the saved model keeps the exact numbers, inside the zone)."""
    return [
        {
            "feature": f.name,
            "describes": f.describes,
            "transform": "log(1 + n)" if f.log else "none",
            "mean": _statistic(people, mean, 4).export(),
            "sd": _statistic(people, scale, 4).export(),
            "coefficient_per_sd": _statistic(people, coefficient, 4).export(),
            "odds_ratio_per_sd": _statistic(people, float(np.exp(coefficient))).export(),
        }
        for f, mean, scale, coefficient in zip(
            features, model.means, model.scales, model.coefficients, strict=True
        )
    ]


def default_validation_year(last_event: dt.date) -> int:
    """The last calendar year the data covers to its end."""
    return (
        last_event.year if (last_event.month, last_event.day) == (12, 31) else last_event.year - 1
    )


def run_hiu_model(
    home: Path,
    validation_year: int | None = None,
    today: dt.date | None = None,
    progress: Progress = lambda _step: None,
    **settings: Any,
) -> HiuReport:
    """Train, validate, save and record the model on the current snapshot's base.

    ``settings`` are :class:`Settings` fields (threshold, training_years, class_weight, ...).
    Example::

        report = run_hiu_model(Path("var"), 2019, threshold=5)
        report.validation.overall.auc.value.display  # '0.953'
    """
    connection = base.open_base(home, progress)
    try:
        year = validation_year or default_validation_year(base.snapshot(connection).last_event)
        return hiu_model(connection, home, Settings(year, **settings), today, progress)
    finally:
        connection.close()


def permitted_features(permission: risk.Permission) -> tuple[tuple[Feature, ...], list[str]]:
    """The features whose feeds the purpose allows, and the agencies it lets be counted."""
    agencies = sorted({a for feed, a in AGENCY_FEEDS.items() if feed in permission.agreements})
    kept = tuple(
        f
        for f in FEATURES
        if (f.name == "agencies" and agencies)
        or (f.name != "agencies" and permission.allows(f.feeds))
    )
    return kept, agencies


@dataclass(frozen=True)
class Trained:
    """The fitted model and what it was fitted on, as the run reports it."""

    features: tuple[Feature, ...]
    agencies: list[str]
    model: HiuModel
    coefficients: list[dict[str, Any]]
    training: dict[int, disclosure.Controlled[int]]


def hiu_model(
    connection: duckdb.DuckDBPyConnection,
    home: Path,
    settings: Settings,
    today: dt.date | None = None,
    progress: Progress = lambda _step: None,
) -> HiuReport:
    """Build the features of every year ``settings`` names, train on the earlier ones, validate
    on the held-out one; refused unless the register lets the population and A&E feeds be used
    for population health management (other features without an agreement are left out)."""
    snapshot = base.snapshot(connection)
    _check_years(connection, snapshot, settings)
    optional = {feed for f in FEATURES for feed in f.feeds}
    permission = risk.permit(home, PURPOSE, REQUIRED_FEEDS, optional, today or dt.date.today())
    features, agencies = permitted_features(permission)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    progress("Features")
    tables = [
        feature_table(connection, year, features, agencies)
        for year in [*settings.training_index_years, settings.validation_index_year]
    ]
    seconds["features"] = time.perf_counter() - started
    progress("Training")
    model = fit(
        tables[:-1], features, settings.threshold, settings.class_weight, settings.regularisation
    )
    seconds["training"] = time.perf_counter() - started - seconds["features"]
    progress("Validating")
    held_out = tables[-1]
    checked = validate(
        model.risk(held_out.values),
        held_out.column("ae_attendances"),
        settings.threshold,
        held_out.outcome(settings.threshold),
        held_out.sex,
        held_out.imd_decile,
        settings.replicates,
        settings.seed,
    )
    seconds["validation"] = time.perf_counter() - started - sum(seconds.values())
    trained = Trained(
        features,
        agencies,
        model,
        coefficient_rows(model, features, sum(len(t) for t in tables[:-1])),
        {t.index_year: disclosure.publish(disclosure.Count(len(t))) for t in tables[:-1]},
    )
    return _record(home, snapshot, settings, permission, trained, checked, seconds)


def _check_years(
    connection: duckdb.DuckDBPyConnection, snapshot: base.Snapshot, settings: Settings
) -> None:
    """Refuse years the data cannot answer: an outcome year not over, or an index year before
    the A&E data begin (its attendances would all read as none)."""
    if settings.training_years < 1 or settings.threshold < 1:
        raise ValueError("at least one training year and a threshold of at least 1 are needed")
    if dt.date(settings.validation_year, 12, 31) > snapshot.last_event:
        raise ValueError(
            f"the data end on {snapshot.last_event}: outcome year {settings.validation_year} "
            "is not over; validate on an earlier year"
        )
    (first,) = connection.execute(
        "SELECT min(event_date) FROM events WHERE kind = 'ae_attendance'"
    ).fetchall()[0]
    earliest = settings.training_index_years[0]
    if first is None or first.year > earliest:
        raise ValueError(
            f"the A&E data start in {first.year if first else 'no year'}: index year {earliest} "
            "is not covered; use fewer training years or a later validation year"
        )


def _record(
    home: Path,
    snapshot: base.Snapshot,
    settings: Settings,
    permission: risk.Permission,
    trained: Trained,
    checked: Validation,
    seconds: dict[str, float],
) -> HiuReport:
    """Save the model, then log the run with the model file's digest, so the log names the
    exact file each published figure came from."""
    left_out = {
        f.name: "; ".join(
            permission.left_out[feed] for feed in f.feeds if feed in permission.left_out
        )
        for f in FEATURES
        if f not in trained.features
    }
    about: dict[str, Any] = {
        "snapshot": snapshot.record(),
        "purpose": PURPOSE,
        "agreements": sorted(set(permission.agreements.values())),
        "settings": asdict(settings),
        "training_index_years": settings.training_index_years,
        "validation_index_year": settings.validation_index_year,
        "outcome": f"{settings.threshold}+ A&E attendances in the calendar year after the index year",
        "population": f"aged {YOUNGEST}+, registered with a GP, alive and living in the borough "
        "at the end of the index year",
        "features_left_out": left_out,
        "agencies_counted": trained.agencies,
        "coefficients": trained.coefficients,
        "validation": checked.as_dict(),
        "disclosure_control": disclosure.RULE.version,
    }
    path = save_model(model_folder(home, snapshot), trained.model, about)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run_id = provenance.record(
        home,
        {
            "kind": "hiu_model",
            **{k: about[k] for k in ("snapshot", "purpose", "agreements", "settings")},
            "feeds": sorted(permission.agreements),
            "features_left_out": sorted(left_out),
            "model_path": str(path),
            "model_sha256": digest,
            "published": checked.headline(),
        },
    )
    return HiuReport(
        run_id,
        settings,
        PURPOSE,
        about["agreements"],
        left_out,
        trained.agencies,
        about["snapshot"],
        trained.features,
        trained.model,
        trained.coefficients,
        path,
        trained.training,
        checked,
        seconds,
    )
