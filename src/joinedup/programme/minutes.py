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

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any

from joinedup.programme.minutes_actions import (
    Action,
    ActionFinder,
    is_marked_action,
    starts_with_owner,
)
from joinedup.programme.minutes_text import BODY_WORDS, TITLES, bare_name, find_dates, initials

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
        self._row_start: int | None = None  # where the table row being read begins in parts
        self._row_heading = False  # the row holds a heading: it lays out a page, not data

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
            self._row_start, self._row_heading = len(self.parts), False
        elif re.fullmatch(r"h[1-6]", tag):
            self._row_heading = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS or tag == "li":
            self.parts.append("\n\n")
        if tag == "tr":
            self._end_row()

    def _end_row(self) -> None:
        """A row of data on one line, however its cells break their text ("<p>" in a cell)."""
        if self._row_start is not None and not self._row_heading:
            row = "".join(self.parts[self._row_start :])
            row = re.sub(r"\s*\n\s*(?:·\s*)?", " ", row).strip()
            self.parts[self._row_start :] = ["\n\n", row, "\n\n"]
        self._row_start = None

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
    numbered: bool = False  # a minute number in a cell of its own, joined to the title after it


_BULLET = re.compile(r"^(?:[·•▪◦●○‣∙*]|[-–—](?=\s)|o(?=\s{2,}))\s*")


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        # Word puts a tab after a list's number or bullet; other tabs separate table cells.
        raw = re.sub(r"^(\s*)o\t+", r"\1◦ ", raw)  # Word's second-level bullet
        raw = re.sub(r"^(\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]?|[·•▪◦●○‣∙*o-]))\t+", r"\1 ", raw)
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
        if _continues(out, line, bullet):
            out[-1].text = f"{out[-1].text} {line}"
        else:
            out.append(_Line(line, bullet))
    return out


def _continues(out: list[_Line], line: str, bullet: bool) -> bool:
    """Whether a line carries on the sentence above it, wrapped in plain-text minutes."""
    if bullet or not out or not out[-1].text or not line:
        return False
    above = out[-1].text
    if above.count("(") > above.count(")"):
        return True  # "Kate Morgan (Riverside" / "Primary School)"
    # A wrapped line is long; a short one ("Apologies" over "none received") is a label.
    wrapped = len(above) >= 40 and not above.endswith((".", ":", ";", "?", "!"))
    return wrapped and re.match(r"^[a-z(]", line) is not None


def _join_minute_numbers(content: list[_Line]) -> list[_Line]:
    """Council web pages put each minute's number in a table cell of its own ("23.") before its
    title: one line, so the item is found (numbered by the council, not from 1)."""
    joined: list[_Line] = []
    for line in content:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and re.fullmatch(r"\d{1,3}\.?", previous.text)
            and not line.bullet
            and len(line.text.split()) <= 14
            and not re.match(r"^\d", line.text)
        ):
            joined[-1] = _Line(f"{previous.text.rstrip('.')}. {line.text}", numbered=True)
        else:
            joined.append(line)
    return joined


# --- people -----------------------------------------------------------------------------------

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
    if BODY_WORDS.search(kept[-1]):
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


_NOBODY = re.compile(
    r"(?:none|nil|n/?a|no apologies|none received|no apologies (?:were )?received)\.?",
    re.IGNORECASE,
)


