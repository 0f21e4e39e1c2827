"""The meeting pack: the agenda, the previous meeting's minutes, the action log and the risk
summary, as one PDF (fpdf2) and, for the logs, as an Excel workbook (``joinedup.exports``).

The pack holds no personal data about residents: it names the partnership's own members, as the
minutes the councils publish do. Risk counts are counts of risks, not of people.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from fpdf import FPDF

from joinedup.exports import write_workbook
from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.programme import charts, scoring
from joinedup.web.programme.meetings import cleared_since, matters_arising, previous_meeting
from joinedup.web.programme.models import (
    ActionLogEntry,
    AgendaItem,
    Attendance,
    AttendanceKind,
    Meeting,
    Risk,
)

HeatMap = list[tuple[int, list[tuple[int, int, str]]]]


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    present: list[Attendance]
    apologies: list[Attendance]
    observers: list[Attendance]
    items: list[AgendaItem]
    actions: list[ActionLogEntry]


@dataclass(frozen=True)
class MeetingPack:
    meeting: Meeting
    agenda: list[AgendaItem]
    matters_arising: list[ActionLogEntry]
    previous: Minutes | None
    cleared: list[ActionLogEntry]
    escalated: list[tuple[Risk, list[str]]]
    heat_map: HeatMap
    risks: list[Risk]

    @property
    def name(self) -> str:
        return f"{self.meeting.body.name} {self.meeting.date:%Y-%m-%d} meeting pack"


def _minutes(meeting: Meeting) -> Minutes:
    people = list(meeting.attendance.all())
    return Minutes(
        meeting,
        [p for p in people if p.kind == AttendanceKind.ATTENDED],
        [p for p in people if p.kind == AttendanceKind.APOLOGIES],
        [p for p in people if p.kind == AttendanceKind.OBSERVER],
        list(meeting.items.all()),
        list(meeting.actions.all()),
    )


def build_pack(meeting: Meeting, today: dt.date) -> MeetingPack:
    """Everything the pack for ``meeting`` shows, as it stands ``today``."""
    previous = previous_meeting(meeting)
    risks = sorted(Risk.objects.all(), key=lambda r: (-r.score, r.review_on, r.title))
    with_updates = ("updates__by",)
    return MeetingPack(
        meeting=meeting,
        agenda=list(meeting.items.all()),
        matters_arising=list(matters_arising(meeting).prefetch_related(*with_updates)),
        previous=None if previous is None else _minutes(previous),
        cleared=list(cleared_since(meeting).prefetch_related(*with_updates)),
        escalated=charts.to_escalate(risks, today),
        heat_map=charts.heat_map(risks),
        risks=risks,
    )


def _day(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%-d %B %Y}"


def _people(rows: list[Attendance]) -> str:
    def one(p: Attendance) -> str:
        described = ", ".join(part for part in (p.role, p.organisation) if part)
        return p.name + (f" ({described})" if described else "") + (" (chair)" if p.chair else "")

    return "; ".join(one(p) for p in rows) or "None recorded"


def _updates(action: ActionLogEntry) -> list[str]:
    """Each update, dated and signed; those read from minutes say so (the day they were
    imported is not the day they were given)."""
    return [
        f"{u.at:%-d %b %Y}, {u.by.full_name or u.by.email}: {u.text}"
        if u.by is not None
        else f"{u.by_name or 'Earlier'}: {u.text}"
        for u in action.updates.all()
    ]


# fpdf2's standard fonts hold Latin-1 only: the typographic marks minutes are full of are
# written as their plain equivalents; anything else outside Latin-1 becomes "?".
PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2022": "*",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
    }
)


def _latin(text: str) -> str:
    return text.translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


RAG_FILL = {"green": (0, 112, 60), "amber": (255, 221, 0), "red": (212, 53, 28)}
RAG_INK = {"green": (255, 255, 255), "amber": (11, 12, 12), "red": (255, 255, 255)}


class _PackPdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pack_title = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_creator("JoinedUp")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, _latin(f"{self.pack_title} - page {self.page_no()} of {{nb}}"), align="C")

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font("Helvetica", style="B", size=size)
        self.multi_cell(0, size * 0.5, _latin(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, style: str = "") -> None:
        self.set_font("Helvetica", style=style, size=10)
        self.multi_cell(0, 5, _latin(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def rows(
        self, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]
    ) -> None:
        self.set_font("Helvetica", size=9)
        with self.table(col_widths=widths, text_align="LEFT", line_height=4.5) as table:
            for row in [header, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(_latin(value))
        self.ln(3)


def _action_rows(actions: list[ActionLogEntry]) -> list[tuple[str, ...]]:
    return [
        (
            "\n".join([a.wording, *(f"- {u}" for u in _updates(a))]),
            a.owner_name,
            _day(a.raised_at.date),
            a.due_label,
            a.get_status_display(),
        )
        for a in actions
    ]


ACTION_HEADER = ("Action and updates", "Owner", "Raised", "Due", "Status")
ACTION_WIDTHS = (90, 30, 25, 25, 20)


def _agenda(pdf: _PackPdf, pack: MeetingPack) -> None:
    pdf.heading("Agenda", 14)
    if not pack.agenda:
        pdf.para("No items yet.")
    for item in pack.agenda:
        number = f"{item.number}. " if item.number else ""
        pdf.para(f"{number}{item.title}", "B")
        if item.text:
            pdf.para(item.text)
        if item.is_matters_arising:
            if pack.matters_arising:
                pdf.rows(ACTION_HEADER, _action_rows(pack.matters_arising), ACTION_WIDTHS)
            else:
                pdf.para("No open actions from earlier meetings.")


def _previous_minutes(pdf: _PackPdf, pack: MeetingPack) -> None:
    pdf.add_page()
    minutes = pack.previous
    if minutes is None:
        pdf.heading("Minutes of the previous meeting", 14)
        pdf.para(f"This is the first {pack.meeting.body.name} meeting in JoinedUp.")
        return
    held = minutes.meeting
    pdf.heading(f"Minutes of the previous meeting, {_day(held.date)}", 14)
    if held.venue:
        pdf.para(f"Venue: {held.venue}")
    pdf.para("Present", "B")
    pdf.para(_people(minutes.present))
    pdf.para("Apologies", "B")
    pdf.para(_people(minutes.apologies))
    if minutes.observers:
        pdf.para("Observers", "B")
        pdf.para(_people(minutes.observers))
    for item in minutes.items:
        number = f"{item.number}. " if item.number else ""
        pdf.para(f"{number}{item.title}", "B")
        if item.text:
            pdf.para(item.text)
        for decision in item.decision_lines:
            pdf.para(f"Decision: {decision}", "I")
    if minutes.actions:
        pdf.para("Actions set at the meeting", "B")
        pdf.rows(ACTION_HEADER, _action_rows(minutes.actions), ACTION_WIDTHS)


def _action_log(pdf: _PackPdf, pack: MeetingPack) -> None:
    pdf.add_page()
    pdf.heading("Action log", 14)
    pdf.para("Open actions, with their updates", "B")
    if pack.matters_arising:
        pdf.rows(ACTION_HEADER, _action_rows(pack.matters_arising), ACTION_WIDTHS)
    else:
        pdf.para("No open actions.")
    pdf.para("Cleared since the last meeting", "B")
    if pack.cleared:
        pdf.rows(ACTION_HEADER, _action_rows(pack.cleared), ACTION_WIDTHS)
    else:
        pdf.para("None cleared.")


def _heat_map(pdf: _PackPdf, heat_map: HeatMap) -> None:
    size, left = 14.0, pdf.l_margin + 22
    pdf.para("Risks by likelihood (rows) and impact (columns)", "B")
    top = pdf.get_y()
    pdf.set_font("Helvetica", size=9)
    for row, (likelihood, cells) in enumerate(heat_map):
        y = top + row * size
        pdf.set_text_color(11, 12, 12)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(22, size, f"Likelihood {likelihood}")
        for column, (_, count, rag) in enumerate(cells):
            pdf.set_fill_color(*RAG_FILL[rag])
            pdf.set_text_color(*RAG_INK[rag])
            pdf.set_xy(left + column * size, y)
            pdf.cell(size, size, str(count), border=1, align="C", fill=True)
    pdf.set_text_color(11, 12, 12)
    pdf.set_xy(left, top + 5 * size)
    for impact in scoring.SCALE:
        pdf.cell(size, 6, str(impact), align="C")
    pdf.set_xy(left, top + 5 * size + 6)
    pdf.cell(size * 5, 6, "Impact", align="C")
    pdf.ln(10)


def _risk_summary(pdf: _PackPdf, pack: MeetingPack) -> None:
    pdf.add_page()
    pdf.heading("Risk summary", 14)
    threshold = scoring.escalation_score()
    pdf.para(
        f"Risks escalated to the Executive: a score of {threshold} or more, or a review overdue."
    )
    if pack.escalated:
        pdf.rows(
            ("Risk", "Owner", "Score", "RAG", "Why"),
            [
                (r.title, r.owner, str(r.score), r.rag_label, "; ".join(why))
                for r, why in pack.escalated
            ],
            (65, 30, 15, 15, 65),
        )
    else:
        pdf.para("No risks to escalate.")
    _heat_map(pdf, pack.heat_map)


def pack_pdf(pack: MeetingPack, compress: bool = True) -> bytes:
    """The whole pack as one PDF."""
    meeting = pack.meeting
    title = meeting.title or meeting.body.name
    pdf = _PackPdf(pack.name)
    pdf.set_compression(compress)
    pdf.add_page()
    pdf.heading(title, 18)
    pdf.para(f"{meeting.body.name}, {meeting.date:%A %-d %B %Y}")
    if meeting.venue:
        pdf.para(f"Venue: {meeting.venue}")
    pdf.para("Meeting pack: agenda, minutes of the previous meeting, action log, risk summary.")
    pdf.ln(4)
    _agenda(pdf, pack)
    _previous_minutes(pdf, pack)
    _action_log(pdf, pack)
    _risk_summary(pdf, pack)
    return bytes(pdf.output())


def _log_row(action: ActionLogEntry) -> tuple[object, ...]:
    updates = _updates(action)
    return (
        action.get_status_display(),
        action.wording,
        action.owner_name,
        _day(action.raised_at.date),
        action.item,
        action.due_label,
        "\n".join(updates),
    )


def pack_workbook(pack: MeetingPack) -> bytes:
    """The logs as one Excel workbook: the agenda, the action log and the risk register."""
    agenda = [
        (item.number, item.title, item.text, "\n".join(item.decision_lines)) for item in pack.agenda
    ]
    actions = [_log_row(a) for a in [*pack.matters_arising, *pack.cleared]]
    escalated = {r.pk: "; ".join(why) for r, why in pack.escalated}
    risks = [
        (
            r.title,
            r.owner,
            r.likelihood,
            r.impact,
            r.score,
            r.rag_label,
            _day(r.review_on),
            escalated.get(r.pk, ""),
        )
        for r in pack.risks
    ]
    heat = [(likelihood, *(count for _, count, _ in cells)) for likelihood, cells in pack.heat_map]
    with tempfile.TemporaryDirectory(prefix="joinedup-pack-") as folder:
        path = Path(folder) / "pack.xlsx"
        write_workbook(
            path,
            [
                ("Agenda", ("Number", "Item", "Text", "Decisions"), agenda),
                (
                    "Action log",
                    ("Status", "Action", "Owner", "Raised", "Item", "Due", "Updates"),
                    actions,
                ),
                (
                    "Risks",
                    (
                        "Risk",
                        "Owner",
                        "Likelihood",
                        "Impact",
                        "Score",
                        "RAG",
                        "Next review",
                        "Escalated because",
                    ),
                    risks,
                ),
                (
                    "Heat map",
                    ("Likelihood", *(f"Impact {i}" for i in scoring.SCALE)),
                    heat,
                ),
            ],
        )
        return path.read_bytes()


def record_download(meeting: Meeting, file_format: str, by: User) -> None:
    """The pack names the partnership's members: who took a copy is kept in the audit log."""
    with transaction.atomic():
        record_by(
            by, "programme.pack_downloaded", "meeting", str(meeting.pk), {"format": file_format}
        )
