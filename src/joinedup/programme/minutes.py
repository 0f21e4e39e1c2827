"""Propose the structure of a meeting's minutes, pasted or uploaded as councils publish them.

``parse_minutes(text)`` reads plain text or HTML and returns a :class:`MinutesProposal`: the
meeting, its date, who was present (with their roles and organisations, and the chair), who sent
apologies, who observed, the agenda items, the actions with their owners, due dates and updates,
and the next meeting's date. It is a *proposal*: an officer confirms or corrects it before it is
saved, and everything the parser was unsure of is listed in ``warnings``. A document that is not
minutes (a paper, a report, an agenda) raises :class:`NotMinutesError` with the reason, rather
than being given an invented structure.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "Action",
    "Item",
    "MinutesProposal",
    "NotMinutesError",
    "Person",
    "html_to_text",
    "parse_minutes",
]


class NotMinutesError(ValueError):
    """The document is not minutes; the message says why, in one sentence an officer can act on."""


@dataclass
class Person:
    name: str
    role: str | None = None
    organisation: str | None = None
    chair: bool = False


@dataclass
class Action:
    wording: str
    owner: str | None = None  # as written: a name, initials or a body ("PMO")
    owner_person: str | None = None  # the attendee the owner resolves to, when unambiguous
    due: str | None = None  # "YYYY-MM-DD", "YYYY-MM", a month name, or "next meeting"
    updates: list[str] = field(default_factory=list)
    item: str | None = None  # the number (or title) of the item it was set under


@dataclass
class Item:
    number: str | None
    title: str
    text: str = ""
    decisions: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass
class MinutesProposal:
    meeting: str | None
    date: dt.date | None
    attendees: list[Person] = field(default_factory=list)
    apologies: list[Person] = field(default_factory=list)
    observers: list[Person] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    next_meeting: dt.date | None = None
    later_meetings: list[dt.date] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def actions(self) -> list[Action]:
        return [action for item in self.items for action in item.actions]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: dates as ISO strings, actions also listed at the top level."""
        data = asdict(self)
        data["date"] = _iso(self.date)
        data["next_meeting"] = _iso(self.next_meeting)
        data["later_meetings"] = [d.isoformat() for d in self.later_meetings]
        data["actions"] = [asdict(action) for action in self.actions]
        return data


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


# --- HTML -------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "table", "tr", "blockquote", "pre", "dl", "dt", "dd", "hr", "main", "body",
}  # fmt: skip
_HTML_HINT = re.compile(
    r"<\s*(?:p|div|br|li|td|tr|th|h[1-6]|table|ul|ol|span|b|strong|em|html|body|section)\b[^>]*>",
    re.IGNORECASE,
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n\n· ")
        elif tag in ("td", "th"):
            if self._cells:
                self.parts.append(" | ")
            self._cells += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        if tag == "tr":
            self._cells = 0

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS or tag == "li":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The text of an HTML page: tags stripped, paragraphs, list items and table rows on lines."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# --- lines ------------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    bullet: bool = False


_BULLET = re.compile(r"^(?:[·•▪◦●○‣∙*]|[-–—](?=\s)|o(?=\s{2,}))\s*")


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\xa0", " ").replace("\u200b", "").replace("\t", " | ")
        line = re.sub(r"^\s*#{1,6}\s+", "", line)
        line = line.replace("**", "").replace("__", "")
        line = re.sub(r"[ \f\v]+", " ", line).strip()
        line = line.strip("| ").strip()
        bullet = False
        match = _BULLET.match(line)
        if match and len(line) > match.end():
            bullet = True
            line = line[match.end() :].strip()
        elif match:
            line = ""
        out.append(_Line(line, bullet))
    return out


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
_MONTH_ONLY = re.compile(
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


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def find_dates(text: str, after: dt.date | None = None) -> list[tuple[int, dt.date]]:
    """Every date in the text with its position. A date written without a year takes the first
    such day on or after ``after``; without ``after`` it is left out."""
    found: list[tuple[int, dt.date]] = []
    for match in _WORD_DATE.finditer(text):
        day, month, year = int(match.group(1)), _month(match.group(2)), match.group(3)
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
        value = _make_date(int(match.group(3)), _month(match.group(1)), int(match.group(2)))
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


# --- people -----------------------------------------------------------------------------------

_BODY_WORDS = re.compile(
    r"\b(?:Council|NHS|Trust|Constabulary|Police|College|University|School|Academy|Network|"
    r"Department|Surgery|Practice|Fire and Rescue|Fire|CCG|ICB|Authority|Partnership|Service|"
    r"Services|Association|Housing|Ltd|Limited|CIC|Foundation|Hospital|Hospitals|Board|Agency|"
    r"Office|Commission|Centre|Society|Charity|Church|Probation|DWP|LCC|PMO|Healthwatch|"
    r"Voluntary|CVS|Jobcentre|Government)\b"
)
_TITLES = re.compile(
    r"^(?:(?:County|Borough|Parish|Deputy)\s+)?(?:Councillor|Cllr\.?|CC|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|"
    r"Miss|Prof\.?|Professor|Rev\.?|Revd\.?|Sir|Dame|Lord|Lady|Supt\.?|Superintendent|"
    r"Chief Inspector|Inspector|Sgt\.?|Sergeant|PC)\s+",
    re.IGNORECASE,
)
_CHAIR = re.compile(r"^(?:in the\s+)?chair(?:man|woman|person)?$", re.IGNORECASE)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’.-]*|de|van|von|der|du|la|le|di|da|bin|al)$")


