"""The cohort language: a definition an analyst can read, parsed into a tree with line numbers.

A definition is a text file of one statement per line; ``#`` starts a comment. The header says
what the cohort is and for which purpose; ``population`` says who is counted on which date;
``criteria`` holds an indented tree of conditions, combined with ``all of``, ``any of`` and
``not``. Values may be ``{parameters}``. docs/cohorts.md is the reference for analysts; every
error names the file and line.

    cohort high_intensity_ae
    title "High intensity users of A&E"
    version 1
    purpose population_health_management
    parameter threshold integer = 5 "A&E attendances in the window"
    parameter months integer = 12
    population alive, resident at end of data
    criteria
      age >= 18
      events ae_attendance >= {threshold} within {months} months
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HEADER_TEXT = ("title", "description", "source")
PARAMETER_TYPES = ("integer", "date", "text")
POPULATION_FLAGS = ("registered", "alive", "resident")
OPERATORS = (">=", "<=", "=", ">", "<")
AREA_LEVELS = ("lsoa", "ward", "locality")
MEASUREMENTS = ("bmi_centile", "bmi_z", "pam_level", "fire_risk_score")
FRAILTY = ("fit", "mild", "moderate", "severe")
BLOCKS = {"all of": "all", "any of": "any", "not": "not"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class CohortSyntaxError(ValueError):
    """A definition that cannot be read; the message names the file and line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}: line {line}: {message}")
        self.source, self.line, self.detail = source, line, message


@dataclass(frozen=True)
class Value:
    """A number, date or word as written, or a ``{parameter}`` to be filled in."""

    text: str

    @property
    def parameter(self) -> str | None:
        return self.text[1:-1] if self.text.startswith("{") and self.text.endswith("}") else None


@dataclass(frozen=True)
class Comparison:
    """``>= 5``, or ``between 1 and 2`` (``operator`` is then 'between' and ``upper`` is set)."""

    operator: str
    value: Value
    upper: Value | None = None


@dataclass(frozen=True)
class DateExpr:
    """``2019-03-31``, ``{at}``, ``end of year {year}``, ``start of year 2018``, ``end of data``."""

    kind: str  # 'date', 'end of year', 'start of year', 'end of data'
    value: Value | None = None


@dataclass(frozen=True)
class Window:
    """When events count: ``within N months`` (up to the population date), ``in year Y``,
    ``between D and D``, or ``ever`` (any time up to the population date)."""

    kind: str  # 'within', 'year', 'between', 'ever'
    start: Value | DateExpr | None = None
    end: DateExpr | None = None


@dataclass(frozen=True)
class Criterion:
    """One condition on a person, or a block of them (``kind`` all / any / not)."""

    kind: str
    line: int
    comparison: Comparison | None = None
    names: tuple[Value, ...] = ()
    window: Window | None = None
    option: str = ""
    children: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Value
    help: str
    line: int


@dataclass(frozen=True)
class Population:
    flags: tuple[str, ...]
    at: DateExpr
    line: int


@dataclass(frozen=True)
class Definition:
    name: str
    title: str
    version: int
    purpose: str
    population: Population
    criteria: Criterion
    parameters: dict[str, Parameter] = field(default_factory=dict)
    description: str = ""
    source: str = ""
    origin: str = ""
    text: str = ""


_Reader = Callable[[list[str], int, "_Raiser"], "Criterion"]


@dataclass
class _Line:
    number: int
    indent: int
    words: list[str]


def parse_file(path: Path) -> Definition:
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, source: str = "<definition>") -> Definition:
    """The definition in ``text``, or a CohortSyntaxError naming the line that is wrong."""
    lines = _lines(text, source)
    header: dict[str, tuple[str, int]] = {}
    parameters: dict[str, Parameter] = {}
    population: Population | None = None
    criteria: Criterion | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        keyword, rest = line.words[0], line.words[1:]
        error = _Raiser(source, line.number)
        if line.indent:
            raise error(f"unexpected indentation before {keyword!r}")
        if keyword == "criteria":
            if criteria is not None:
                raise error("a second 'criteria' block; combine them with 'all of' or 'any of'")
            children, index = _block(lines, index + 1, line.indent, source)
            if not children:
                raise error("'criteria' needs at least one condition, indented below it")
            criteria = Criterion("all", line.number, children=tuple(children))
            continue
        if keyword == "parameter":
            parameter = _parameter(rest, line.number, error)
            if parameter.name in parameters:
                raise error(f"parameter {parameter.name!r} is defined twice")
            parameters[parameter.name] = parameter
        elif keyword == "population":
            if population is not None:
                raise error("a second 'population' line")
            population = _population(rest, line.number, error)
        elif keyword in ("cohort", "version", "purpose", *HEADER_TEXT):
            if keyword in header:
                raise error(f"{keyword!r} is given twice")
            if len(rest) != 1:
                raise error(f"{keyword!r} takes one value (quote text with spaces)")
            header[keyword] = (rest[0], line.number)
        else:
            raise error(
                f"unknown statement {keyword!r}; expected cohort, title, version, purpose, "
                "description, source, parameter, population or criteria"
            )
        index += 1
    return _definition(header, parameters, population, criteria, source, text)


