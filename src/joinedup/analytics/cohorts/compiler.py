"""A parsed cohort definition, with its parameters filled in, compiled to one DuckDB query.

The query runs against the analysis base (analytics/base.py) and returns one row per person in
the cohort: person_key, sex, age and where they lived on the population date. Every criterion
becomes a set operation (a semi-join on the events, a filter on the person); nothing is done
row by row in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from joinedup.analytics import codesets, events, frailty
from joinedup.analytics.cohorts.language import (
    AREA_LEVELS,
    Comparison,
    Criterion,
    DateExpr,
    Definition,
    Value,
    Window,
)
from joinedup.engines import sql_string

AREA_COLUMNS = {
    "lsoa": ("lsoa21", "lsoa_name"),
    "ward": ("ward_code", "ward_name"),
    "locality": ("locality", "locality"),
}
FEEDS_FOR_KIND = {source.kind: source.feed for source in events.SOURCES}
MEASUREMENT_FEEDS = {
    "bmi_centile": "school_measurements",
    "bmi_z": "school_measurements",
    "pam_level": "pam_assessments",
    "fire_risk_score": "fire_activity",
}


class CohortParameterError(ValueError):
    """A parameter value that is missing, unknown or of the wrong type; names the line."""


@dataclass(frozen=True)
class Compiled:
    """The query, and what a run must record and check about it."""

    sql: str
    at: dt.date
    parameters: dict[str, str]
    feeds: frozenset[str]


def resolve_parameters(definition: Definition, given: Mapping[str, str]) -> dict[str, str]:
    """The definition's parameters with the given values over the defaults, checked by type."""
    unknown = set(given) - set(definition.parameters)
    if unknown:
        known = ", ".join(sorted(definition.parameters)) or "none"
        raise CohortParameterError(
            f"{definition.name}: no parameter {', '.join(sorted(unknown))}; its parameters are {known}"
        )
    values = {}
    for name, parameter in definition.parameters.items():
        value = given.get(name, parameter.default.text)
        _check_type(definition, name, parameter.type, value, parameter.line)
        values[name] = value
    return values


def _check_type(definition: Definition, name: str, kind: str, value: str, line: int) -> None:
    where = f"{definition.origin}: line {line}: parameter {name}"
    if kind == "integer" and not value.lstrip("-").isdigit():
        raise CohortParameterError(f"{where} must be a whole number, not {value!r}")
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise CohortParameterError(
                f"{where} must be a date like 2019-03-31, not {value!r}"
            ) from None


def compile_definition(
    definition: Definition, given: Mapping[str, str], last_event: dt.date
) -> Compiled:
    parameters = resolve_parameters(definition, given)
    compiler = _Compiler(definition, parameters, last_event)
    at = compiler.date(definition.population.at, definition.population.line)
    compiler.at = at
    where = compiler.criterion(definition.criteria)
    sql = f"""
        WITH population AS ({compiler.population(definition.population.flags)})
        SELECT p.person_key, p.sex, p.age, p.lsoa21, a.lsoa_name, a.ward_code, a.ward_name,
               a.locality, a.imd_decile
        FROM population AS p LEFT JOIN areas AS a USING (lsoa21)
        WHERE {where}
    """
    return Compiled(sql, at, parameters, frozenset(compiler.feeds))


