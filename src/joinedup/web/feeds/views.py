"""The feed pages: upload a partner's extract, each delivery's load report and quarantine, fixing
a refused row, and each feed's history. Who may open each is the policy table's business; the
loading, the checks and the lateness rule live in ``joinedup.feeds``.

A quarantined row's values are the partner's row as sent, identifiable: they appear only on the
fix page, which needs ``load_feeds`` (the hub coordinator). Analysts see where rows are and why.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.feeds import fixing, history, quarantine
from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.feeds.contract import ContractError, contract_named
from joinedup.feeds.incoming import load_received, offers
from joinedup.feeds.report import LoadReport
from joinedup.feeds.secret import KeyUnavailableError
from joinedup.feeds.store import StoreBusyError
from joinedup.home import resolve_home
from joinedup.web.accounts.enforcement import render_with_permissions, signed_in_user, user_holds
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission
from joinedup.web.audit.chain import record_by
from joinedup.web.feeds.chart import rows_per_delivery_svg
from joinedup.web.feeds.forms import CloseRowForm, FixRowForm, UploadForm
from joinedup.web.feeds.uploads import ReceivedFile, stream_uploads_to_incoming
from joinedup.web.governance.register import database_register

# A delivery's page lists at most this many quarantined rows (the counts cover them all).
ROWS_LISTED = 500
NOTHING_LOADED = (StoreBusyError, KeyUnavailableError, ContractError, AgreementRefusedError)


def today() -> dt.date:
    return timezone.localdate()


def late_feeds_today() -> list[history.FeedStatus]:
    """The feeds whose expected delivery is late today (for the coordinator's home page)."""
    return history.late_feeds(resolve_home(), today())


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    statuses = history.feed_statuses(resolve_home(), today())
    partners = [
        (partner, list(feeds))
        for partner, feeds in groupby(
            sorted(statuses, key=lambda s: (s.contract.partner, s.contract.name)),
            key=lambda s: s.contract.partner,
        )
    ]
    recent = list(reversed(history.deliveries(resolve_home())))[:10]
    return render_with_permissions(
        request,
        "feeds/overview.html",
        {
            "partners": partners,
            "late": [s for s in statuses if s.late],
            "recent": recent,
            "today": today(),
        },
    )


@require_GET
def feed_page(request: HttpRequest, feed: str) -> HttpResponse:
    try:
        contract = contract_named(feed)
    except ContractError as error:
        raise Http404("no such feed") from error
    home = resolve_home()
    status = next(s for s in history.feed_statuses(home, today()) if s.contract.name == feed)
    records = history.deliveries(home, feed)
    return render_with_permissions(
        request,
        "feeds/feed.html",
        {
            "contract": contract,
            "status": status,
            "deliveries": list(reversed(records)),
            "chart": mark_safe(  # drawn by ElementTree, every text escaped
                rows_per_delivery_svg(feed, [r for r in records if r.kind == "delivery"])
            ),
        },
    )


@require_GET
def delivery_page(request: HttpRequest, delivery_id: int) -> HttpResponse:
    home = resolve_home()
    record = history.delivery(home, delivery_id)
    if record is None:
        raise Http404("no such delivery")
    rows = quarantine.list_entries(
        home, quarantine.Filters(delivery_id=delivery_id, status=None), ROWS_LISTED
    )
    by_reason = [
        (reason, quarantine.describe(reason), column, count, still_open)
        for reason, column, count, still_open in history.reasons(home, delivery_id)
    ]
    return render_with_permissions(
        request,
        "feeds/delivery.html",
        {
            "delivery": record,
            "contract": contract_named(record.feed),
            "by_reason": by_reason,
            "rows": [{**row, "why": quarantine.describe(str(row["reason"]))} for row in rows],
            "more_rows": max(record.quarantined - len(rows), 0),
            "fixable": (
                fixing.fixable_lines(home, delivery_id)
                if user_holds(request, Permission.LOAD_FEEDS)
                else set()
            ),
            "uploaded": request.GET.get("uploaded") == "1",
            "fixed_line": fixed if (fixed := request.GET.get("fixed", "")).isdigit() else "",
            "closed_line": closed if (closed := request.GET.get("closed", "")).isdigit() else "",
        },
    )


@csrf_exempt  # checked by csrf_protect below, once the upload is being streamed to disk
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # Before anything reads the body: the CSRF check reads request.POST, which would parse
        # the upload with the default handlers (in memory, or in the shared temporary folder).
        stream_uploads_to_incoming(request, resolve_home())
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    on = today()
    offered = offers(database_register(), on)
    form = UploadForm(request.POST or None, request.FILES or None, offers=offered)
    report: LoadReport | None = None
    problem = ""
    if request.method == "POST" and form.is_valid():
        received = form.cleaned_data["file"]
        if not isinstance(received, ReceivedFile):
            raise TypeError("an upload must be streamed to the incoming area, not held in memory")
        feed = form.cleaned_data["feed"]
        try:
            report = load_received(
                resolve_home(), feed, received.temporary_file_path(), received.name or feed
            )
        except NOTHING_LOADED as error:
            problem = f"Nothing was loaded: {error}"
        finally:
            received.close()
        _audit_upload(request, feed, received.name or "", report, problem)
        if report is not None and report.status == "loaded":
            return redirect(reverse("feeds:delivery", args=[report.delivery_id]) + "?uploaded=1")
        if report is not None:
            problem = report.message
    return render_with_permissions(
        request,
        "feeds/upload.html",
        {
            "form": form,
            "offered": [o for o in offered if not o.not_offered_because],
            "not_offered": [o for o in offered if o.not_offered_because],
            "error": problem,
            "error_target": "id_file",
            "report": report,
        },
        status=400 if request.method == "POST" else 200,
    )


def _audit_upload(
    request: HttpRequest, feed: str, name: str, report: LoadReport | None, problem: str
) -> None:
    detail: dict[str, object] = {"feed": feed, "file": name}
    if report is not None:
        detail |= {
            "status": report.status,
            "read": report.read,
            "loaded": report.loaded,
            "quarantined": report.quarantined,
            "reconciles": report.reconciles,
        }
    else:
        detail |= {"status": "refused", "reason": problem}
    with transaction.atomic():
        record_by(
            signed_in_user(request),
            "feeds.delivery_uploaded",
            "delivery",
            str(report.delivery_id or "") if report is not None else "",
            detail,
        )


@require_http_methods(["GET", "POST"])
def fix_row(request: HttpRequest, delivery_id: int, line: int) -> HttpResponse:
    row = _row_or_404(delivery_id, line)
    form = FixRowForm(request.POST or None, contract=contract_named(row.feed), row=row)
    return _fix_page(request, row, form, CloseRowForm())


def _row_or_404(delivery_id: int, line: int) -> fixing.QuarantinedRow:
    row = fixing.quarantined_row(resolve_home(), delivery_id, line)
    if row is None:
        raise Http404("no such quarantined row")
    return row


def _fix_page(
    request: HttpRequest, row: fixing.QuarantinedRow, form: FixRowForm, close_form: CloseRowForm
) -> HttpResponse:
    home = resolve_home()
    contract = contract_named(row.feed)
    user = signed_in_user(request)
    delivery_id, line = row.delivery_id, row.line
    problem = ""
    if request.method == "POST" and row.fixable and form.is_valid():
        values = form.fixed_values(row)
        objections = fixing.check_values(contract, values)
        if objections:
            form.refuse(objections)
        else:
            try:
                report = fixing.resubmit(home, row, values)
            except NOTHING_LOADED as error:
                problem = f"Nothing was loaded: {error}"
            else:
                _audit(user, "feeds.row_fixed", row, form, report=report.as_dict())
                if report.status == "loaded" and report.resolved:
                    return redirect(
                        reverse("feeds:delivery", args=[delivery_id]) + f"?fixed={line}"
                    )
                problem = report.message or "The fixed row was quarantined again"
    elif request.method == "GET":
        _audit(user, "feeds.quarantined_row_viewed", row, form)
    return render_with_permissions(
        request,
        "feeds/fix.html",
        {
            "row": row,
            "contract": contract,
            "form": form,
            "close_form": close_form,
            "error": problem,
            "error_target": "fix",
            "problems": [(p, quarantine.describe(p.reason)) for p in row.problems],
            "kept": [
                (name, value)
                for name, value in (row.values or {}).items()
                if name not in row.refused_columns(contract)
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def close_row(request: HttpRequest, delivery_id: int, line: int) -> HttpResponse:
    """Close an open quarantined row that will not be fixed, with the coordinator's note."""
    row = _row_or_404(delivery_id, line)
    contract = contract_named(row.feed)
    close_form = CloseRowForm(request.POST)
    if row.status == "open" and close_form.is_valid():
        note = close_form.cleaned_data["note"]
        try:
            closed = quarantine.close(resolve_home(), delivery_id, [line], note)
        except StoreBusyError as error:
            close_form.add_error("note", str(error))
        else:
            form = FixRowForm(contract=contract, row=row)
            _audit(signed_in_user(request), "feeds.row_closed", row, form, closed=closed)
            return redirect(reverse("feeds:delivery", args=[delivery_id]) + f"?closed={line}")
    return _fix_page(request, row, FixRowForm(contract=contract, row=row), close_form)


def _audit(
    user: User, verb: str, row: fixing.QuarantinedRow, form: FixRowForm, **more: object
) -> None:
    """Which row and which fields: never the values (they are identifiable)."""
    detail: dict[str, object] = {
        "feed": row.feed,
        "delivery": row.delivery_id,
        "line": row.line,
        "fields": list(form.columns.values()),
        **more,
    }
    with transaction.atomic():
        record_by(user, verb, "quarantined_row", f"{row.delivery_id}:{row.line}", detail)