def _people(text: str) -> tuple[list[Person], list[str]]:
    """People in a list like "A B (Role, Body), C D (Body) and E F"; what was not a person."""
    people: list[Person] = []
    rejected: list[str] = []
    plural: str | None = None  # "Councillors A B and C D": each is a Councillor
    for segment in _split_top(text, r";"):
        previous: Person | None = None  # the person just before, in this segment, undescribed
        parts: list[str] = []  # "Jo King, Public Health Lead, Lancashire County Council"
        separators = r",|;| and |&"
        if "|" in segment or (segment.count("(") <= 1 and re.search(r"\s[–—-]\s", segment)):
            # "Name – Organisation" entries: commas and "and" belong to the description.
            separators = r";"

        for entry in _split_top(segment, separators):
            entry = re.sub(r"^(?:and|&)\s+", "", entry)
            if re.fullmatch(r"names?(?:\s*\|.*)?", entry, re.IGNORECASE):
                continue  # a table's header row
            if _NOBODY.fullmatch(entry):
                continue
            if (
                previous is not None
                and "(" not in entry
                and (BODY_WORDS.search(entry) or _CHAIR.match(entry) or not _looks_like_name(entry))
            ):
                parts.append(entry)
                continue
            _flush(previous, parts)
            match = re.match(r"^(Councillors|County Councillors|Cllrs\.?)\s+(.*)$", entry)
            if match:
                plural = "Cllr" if match.group(1).startswith("Cllr") else match.group(1)[:-1]
                entry = f"{plural} {match.group(2)}"
            elif plural and "(" not in entry and TITLES.match(entry) is None:
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


def resolve_owner(owner: str, people: list[Person]) -> str | None:
    """The one attendee an owner as written (name, surname, first name, initials) refers to."""
    written = bare_name(owner).strip()
    if not written:
        return None
    for candidates in (
        [p for p in people if bare_name(p.name).lower() == written.lower()],
        [p for p in people if bare_name(p.name).split()[-1:] == written.split()[-1:]]
        if len(written.split()) == 1 or bare_name(owner) != owner
        else [],
        [p for p in people if bare_name(p.name).split()[:1] == written.split()[:1]]
        if len(written.split()) == 1
        else [],
        [p for p in people if initials(p.name) == written]
        if re.fullmatch(r"[A-Z]{2,4}", written)
        else [],
        # "the Director of Public Health": the attendee with that role.
        [p for p in people if p.role and p.role.lower() == written.lower()],
    ):
        names = {p.name for p in candidates}
        if len(names) == 1:
            return names.pop()
        if len(names) > 1:
            return None
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
        and not line.numbered
        and int(whole) != expected
        and not ("." in number and int(whole) == expected - 1)
    ):
        return None
    if len(title.split()) > 14 or title.endswith((";", ",")):
        return None
    if re.match(r"^\d", title) or (title.endswith(".") and len(title.split()) > 6):
        return None
    if "." in number and title.endswith("."):
        return None  # "5.1 There was no other business.": a numbered paragraph
    return number, title.rstrip(".")


# --- the parser -------------------------------------------------------------------------------


def parse_minutes(text: str) -> MinutesProposal:
    """Propose the structure of the minutes in ``text`` (plain text or HTML).

    Raises :class:`NotMinutesError` when the document is not minutes; never anything else.
    """
    if _HTML_HINT.search(text):
        text = html_to_text(text)
    content = _join_minute_numbers([line for line in _lines(text) if line.text])
    if not content:
        raise NotMinutesError("The document is empty: there are no minutes to read.")
    agenda_item = content[0].text.lower().rstrip(":") in ("agenda item", "minute", "minutes")
    _refuse_unless_minutes(content, agenda_item)
    proposal = MinutesProposal(meeting=None, date=None)
    start = _read_header(content, proposal, agenda_item)
    body = _read_attendance(content, start, proposal)
    _mark_chair_in_the_text(proposal, "\n".join(line.text for line in content))
    _ItemReader(proposal, agenda_item, content).read(body)
    _resolve_owners(proposal)
    _warn(proposal, agenda_item)
    return proposal