def _definition(
    header: dict[str, tuple[str, int]],
    parameters: dict[str, Parameter],
    population: Population | None,
    criteria: Criterion | None,
    source: str,
    text: str,
) -> Definition:
    last = max(1, len(text.splitlines()))
    for required in ("cohort", "title", "version", "purpose"):
        if required not in header:
            raise CohortSyntaxError(source, last, f"the definition has no {required!r} line")
    if population is None:
        raise CohortSyntaxError(source, last, "the definition has no 'population' line")
    if criteria is None:
        raise CohortSyntaxError(source, last, "the definition has no 'criteria' block")
    name, name_line = header["cohort"]
    if not _NAME.match(name):
        raise CohortSyntaxError(source, name_line, f"cohort name {name!r}: use a-z, 0-9 and _")
    version, version_line = header["version"]
    if not version.isdigit():
        raise CohortSyntaxError(source, version_line, f"version {version!r} is not a number")
    _check_parameters_used(criteria, population, parameters, source)
    return Definition(
        name=name,
        title=header["title"][0],
        version=int(version),
        purpose=header["purpose"][0],
        population=population,
        criteria=criteria,
        parameters=parameters,
        description=header.get("description", ("", 0))[0],
        source=header.get("source", ("", 0))[0],
        origin=source,
        text=text,
    )


