"""A subject access report: everything the hub holds on one person, for the IG lead to release.

Each section is one collector in ``COLLECTORS``, so a new kind of record joins the report in one
line. Columns that name someone other than the person (staff, other agencies' workers) or that
hold free text are marked for the IG lead to review for third-party information before the
report is released (UK GDPR Article 15(4); DPA 2018 Schedule 2 Part 3). Making the report is
itself audited.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.analytics.base import NotReadyError, open_base
from joinedup.exports import write_workbook
from joinedup.linkage.persons import UnknownPersonError, person_details
from joinedup.linkage.published import NotLinkedError
from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.models import (
    Action,
    Case,
    CaseNote,
    CaseWorker,
    ConsentRecord,
    Need,
    PamAssessment,
    SwemwbsAssessment,
)
from joinedup.web.community.models import AssetReferral
from joinedup.web.mdt.models import AgendaItem
from joinedup.web.people.models import BreakGlass
from joinedup.web.referrals.models import Referral

THIRD_PARTY = "[third party]"


@dataclass(frozen=True)
class Section:
    title: str
    header: list[str]
    rows: list[list[object]]
    note: str = ""
    # Header names to review before release: they name other people or hold free text.
    review_columns: frozenset[str] = field(default_factory=frozenset)

    def marked_header(self) -> list[str]:
        return [
            f"{name} {THIRD_PARTY if name in self.review_columns else ''}".strip()
            for name in self.header
        ]


@dataclass(frozen=True)
class Report:
    person_key: str
    made_at: dt.datetime
    made_by: str
    sections: list[Section]

    @property
    def records(self) -> int:
        return sum(len(s.rows) for s in self.sections)


Collector = Callable[[Path, str], Section]


def _text(value: object) -> object:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value.tzinfo else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row(*values: object) -> list[object]:
    return [_text(v) for v in values]


def identity_section(home: Path, person_key: str) -> Section:
    header = ["agency", "feed", "record id", "date", "name", "date of birth", "sex"]
    header += ["NHS number", "postcode", "address"]
    try:
        records = person_details(home, person_key).records
    except (UnknownPersonError, NotLinkedError):
        records = []
    rows = [
        _row(r.agency, r.feed, r.record_id, r.event_date, r.name, r.birth_date, r.sex,
             r.nhs_number, r.postcode, r.address)
        for r in records
    ]  # fmt: skip
    return Section("Records from partners", header, rows)


def events_section(home: Path, person_key: str) -> Section:
    header = ["date", "what happened", "agency", "code", "value"]
    try:
        connection = open_base(home)
    except (NotReadyError, NotLinkedError):
        return Section("Events in the analytic zone", header, [])
    try:
        rows = connection.execute(
            "SELECT event_date, kind, agency, code, value FROM events WHERE person_key = ? "
            "ORDER BY event_date, kind",
            [person_key],
        ).fetchall()
    finally:
        connection.close()
    return Section(
        "Events in the analytic zone",
        header,
        [_row(*r) for r in rows],
        note="The same records as above, held under a pseudonymous key for analysis.",
    )


def cases_section(_home: Path, person_key: str) -> Section:
    header = ["case", "organisation", "status", "opened", "closed"]
    rows = [
        _row(c.reference, c.organisation.name, c.get_status_display(), c.opened_at, c.closed_at)
        for c in Case.objects.filter(person_key=person_key).select_related("organisation")
    ]
    return Section("Cases", header, rows)


def case_workers_section(_home: Path, person_key: str) -> Section:
    header = ["case", "worker", "organisation", "role", "from", "until"]
    places = CaseWorker.objects.filter(case__person_key=person_key).select_related(
        "case", "user__organisation"
    )
    rows = [
        _row(p.case.reference, p.user.full_name or p.user.email, p.user.organisation.name,
             p.get_role_display(), p.added_at, p.removed_at)
        for p in places
    ]  # fmt: skip
    return Section("Workers on the cases", header, rows, review_columns=frozenset({"worker"}))


def break_glass_section(_home: Path, person_key: str) -> Section:
    header = ["when", "who", "organisation", "reason", "until", "review"]
    grants = BreakGlass.objects.filter(person_key=person_key).select_related("user__organisation")
    rows = [
        _row(g.started_at, g.user.full_name or g.user.email, g.user.organisation.name, g.reason,
             g.expires_at, g.get_review_outcome_display() or "not yet reviewed")
        for g in grants
    ]  # fmt: skip
    return Section(
        "Emergency (break-glass) access",
        header,
        rows,
        review_columns=frozenset({"who", "reason"}),
    )


def audit_section(_home: Path, person_key: str) -> Section:
    header = ["when", "who", "what", "purpose"]
    events = AuditEvent.objects.filter(
        Q(object_type="person", object_id=person_key) | Q(detail__person_key=person_key)
    ).order_by("sequence")
    rows = [_row(e.at, e.actor, e.verb, str(e.detail.get("purpose", ""))) for e in events]
    return Section(
        "Views and changes to the record",
        header,
        rows,
        note="From the audit log: every view of the person, every change to their case.",
        review_columns=frozenset({"who"}),
    )


def referrals_section(_home: Path, person_key: str) -> Section:
    header = ["referral", "submitted", "by", "organisation", "name", "date of birth"]
    header += ["NHS number", "address", "postcode", "consent", "needs", "risks", "urgency"]
    header += ["tried", "status", "outcome"]
    referrals = Referral.objects.filter(person_key=person_key).select_related(
        "referred_by", "organisation"
    )
    rows = [
        _row(r.reference, r.submitted_at, r.referred_by.email, r.organisation.name,
             f"{r.given_name} {r.family_name}", r.birth_date, r.nhs_number, r.address,
             r.postcode, r.get_consent_display(), json.dumps(r.needs), ", ".join(r.risks),
             r.get_urgency_display(), r.tried, r.get_status_display(), r.outcome)
        for r in referrals
    ]  # fmt: skip
    return Section(
        "Referrals", header, rows, review_columns=frozenset({"by", "needs", "tried", "outcome"})
    )


def case_records_section(_home: Path, person_key: str) -> Section:
    """Needs and goals, actions, notes, consent, outcome measures, MDT discussions and referrals
    to community support: one row each, by date."""
    header = ["case", "when", "kind", "what", "by"]
    rows: list[list[object]] = []
    for need in Need.objects.filter(case__person_key=person_key).select_related("case"):
        what = f"{need.get_domain_display()}: {need.need}. Goal: {need.goal}"
        rows.append(_row(need.case.reference, need.added_at, "need and goal", what, ""))
    for action in Action.objects.filter(case__person_key=person_key).select_related(
        "case", "owner"
    ):
        what = f"{action.description} (due {action.due}, {action.get_status_display()})"
        rows.append(
            _row(action.case.reference, action.added_at, "action", what, action.owner.email)
        )
    for note in CaseNote.objects.filter(case__person_key=person_key).select_related(
        "case", "author"
    ):
        rows.append(
            _row(note.case.reference, note.written_at, "note", note.text, note.author.email)
        )
    for consent in ConsentRecord.objects.filter(case__person_key=person_key).select_related("case"):
        what = f"{consent.get_decision_display()} on {consent.decided_on} {consent.lawful_basis}"
        rows.append(_row(consent.case.reference, consent.recorded_at, "consent", what.strip(), ""))
    for pam in PamAssessment.objects.filter(case__person_key=person_key).select_related("case"):
        what = f"Patient Activation Measure level {pam.level}, score {pam.score}"
        rows.append(_row(pam.case.reference, pam.assessed_on, "assessment", what, ""))
    for wellbeing in SwemwbsAssessment.objects.filter(case__person_key=person_key).select_related(
        "case"
    ):
        what = f"SWEMWBS raw total {wellbeing.raw_total}"
        rows.append(_row(wellbeing.case.reference, wellbeing.assessed_on, "assessment", what, ""))
    for item in AgendaItem.objects.filter(case__person_key=person_key).select_related(
        "case", "meeting"
    ):
        what = f"MDT meeting {item.meeting.held_on}: {item.summary} Decision: {item.decision}"
        rows.append(_row(item.case.reference, item.discussed_at, "MDT discussion", what, ""))
    for signposted in AssetReferral.objects.filter(case__person_key=person_key).select_related(
        "case", "asset", "referred_by"
    ):
        what = (
            f"Referred to {signposted.asset.name} for {signposted.need_label}: "
            f"{signposted.take_up_label}. {signposted.outcome}"
        ).strip()
        rows.append(
            _row(signposted.case.reference, signposted.referred_on, "community support", what,
                 signposted.referred_by.email)
        )  # fmt: skip
    rows.sort(key=lambda row: (str(row[0]), str(row[1])))
    return Section("Case records", header, rows, review_columns=frozenset({"what", "by"}))


COLLECTORS: list[Collector] = [
    identity_section,
    events_section,
    referrals_section,
    cases_section,
    case_workers_section,
    case_records_section,
    break_glass_section,
    audit_section,
]


def subject_access_report(home: Path, person_key: str, made_by: User) -> Report:
    """Collect every section for ``person_key``; audited, with the number of records in each."""
    sections = [collect(home, person_key) for collect in COLLECTORS]
    report = Report(person_key, timezone.now(), made_by.email, sections)
    with transaction.atomic():
        record_by(
            made_by,
            "subject_access.exported",
            "person",
            person_key,
            {
                "person_key": person_key,
                "sections": {s.title: len(s.rows) for s in sections},
                "purpose": "Subject access request (UK GDPR Article 15)",
            },
        )
    return report


def as_workbook(report: Report) -> bytes:
    """The report as an Excel workbook: a cover sheet, then one sheet per section."""
    cover: list[list[object]] = [
        ["Subject access report for person key", report.person_key],
        ["Made", _text(report.made_at)],
        ["Made by", report.made_by],
        [
            "Before release",
            f"Review every column marked {THIRD_PARTY} for information about other people.",
        ],
        *[_row(s.title, f"{len(s.rows)} records. {s.note}".strip()) for s in report.sections],
    ]
    sheets: list[tuple[str, list[str], list[list[object]]]] = [("Cover", ["", ""], cover)]
    sheets += [(s.title[:31], s.marked_header(), s.rows) for s in report.sections]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "subject-access.xlsx"
        write_workbook(path, sheets)
        return path.read_bytes()