def _split_top(text: str, separators: str = r",|;| and |&") -> list[str]:
    """Split on separators outside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    i = 0
    pattern = re.compile(separators)
    while i < len(text):
        char = text[i]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        if depth == 0:
            match = pattern.match(text, i)
            if match and match.end() > i:
                parts.append(current)
                current = ""
                i = match.end()
                continue
        current += char
        i += 1
    parts.append(current)
    return [p.strip(" .;,") for p in parts if p.strip(" .;,")]


def _looks_like_name(text: str) -> bool:
    tokens = text.split()
    if not 1 <= len(tokens) <= 7 or not tokens[0][:1].isupper():
        return False
    return all(_NAME_TOKEN.match(token) for token in tokens)


def _describe(person: Person, parts: list[str]) -> None:
    parts = [p.strip() for p in parts if p.strip()]
    kept = []
    for part in parts:
        if _CHAIR.match(part):
            person.chair = True
        else:
            kept.append(part)
    if not kept:
        return
    if _BODY_WORDS.search(kept[-1]):
        person.organisation = kept[-1]
        kept = kept[:-1]
    if kept:
        person.role = ", ".join(kept)


def _person(entry: str) -> Person | None:
    entry = re.sub(r"^(?:and|&)\s+", "", entry.strip(" .;,"))
    match = re.match(r"^([^()]+?)\s*\((.*)\)\s*(.*)$", entry)
    if match:
        name = match.group(1).strip(" ,–-")
        if not _looks_like_name(name):
            return None
        person = Person(name)
        _describe(person, _split_top(match.group(2), r",|;"))
        trailing = match.group(3).strip(" ,–-")
        if trailing:
            _describe(person, [trailing])
        return person
    dash = re.split(r"\s+[–—-]\s+|\s*\|\s*", entry)
    name = dash[0].strip()
    if not _looks_like_name(name):
        return None
    person = Person(name)
    if len(dash) > 1:
        _describe(person, [p for piece in dash[1:] for p in _split_top(piece, r",|;")])
    return person


def _flush(person: Person | None, parts: list[str]) -> None:
    if person is not None and parts:
        _describe(person, parts)
    parts.clear()


def _people(text: str) -> tuple[list[Person], list[str]]:
    """People in a list like "A B (Role, Body), C D (Body) and E F"; what was not a person."""
    people: list[Person] = []
    rejected: list[str] = []
    separators = r",|;| and |&"
    if "|" in text or ("(" not in text and re.search(r"\s[–—-]\s", text)):
        # "Name – Organisation" entries: commas belong to the description.
        separators = r";"
    plural: str | None = None  # "Councillors A B and C D": each is a Councillor
    for segment in _split_top(text, r";"):
        previous: Person | None = None  # the person just before, in this segment, undescribed
        parts: list[str] = []  # "Jo King, Public Health Lead, Lancashire County Council"

        for entry in _split_top(segment, separators):
            entry = re.sub(r"^(?:and|&)\s+", "", entry)
            if re.fullmatch(r"names?(?:\s*\|.*)?", entry, re.IGNORECASE):
                continue  # a table's header row
            if re.fullmatch(
                r"(?:none|nil|n/?a|no apologies|none received|no apologies (?:were )?received)",
                entry,
                re.IGNORECASE,
            ):
                continue
            if (
                previous is not None
                and "(" not in entry
                and (
                    _BODY_WORDS.search(entry) or _CHAIR.match(entry) or not _looks_like_name(entry)
                )
            ):
                parts.append(entry)
                continue
            _flush(previous, parts)
            match = re.match(r"^(Councillors|County Councillors|Cllrs\.?)\s+(.*)$", entry)
            if match:
                plural = "Cllr" if match.group(1).startswith("Cllr") else match.group(1)[:-1]
                entry = f"{plural} {match.group(2)}"
            elif plural and "(" not in entry and _TITLES.match(entry) is None:
                entry = f"{plural} {entry}"
            person = _person(entry)
            if person is None:
                rejected.append(entry)
                previous = None
            else:
                people.append(person)
                described = "(" in entry or person.role or person.organisation
                previous = None if described else person
        _flush(previous, parts)
    return people, rejected


def _bare(name: str) -> str:
    previous = None
    while previous != name:
        previous = name
        name = _TITLES.sub("", name).strip()
    return name


def _initials(name: str) -> str:
    return "".join(token[0] for token in _bare(name).split() if token[:1].isupper())


def resolve_owner(owner: str, people: list[Person]) -> str | None:
    """The one attendee an owner as written (name, surname, first name, initials) refers to."""
    written = _bare(owner).strip()
    if not written:
        return None
    for candidates in (
        [p for p in people if _bare(p.name).lower() == written.lower()],
        [p for p in people if _bare(p.name).split()[-1:] == written.split()[-1:]]
        if len(written.split()) == 1 or _bare(owner) != owner
        else [],
        [p for p in people if _bare(p.name).split()[:1] == written.split()[:1]]
        if len(written.split()) == 1
        else [],
        [p for p in people if _initials(p.name) == written]
        if re.fullmatch(r"[A-Z]{2,4}", written)
        else [],
    ):
        names = {p.name for p in candidates}
        if len(names) == 1:
            return names.pop()
        if len(names) > 1:
            return None
    return None


# --- actions ----------------------------------------------------------------------------------

_OWNER_WORDS = r"(?:[A-Z][\w'’.&/-]*|and|&|of|the|members?|group|team|lead|leads|officers?|board|partners|agencies|organisations)"
_OWNER_TO = re.compile(
    r"^((?:[A-Z][\w'’.&/-]*)(?:[ ,]+" + _OWNER_WORDS + r"){0,5}?)\s+(?:to|will|would)\s+(?!be\b)"
    r"([a-z][a-z-]+)\b"
)
_NOT_OWNERS = {
    "the", "this", "that", "these", "those", "it", "there", "we", "they", "he", "she", "in",
    "on", "at", "for", "with", "from", "as", "any", "also", "looking", "moving", "due",
    "according", "prior", "up", "back", "next", "members", "agreed", "thanks", "welcome",
}  # fmt: skip
_TO_BE = re.compile(r"^([A-Z][a-z]+)\b([^.;:]{0,100}?)\s+to be\s+([a-z]+(?:ed|en|t|n))\b")
_FINITE = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|need|needs|needed|intended|expected|due|"
    r"likely|going|able|required|being|been|seems?|appears?|continues?|asked|agreed|helps?)\b",
    re.IGNORECASE,
)
_ACTION_PREFIX = re.compile(
    r"^(?:agreed\s+)?actions?(?:\s+point)?\s*(?:\d+\s*)?(?::|[-–—]|\s+(?=[A-Z]))\s*(.*)$",
    re.IGNORECASE,
)
_ACTION_SUFFIX = re.compile(
    r"^(.*?[.;)])\s*\(?\b(?:ACTION|Action)\s*[:–—-]\s*([^.()]{1,40}?)\)?\.?$"
)
_UPDATE_PREFIX = re.compile(
    r"^(?:update|progress|status)\s*(?:[:–—-]|\s(?=[a-z]))\s*(.*)$", re.IGNORECASE
)
_ACTIONS_HEADING = re.compile(
    r"^(?:agreed\s+|summary of\s+)?actions?(?:\s+(?:points?|agreed|arising|log))?\s*:?$",
    re.IGNORECASE,
)


_NOT_VERBS = re.compile(
    r"^(?:the|a|an|this|that|these|those|all|our|their|his|her|its|my|your|each|every|some|any|"
    r"date|and|or|be|other|one|two|three|four|five|six|\w+(?:tion|sion|ment|ness|ity|ance|ence|"
    r"ship|ism|ies))$"
)
_BODY_OWNERS = re.compile(
    r"^(?:Executive|Board|Group|Partnership|Chair|Chairman|Secretary|Clerk|Officers?|Team|"
    r"Committee|Panel|Forum|Members|Partners|All|Everyone|Lead|Leads)$"
)


def owner_of(wording: str) -> str | None:
    """The owner written at the start of an action ("AB to report back", "Vicky to contact")."""
    match = _OWNER_TO.match(wording.strip())
    if not match or _NOT_VERBS.match(match.group(2)):
        return None
    owner = match.group(1).strip(" ,")
    if owner.split()[0].lower() in _NOT_OWNERS:
        return None
    return owner


def _plausible_owner(owner: str, people: list[Person]) -> bool:
    """Whether a bare line's leading word(s) can own an action: initials, a body, or a person
    named in the attendance; not a capitalised noun starting a sentence ("Response to ...")."""
    if not people or " " in owner.strip() or re.fullmatch(r"[A-Z][A-Z0-9&/]{1,6}", owner):
        return True
    if _BODY_OWNERS.match(owner) or _BODY_WORDS.search(owner):
        return True
    return any(owner in _bare(person.name).split() for person in people)


def _looks_like_owner(text: str) -> bool:
    tokens = re.split(r"[\s,/&]+", text.strip(" .()"))
    tokens = [t for t in tokens if t and t.lower() != "and"]
    return 1 <= len(tokens) <= 5 and all(re.match(r"^[A-Z][\w'’.-]*$", t) for t in tokens)


def _due(wording: str, meeting: dt.date | None) -> str | None:
    dates = find_dates(wording, meeting)
    if dates:
        return dates[0][1].isoformat()
    if re.search(
        r"\bnext (?:meeting|executive meeting|board meeting|board|group)\b", wording, re.I
    ):
        return "next meeting"
    match = _MONTH_ONLY.search(wording)
    if match:
        month = _month(match.group(1))
        if match.group(2):
            return f"{int(match.group(2)):04d}-{month:02d}"
        if meeting is not None:
            year = meeting.year + (1 if month < meeting.month else 0)
            return f"{year:04d}-{month:02d}"
        return calendar.month_name[month]
    return None


# --- headings and sections --------------------------------------------------------------------

_ATTENDANCE = re.compile(
    r"^(present|members present|attendees|attendance|in attendance|also present|also in attendance|"
    r"observers?|officers?(?: present| in attendance)?|apologies(?: for absence)?|apologies received|"
    r"apologies were received from|apologies received from|chair|chairman|chairperson|"
    r"in the chair|minute taker|minutes taken by|note taker|clerk|secretary)\s*(?:[:–—-]\s*|$|(?<=from)\s+)(.*)$",
    re.IGNORECASE,
)
_ITEM_HEADING = re.compile(
    r"^(?:item\s+)?(\d{1,2}(?:\.\d{1,2})?)\s*[.):]?\s*(\S.*)$", re.IGNORECASE
)
_NEXT_MEETING = re.compile(
    r"(?:date|time|dates) (?:and (?:time|venue|place) )?of (?:the )?next meetings?|"
    r"next meetings?\b(?:\s+(?:will|is|to|was|would|agreed|has|have|are))?",
    re.IGNORECASE,
)
_REPORTING = re.compile(
    r"\b(?:advised|noted|agreed|explained|presented|thanked|welcomed|approved|resolved|reported|"
    r"discussed|confirmed|updated|informed|outlined|acknowledged|were asked|was asked|"
    r"raised|highlighted|queried|asked|decided|endorsed|RESOLVED)\b"
)
_DECISION = re.compile(
    r"^(?:RESOLVED|Resolved|Agreed|Approved|Decision|Decided)\b|"
    r"\b(?:was|were|been) (?:agreed|approved|endorsed|ratified|signed off)\b|\bagreed as\b|"
    r"\b(?:Executive|Board|Group|Partnership|Committee|Panel|[Mm]embers|[Pp]artners|meeting|[Ii]t|"
    r"[Ww]e)\b(?!['’])[^.;:]{0,30}\b(?:agreed|approved|resolved|decided|endorsed|supported|ratified)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_PAPER_SIGNS = (
    (re.compile(r"\bpurpose of this (?:paper|report|document|briefing)\b", re.I), "it states 'the purpose of this paper'"),
    (re.compile(r"^(?:recommendations?|purpose|executive summary|background|appendix [a-z])\s*:?$", re.I), "it has report headings (PURPOSE, RECOMMENDATION, Appendix)"),
    (re.compile(r"\b(?:are|is) asked to (?:give approval|approve|note|agree|consider|endorse)\b", re.I), "it asks members to approve or note it"),
)  # fmt: skip


@dataclass
class _Section:
    kind: str  # "attendees", "apologies", "observers", "chair"
    text: str
    label: str = ""


def _attendance_kind(label: str) -> str:
    label = label.lower()
    if label.startswith("apolog"):
        return "apologies"
    if label.startswith(("chair", "in the chair")):
        return "chair"
    if label.startswith(
        ("observer", "officer", "in attendance", "also", "minute", "note", "clerk", "secretary")
    ):
        return "observers"
    return "attendees"


def _is_people_line(text: str) -> bool:
    if re.match(r"^names?\s*(?:\||$)", text, re.IGNORECASE):
        return True  # the header row of a table of names
    if re.match(r"^(?:actions?|updates?|next meeting|date|item|minutes?|agenda)\b", text, re.I):
        return False
    people, rejected = _people(text)
    return bool(people) and len(people) >= 2 * len(rejected)


_COUNCIL_REF = re.compile(r"^(\d{1,3}[./][A-Z]{1,6}[./]\d{1,3}[a-z]?)[.:]?\s+(\S.*)$")


def _is_heading(line: _Line, expected: int | None) -> tuple[str, str] | None:
    if line.bullet:
        return None
    council = _COUNCIL_REF.match(line.text)
    if council and len(council.group(2).split()) <= 20:
        # A council's minute reference ("16.EC.1"): numbered by the council, not in order.
        return council.group(1), council.group(2).strip().rstrip(".")
    match = _ITEM_HEADING.match(line.text)
    if not match:
        return None
    number, title = match.group(1), match.group(2).strip()
    whole = number.split(".")[0]
    if (
        expected is not None
        and int(whole) != expected
        and not ("." in number and int(whole) == expected - 1)
    ):
        return None
    if len(title.split()) > 14 or title.endswith((";", ",")):
        return None
    if re.match(r"^\d", title) or (title.endswith(".") and len(title.split()) > 6):
        return None
    return number, title.rstrip(".")


# --- the parser -------------------------------------------------------------------------------


def parse_minutes(text: str) -> MinutesProposal:
    """Propose the structure of the minutes in ``text`` (plain text or HTML).

    Raises :class:`NotMinutesError` when the document is not minutes; never anything else.
    """
    if _HTML_HINT.search(text):
        text = html_to_text(text)
    lines = _lines(text)
    content = [line for line in lines if line.text]
    if not content:
        raise NotMinutesError("The document is empty: there are no minutes to read.")
    whole = "\n".join(line.text for line in content)

    attendance = []  # attendance headings with people under them or after them
    for i, line in enumerate(content):
        listed = None if line.bullet else _ATTENDANCE.match(line.text)
        if listed is None:
            continue
        following = content[i + 1].text if i + 1 < len(content) else ""
        if _is_people_line(listed.group(2) or following):
            attendance.append(line)
    agenda_item = content[0].text.lower().rstrip(":") in ("agenda item", "minute", "minutes")
    top = "\n".join(line.text for line in content[:3])
    minutes_word = bool(
        re.search(r"^minutes\b|\bminutes of\b", top, re.I | re.M)
        or any(line.text.lower() == "minutes:" for line in content)
    )
    explicit_actions = sum(
        1 for line in content if _ACTION_PREFIX.match(line.text) or _ACTION_SUFFIX.match(line.text)
    )
    reporting = len(_REPORTING.findall(whole))
    paper = [reason for pattern, reason in _PAPER_SIGNS if pattern.search(whole)]
    paper += [
        reason
        for pattern, reason in _PAPER_SIGNS[1:2]
        if any(pattern.match(line.text) for line in content)
    ]
    evidence = (
        2 * len(attendance)
        + 2 * minutes_word
        + 2 * agenda_item
        + min(explicit_actions, 3)
        + min(reporting // 2, 3)
    )
    if not attendance and ((paper and not minutes_word) or evidence < 3):
        signs = sorted(set(paper))
        why = f" ({'; '.join(signs)})" if signs else ""
        raise NotMinutesError(
            "This does not look like minutes"
            + (", it reads as a paper or report" if signs else "")
            + why
            + ": there is no attendance list (Present, Apologies), no record of a discussion and"
            " no actions, so no structure is proposed. Import the minutes of the meeting instead."
        )

    proposal = MinutesProposal(meeting=None, date=None)
    warnings = proposal.warnings
    index = 0

    # The header: meeting title and date, before the attendance list or the first item.
    header_end = len(content)
    for i, line in enumerate(content):
        if _ATTENDANCE.match(line.text) or _is_heading(line, 1) is not None:
            header_end = i
            break
    header_end = min(header_end, 8)
    if agenda_item:
        index = 1
    else:
        for i, line in enumerate(content[:header_end]):
            dates = find_dates(line.text)
            if dates and proposal.date is None:
                proposal.date = dates[0][1]
                if proposal.meeting is None and dates[0][0] > 0:
                    before = re.sub(
                        r"\b(?:held )?(?:on|at|,|-|–)\s*$", "", line.text[: dates[0][0]]
                    ).strip(" ,–-")
                    before = re.sub(
                        r"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?$", "", before, flags=re.I
                    ).strip(" ,–-")
                    if before and len(before.split()) <= 15:
                        proposal.meeting = before
                index = i + 1
            elif (
                proposal.meeting is None and proposal.date is None and len(line.text.split()) <= 15
            ):
                proposal.meeting = line.text.rstrip(":")
                index = i + 1
    if proposal.date is None:
        for line in content[:header_end]:
            match = re.match(r"^(?:date|held on)\s*:?\s*(.*)$", line.text, re.I)
            if match and find_dates(match.group(1)):
                proposal.date = find_dates(match.group(1))[0][1]

    # Attendance sections: the header line and the lists that follow it.
    sections: list[_Section] = []
    i = index
    current: _Section | None = None
    body: list[_Line] = []
    while i < len(content):
        line = content[i]
        match = _ATTENDANCE.match(line.text) if not line.bullet else None
        if match and (
            match.group(2) or i + 1 == len(content) or _is_people_line(content[i + 1].text)
        ):
            current = _Section(_attendance_kind(match.group(1)), match.group(2), match.group(1))
            sections.append(current)
        elif current is not None and _is_people_line(line.text) and _is_heading(line, 1) is None:
            current.text = f"{current.text}; {line.text}" if current.text else line.text
        elif current is not None and _is_heading(line, 1) is not None:
            current = None
            body.append(line)
        else:
            current = None if not line.bullet else current
            if current is None:
                body.append(line)
        i += 1
    for section in sorted(sections, key=lambda section: section.kind == "chair"):
        people, rejected = _people(section.text)
        label = section.label.lower()
        if label.startswith("officer"):
            for person in people:
                person.role = person.role or "Officer"
        elif section.kind == "observers" and not label.startswith(("observer", "in att", "also")):
            for person in people:  # "Minute taker: Hayley Hughes"
                person.role = person.role or section.label.capitalize()
        if section.kind == "chair":
            for person in people:
                same = [p for p in proposal.attendees if _bare(p.name) == _bare(person.name)]
                for present in same:
                    present.chair = True
                    present.role = present.role or person.role
                    present.organisation = present.organisation or person.organisation
                if not same:
                    person.chair = True
                    proposal.attendees.append(person)
            continue
        getattr(proposal, section.kind).extend(people)
        for entry in rejected:
            warnings.append(f"Not read as a person in the {section.kind} list: {entry!r}.")
    for person in proposal.attendees:
        if person.chair:
            break
    else:
        chair = re.search(
            r"\b((?:Councillor|Cllr\.?|Dr\.?|Mr|Mrs|Ms)?\s*[A-Z][\w'-]+(?: [A-Z][\w'-]+){0,2}) in the Chair\b",
            whole,
        )
        if chair:
            owner = resolve_owner(chair.group(1).strip(), proposal.attendees)
            for person in proposal.attendees:
                if person.name == owner:
                    person.chair = True

    # Items, and in them actions, updates and decisions.
    items: list[Item] = []
    item: Item | None = None
    if agenda_item:
        title_line = content[1].text if len(content) > 1 else ""
        item = Item(None, title_line)
        items.append(item)
        body = [line for line in body if line.text != title_line or line is not content[1]]
        body = [
            line
            for line in body
            if line.text.lower().rstrip(":") not in ("minutes", "supporting documents")
        ]
    expected = 1
    in_actions = False
    table_header: list[str] | None = None
    last_action: Action | None = None
    paragraphs: list[str] = []
    next_region = False
    next_dates: list[dt.date] = []

    def finish() -> None:
        if item is not None:
            item.text = "\n\n".join(paragraphs).strip()
        paragraphs.clear()

    def add_action(wording: str, owner: str | None = None, due: str | None = None) -> Action:
        nonlocal item
        wording = wording.strip(" .;")
        if owner is None:
            owner = owner_of(wording)
        action = Action(wording=wording, owner=owner, due=due or _due(wording, proposal.date))
        if item is None:
            item = Item(None, "")
            items.append(item)
        action.item = item.number or item.title or None
        item.actions.append(action)
        return action

    for line in body:
        if not agenda_item:
            heading = _is_heading(line, expected)
            if heading is not None:
                finish()
                item = Item(heading[0], heading[1])
                items.append(item)
                if heading[0].replace(".", "").isdigit():
                    expected = int(heading[0].split(".")[0]) + 1
                in_actions = False
                table_header = None
                last_action = None
                next_region = bool(_NEXT_MEETING.search(heading[1]))
                continue
        text = line.text
        if not line.bullet:
            paragraphs.append(text)
        else:
            paragraphs.append(f"· {text}")

        # Next meeting: a date on the same line, or on the lines under its heading.
        if _NEXT_MEETING.search(text) and not _OWNER_TO.match(text):
            dates = find_dates(text, proposal.date)
            if dates:
                next_dates.extend(d for _, d in dates)
                continue
            if len(text.split()) <= 10 or text.endswith(":"):
                next_region = True
                continue
        if next_region:
            dates = find_dates(text, proposal.date)
            if dates and len(text.split()) <= 20:
                next_dates.extend(d for _, d in dates)
                continue

        # A table of actions: "Action | Owner | Due".
        cells = [c.strip() for c in text.split("|")] if "|" in text else []
        if (
            cells
            and any(re.match(r"^actions?\b", c, re.I) for c in cells)
            and any(re.match(r"^(?:owner|lead|who|by whom|responsible)", c, re.I) for c in cells)
        ):
            table_header = [c.lower() for c in cells]
            continue
        if table_header is not None:
            if cells and len(cells) >= 2:
                row = dict(zip(table_header, cells, strict=False))
                wording = next((v for k, v in row.items() if k.startswith("action")), cells[0])
                owner = next(
                    (
                        v
                        for k, v in row.items()
                        if re.match(r"^(?:owner|lead|who|by whom|responsible)", k)
                    ),
                    None,
                )
                due_text = next(
                    (
                        v
                        for k, v in row.items()
                        if re.match(r"^(?:due|by when|deadline|date|when|target)", k)
                    ),
                    None,
                )
                due = None
                if due_text:
                    due = _due(due_text, proposal.date) or _due("by " + due_text, proposal.date)
                    if due is None and due_text.strip():
                        due = due_text.strip()
                if wording and not re.match(r"^[-–—]+$", wording):
                    last_action = add_action(wording, owner or None, due)
                    for key, value in row.items():
                        if re.match(r"^(?:update|progress|status|comment)", key) and value:
                            last_action.updates.append(value)
                continue
            table_header = None

        update = _UPDATE_PREFIX.match(text)
        if update and update.group(1):
            if last_action is None:
                warnings.append(f"An update with no action before it: {text!r}.")
            else:
                last_action.updates.append(update.group(1).strip())
            continue

        if _ACTIONS_HEADING.match(text) and not line.bullet:
            in_actions = True
            continue

        prefix = _ACTION_PREFIX.match(text)
        if (
            prefix
            and prefix.group(1)
            and not re.match(
                r"^actions?\s+(?:were|was|had|have|are|is|from|log|plan)\b", text, re.I
            )
        ):
            rest = prefix.group(1).strip()
            if _looks_like_owner(rest) and not owner_of(rest) and paragraphs[:-1]:
                # "Action – AB" under the paragraph it belongs to.
                wording = re.sub(r"^· ", "", paragraphs[-2]).strip(" .;")
                if last_action is not None and last_action.wording == wording:
                    last_action.owner = rest  # the line above was already read as an action
                else:
                    last_action = add_action(wording, rest)
            else:
                last_action = add_action(rest)
            continue
        suffix = _ACTION_SUFFIX.match(text)
        if suffix and _looks_like_owner(suffix.group(2)):
            last_action = add_action(suffix.group(1), suffix.group(2).strip())
            continue

        # Bare lines: "AB to report back ...", "Draft terms of reference to be circulated".
        if (line.bullet and not in_actions) or len(text.split()) > 60:
            continue
        owner = owner_of(text)
        if (
            owner is not None
            and not _FINITE.search(owner)
            and _plausible_owner(owner, proposal.attendees + proposal.observers)
        ):
            last_action = add_action(text, owner)
            continue
        to_be = _TO_BE.match(text)
        if (
            to_be
            and len(text.split()) <= 30
            and to_be.group(1).lower() not in _NOT_OWNERS
            and not _FINITE.search(to_be.group(1) + to_be.group(2))
        ):
            last_action = add_action(text)
            continue
        if in_actions and len(text.split()) >= 2:
            last_action = add_action(text)
            continue
        if item is not None and not line.bullet:
            item.decisions.extend(s for s in _SENTENCE.split(text) if _DECISION.search(s))
    finish()
    proposal.items = items

    # Owners, resolved to attendees.
    for action in proposal.actions:
        if action.owner:
            action.owner_person = resolve_owner(
                action.owner, proposal.attendees + proposal.observers
            )
        else:
            warnings.append(f"No owner written for the action {action.wording!r}: add one.")

    if next_dates:
        unique = sorted(set(next_dates))
        if proposal.date is not None:
            unique = [d for d in unique if d > proposal.date] or unique
        proposal.next_meeting = unique[0]
        proposal.later_meetings = unique[1:]

    if agenda_item:
        warnings.append(
            f"These are the minutes of one agenda item ({items[0].title!r}), not of a whole "
            "meeting: give the meeting, its date and who attended."
        )
    else:
        if proposal.meeting is None:
            warnings.append("No meeting name found: give the body that met.")
        if proposal.date is None:
            warnings.append("No meeting date found: give the date of the meeting.")
        if not proposal.attendees:
            warnings.append("No list of who was present found: add the attendees.")
        if not any(item.number for item in items):
            warnings.append("No numbered agenda items found: check the items.")
    if proposal.attendees and not any(p.chair for p in proposal.attendees):
        warnings.append("No chair marked among the attendees.")
    if proposal.next_meeting is None:
        warnings.append("No date of the next meeting found.")
    for person in proposal.attendees + proposal.apologies + proposal.observers:
        if person.organisation is None:
            warnings.append(f"No organisation written for {person.name}.")
    return proposal
