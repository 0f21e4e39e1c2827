"""The typed rules of a contract, compiled to one DuckDB query per batch.

For every record the query gives its typed values, the identity flags (NHS number valid,
postcode valid, free text to review) and the list of problems that refuse it, each naming the
column. Nothing here loops over rows in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from joinedup.engines import sql_string
from joinedup.feeds.contract import Column, Contract

POSTCODE_SHAPE = "^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
NHS_WEIGHTS = range(10, 1, -1)
MAX_AGE_YEARS = 120
# No partner field is legitimately longer; a longer one is a broken row (an unclosed quote).
MAX_FIELD_CHARACTERS = 100_000
# Free text that looks like an NHS number or an e-mail address may be data outside the agreement.
SUSPECT_FREE_TEXT = (
    r"(\b\d{3}[ -]?\d{3}[ -]?\d{4}\b)|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})"
)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Compiled:
    """The validation query and the names of what it returns."""

    sql: str
    value_names: dict[str, str]


def raw(column: Column) -> str:
    return f"nullif(trim(r.{quote(column.name)}), '')"


def typed_value(column: Column) -> str:
    """The column's value in its type; NULL where absent or not valid."""
    text = raw(column)
    if column.type in ("string",):
        return text
    if column.type == "integer":
        return f"try_cast({text} AS BIGINT)"
    if column.type == "decimal":
        return f"try_cast(replace({text}, ',', '') AS DOUBLE)"
    if column.type == "date":
        return f"CAST(try_strptime({text}, {sql_string(column.format or '')}) AS DATE)"
    if column.type == "datetime":
        return f"try_strptime({text}, {sql_string(column.format or '')})"
    if column.type == "code":
        cases = " ".join(
            f"WHEN {sql_string(code.upper())} THEN {sql_string(meaning)}"
            for code, meaning in column.codes.items()
        )
        return f"CASE upper({text}) {cases} END"
    if column.type == "nhs_number":
        return f"regexp_replace({text}, '[ -]', '', 'g')"
    if column.type == "postcode":
        squeezed = f"upper(regexp_replace({text}, '\\s', '', 'g'))"
        return (
            f"CASE WHEN regexp_matches({squeezed}, {sql_string(POSTCODE_SHAPE)}) "
            f"THEN left({squeezed}, length({squeezed}) - 3) || ' ' || right({squeezed}, 3) ELSE upper({text}) END"
        )
    raise ValueError(f"no rule for type {column.type}")


def nhs_number_valid(value: str) -> str:
    """The modulus 11 check in SQL: ten digits, and the tenth is the check digit of the first nine."""
    total = " + ".join(
        f"{w} * try_cast(substr({value}, {i + 1}, 1) AS INTEGER)" for i, w in enumerate(NHS_WEIGHTS)
    )
    check = f"(11 - ({total}) % 11) % 11"
    return f"coalesce(regexp_matches({value}, '^[0-9]{{10}}$') AND {check} <> 10 AND {check} = try_cast(substr({value}, 10, 1) AS INTEGER), false)"


DATE_PARTS = {
    "%d": r"\d{1,2}",
    "%m": r"\d{1,2}",
    "%Y": r"\d{4}",
    "%H": r"\d{1,2}",
    "%M": r"\d{2}",
    "%S": r"\d{2}",
    "%b": "[A-Za-z]{3}",
    "%B": "[A-Za-z]{3,9}",
    "%y": r"\d{2}",
}


def date_shape(strftime_format: str) -> str:
    """A regular expression for text written in ``strftime_format`` (a four-digit year for %Y)."""
    pattern, i = "", 0
    while i < len(strftime_format):
        part = strftime_format[i : i + 2]
        if part in DATE_PARTS:
            pattern, i = pattern + DATE_PARTS[part], i + 2
        else:
            pattern, i = pattern + re.escape(strftime_format[i]), i + 1
    return pattern


def _tag(column: str, reason: str) -> str:
    return sql_string(f"{column}|{reason}")