def _refuse_unless_minutes(content: list[_Line], agenda_item: bool) -> None:
    """Weigh the signs of minutes against those of a paper; refuse with the reason."""
    whole = "\n".join(line.text for line in content)
    attendance = []  # attendance headings with people under them or after them
    for i, line in enumerate(content):
        listed = None if line.bullet else _ATTENDANCE.match(line.text)
        if listed is None:
            continue
        following = content[i + 1].text if i + 1 < len(content) else ""
        if _is_people_line(listed.group(2) or following):
            attendance.append(line)
    top = "\n".join(line.text for line in content[:3])
    minutes_word = bool(
        re.search(r"^minutes\b|\bminutes of\b", top, re.I | re.M)
        or any(line.text.lower() == "minutes:" for line in content)
    )
    marked_actions = sum(1 for line in content if is_marked_action(line.text))
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
        + min(marked_actions, 3)
        + min(reporting // 2, 3)
    )
    if attendance or (not (paper and not minutes_word) and evidence >= 3):
        return
    signs = sorted(set(paper))
    why = f" ({'; '.join(signs)})" if signs else ""
    raise NotMinutesError(
        "This does not look like minutes"
        + (", it reads as a paper or report" if signs else "")
        + why
        + ": there is no attendance list (Present, Apologies), no record of a discussion and"
        " no actions, so no structure is proposed. Import the minutes of the meeting instead."
    )


def _read_header(content: list[_Line], proposal: MinutesProposal, agenda_item: bool) -> int:
    """The meeting and its date, before the attendance list or the first item; where the rest
    begins."""
    header_end = len(content)
    for i, line in enumerate(content):
        if _ATTENDANCE.match(line.text) or _is_heading(line, 1) is not None:
            header_end = i
            break
    header_end = min(header_end, 8)
    index = 1 if agenda_item else 0
    for i, line in enumerate([] if agenda_item else content[:header_end]):
        dates = find_dates(line.text)
        if dates and proposal.date is None:
            proposal.date = dates[0][1]
            if proposal.meeting is None and dates[0][0] > 0:
                proposal.meeting = _meeting_before_date(line.text[: dates[0][0]])
            index = i + 1
        elif proposal.meeting is None and proposal.date is None and len(line.text.split()) <= 15:
            proposal.meeting = line.text.rstrip(":")
            index = i + 1
    for line in content[:header_end] if proposal.date is None else []:
        match = re.match(r"^(?:date|held on)\s*:?\s*(.*)$", line.text, re.I)
        if match and find_dates(match.group(1)):
            proposal.date = find_dates(match.group(1))[0][1]
    return index


def _meeting_before_date(before: str) -> str | None:
    """The meeting named before its date: "Executive Cabinet" in "Executive Cabinet - Thursday,"."""
    before = re.sub(r"\b(?:held )?(?:on|at|,|-|–)\s*$", "", before).strip(" ,–-")
    before = re.sub(r"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?$", "", before, flags=re.I)
    before = before.strip(" ,–-")
    return before if before and len(before.split()) <= 15 else None


def _read_attendance(content: list[_Line], start: int, proposal: MinutesProposal) -> list[_Line]:
    """Read the attendance sections into the proposal; the lines that are not attendance."""
    sections: list[_Section] = []
    current: _Section | None = None
    body: list[_Line] = []
    for i in range(start, len(content)):
        line = content[i]
        match = _ATTENDANCE.match(line.text) if not line.bullet else None
        following = content[i + 1].text if i + 1 < len(content) else ""
        if match and (
            match.group(2)
            or not following
            or _is_people_line(following)
            or _NOBODY.fullmatch(following)
        ):
            current = _Section(_attendance_kind(match.group(1)), match.group(2), match.group(1))
            sections.append(current)
        elif current is not None and _NOBODY.fullmatch(line.text):
            continue  # "Apologies" over "none received"
        elif (
            current is not None
            and match is None
            and _is_people_line(line.text)
            and _is_heading(line, 1) is None
        ):
            entry = _one_person(line.text, line.bullet)
            current.text = f"{current.text}; {entry}" if current.text else entry
        elif current is not None and _is_heading(line, 1) is not None:
            current = None
            body.append(line)
        else:
            current = None if not line.bullet else current
            if current is None:
                body.append(line)
    for section in sorted(sections, key=lambda section: section.kind == "chair"):
        _add_section(section, proposal)
    return body