class _Compiler:
    def __init__(
        self, definition: Definition, parameters: dict[str, str], last_event: dt.date
    ) -> None:
        self.definition = definition
        self.parameters = parameters
        self.last_event = last_event
        self.at = last_event
        self.feeds: set[str] = set()

    # values -------------------------------------------------------------------------------
    def text(self, value: Value) -> str:
        name = value.parameter
        return self.parameters[name] if name is not None else value.text

    def number(self, value: Value, line: int) -> int:
        text = self.text(value)
        if not text.lstrip("-").isdigit():
            raise CohortParameterError(
                f"{self.definition.origin}: line {line}: {text!r} is not a whole number"
            )
        return int(text)

    def date(self, expr: DateExpr, line: int) -> dt.date:
        if expr.kind == "end of data":
            return self.last_event
        assert expr.value is not None
        if expr.kind in ("end of year", "start of year"):
            year = self.number(expr.value, line)
            return dt.date(year, 12, 31) if expr.kind == "end of year" else dt.date(year, 1, 1)
        text = self.text(expr.value)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CohortParameterError(
                f"{self.definition.origin}: line {line}: {text!r} is not a date"
            ) from None

    def comparison(self, column: str, comparison: Comparison, line: int) -> str:
        low = self.number(comparison.value, line)
        if comparison.operator == "between":
            assert comparison.upper is not None
            return f"{column} BETWEEN {low} AND {self.number(comparison.upper, line)}"
        return f"{column} {comparison.operator} {low}"

    def zero_passes(self, comparison: Comparison, line: int) -> bool:
        """Whether someone with no events at all meets the comparison (e.g. '<= 2')."""
        low = self.number(comparison.value, line)
        if comparison.operator == "between":
            return low <= 0
        checks = {">=": low <= 0, "<=": low >= 0, "=": low == 0, ">": low < 0, "<": low > 0}
        return checks[comparison.operator]

    def window(self, window: Window | None, line: int, column: str = "event_date") -> str:
        """SQL limiting ``column`` to the window; with no window, anything up to the date."""
        if window is None or window.kind == "ever":
            return f"{column} <= DATE '{self.at}'"
        if window.kind == "within":
            assert isinstance(window.start, Value)
            months = self.number(window.start, line)
            return f"{column} > DATE '{self.at}' - INTERVAL {months} MONTH AND {column} <= DATE '{self.at}'"
        if window.kind == "year":
            assert isinstance(window.start, Value)
            year = self.number(window.start, line)
            return f"{column} BETWEEN DATE '{year}-01-01' AND DATE '{year}-12-31'"
        assert isinstance(window.start, DateExpr) and window.end is not None
        return f"{column} BETWEEN DATE '{self.date(window.start, line)}' AND DATE '{self.date(window.end, line)}'"

    # the population ---------------------------------------------------------------------------
    def population(self, flags: tuple[str, ...]) -> str:
        at = f"DATE '{self.at}'"
        conditions = ["p.birth_month <= " + at]
        if "alive" in flags:
            conditions.append(f"(p.death_date IS NULL OR p.death_date > {at})")
        if "registered" in flags:
            self.feeds.add("gp_patients")
            conditions.append(
                "p.person_key IN (SELECT person_key FROM registrations WHERE registration_date <= "
                f"{at} AND (deregistration_date IS NULL OR deregistration_date > {at}))"
            )
        if "resident" in flags:
            conditions.append("r.lsoa21 IN (SELECT lsoa21 FROM areas)")
        return f"""
            SELECT p.person_key, p.sex,
                   CAST(date_diff('month', p.birth_month, {at}) // 12 AS INTEGER) AS age, r.lsoa21
            FROM people AS p
            LEFT JOIN (SELECT person_key, arg_max(lsoa21, since) AS lsoa21
                       FROM ({_ONE_A_DAY.format(table="residence", day="since", value="lsoa21", pick="min", where=f"since <= {at}")})
                       GROUP BY person_key) AS r USING (person_key)
            WHERE {" AND ".join(conditions)}
        """

    # criteria ---------------------------------------------------------------------------------
    def criterion(self, criterion: Criterion) -> str:
        if criterion.kind in ("all", "any", "not"):
            joined = f" {'OR' if criterion.kind == 'any' else 'AND'} ".join(
                self.criterion(c) for c in criterion.children
            )
            return f"(NOT ({joined}))" if criterion.kind == "not" else f"({joined})"
        build: Callable[[Criterion], str] = getattr(self, f"_{criterion.kind}")
        # Unknown (an area for someone with no address) is "no", so that NOT works as people expect.
        return f"coalesce({build(criterion)}, false)"

    def _age(self, criterion: Criterion) -> str:
        assert criterion.comparison is not None
        return f"({self.comparison('p.age', criterion.comparison, criterion.line)})"

    def _sex(self, criterion: Criterion) -> str:
        return f"(p.sex = '{self.text(criterion.names[0])}')"

    def _counted(self, criterion: Criterion, measure: str, filters: str) -> str:
        """People whose count of matching events meets the comparison (zero counts included)."""
        assert criterion.comparison is not None
        having = self.comparison(measure, criterion.comparison, criterion.line)
        window = self.window(criterion.window, criterion.line)
        events_sql = (
            f"SELECT person_key FROM events WHERE {filters} AND {window} GROUP BY person_key"
        )
        if self.zero_passes(criterion.comparison, criterion.line):
            return _absent(f"{events_sql} HAVING NOT ({having})")
        return f"(p.person_key IN ({events_sql} HAVING {having}))"

    def _events(self, criterion: Criterion) -> str:
        kinds = [self.text(v) for v in criterion.names]
        for kind in kinds:
            if kind not in events.KINDS:
                raise CohortParameterError(
                    f"{self.definition.origin}: line {criterion.line}: no event kind {kind!r}; "
                    f"kinds are {', '.join(sorted(events.KINDS))}"
                )
            self.feeds.add(FEEDS_FOR_KIND[kind])
        return self._counted(criterion, "count(*)", f"kind IN ({_quoted(kinds)})")

    def _agencies(self, criterion: Criterion) -> str:
        self.feeds.update(s.feed for s in events.SOURCES if s.agency is not None)
        return self._counted(criterion, "count(DISTINCT agency)", "agency IS NOT NULL")

    def _codes(self, criterion: Criterion) -> list[str]:
        name = self.text(criterion.names[0])
        try:
            codes = codesets.codes(name)
        except KeyError:
            raise CohortParameterError(
                f"{self.definition.origin}: line {criterion.line}: no code list {name!r}; "
                f"lists are {', '.join(codesets.names())}"
            ) from None
        self.feeds.add("gp_conditions")
        return codes

    def _condition(self, criterion: Criterion) -> str:
        codes = self._codes(criterion)
        window = self.window(criterion.window, criterion.line)
        found = f"SELECT person_key FROM events WHERE kind = 'gp_condition' AND code IN ({_quoted(codes)}) AND {window}"
        return _absent(found) if criterion.option == "absent" else f"(p.person_key IN ({found}))"

    def _conditions(self, criterion: Criterion) -> str:
        codes = self._codes(criterion)
        return self._counted(
            criterion,
            "count(DISTINCT code)",
            f"kind = 'gp_condition' AND code IN ({_quoted(codes)})",
        )

    def _measurement(self, criterion: Criterion) -> str:
        assert criterion.comparison is not None
        self.feeds.add(MEASUREMENT_FEEDS[criterion.option])
        window = self.window(criterion.window, criterion.line, "measured_on")
        latest = self.comparison(
            "arg_max(value, measured_on)", criterion.comparison, criterion.line
        )
        one_a_day = _ONE_A_DAY.format(
            table="measurements",
            day="measured_on",
            value="value",
            pick="max",
            where=f"kind = '{criterion.option}' AND {window}",
        )
        return (
            f"(p.person_key IN (SELECT person_key FROM ({one_a_day}) "
            f"GROUP BY person_key HAVING {latest}))"
        )

    def _area(self, criterion: Criterion) -> str:
        assert criterion.option in AREA_LEVELS
        code, name = AREA_COLUMNS[criterion.option]
        wanted = _quoted([self.text(v) for v in criterion.names])
        return f"(p.lsoa21 IN (SELECT lsoa21 FROM areas WHERE {code} IN ({wanted}) OR {name} IN ({wanted})))"

    def _imd_decile(self, criterion: Criterion) -> str:
        assert criterion.comparison is not None
        return f"({self.comparison('a.imd_decile', criterion.comparison, criterion.line)})"

    def _frailty(self, criterion: Criterion) -> str:
        self.feeds.add("gp_conditions")
        wanted = _quoted([self.text(v) for v in criterion.names])
        coded = (
            "(SELECT person_key, code, event_date AS date_recorded FROM events "
            "WHERE kind = 'gp_condition')"
        )
        scored = frailty.efi_sql(coded, self.at)
        return f"(p.person_key IN (SELECT person_key FROM ({scored}) WHERE frailty_category IN ({wanted})))"


# "The latest" must not depend on the engine's order of rows: two addresses recorded on one day
# give the lower LSOA code, two measurements on one day the higher value (the one a clinician
# would act on), before the latest day is taken.
_ONE_A_DAY = (
    "SELECT person_key, {day}, {pick}({value}) AS {value} FROM {table} WHERE {where} "
    "GROUP BY person_key, {day}"
)


def _absent(people: str) -> str:
    """Whether a person is not among ``people`` (a query of person_keys), as an anti-join.

    Not ``NOT IN``: Spark must allow for a NULL in the list, and so compares every person with
    every row of it (a nested loop, quadratic); ``NOT EXISTS`` is a hash anti-join on either
    engine. A person_key is never NULL, so the answers are the same.
    """
    return (
        f"(NOT EXISTS (SELECT 1 FROM ({people}) AS listed WHERE listed.person_key = p.person_key))"
    )


def _quoted(values: list[str]) -> str:
    return ", ".join(map(sql_string, values))