def problems(contract: Contract, values: dict[str, str]) -> list[str]:
    """SQL expressions, each NULL or 'column|reason', for everything that refuses a record."""
    checks: list[str] = []
    event = contract.event_date and values.get(contract.event_date)
    for column in contract.columns:
        name, text, value = column.name, raw(column), values[column.name]
        checks.append(
            f"CASE WHEN contains(r.{quote(name)}, chr(0)) THEN {_tag(name, 'nul_byte')} END"
        )
        checks.append(
            f"CASE WHEN length(r.{quote(name)}) > {MAX_FIELD_CHARACTERS} THEN {_tag(name, 'field_too_long')} END"
        )
        swallowed = f"len(string_split(r.{quote(name)}, {sql_string(contract.delimiter)})) >= {len(contract.columns)}"
        checks.append(
            f"CASE WHEN contains(r.{quote(name)}, chr(10)) AND {swallowed} THEN {_tag(name, 'unclosed_quote')} END"
        )
        if column.required:
            checks.append(f"CASE WHEN {text} IS NULL THEN {_tag(name, 'missing_required')} END")
        failure = {
            "integer": "not_a_number",
            "decimal": "not_a_number",
            "date": "invalid_date",
            "datetime": "invalid_date",
            "code": "unknown_code",
        }.get(column.type)
        if failure:
            checks.append(
                f"CASE WHEN {text} IS NOT NULL AND {value} IS NULL THEN {_tag(name, failure)} END"
            )
        if column.type in ("date", "datetime"):
            shape = sql_string(date_shape(column.format or ""))
            checks.append(
                f"CASE WHEN {text} IS NOT NULL AND NOT regexp_full_match({text}, {shape}) THEN {_tag(name, 'invalid_date')} END"
            )
        if column.type in ("date", "datetime") and column.role != "birth_date":
            checks.append(
                f"CASE WHEN CAST({value} AS DATE) > current_date THEN {_tag(name, 'date_in_future')} END"
            )
        if column.role == "birth_date":
            checks.append(
                f"CASE WHEN {value} > current_date THEN {_tag(name, 'birth_date_in_future')} END"
            )
            if event:
                checks.append(
                    f"CASE WHEN {value} > CAST({event} AS DATE) THEN {_tag(name, 'birth_date_after_event')} END"
                )
                checks.append(
                    f"CASE WHEN date_sub('year', {value}, CAST({event} AS DATE)) > {MAX_AGE_YEARS} THEN {_tag(name, 'implausible_age')} END"
                )
    return checks


def compile_rules(contract: Contract, batch_view: str) -> Compiled:
    """One SELECT over ``batch_view`` (line + raw text columns) for the whole contract."""
    values = {c.name: typed_value(c) for c in contract.columns}
    names = {c.name: f"v{i}" for i, c in enumerate(contract.columns)}
    selected = [f"{values[c.name]} AS {names[c.name]}" for c in contract.columns]
    nhs = contract.by_role("nhs_number")
    postcode = contract.by_role("postcode")
    flags = [
        f"{nhs_number_valid(values[nhs.name]) if nhs else 'NULL'} AS nhs_number_valid",
        f"{'regexp_matches(' + values[postcode.name] + ', ' + sql_string('^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$') + ')' if postcode else 'NULL'} AS postcode_valid",
    ]
    free = [c for c in contract.columns if c.free_text]
    suspect = " OR ".join(
        f"coalesce(regexp_matches({raw(c)}, {sql_string(SUSPECT_FREE_TEXT)}), false)" for c in free
    )
    flags.append(f"{suspect or 'false'} AS free_text_to_review")
    checks = ", ".join(problems(contract, values))
    row_hash = (
        "md5(concat_ws(chr(31), "
        + ", ".join(f"coalesce(r.{quote(c.name)}, chr(30))" for c in contract.columns)
        + "))"
    )
    sql = (
        f"SELECT r.__line AS line, list_filter([{checks}], lambda x: x IS NOT NULL) AS problems, "
        f"{row_hash} AS row_hash, {', '.join(selected + flags)} FROM {batch_view} AS r"
    )
    return Compiled(sql=sql, value_names=names)
