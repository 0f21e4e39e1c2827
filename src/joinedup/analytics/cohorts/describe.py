"""A cohort definition in plain English, for people who read the rules rather than write them.

The description is a tree of sentences, as the criteria are a tree of conditions: the web app
shows it as nested lists beside the definition's text. Parameters are shown with their values
(the defaults, or the values a run was given), so the words say exactly who a run counts.

    >>> from joinedup.analytics.cohorts.language import parse
    >>> text = '''cohort frail
    ... title "Frail older people"
    ... version 1
    ... purpose population_health_management
    ... parameter youngest integer = 65
    ... population registered, alive at 2019-12-31
    ... criteria
    ...   age >= {youngest}
    ...   frailty in moderate, severe'''
    >>> described = describe(parse(text))
    >>> described.population
    'People registered with a GP practice and alive on 31 December 2019, who meet all of these conditions:'
    >>> [clause.text for clause in described.criteria]
    ['aged at least 65', 'living with moderate or severe frailty (electronic Frailty Index)']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from joinedup.analytics.cohorts.language import (
    Comparison,
    Criterion,
    DateExpr,
    Definition,
    Value,
    Window,
)

COMPARISONS = {
    ">=": "at least",
    "<=": "at most",
    "=": "exactly",
    ">": "more than",
    "<": "fewer than",
}
EVENTS = {
    "gp_appointment": "GP appointments attended",
    "gp_missed_appointment": "missed GP appointments",
    "gp_condition": "conditions recorded by the GP",
    "ae_attendance": "A&E attendances",
    "emergency_admission": "emergency admissions",
    "mental_health_contact": "mental health contacts attended",
    "police_incident": "police incidents",
    "fire_incident": "accidental dwelling fires",
    "home_fire_safety_check": "home fire safety checks",
    "homelessness_application": "homelessness applications",
    "council_tax_support_claim": "council tax support claims",
    "vcs_referral": "referrals to the voluntary sector",
    "iat_referral": "referrals to the Integrated Action Team",
    "pam_assessment": "Patient Activation Measure assessments",
    "school_measurement": "school height and weight measurements",
}
MEASUREMENTS = {
    "bmi_centile": "BMI centile (UK90)",
    "bmi_z": "BMI z-score (UK90)",
    "pam_level": "Patient Activation Measure level",
    "fire_risk_score": "home fire safety check risk score",
}
FLAGS = {
    "registered": "registered with a GP practice",
    "alive": "alive",
    "resident": "living in the borough",
}
AREA_LEVELS = {"lsoa": "the neighbourhood (LSOA)", "ward": "the ward", "locality": "the locality"}
BLOCKS = {
    "all": "all of these:",
    "any": "at least one of these:",
    "not": "not all of these together (anyone who meets every one is left out):",
}

OPENINGS = {
    "all": "who meet all of these conditions:",
    "any": "who meet at least one of these conditions:",
    "not": "except those who meet all of these conditions together:",
}


@dataclass(frozen=True)
class Clause:
    """One condition in words, and the conditions of a block beneath it."""

    text: str
    children: tuple[Clause, ...] = field(default=())


@dataclass(frozen=True)
class Description:
    title: str
    population: str
    criteria: tuple[Clause, ...]


def describe(definition: Definition, parameters: Mapping[str, str] | None = None) -> Description:
    """``definition`` in plain English, with ``parameters`` over the defaults."""
    values = {name: p.default.text for name, p in definition.parameters.items()}
    values.update(parameters or {})
    words = _Words(values)
    population = definition.population
    who = _joined([FLAGS[flag] for flag in population.flags], "and")
    at = words.date(population.at)
    opening = f"People {who} on {at}" if who else f"Everyone the hub knows who was born by {at}"
    children = definition.criteria.children
    if len(children) == 1 and children[0].kind not in BLOCKS:
        return Description(definition.title, f"{opening}, {words.clause(children[0]).text}", ())
    block = children[0] if len(children) == 1 else definition.criteria
    clauses = tuple(words.clause(child) for child in block.children)
    return Description(definition.title, f"{opening}, {OPENINGS[block.kind]}", clauses)


def as_text(description: Description) -> str:
    """The description as indented lines, for a terminal or a file."""
    lines = [description.title, description.population]

    def add(clauses: tuple[Clause, ...], depth: int) -> None:
        for clause in clauses:
            lines.append("  " * depth + "- " + clause.text)
            add(clause.children, depth + 1)

    add(description.criteria, 0)
    return "\n".join(lines)


class _Words:
    """Words for the parts of a definition, with its parameters' values filled in."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values

    def value(self, value: Value) -> str:
        name = value.parameter
        return value.text if name is None else self.values.get(name, value.text)

    def date(self, expression: DateExpr | Value) -> str:
        if isinstance(expression, Value):
            return _day(self.value(expression))
        if expression.kind == "end of data":
            return "the last day of the data"
        year = self.value(expression.value) if expression.value is not None else ""
        if expression.kind == "end of year":
            return f"31 December {year}"
        if expression.kind == "start of year":
            return f"1 January {year}"
        return _day(year)

    def comparison(self, comparison: Comparison | None) -> str:
        if comparison is None:
            return ""
        if comparison.operator == "between" and comparison.upper is not None:
            low, high = self.value(comparison.value), self.value(comparison.upper)
            return f"between {low} and {high}"
        return f"{COMPARISONS[comparison.operator]} {self.value(comparison.value)}"

    def window(self, window: Window | None, default: str) -> str:
        if window is None:
            return default
        if window.kind == "within" and isinstance(window.start, Value):
            months = self.value(window.start)
            return f"in the {months} months up to the population date"
        if window.kind == "year" and isinstance(window.start, Value):
            return f"in the calendar year {self.value(window.start)}"
        if window.kind == "between" and window.start is not None and window.end is not None:
            return f"between {self.date(window.start)} and {self.date(window.end)}"
        return "at any time up to the population date"

    def names(self, names: tuple[Value, ...], labels: Mapping[str, str] | None = None) -> str:
        shown = [self.value(n) for n in names]
        return _joined([(labels or {}).get(s, s.replace("_", " ")) for s in shown], "or")

    def clause(self, criterion: Criterion) -> Clause:
        if criterion.kind == "not" and len(criterion.children) == 1:
            only = self.clause(criterion.children[0])
            if not only.children:
                return Clause(f"not {only.text}")
        if criterion.kind in BLOCKS:
            children = tuple(self.clause(child) for child in criterion.children)
            return Clause(BLOCKS[criterion.kind], children)
        return Clause(_CONDITIONS[criterion.kind](self, criterion))


