"""The words of minutes that every part of reading them needs: dates, personal titles, bodies.

Dates are written in many ways ("Tuesday, 19 July 2016", "19th July", "July 19, 2016",
"19/07/2016", "2016-07-19"); people with titles ("Cllr", "Dr") and initials; owners and
organisations as bodies ("Chorley Council", "PMO").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

__all__ = [
    "BODY_WORDS",
    "MONTH_ONLY",
    "TITLES",
    "bare_name",
    "find_dates",
    "initials",
    "month_number",
]

# --- dates ------------------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_RE = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_WORD_DATE = re.compile(
    _DAY_RE + r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + _MONTH_RE + r"),?\s*(\d{4})?\b",
    re.IGNORECASE,
)
_US_DATE = re.compile(
    _DAY_RE + r"(" + _MONTH_RE + r")\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MONTH_ONLY = re.compile(
    r"\b(?:in|by|before|during|end of|until)\s+(?:early\s+|mid-?\s*|late\s+)?("
    + _MONTH_RE
    + r")(?:\s+(\d{4}))?\b",
    re.IGNORECASE,
)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def month_number(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def find_dates(text: str, after: dt.date | None = None) -> list[tuple[int, dt.date]]:
    """Every date in the text with its position. A date written without a year takes the first
    such day on or after ``after``; without ``after`` it is left out."""
    found: list[tuple[int, dt.date]] = []
    for match in _WORD_DATE.finditer(text):
        day, month, year = int(match.group(1)), month_number(match.group(2)), match.group(3)
        if year:
            value = _make_date(int(year), month, day)
        elif after is not None:
            value = _make_date(after.year, month, day)
            if value is not None and value < after:
                value = _make_date(after.year + 1, month, day)
        else:
            value = None
        if value is not None:
            found.append((match.start(), value))
    for match in _US_DATE.finditer(text):
        value = _make_date(int(match.group(3)), month_number(match.group(1)), int(match.group(2)))
        if value is not None:
            found.append((match.start(), value))
    for match in _ISO_DATE.finditer(text):
        value = _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if value is not None:
            found.append((match.start(), value))
    for match in _NUMERIC_DATE.finditer(text):
        year = int(match.group(4))
        year = year + 2000 if year < 100 else year
        value = _make_date(year, int(match.group(3)), int(match.group(1)))
        if value is not None and 1900 < value.year < 2200:
            found.append((match.start(), value))
    found.sort(key=lambda pair: pair[0])
    return found


# --- people and bodies ----------------------------------------------------------------------------

BODY_WORDS = re.compile(
    r"\b(?:Council|NHS|Trust|Constabulary|Police|College|University|School|Academy|Network|"
    r"Department|Surgery|Practice|Fire and Rescue|Fire|CCG|ICB|Authority|Partnership|Service|"
    r"Services|Association|Housing|Ltd|Limited|CIC|Foundation|Hospital|Hospitals|Board|Agency|"
    r"Office|Commission|Centre|Society|Charity|Church|Probation|DWP|LCC|PMO|Healthwatch|"
    r"Voluntary|CVS|Jobcentre|Government)\b"
)
TITLES = re.compile(
    r"^(?:(?:County|Borough|Parish|Deputy)\s+)?(?:Councillor|Cllr\.?|CC|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|"
    r"Miss|Prof\.?|Professor|Rev\.?|Revd\.?|Sir|Dame|Lord|Lady|Supt\.?|Superintendent|"
    r"Chief Inspector|Inspector|Sgt\.?|Sergeant|PC)\s+",
    re.IGNORECASE,
)


def bare_name(name: str) -> str:
    previous = None
    while previous != name:
        previous = name
        name = TITLES.sub("", name).strip()
    return name


def initials(name: str) -> str:
    return "".join(token[0] for token in bare_name(name).split() if token[:1].isupper())