def _lines(text: str, source: str) -> list[_Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise CohortSyntaxError(source, number, "indent with spaces, not tabs")
        try:
            words = _words(raw)
        except ValueError as error:
            raise CohortSyntaxError(source, number, f"cannot read the line: {error}") from None
        if words:
            lines.append(_Line(number, len(raw) - len(raw.lstrip(" ")), words))
    return lines


def _words(raw: str) -> list[str]:
    """The line's words: quoted text is one word, and a comma outside quotes is a word of its
    own, so lists may be written with or without spaces."""
    lexer = shlex.shlex(raw, posix=True, punctuation_chars=",")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


class _Raiser:
    """Makes errors for one line: ``raise error("message")``."""

    def __init__(self, source: str, number: int) -> None:
        self.source, self.number = source, number

    def __call__(self, message: str) -> CohortSyntaxError:
        return CohortSyntaxError(self.source, self.number, message)


def _parameter(words: list[str], number: int, error: _Raiser) -> Parameter:
    # parameter NAME TYPE = DEFAULT ["help"]
    if len(words) < 4 or words[2] != "=":
        raise error('write a parameter as: parameter NAME TYPE = DEFAULT ["what it means"]')
    name, kind, default = words[0], words[1], words[3]
    if not _NAME.match(name):
        raise error(f"parameter name {name!r}: use a-z, 0-9 and _")
    if kind not in PARAMETER_TYPES:
        raise error(f"parameter type {kind!r}: use one of {', '.join(PARAMETER_TYPES)}")
    if len(words) > 5:
        raise error("too many words after the default; quote the help text")
    return Parameter(name, kind, Value(default), words[4] if len(words) == 5 else "", number)


def _population(words: list[str], number: int, error: _Raiser) -> Population:
    if "at" not in words:
        raise error("say on which date: population registered, alive at end of data")
    at = words.index("at")
    flags = tuple(w for w in words[:at] if w not in (",", "and"))
    for flag in flags:
        if flag not in POPULATION_FLAGS:
            raise error(f"unknown population {flag!r}; use {', '.join(POPULATION_FLAGS)}")
    date, rest = _date(words[at + 1 :], error)
    if rest:
        raise error(f"unexpected {' '.join(rest)!r} after the date")
    return Population(flags, date, number)


def _date(words: list[str], error: _Raiser) -> tuple[DateExpr, list[str]]:
    """A date expression at the start of ``words``, and the words after it."""
    if words[:3] == ["end", "of", "data"]:
        return DateExpr("end of data"), words[3:]
    for kind in ("end of year", "start of year"):
        if words[:3] == kind.split():
            if len(words) < 4:
                raise error(f"'{kind}' needs a year")
            return DateExpr(kind, Value(words[3])), words[4:]
    if not words:
        raise error("a date is missing")
    value = Value(words[0])
    if value.parameter is None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", words[0]):
        raise error(f"{words[0]!r} is not a date: write 2019-03-31, {{a_parameter}} or end of data")
    return DateExpr("date", value), words[1:]


def _block(
    lines: list[_Line], index: int, parent_indent: int, source: str
) -> tuple[list[Criterion], int]:
    """The criteria indented under a line, and the index of the first line after them."""
    children: list[Criterion] = []
    indent: int | None = None
    while index < len(lines) and lines[index].indent > parent_indent:
        line = lines[index]
        if indent is None:
            indent = line.indent
        elif line.indent != indent:
            raise CohortSyntaxError(
                source, line.number, "this line's indentation does not match the lines above"
            )
        words = [w for w in line.words if w != ":"]
        if words and words[-1].endswith(":"):
            words[-1] = words[-1][:-1]
        block = " ".join(words)
        if block in BLOCKS:
            inner, index = _block(lines, index + 1, line.indent, source)
            if not inner:
                raise CohortSyntaxError(
                    source, line.number, f"'{block}' needs conditions indented below it"
                )
            children.append(Criterion(BLOCKS[block], line.number, children=tuple(inner)))
            continue
        children.append(_criterion(words, line.number, _Raiser(source, line.number)))
        index += 1
    return children, index


def _criterion(words: list[str], number: int, error: _Raiser) -> Criterion:
    keyword, rest = words[0], words[1:]
    reader = _CRITERIA.get(keyword)
    if reader is None:
        raise error(
            f"unknown condition {keyword!r}; conditions are {', '.join(sorted(_CRITERIA))}, "
            "and blocks 'all of', 'any of' and 'not'"
        )
    return reader(rest, number, error)


def _comparison(words: list[str], error: _Raiser) -> tuple[Comparison, list[str]]:
    if words[:1] == ["between"]:
        if len(words) < 4 or words[2] != "and":
            raise error("write a range as: between 1 and 2")
        return Comparison("between", Value(words[1]), Value(words[3])), words[4:]
    if len(words) < 2 or words[0] not in OPERATORS:
        raise error(
            f"expected a comparison such as '>= 5' or 'between 1 and 2', not {' '.join(words)!r}"
        )
    return Comparison(words[0], Value(words[1])), words[2:]


def _window(words: list[str], error: _Raiser, required: bool) -> Window | None:
    if not words:
        if required:
            raise error("say when: within 12 months, in year 2018, between DATE and DATE, or ever")
        return None
    if words[0] == "within":
        if len(words) != 3 or words[2] not in ("months", "month"):
            raise error("write a window as: within 12 months")
        return Window("within", Value(words[1]))
    if words[:2] == ["in", "year"]:
        if len(words) != 3:
            raise error("write a calendar year as: in year 2018")
        return Window("year", Value(words[2]))
    if words[0] == "between":
        start, rest = _date(words[1:], error)
        if not rest or rest[0] != "and":
            raise error("write a period as: between 2018-01-01 and 2018-12-31")
        end, rest = _date(rest[1:], error)
        if rest:
            raise error(f"unexpected {' '.join(rest)!r} after the period")
        return Window("between", start, end)
    if words == ["ever"]:
        return Window("ever")
    raise error(
        f"unexpected {' '.join(words)!r}; a window is 'within N months', 'in year Y', 'between D and D' or 'ever'"
    )


def _names(words: list[str]) -> tuple[Value, ...]:
    return tuple(Value(w) for w in words if w != ",")


def _age(words: list[str], number: int, error: _Raiser) -> Criterion:
    comparison, rest = _comparison(words, error)
    if rest:
        raise error(f"unexpected {' '.join(rest)!r} after the age")
    return Criterion("age", number, comparison=comparison)


def _sex(words: list[str], number: int, error: _Raiser) -> Criterion:
    if len(words) != 2 or words[0] != "is" or words[1] not in ("F", "M"):
        raise error("write: sex is F, or sex is M")
    return Criterion("sex", number, names=(Value(words[1]),))


def _counted(kind: str) -> _Reader:
    def read(words: list[str], number: int, error: _Raiser) -> Criterion:
        split = next((i for i, w in enumerate(words) if w in OPERATORS or w == "between"), None)
        if kind == "events" and (split is None or split == 0):
            raise error("write: events KIND[, KIND] >= N within 12 months")
        names = _names(words[:split]) if split else ()
        comparison, rest = _comparison(words[split or 0 :], error)
        return Criterion(
            kind, number, comparison=comparison, names=names, window=_window(rest, error, True)
        )

    return read


def _condition(words: list[str], number: int, error: _Raiser) -> Criterion:
    # condition CODESET present|absent [WINDOW]
    if len(words) < 2 or words[1] not in ("present", "absent"):
        raise error("write: condition CODE_LIST present (or absent) [within N months]")
    return Criterion(
        "condition",
        number,
        names=(Value(words[0]),),
        option=words[1],
        window=_window(words[2:], error, False),
    )


def _conditions(words: list[str], number: int, error: _Raiser) -> Criterion:
    # conditions CODESET count OP N
    if len(words) < 3 or words[1] != "count":
        raise error("write: conditions CODE_LIST count between 1 and 2")
    comparison, rest = _comparison(words[2:], error)
    return Criterion(
        "conditions",
        number,
        comparison=comparison,
        names=(Value(words[0]),),
        window=_window(rest, error, False),
    )


def _measurement(words: list[str], number: int, error: _Raiser) -> Criterion:
    # measurement KIND latest OP N [WINDOW]
    if len(words) < 3 or words[1] != "latest" or words[0] not in MEASUREMENTS:
        raise error(
            f"write: measurement KIND latest >= N [within N months]; kinds are {', '.join(MEASUREMENTS)}"
        )
    comparison, rest = _comparison(words[2:], error)
    return Criterion(
        "measurement",
        number,
        comparison=comparison,
        option=words[0],
        window=_window(rest, error, False),
    )


def _area(words: list[str], number: int, error: _Raiser) -> Criterion:
    if len(words) < 3 or words[0] not in AREA_LEVELS or words[1] != "in":
        raise error(f"write: area LEVEL in NAME[, NAME]; levels are {', '.join(AREA_LEVELS)}")
    return Criterion("area", number, option=words[0], names=_names(words[2:]))


def _imd(words: list[str], number: int, error: _Raiser) -> Criterion:
    comparison, rest = _comparison(words, error)
    if rest:
        raise error(f"unexpected {' '.join(rest)!r} after the decile")
    return Criterion("imd_decile", number, comparison=comparison)


def _frailty(words: list[str], number: int, error: _Raiser) -> Criterion:
    names = _names(words[1:]) if words[:1] == ["in"] else ()
    if not names or any(n.text not in FRAILTY and n.parameter is None for n in names):
        raise error(f"write: frailty in CATEGORY[, CATEGORY]; categories are {', '.join(FRAILTY)}")
    return Criterion("frailty", number, names=names)


_CRITERIA = {
    "age": _age,
    "sex": _sex,
    "events": _counted("events"),
    "agencies": _counted("agencies"),
    "condition": _condition,
    "conditions": _conditions,
    "measurement": _measurement,
    "area": _area,
    "imd_decile": _imd,
    "frailty": _frailty,
}


def _values(criterion: Criterion) -> list[Value]:
    found: list[Value] = list(criterion.names)
    if criterion.comparison is not None:
        found.append(criterion.comparison.value)
        if criterion.comparison.upper is not None:
            found.append(criterion.comparison.upper)
    window = criterion.window
    if window is not None:
        for part in (window.start, window.end):
            if isinstance(part, Value):
                found.append(part)
            elif isinstance(part, DateExpr) and part.value is not None:
                found.append(part.value)
    return found


def _check_parameters_used(
    criteria: Criterion, population: Population, parameters: dict[str, Parameter], source: str
) -> None:
    """Every ``{name}`` refers to a declared parameter."""

    def check(values: list[Value], line: int) -> None:
        for value in values:
            if value.parameter is not None and value.parameter not in parameters:
                raise CohortSyntaxError(
                    source, line, f"{{{value.parameter}}} is not a declared parameter"
                )

    if population.at.value is not None:
        check([population.at.value], population.line)

    def walk(criterion: Criterion) -> None:
        check(_values(criterion), criterion.line)
        for child in criterion.children:
            walk(child)

    walk(criteria)
