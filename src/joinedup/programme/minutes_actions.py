"""Find the actions in minutes: who is to do what, and by when.

Minutes record actions in many ways. :class:`ActionFinder` reads the lines under an item one at
a time and recognises:

- marked actions: "ACTION: AB to circulate the paper", "Action – Vicky to contact LCC",
  "Action – AB" under the paragraph it belongs to, "Circulate the budget. ACTION: GH",
  "Update the risk register – Action: PMO", "Circulate the paper to members (JS)";
- a table with "Action | Owner | Due" columns, and every line under an "Actions" heading;
- bare lines and sentences of running prose: "AB to report back on the pilot at the next
  meeting", "Jane Smith to circulate the paper by 30 June", "Draft terms of reference to be
  circulated to members" (no owner), "It was agreed that the Council would write to the
  Minister", "Agreed: JS will ...", "Resolved: That a letter be sent ...".

Not actions: narrative ("The group noted the update", "Members were asked to note"), decisions
in the passive ("the budget would be reviewed quarterly", "That the minutes be approved"), and
what was to happen in the past ("the report was to be presented in 2014"). An owner is always
words written in the minutes, never guessed; who they are is resolved against the attendance
afterwards.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from joinedup.programme.minutes_text import (
    BODY_WORDS,
    MONTH_ONLY,
    find_dates,
    month_number,
)

__all__ = [
    "Action",
    "ActionFinder",
    "LineReading",
    "is_marked_action",
    "owner_of",
    "read_due",
    "starts_with_owner",
]


@dataclass
class Action:
    wording: str
    owner: str | None = None  # as written: a name, initials or a body ("PMO")
    owner_person: str | None = None  # the attendee the owner resolves to, when unambiguous
    due: str | None = None  # "YYYY-MM-DD", "YYYY-MM", a month name, "next meeting", "ongoing"
    updates: list[str] = field(default_factory=list)
    item: str | None = None  # the number (or title) of the item it was set under


# --- owners -----------------------------------------------------------------------------------

_OWNER_WORDS = r"(?:[A-Z][\w'’.&/-]*|and|&|of|the|members?|group|team|lead|leads|officers?|board|partners|agencies|organisations)"
_OWNER = r"(?:[A-Z][\w'’.&/-]*)(?:[ ,]+" + _OWNER_WORDS + r"){0,5}?"
_OWNER_TO = re.compile(r"^(" + _OWNER + r")\s+(?:to|will|would)\s+(?!be\b)([a-z][a-z-]+)\b")
_NOT_OWNERS = {
    "the", "this", "that", "these", "those", "it", "there", "we", "they", "he", "she", "in",
    "on", "at", "for", "with", "from", "as", "any", "also", "looking", "moving", "due",
    "according", "prior", "up", "back", "next", "members", "agreed", "thanks", "welcome",
    "if", "when", "where", "how", "what", "why", "who", "which", "whether", "once", "unless",
}  # fmt: skip
_NOT_VERBS = re.compile(
    r"^(?:the|a|an|this|that|these|those|all|our|their|his|her|its|my|your|each|every|some|any|"
    r"date|and|or|be|other|one|two|three|four|five|six|\w+(?:tion|sion|ment|ness|ity|ance|ence|"
    r"ship|ism|ies))$"
)
# Verbs that record a view rather than set work: "Members to note the report" is no action.
_VIEW_VERBS = re.compile(
    r"^(?:note|receive|welcome|thank|approve|endorse|ratify|adopt|accept|acknowledge)$"
)
_BODY_OWNERS = re.compile(
    r"^(?:Executive|Board|Group|Partnership|Chair|Chairman|Secretary|Clerk|Officers?|Team|"
    r"Committee|Panel|Forum|Members|Partners|All|Everyone|Lead|Leads)$"
)
_INITIALS = re.compile(r"[A-Z][A-Z0-9&/]{1,6}")
_FINITE = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|need|needs|needed|intended|expected|due|"
    r"likely|going|able|required|being|been|seems?|appears?|continues?|asked|agreed|helps?)\b",
    re.IGNORECASE,
)


def owner_of(wording: str) -> str | None:
    """The owner written at the start of an action ("AB to report back", "Vicky to contact")."""
    match = _OWNER_TO.match(wording.strip())
    if not match or _NOT_VERBS.match(match.group(2)) or _VIEW_VERBS.match(match.group(2)):
        return None
    owner = match.group(1).strip(" ,")
    if owner.split()[0].lower() in _NOT_OWNERS:
        return None
    return owner


def starts_with_owner(text: str) -> bool:
    """Whether a line opens with someone who is to do something ("AB to report at the next
    meeting"), so it is an action even if it mentions the next meeting."""
    return _OWNER_TO.match(text) is not None


def _plausible_owner(owner: str, names: list[str], strict: bool = False) -> bool:
    """Whether a bare line's leading word(s) can own an action: initials, a body, or a person
    named in the attendance; not a capitalised noun starting a sentence ("Response to ...").
    With no attendance to check against, any name will do unless ``strict`` (a bullet in a list
    of comments: "Opportunity to link with other local testbeds")."""
    if (not names and not strict) or " " in owner.strip() or _INITIALS.fullmatch(owner):
        return True
    if _BODY_OWNERS.match(owner) or BODY_WORDS.search(owner):
        return True
    return any(owner in name.split() for name in names)


def _looks_like_owner(text: str) -> bool:
    tokens = re.split(r"[\s,/&]+", text.strip(" .()"))
    tokens = [t for t in tokens if t and t.lower() != "and"]
    return 1 <= len(tokens) <= 5 and all(re.match(r"^[A-Z][\w'’.-]*$", t) for t in tokens)


# --- due --------------------------------------------------------------------------------------

_NEXT = re.compile(r"\bnext (?:meeting|executive meeting|board meeting|board|group)\b", re.I)
_ONGOING = re.compile(r"(?:[–—:(-]\s*|\bdue\s*:?\s*|^)ongoing\b|\bongoing\s*\)?\.?$", re.I)


def read_due(wording: str, meeting: dt.date | None) -> str | None:
    """When an action is due: a date, a month ("in September"), "next meeting" or "ongoing"."""
    dates = find_dates(wording, meeting)
    if dates:
        return dates[0][1].isoformat()
    if _NEXT.search(wording):
        return "next meeting"
    match = MONTH_ONLY.search(wording)
    if match:
        month = month_number(match.group(1))
        if match.group(2):
            return f"{int(match.group(2)):04d}-{month:02d}"
        if meeting is not None:
            year = meeting.year + (1 if month < meeting.month else 0)
            return f"{year:04d}-{month:02d}"
        return calendar.month_name[month]
    if _ONGOING.search(wording):
        return "ongoing"
    return None


def _table_due(text: str, meeting: dt.date | None) -> str | None:
    text = text.strip()
    if not text:
        return None
    return read_due(text, meeting) or read_due("by " + text, meeting) or text


# --- marked actions ---------------------------------------------------------------------------

_ACTION_PREFIX = re.compile(
    r"^(?:agreed\s+)?actions?(?:\s+point)?(?:\s+by)?\s*(?:\d+\s*)?(?::|[-–—]|\s+(?=(?-i:[A-Z])))\s*(.*)$",
    re.IGNORECASE,
)
_NOT_PREFIX = re.compile(r"^actions?\s+(?:were|was|had|have|are|is|from|log|plan)\b", re.I)
_ACTION_SUFFIX = re.compile(
    r"^(.*?[.;)])\s*\(?\b(?:ACTION|Action)\s*[:–—-]\s*([^.()]{1,40}?)\)?\.?$"
)
# "Update the risk register – Action: PMO", "Circulate the notes (JS)", "(Action: JS)".
_DASH_OWNER = re.compile(
    r"^(.*?\S)\s*[–—-]+\s*(?:action(?:ed)?(?:\s+by)?|owner|lead)\s*[:–—-]?\s*([^()]{1,40}?)\s*\.?$",
    re.IGNORECASE,
)
_PAREN_OWNER = re.compile(
    r"^(.*?\S)\s*\(\s*((?:action(?:\s+by)?|owner|lead)\s*[:–—-]?\s*)?([^()]{1,40}?)\s*\)\s*\.?$",
    re.IGNORECASE,
)
_UPDATE_PREFIX = re.compile(
    r"^(?:update|progress|status)\s*(?:[:–—-]|\s(?=[a-z]))\s*(.*)$", re.IGNORECASE
)
ACTIONS_HEADING = re.compile(
    r"^(?:agreed\s+|summary of\s+)?actions?(?:\s+(?:points?|agreed|arising|log))?\s*:?$",
    re.IGNORECASE,
)
_OWNER_COLUMN = re.compile(r"^(?:owner|lead|who|by whom|responsible)", re.I)
_DUE_COLUMN = re.compile(r"^(?:due|by when|deadline|date|when|target)", re.I)
_UPDATE_COLUMN = re.compile(r"^(?:update|progress|status|comment)", re.I)


def is_marked_action(text: str) -> bool:
    """Whether a line is marked as an action ("ACTION: ...", "... ACTION: GH")."""
    return bool(_ACTION_PREFIX.match(text) or _ACTION_SUFFIX.match(text))


# --- prose ------------------------------------------------------------------------------------

_LIST_NUMBER = re.compile(r"^\(?\d{1,2}[.)]\s+")
_PARAGRAPH_NUMBER = re.compile(r"^\d{1,3}\.\d{1,2}\.?\s+(?=\S)")
# Sentences, and the numbered clauses of a resolution ("... noted. (2) That officers ...").
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])|(?<=[.;])\s+(?=\(\w{1,3}\)\s)")
_THAT = re.compile(r"^(?:\(\w{1,3}\)\s+(?:that\s+)?|That\s+)(.+)$", re.IGNORECASE)
_TO_BE = re.compile(r"^([A-Z][a-z]+)\b([^.;:]{0,100}?)\s+to be\s+([a-z]+(?:ed|en|t|n))\b")
_AGREED_THAT = re.compile(
    r"^(?:[\w'’-]+[\s,]+){0,4}?(?:agreed|resolved|decided)\s*,?\s+that\s+(.+)$", re.IGNORECASE
)
_AGREED_MARK = re.compile(
    r"^(?:agreed|resolved|decision|decided)\s*(?::|[-–—])\s*(?:that\s+)?(.+)$", re.IGNORECASE
)
# "RESOLVED – That:" over a list of what was resolved, one clause a line.
_RESOLVED_LIST = re.compile(
    r"^(?:it was\s+)?(?:resolved|agreed|decided)\s*(?:[:–—-]\s*)?(?:that\s*)?[:–—-]?$", re.I
)
_LIST_MARK = re.compile(r"^(?:\(?\d{1,2}[).]|\(?[a-z]\)|\([ivx]+\))\s+(?:that\s+)?", re.I)
_CLAUSE_OWNER = re.compile(
    r"^(?:the\s+)?((?:all\s+)?(?:officers|partners|members|agencies)|" + _OWNER + r")\s+"
    r"(?:(?:be|is|are)\s+asked\s+to|is\s+to|are\s+to|to|will|would|should|shall|must)?\s*"
    r"(?!(?:be|of|and|or|for|in|on|at|to|with|from|by|as|the|a|an)\b)([a-z][a-z-]+)\b"
)
_CLAUSE_PASSIVE = re.compile(r"^(.{1,100}?)\s+be\s+([a-z]+(?:ed|en|t|n))\b")
_MODAL = re.compile(r"\b(?:would|will|should|could|may|might|can|must|shall|to)$")
_RECORDED = re.compile(
    r"^(?:approved|agreed|noted|received|accepted|endorsed|adopted|ratified|confirmed|signed|"
    r"welcomed|supported|deferred|granted|refused|thanked|carried|acknowledged)$"
)
_PAST = re.compile(
    r"\b(?:had\s+(?:been\s+)?(?:agreed|asked|decided|resolved|planned|intended|expected|due)|"
    r"previously|last year|in the past|was to|were to|used to)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# An instruction with no owner ("Circulate the paper by 30 June"): its first word.
_IMPERATIVE = re.compile(
    r"^(?:add|amend|arrange|ask|book|bring|build|chase|check|circulate|clarify|collate|"
    r"commission|compile|complete|confirm|consult|contact|coordinate|co-ordinate|develop|"
    r"distribute|draft|email|e-mail|ensure|escalate|establish|explore|feed back|finalise|finalize|"
    r"follow up|forward|identify|invite|investigate|liaise|map|monitor|nominate|notify|obtain|"
    r"organise|organize|plan|prepare|present|produce|provide|publish|raise|recirculate|"
    r"re-circulate|refresh|report|request|review|schedule|scope|secure|seek|send|set up|share|"
    r"source|submit|update|write)\b",
    re.IGNORECASE,
)
_BY = re.compile(r"\bby\b", re.IGNORECASE)


@dataclass
class _Found:
    wording: str
    owner: str | None = None


def _past(sentence: str, meeting: dt.date | None) -> bool:
    """Whether a sentence tells of what was to happen before the meeting, not what is to come."""
    if _PAST.search(sentence):
        return True
    years = [int(year) for year in _YEAR.findall(sentence)]
    return meeting is not None and bool(years) and max(years) < meeting.year


def _clause(clause: str, names: list[str]) -> _Found | None:
    """The action in what was agreed or resolved ("the Council would write to ..."), if any."""
    clause = _LIST_MARK.sub("", clause.strip(" .;"), count=1)
    passive = _CLAUSE_PASSIVE.match(clause)
    if passive and not re.search(r"\basked\s+to\b", clause[: passive.end() + 10]):
        # "That a letter be sent" sets work; "would be reviewed", "be approved" record a view.
        if _MODAL.search(passive.group(1)) or _RECORDED.match(passive.group(2)):
            return None
        return _Found(clause)
    match = _CLAUSE_OWNER.match(clause)
    if match is None or _NOT_VERBS.match(match.group(2)) or _VIEW_VERBS.match(match.group(2)):
        return None
    owner = match.group(1).strip(" ,")
    verb = match.group(2)
    explicit = bool(clause[match.end(1) : match.start(2)].strip())
    if not explicit and (verb.endswith(("s", "ed")) and not verb.endswith("ss")):
        return None  # "the work fits": a statement, not "That the Director prepare ..."
    if owner.split()[0].lower() in _NOT_OWNERS - {"members"}:
        return None
    if not _plausible_owner(owner, names) and owner.lower() not in ("officers", "partners"):
        return None
    return _Found(clause, owner)


def _trailing_owner(sentence: str, names: list[str]) -> _Found | None:
    """An action whose owner follows it: "... – Action: PMO", "... (JS)", "... (Action: JS)"."""
    dash = _DASH_OWNER.match(sentence)
    if dash and _looks_like_owner(dash.group(2)):
        return _Found(dash.group(1).strip(" .;–—-"), dash.group(2).strip())
    paren = _PAREN_OWNER.match(sentence)
    if paren is None or not _looks_like_owner(paren.group(3)):
        return None
    owner, before = paren.group(3).strip(), paren.group(1).strip(" .;–—-")
    marked = paren.group(2) is not None
    known = _INITIALS.fullmatch(owner.replace(" ", "")) is not None or any(
        owner in name.split() or owner == name for name in names
    )
    if marked or (known and _instruction(before, names)):
        return _Found(before, owner)
    return None


def _owner_beside(marked: str) -> _Found | None:
    """In a line marked as an action, an owner set off by a dash or colon before or after the
    wording: "ACTION: JS/RG – circulate the paper", "Action: circulate the paper – JS"."""
    before = re.match(r"^([^–—:-]{1,40}?)\s*(?:\s[–—-]|:)\s+(\S.*)$", marked)
    if before and _looks_like_owner(before.group(1)) and not owner_of(before.group(2)):
        return _Found(before.group(2), before.group(1).strip())
    after = re.match(r"^(.*\S)\s+[–—-]\s+([^–—-]{1,40})$", marked)
    if after and _looks_like_owner(after.group(2)):
        return _Found(after.group(1), after.group(2).strip(" ."))
    return None


def _instruction(text: str, names: list[str]) -> bool:
    """Whether text reads as work to do: an imperative, "X to ...", or "... to be done"."""
    return bool(_IMPERATIVE.match(text) or _owned(text, names) or _to_be(text))


def _owned(sentence: str, names: list[str], strict: bool = False) -> str | None:
    owner = owner_of(sentence)
    if owner is None or _FINITE.search(owner) or not _plausible_owner(owner, names, strict):
        return None
    return owner


def _to_be(sentence: str) -> bool:
    """Work with no owner: "Draft terms of reference to be circulated to members"."""
    match = _TO_BE.match(sentence)
    return bool(
        match
        and len(sentence.split()) <= 30
        and match.group(1).lower() not in _NOT_OWNERS
        and not _FINITE.search(match.group(1) + match.group(2))
        and not _RECORDED.match(match.group(3))
    )


def _sentence_action(
    sentence: str, names: list[str], meeting: dt.date | None, bullet: bool = False
) -> _Found | None:
    """The action a sentence of running prose (or a bullet) sets, if it sets one."""
    sentence = sentence.strip().rstrip(".;")
    if not sentence or len(sentence.split()) > 60 or _past(sentence, meeting):
        return None
    trailing = _trailing_owner(sentence, names)
    if trailing is not None:
        return trailing
    # "Agreed: JS will ...", "(2) That officers prepare ...": the action is what follows.
    marked = _AGREED_MARK.match(sentence) or _THAT.match(sentence)
    if marked:
        return _clause(marked.group(1), names)
    agreed = _AGREED_THAT.match(sentence)  # "It was agreed that ...": the whole sentence
    if agreed:
        found = _clause(agreed.group(1), names)
        return None if found is None else _Found(sentence, found.owner)
    owner = _owned(sentence, names, strict=bullet)
    if owner is not None or _to_be(sentence):
        return _Found(sentence, owner)
    if _IMPERATIVE.match(sentence) and _BY.search(sentence) and read_due(sentence, meeting):
        return _Found(sentence)
    return None


# --- the finder -------------------------------------------------------------------------------


@dataclass
class LineReading:
    """What a line under an item said about actions."""

    actions: list[Action] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)  # sentences of running prose, no action


