"""What the application logs may say about a request: the page, never the person (AUD-07).

Django's request loggers attach the whole request to each record (``record.request``: its query
string, its form values, its cookies), and an exception's message can quote a value (a database
error names the row it refused). ``WithoutPersonalData`` runs on the loggers that see requests
and on every handler, and leaves in a record only:

* the page as its URL pattern (``/people/<str:person_key>/``), not the address asked for;
* no query string in any message or argument;
* no request object;
* a traceback whose frames are kept but whose exception messages are withheld, except for
  database connection errors and operating-system errors (a full disk, a refused connection),
  which name no record and which whoever is on call needs to see.

The audit log, not the application log, is where who did what to whom is kept.
"""

from __future__ import annotations

import errno
import logging
import re
import traceback
from types import TracebackType
from typing import Any

QUERY = re.compile(r"\?[^\s\"'<>]+")
WITHHELD = "[query withheld]"
# Database errors about the connection or the server (disk full, restarted, refused) quote no
# row; errors about the data (IntegrityError, DataError) can, and are withheld.
# Errors whose messages are written by JoinedUp or the database driver and name no record: a
# lost connection, a full disk, a missing or wrong field key (which the operator must see).
SPEAKING_ERRORS = frozenset({"OperationalError", "InterfaceError", "FieldKeyError"})
UNMATCHED = "(an address that matches no page)"


class WithoutPersonalData(logging.Filter):
    """Rewrite a record so that it carries no query string, form value or exception message."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            record.args = _replace_path(record.args, request)
            # The request would carry its query string and form values to any handler.
            record.request = None
        record.msg = _without_query(record.msg) if isinstance(record.msg, str) else record.msg
        record.args = _args_without_query(record.args)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = withheld_traceback(record.exc_info[1])
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = _without_query(record.exc_text)
        return True


def page_of(request: Any) -> str:
    """The URL pattern a request matched (``/people/<str:person_key>/``), never its address."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    if route:
        return "/" + str(route).lstrip("/")
    return UNMATCHED


def _replace_path(args: Any, request: Any) -> Any:
    addresses = {str(getattr(request, name, "") or "") for name in ("path", "path_info")}
    full = getattr(request, "get_full_path", None)
    if callable(full):
        addresses.add(str(full()))
    addresses.discard("")
    if isinstance(args, tuple):
        return tuple(page_of(request) if a in addresses else a for a in args)
    return args


def _without_query(text: str) -> str:
    return QUERY.sub("?" + WITHHELD, text)


def _args_without_query(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(_without_query(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, dict):
        return {k: _without_query(v) if isinstance(v, str) else v for k, v in args.items()}
    return args


def withheld_traceback(error: BaseException) -> str:
    """The traceback of ``error`` and its causes, with each exception's message withheld."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        chain.append(current)
        seen.add(id(current))
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__suppress_context__:
            current = None
        else:
            current = current.__context__
    parts: list[str] = []
    for position, item in enumerate(reversed(chain)):
        if position:
            parts.append("\nThe exception above led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(_frames(item.__traceback__))
        parts.append(_summary(item) + "\n")
    return "".join(parts).rstrip("\n")


def _frames(trace: TracebackType | None) -> list[str]:
    return traceback.format_list(traceback.extract_tb(trace)) if trace else []


def _summary(error: BaseException) -> str:
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if isinstance(error, OSError) and error.errno is not None:
        # The error number and its text; not the file name, which may be anything.
        code = errno.errorcode.get(error.errno, str(error.errno))
        return f"{name}: [{code}] {error.strerror or ''}".rstrip()
    if kind.__name__ in SPEAKING_ERRORS:
        first_line = (str(error).strip().splitlines() or [""])[0]
        return f"{name}: {_without_query(first_line)}"
    return f"{name}: [message withheld: it may quote personal data]"