def _one_person(entry: str, bullet: bool = True) -> str:
    """A bullet names one person: "Grace Okafor, Age UK Riverside" is "Grace Okafor (Age UK
    Riverside)", "Claire Booth (Chair), Riverside CCG" is "Claire Booth (Chair, Riverside CCG)"
    and "Jane Smith, Chorley Council (Chair)" is "Jane Smith (Chorley Council, Chair)". A line
    that is not a bullet may list several people, so it is read as one person only when what
    follows the comma is an organisation."""
    match = re.match(r"^([^,()]+?)(?:\s*\(([^()]*)\))?\s*,\s*([^()]+?)(?:\s*\(([^()]*)\))?$", entry)
    if match is None or not _looks_like_name(match.group(1).strip()):
        return entry
    described_by = match.group(3).strip()
    if not bullet and ("," in described_by or not BODY_WORDS.search(described_by)):
        return entry
    described = ", ".join(part for part in (match.group(2), described_by, match.group(4)) if part)
    return f"{match.group(1).strip()} ({described})"


def _add_section(section: _Section, proposal: MinutesProposal) -> None:
    people, rejected = _people(section.text)
    label = section.label.lower()
    if label.startswith("officer"):
        for person in people:
            person.role = person.role or "Officer"
    elif section.kind == "observers" and not label.startswith(("observer", "in att", "also")):
        for person in people:  # "Minute taker: Hayley Hughes"
            person.role = person.role or section.label.capitalize()
    if section.kind == "chair":
        _add_chairs(people, proposal)
        return
    getattr(proposal, section.kind).extend(people)
    for entry in rejected:
        proposal.warnings.append(f"Not read as a person in the {section.kind} list: {entry!r}.")


def _add_chairs(chairs: list[Person], proposal: MinutesProposal) -> None:
    for person in chairs:
        same = [p for p in proposal.attendees if bare_name(p.name) == bare_name(person.name)]
        for present in same:
            present.chair = True
            present.role = present.role or person.role
            present.organisation = present.organisation or person.organisation
        if not same:
            person.chair = True
            proposal.attendees.append(person)


def _mark_chair_in_the_text(proposal: MinutesProposal, whole: str) -> None:
    """Mark the chair from "Councillor Bradley in the Chair" when no attendee is marked."""
    if any(person.chair for person in proposal.attendees):
        return
    chair = re.search(
        r"\b((?:Councillor|Cllr\.?|Dr\.?|Mr|Mrs|Ms)?\s*[A-Z][\w'-]+(?: [A-Z][\w'-]+){0,2}) in the Chair\b",
        whole,
    )
    if chair:
        owner = resolve_owner(chair.group(1).strip(), proposal.attendees)
        for person in proposal.attendees:
            if person.name == owner:
                person.chair = True