class ActionFinder:
    """Reads the lines under an item, in order, for the actions they set and their updates."""

    def __init__(self, names: list[str], meeting: dt.date | None) -> None:
        self.names = names  # the attendees' and observers' names, without titles
        self.meeting = meeting
        self.warnings: list[str] = []
        self._in_actions = False
        self._table: list[str] | None = None
        self._last: Action | None = None
        self._resolving = False  # under "RESOLVED – That:", reading its list

    @property
    def in_table(self) -> bool:
        """Whether the lines being read are rows of a table of actions."""
        return self._table is not None

    def new_item(self) -> None:
        self._in_actions = False
        self._resolving = False
        self._table = None
        self._last = None

    def _action(self, wording: str, owner: str | None = None, due: str | None = None) -> Action:
        wording = wording.strip(" .;")
        if owner is None:
            owner = owner_of(wording)
        action = Action(wording, owner, due=due or read_due(wording, self.meeting))
        self._last = action
        return action

    def read(self, text: str, above: str | None, bullet: bool = False) -> LineReading:
        """Read one line; ``above`` is the paragraph before it, which "Action – AB" refers to."""
        text = _PARAGRAPH_NUMBER.sub("", text)
        for step in (self._table_line, self._update, self._heading):
            reading = step(text)
            if reading is not None:
                return reading
        resolved = self._resolved(text, bullet)
        if resolved is not None:
            return resolved
        marked = self._marked(text, above)
        if marked is not None:
            return marked
        if self._in_actions and len(text.split()) >= 2:
            return LineReading([self._listed(text)])
        return self._prose(text, bullet)

    def in_list_of_actions(self, text: str) -> bool:
        """Whether a numbered line under an "Actions" heading is one of its actions ("3) Sam
        Lee – confirm the figures") rather than the next item ("3. Date of next meeting")."""
        if not self._in_actions:
            return False
        entry = _LIST_NUMBER.sub("", text, count=1)
        return bool(owner_of(entry) or _owner_beside(entry) or _trailing_owner(entry, self.names))

    def _listed(self, text: str) -> Action:
        """A line under an "Actions" heading: the action, its owner where it names one."""
        entry = _LIST_NUMBER.sub("", text, count=1)
        found = (
            None if owner_of(entry) else _trailing_owner(entry, self.names) or _owner_beside(entry)
        )
        if found is not None:
            return self._action(found.wording, found.owner)
        return self._action(entry)

    def _table_line(self, text: str) -> LineReading | None:
        cells = [c.strip() for c in text.split("|")] if "|" in text else []
        if (
            cells
            and any(re.match(r"^actions?\b", c, re.I) for c in cells)
            and any(_OWNER_COLUMN.match(c) for c in cells)
        ):
            self._table = [c.lower() for c in cells]
            return LineReading()
        if self._table is None:
            return None
        if len(cells) < 2:
            self._table = None
            return None
        row = dict(zip(self._table, cells, strict=False))
        wording = next((v for k, v in row.items() if k.startswith("action")), cells[0])
        if not wording or re.match(r"^[-–—]+$", wording):
            return LineReading()
        owner = next((v for k, v in row.items() if _OWNER_COLUMN.match(k)), None)
        due = next((v for k, v in row.items() if _DUE_COLUMN.match(k)), None)
        action = self._action(wording, owner or None, _table_due(due or "", self.meeting))
        action.updates.extend(v for k, v in row.items() if _UPDATE_COLUMN.match(k) and v)
        return LineReading([action])

    def _update(self, text: str) -> LineReading | None:
        update = _UPDATE_PREFIX.match(text)
        if not (update and update.group(1)) or _DASH_OWNER.match(text):
            return None  # "Update the criteria – Action: CB" is an action, not an update
        if self._last is None:
            self.warnings.append(f"An update with no action before it: {text!r}.")
        else:
            self._last.updates.append(update.group(1).strip())
        return LineReading()

    def _heading(self, text: str) -> LineReading | None:
        if not ACTIONS_HEADING.match(text):
            return None
        self._in_actions = True
        return LineReading()

    def _resolved(self, text: str, bullet: bool) -> LineReading | None:
        """The clauses listed under "RESOLVED – That:", each an action if it sets work."""
        if _RESOLVED_LIST.match(text):
            self._resolving = True
            return LineReading(prose=[text])
        listed = _LIST_MARK.match(text)
        if not self._resolving or not (bullet or listed):
            self._resolving = False
            return None
        clause = re.sub(r"[;,.]?\s*(?:and|or)?\s*$", "", text[listed.end() if listed else 0 :])
        found = None if _past(clause, self.meeting) else _clause(clause, self.names)
        if found is None:
            return LineReading(prose=[text])
        return LineReading([self._action(clause, found.owner)])

    def _marked(self, text: str, above: str | None) -> LineReading | None:
        prefix = _ACTION_PREFIX.match(text)
        if prefix and prefix.group(1) and not _NOT_PREFIX.match(text):
            rest = prefix.group(1).strip()
            if _looks_like_owner(rest) and not owner_of(rest) and above:
                return self._owner_line(rest, above)
            found = _trailing_owner(rest, self.names) or _owner_beside(rest)
            if found is not None and owner_of(rest) is None:
                return LineReading([self._action(found.wording, found.owner)])
            return LineReading([self._action(rest)])
        suffix = _ACTION_SUFFIX.match(text)
        if suffix and _looks_like_owner(suffix.group(2)):
            return LineReading([self._action(suffix.group(1), suffix.group(2).strip())])
        return None

    def _owner_line(self, owner: str, above: str) -> LineReading:
        """An owner on a line of its own ("Action – AB"): the action is the paragraph above."""
        wording = above.strip(" .;")
        if self._last is not None and self._last.wording in wording:
            self._last.owner = owner  # the paragraph above was already read as an action
            return LineReading()
        return LineReading([self._action(wording, owner)])

    def _prose(self, text: str, bullet: bool) -> LineReading:
        reading = LineReading()
        previous: str | None = None
        for sentence in _SENTENCE.split(text):
            marked = self._marked(sentence, previous) if previous else None
            found = _sentence_action(sentence, self.names, self.meeting, bullet)
            if marked is not None:  # "Members discussed the paper. Action: JS"
                reading.actions.extend(marked.actions)
            elif found is None:
                reading.prose.append(sentence)
            else:
                reading.actions.append(self._action(found.wording, found.owner))
            previous = sentence
        return reading
