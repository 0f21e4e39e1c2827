"""The hub's one SQL, carried to other engines' dialects by SQLGlot."""

from __future__ import annotations

import functools

import sqlglot
from sqlglot.errors import SqlglotError

from joinedup.engines import EngineError

SOURCE_DIALECT = "duckdb"


@functools.lru_cache(maxsize=1024)
def translate(sql: str, dialect: str) -> str:
    """``sql``, written for DuckDB, as ``dialect`` (a SQLGlot dialect name) would run it."""
    if dialect == SOURCE_DIALECT:
        return sql
    try:
        statements = sqlglot.transpile(
            sql, read=SOURCE_DIALECT, write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE
        )
    except SqlglotError as error:
        raise EngineError(f"this query cannot be carried to {dialect}: {error}") from error
    if len(statements) != 1:
        raise EngineError(f"one statement at a time, not {len(statements)}")
    return statements[0]