class _ItemReader:
    """Reads the body of the minutes into items, with their text, decisions and actions, and
    the dates of the next meeting."""

    def __init__(self, proposal: MinutesProposal, agenda_item: bool, content: list[_Line]) -> None:
        self.proposal = proposal
        self.agenda_item = agenda_item
        self.content = content
        names = [bare_name(p.name) for p in proposal.attendees + proposal.observers]
        self.finder = ActionFinder(names, proposal.date)
        self.item: Item | None = None
        self.expected = 1
        self.paragraphs: list[str] = []
        self.next_region = False
        self.next_dates: list[dt.date] = []

    def read(self, body: list[_Line]) -> None:
        if self.agenda_item:
            body = self._single_item(body)
        for line in body:
            heading = None if self.agenda_item else _is_heading(line, self.expected)
            if heading is not None and self.finder.in_list_of_actions(line.text):
                heading = None
            if heading is not None:
                self._start_item(heading)
            else:
                self._line(line)
        self._finish_item()
        self.proposal.warnings.extend(self.finder.warnings)
        self._set_next_meeting()

    def _single_item(self, body: list[_Line]) -> list[_Line]:
        """The minutes of one agenda item: its title is the line after "Agenda item"."""
        title_line = self.content[1] if len(self.content) > 1 else None
        self.item = Item(None, title_line.text if title_line else "")
        self.proposal.items.append(self.item)
        skipped = ("minutes", "supporting documents")
        return [
            line
            for line in body
            if line is not title_line and line.text.lower().rstrip(":") not in skipped
        ]

    def _start_item(self, heading: tuple[str, str]) -> None:
        self._finish_item()
        self.item = Item(heading[0], heading[1])
        self.proposal.items.append(self.item)
        if heading[0].replace(".", "").isdigit():
            self.expected = int(heading[0].split(".")[0]) + 1
        self.finder.new_item()
        self.next_region = bool(_NEXT_MEETING.search(heading[1]))

    def _finish_item(self) -> None:
        if self.item is not None:
            self.item.text = "\n\n".join(self.paragraphs).strip()
        self.paragraphs.clear()

    def _line(self, line: _Line) -> None:
        above = re.sub(r"^· ", "", self.paragraphs[-1]) if self.paragraphs else None
        self.paragraphs.append(f"· {line.text}" if line.bullet else line.text)
        if not (self.finder.in_table and "|" in line.text) and self._next_meeting(line.text):
            return
        reading = self.finder.read(line.text, above, line.bullet)
        if reading.actions:
            item = self._current_item()
            for action in reading.actions:
                action.item = item.number or item.title or None
            item.actions.extend(reading.actions)
        if self.item is not None and not line.bullet:
            self.item.decisions.extend(s for s in reading.prose if _DECISION.search(s))

    def _current_item(self) -> Item:
        if self.item is None:  # actions before the first item
            self.item = Item(None, "")
            self.proposal.items.append(self.item)
        return self.item

    def _next_meeting(self, text: str) -> bool:
        """A date of the next meeting on the line, or under its heading; whether it was one."""
        if _NEXT_MEETING.search(text) and not starts_with_owner(text):
            dates = find_dates(text, self.proposal.date)
            if dates:
                self.next_dates.extend(d for _, d in dates)
                return True
            if len(text.split()) <= 10 or text.endswith(":"):
                self.next_region = True
                return True
        if self.next_region:
            dates = find_dates(text, self.proposal.date)
            if dates and len(text.split()) <= 20:
                self.next_dates.extend(d for _, d in dates)
                return True
        return False

    def _set_next_meeting(self) -> None:
        if not self.next_dates:
            return
        unique = sorted(set(self.next_dates))
        if self.proposal.date is not None:
            unique = [d for d in unique if d > self.proposal.date] or unique
        self.proposal.next_meeting = unique[0]
        self.proposal.later_meetings = unique[1:]


def _resolve_owners(proposal: MinutesProposal) -> None:
    for action in proposal.actions:
        if action.owner:
            action.owner_person = resolve_owner(
                action.owner, proposal.attendees + proposal.observers
            )
        else:
            proposal.warnings.append(
                f"No owner written for the action {action.wording!r}: add one."
            )


def _warn(proposal: MinutesProposal, agenda_item: bool) -> None:
    """Say what is missing, for the officer to give."""
    warnings = proposal.warnings
    if agenda_item:
        warnings.append(
            f"These are the minutes of one agenda item ({proposal.items[0].title!r}), not of a "
            "whole meeting: give the meeting, its date and who attended."
        )
    else:
        if proposal.meeting is None:
            warnings.append("No meeting name found: give the body that met.")
        if proposal.date is None:
            warnings.append("No meeting date found: give the date of the meeting.")
        if not proposal.attendees:
            warnings.append("No list of who was present found: add the attendees.")
        if not any(item.number for item in proposal.items):
            warnings.append("No numbered agenda items found: check the items.")
    if proposal.attendees and not any(p.chair for p in proposal.attendees):
        warnings.append("No chair marked among the attendees.")
    if proposal.next_meeting is None:
        warnings.append("No date of the next meeting found.")
    for person in proposal.attendees + proposal.apologies + proposal.observers:
        if person.organisation is None:
            warnings.append(f"No organisation written for {person.name}.")