def _age(words: _Words, c: Criterion) -> str:
    return f"aged {words.comparison(c.comparison)}"


def _sex(words: _Words, c: Criterion) -> str:
    return "recorded as female" if words.value(c.names[0]) == "F" else "recorded as male"


def _events(words: _Words, c: Criterion) -> str:
    kinds = words.names(c.names, EVENTS).replace(" or ", " and ")
    when = words.window(c.window, "")
    return f"with {words.comparison(c.comparison)} {kinds} {when}".strip()


def _agencies(words: _Words, c: Criterion) -> str:
    when = words.window(c.window, "")
    return f"in contact with {words.comparison(c.comparison)} agencies {when}".strip()


def _condition(words: _Words, c: Criterion) -> str:
    codes = words.names(c.names)
    when = words.window(c.window, "at any time up to the population date")
    if c.option == "absent":
        return f"with no {codes} code recorded {when}"
    return f"with a {codes} code recorded {when}"


def _conditions(words: _Words, c: Criterion) -> str:
    codes = words.names(c.names)
    when = words.window(c.window, "at any time up to the population date")
    return f"with {words.comparison(c.comparison)} different {codes} recorded {when}"


def _measurement(words: _Words, c: Criterion) -> str:
    what = MEASUREMENTS.get(c.option, c.option.replace("_", " "))
    when = words.window(c.window, "at any time up to the population date")
    return f"whose latest {what} {when} is {words.comparison(c.comparison)}"


def _area(words: _Words, c: Criterion) -> str:
    level = AREA_LEVELS.get(c.option, c.option)
    return f"living on the population date in {level} {words.names(c.names)}"


def _imd(words: _Words, c: Criterion) -> str:
    decile = words.comparison(c.comparison)
    return (
        f"living in a neighbourhood whose deprivation decile is {decile} "
        "(Index of Multiple Deprivation 2019; 1 is the most deprived tenth)"
    )


def _frailty(words: _Words, c: Criterion) -> str:
    return f"living with {words.names(c.names)} frailty (electronic Frailty Index)"


_CONDITIONS = {
    "age": _age,
    "sex": _sex,
    "events": _events,
    "agencies": _agencies,
    "condition": _condition,
    "conditions": _conditions,
    "measurement": _measurement,
    "area": _area,
    "imd_decile": _imd,
    "frailty": _frailty,
}


def _day(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def _joined(words: list[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]
