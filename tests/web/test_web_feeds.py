"""The feed pages: upload a partner extract, its load report and quarantine, fixing a refused row,
each feed's history and the late-delivery warning, under the roles of the policy table."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import signed_in, today
from joinedup.feeds import fixing, history, quarantine
from joinedup.feeds.contract import ContractError, contract_named, parse_contract
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.feeds import views
from joinedup.web.feeds.uploads import ReceivedFile, stream_uploads_to_incoming
from joinedup.web.governance.importer import import_register
from joinedup.web.governance.models import Agreement

FEED = "council_tax_support"
HEADER = "CLAIM_REF,CLAIMANT_NAME,DOB,ADDRESS,POSTCODE,CLAIM_START,CLAIM_END,WEEKLY_CTS,PASSPORTED"
GOOD = (
    'CTS0000001,"ASHWORTH, Mary",12-Jan-1946,1 Market Street,PR7 1DP,01-Apr-2019,,18.20,Y',
    'CTS0000002,"BRINDLE, John",03-Mar-1971,2 Union Street,PR7 1AB,15-May-2020,,12.05,N',
    'CTS0000003,"CLAYTON, Ann",30-Sep-1988,3 Park Road,PR7 1QS,09-Jun-2021,,9.99,N',
)
# Line 5: a date that does not exist; line 6: no claim reference; line 7: a field too many.
BAD = (
    'CTS0000004,"DUXBURY, Harold",12-Jan-1926,31 Derwent Drive,PR7 2UG,31-Feb-2018,,24.93,N',
    ',"EUXTON, Beth",01-Feb-1950,4 Mill Lane,PR7 3AA,01-Mar-2019,,10.00,Y',
    'CTS0000006,"FARINGTON, Tom",01-Feb-1950,Flat 3, 22 Brook Street,PR7 3AA,01-Mar-2019,,10.00,Y',
)
INVALID_DATE_LINE, NO_REFERENCE_LINE, FIELD_COUNT_LINE = 5, 6, 7


def extract(path: Path, rows: tuple[str, ...] = GOOD + BAD) -> Path:
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: None) -> Path:
    """An empty hub as the web app's data directory, with the seed register in the database."""
    home = tmp_path / "hub"
    home.mkdir()
    monkeypatch.setenv("JOINEDUP_HOME", str(home))
    import_register()
    return home


@pytest.fixture
def coordinator_client(make_user: Callable[..., User]) -> Client:
    return signed_in(make_user(Role.HUB_COORDINATOR))


@pytest.fixture
def analyst_client(make_user: Callable[..., User]) -> Client:
    return signed_in(make_user(Role.ANALYST))


def upload(client: Client, path: Path, feed: str = FEED) -> Any:
    with path.open("rb") as handle:
        return client.post(reverse("feeds:upload"), {"feed": feed, "file": handle})


@pytest.fixture
def delivered(hub: Path, coordinator_client: Client, tmp_path: Path) -> int:
    response = upload(coordinator_client, extract(tmp_path / "cts_november.csv"))
    assert response.status_code == 302
    (record,) = history.deliveries(hub, FEED)
    assert (
        response["Location"] == reverse("feeds:delivery", args=[record.delivery_id]) + "?uploaded=1"
    )
    return record.delivery_id


def test_an_upload_with_bad_rows_loads_the_good_ones_and_quarantines_the_rest_with_reasons(
    hub: Path, delivered: int, coordinator_client: Client
) -> None:
    record = history.delivery(hub, delivered)
    assert record is not None
    assert (record.read, record.loaded, record.quarantined) == (6, 3, 3)
    assert record.reconciles and record.file_name == "cts_november.csv"
    page = coordinator_client.get(reverse("feeds:delivery", args=[delivered])).content.decode()
    for reason in ("invalid_date", "missing_required", "wrong_field_count"):
        assert reason in page
    assert "not a real date in the contract&#x27;s format" in page
    fix_link = reverse("feeds:fix", args=[delivered, INVALID_DATE_LINE])
    assert fix_link in page
    event = AuditEvent.objects.get(verb="feeds.delivery_uploaded")
    assert event.detail["quarantined"] == 3 and event.object_id == str(delivered)
    # The hub keeps what it loaded in its zones, not the uploaded file.
    leftovers = [p for p in (hub / "incoming").rglob("*") if p.is_file()]
    assert leftovers == []


def test_the_coordinator_fixes_a_refused_row_and_it_loads_and_leaves_the_quarantine(
    hub: Path, delivered: int, coordinator_client: Client
) -> None:
    url = reverse("feeds:fix", args=[delivered, INVALID_DATE_LINE])
    page = coordinator_client.get(url).content.decode()
    assert "31-Feb-2018" in page and "DUXBURY, Harold" in page
    field = "column_5"  # CLAIM_START, the refused field
    still_wrong = coordinator_client.post(url, {field: "30-Feb-2018"})
    assert still_wrong.status_code == 400
    assert "CLAIM_START: not a real date" in still_wrong.content.decode()
    row = fixing.quarantined_row(hub, delivered, INVALID_DATE_LINE)
    assert row is not None and row.status == "open"
    assert len(history.deliveries(hub, FEED)) == 1  # nothing was resubmitted

    fixed = coordinator_client.post(url, {field: "28-Feb-2018"})
    assert fixed.status_code == 302
    assert (
        fixed["Location"]
        == reverse("feeds:delivery", args=[delivered]) + f"?fixed={INVALID_DATE_LINE}"
    )
    row = fixing.quarantined_row(hub, delivered, INVALID_DATE_LINE)
    assert row is not None and row.status == "resolved"
    original, resubmission = history.deliveries(hub, FEED)
    assert resubmission.kind == "resubmission" and resubmission.loaded == 1
    assert original.still_open == 2
    event = AuditEvent.objects.get(verb="feeds.row_fixed")
    assert event.detail["fields"] == ["CLAIM_START"] and event.detail["line"] == INVALID_DATE_LINE
    assert "28-Feb-2018" not in str(event.detail) and "DUXBURY" not in str(event.detail)
    assert AuditEvent.objects.filter(verb="feeds.quarantined_row_viewed").count() == 1


def test_a_row_without_its_record_id_is_fixed_too(
    hub: Path, delivered: int, coordinator_client: Client
) -> None:
    url = reverse("feeds:fix", args=[delivered, NO_REFERENCE_LINE])
    assert coordinator_client.post(url, {"column_0": "CTS0000005"}).status_code == 302
    row = fixing.quarantined_row(hub, delivered, NO_REFERENCE_LINE)
    assert row is not None and row.status == "resolved"


def test_a_row_that_cannot_be_read_into_columns_is_not_offered_for_fixing(
    hub: Path, delivered: int, coordinator_client: Client
) -> None:
    listed = coordinator_client.get(reverse("feeds:delivery", args=[delivered])).content.decode()
    assert f'See why<span class="govuk-visually-hidden"> line {FIELD_COUNT_LINE}' in listed
    assert f'Fix<span class="govuk-visually-hidden"> line {NO_REFERENCE_LINE}' in listed
    url = reverse("feeds:fix", args=[delivered, FIELD_COUNT_LINE])
    page = coordinator_client.get(url).content.decode()
    assert "cannot be fixed field by field" in page and "Check and resubmit" not in page
    assert coordinator_client.post(url, {}).status_code == 400
    row = fixing.quarantined_row(hub, delivered, FIELD_COUNT_LINE)
    assert row is not None and row.status == "open"


def test_an_analyst_sees_counts_and_reasons_but_never_the_rows(
    hub: Path, delivered: int, analyst_client: Client
) -> None:
    page = analyst_client.get(reverse("feeds:delivery", args=[delivered])).content.decode()
    assert "invalid_date" in page and "missing_required" in page
    for identifying in ("DUXBURY", "31-Feb-2018", "CTS0000004", "Derwent"):
        assert identifying not in page
    assert "/lines/" not in page  # no way to the rows
    assert analyst_client.get(reverse("feeds:fix", args=[delivered, 5])).status_code == 403
    assert analyst_client.get(reverse("feeds:upload")).status_code == 403
    overview = analyst_client.get(reverse("feeds:overview")).content.decode()
    assert reverse("feeds:feed", args=[FEED]) in overview
    assert reverse("feeds:upload") not in overview
    feed_page = analyst_client.get(reverse("feeds:feed", args=[FEED])).content.decode()
    assert "<svg" in feed_page and "Rows per delivery of council_tax_support" in feed_page


def test_a_practitioner_is_refused_the_feed_pages(
    hub: Path, delivered: int, make_user: Callable[..., User]
) -> None:
    client = signed_in(make_user(Role.PRACTITIONER))
    for url in (
        reverse("feeds:overview"),
        reverse("feeds:feed", args=[FEED]),
        reverse("feeds:delivery", args=[delivered]),
        reverse("feeds:upload"),
    ):
        assert client.get(url).status_code == 403, url


def test_only_feeds_under_an_agreement_in_force_are_offered_and_the_others_say_why(
    hub: Path, coordinator_client: Client, tmp_path: Path
) -> None:
    Agreement.objects.filter(reference="DSA-CBC-REVS-001").update(status="suspended")
    page = coordinator_client.get(reverse("feeds:upload")).content.decode()
    assert 'value="council_tax_support"' not in page
    assert "its agreement DSA-CBC-REVS-001 is not in force: its status is suspended" in page
    assert 'value="ae_attendances"' in page
    refused = upload(coordinator_client, extract(tmp_path / "cts.csv"))
    assert refused.status_code == 400
    assert history.deliveries(hub) == []


def test_a_file_the_agreement_does_not_cover_is_refused_whole_and_audited(
    hub: Path, coordinator_client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "cts.csv"
    path.write_text(HEADER + ",BANK_ACCOUNT\n" + GOOD[0] + ",12345678\n", encoding="utf-8")
    response = upload(coordinator_client, path)
    assert response.status_code == 400
    assert "BANK_ACCOUNT" in response.content.decode()
    assert history.deliveries(hub) == []
    event = AuditEvent.objects.get(verb="feeds.delivery_uploaded")
    assert event.detail["status"] == "refused"


def test_a_late_delivery_is_warned_of_on_the_overview_and_the_coordinators_home_page(
    hub: Path,
    delivered: int,
    coordinator_client: Client,
    analyst_client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivered_on = history.deliveries(hub, FEED)[0].loaded_at.date()
    every = contract_named(FEED).expected_every_days
    assert every == 31
    on_time = delivered_on + dt.timedelta(days=every)
    assert history.late_feeds(hub, on_time) == []
    (late,) = history.late_feeds(hub, on_time + dt.timedelta(days=3))
    assert late.contract.name == FEED and late.days_late == 3
    # Feeds never delivered have nothing to be late against.
    assert all(
        s.deliveries == 0 for s in history.feed_statuses(hub, on_time) if s.contract.name != FEED
    )

    assert "Late deliveries" not in coordinator_client.get(reverse("home")).content.decode()
    monkeypatch.setattr(views, "today", lambda: on_time + dt.timedelta(days=3))
    home = coordinator_client.get(reverse("home")).content.decode()
    assert "Late deliveries" in home and "3 days late" in home
    overview = analyst_client.get(reverse("feeds:overview")).content.decode()
    assert "Late deliveries" in overview
    assert "Late deliveries" not in analyst_client.get(reverse("home")).content.decode()


def test_an_upload_is_streamed_to_the_incoming_area_not_held_in_memory(
    hub: Path, tmp_path: Path
) -> None:
    rows = tuple(
        f'CTS{n:07d},"SURNAME, Forename",12-Jan-1946,{n} Long Road,PR7 1DP,01-Apr-2019,,18.20,Y'
        for n in range(60_000)
    )
    big = extract(tmp_path / "cts_big.csv", rows)
    size = big.stat().st_size
    assert size > 4_000_000
    with big.open("rb") as handle:
        request = RequestFactory().post("/feeds/upload/", {"feed": FEED, "file": handle})
    stream_uploads_to_incoming(request, hub)
    assert not any(isinstance(h, MemoryFileUploadHandler) for h in request.upload_handlers)
    tracemalloc.start()
    try:
        received = request.FILES["file"]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 8, f"{peak:,} bytes held while receiving {size:,}"
    assert isinstance(received, ReceivedFile)
    assert received.temporary_file_path().parent == hub / "incoming" / ".receiving"
    assert received.temporary_file_path().stat().st_size == size
    received.close()
    assert not received.temporary_file_path().exists()


def test_a_large_upload_loads_through_the_page(
    hub: Path, coordinator_client: Client, tmp_path: Path
) -> None:
    rows = tuple(
        f'CTS{n:07d},"SURNAME, Forename",12-Jan-1946,{n} Long Road,PR7 1DP,01-Apr-2019,,18.20,Y'
        for n in range(40_000)
    )
    assert upload(coordinator_client, extract(tmp_path / "cts_big.csv", rows)).status_code == 302
    (record,) = history.deliveries(hub, FEED)
    assert record.loaded == 40_000


def test_the_quarantine_reasons_of_a_delivery_are_counted_by_reason_and_field(
    hub: Path, delivered: int
) -> None:
    assert sorted((r, c, n) for r, c, n, _ in history.reasons(hub, delivered)) == [
        ("invalid_date", "CLAIM_START", 1),
        ("missing_required", "CLAIM_REF", 1),
        ("wrong_field_count", "*", 1),
    ]
    assert len(quarantine.list_entries(hub, quarantine.Filters(delivery_id=delivered))) == 3


def test_a_contract_schedule_must_be_a_whole_number_of_days() -> None:
    source = Path(f"{FEED}.toml")
    toml = files("joinedup.feeds").joinpath("contracts", source.name).read_text(encoding="utf-8")
    assert "expected_every_days = 31" in toml
    with pytest.raises(ContractError, match="expected_every_days"):
        parse_contract(source, toml.replace("expected_every_days = 31", "expected_every_days = 0"))
    unscheduled = parse_contract(source, toml.replace("expected_every_days = 31", ""))
    assert unscheduled.expected_every_days is None


def test_an_upload_or_a_fix_without_its_csrf_token_is_refused(
    hub: Path, delivered: int, make_user: Callable[..., User], tmp_path: Path
) -> None:
    strict = signed_in(
        make_user(Role.HUB_COORDINATOR, email="hc@council.example"), enforce_csrf_checks=True
    )
    with extract(tmp_path / "cts_december.csv", GOOD[:1]).open("rb") as handle:
        refused = strict.post(reverse("feeds:upload"), {"feed": FEED, "file": handle})
    assert refused.status_code == 403
    fix = reverse("feeds:fix", args=[delivered, INVALID_DATE_LINE])
    assert strict.post(fix, {"column_5": "28-Feb-2018"}).status_code == 403
    assert len(history.deliveries(hub, FEED)) == 1
    assert [p for p in (hub / "incoming").rglob("*") if p.is_file()] == []


def test_the_synthetic_borough_fills_every_feed_page(
    on_linked_home: Path, coordinator_client: Client
) -> None:
    """As after `joinedup demo`: every feed of the borough has its delivery and load report."""
    import_register()
    statuses = history.feed_statuses(on_linked_home, today())
    assert statuses and all(s.deliveries == 1 and not s.late for s in statuses)
    overview = coordinator_client.get(reverse("feeds:overview")).content.decode()
    records = history.deliveries(on_linked_home)
    for record in records[-10:]:  # the overview lists the ten latest
        assert reverse("feeds:delivery", args=[record.delivery_id]) in overview
    for record in records:
        assert reverse("feeds:feed", args=[record.feed]) in overview
        feed_page = coordinator_client.get(reverse("feeds:feed", args=[record.feed]))
        assert f"Delivery {record.delivery_id}" in feed_page.content.decode()
        assert "<rect" in feed_page.content.decode()
        report = coordinator_client.get(reverse("feeds:delivery", args=[record.delivery_id]))
        assert report.status_code == 200 and record.reconciles
    upload_page = coordinator_client.get(reverse("feeds:upload")).content.decode()
    assert all(f'value="{s.contract.name}"' in upload_page for s in statuses)


def test_the_coordinator_closes_a_row_that_will_not_be_fixed_with_a_note(
    hub: Path, delivered: int, coordinator_client: Client
) -> None:
    close = reverse("feeds:close", args=[delivered, FIELD_COUNT_LINE])
    assert coordinator_client.post(close, {"note": ""}).status_code == 400
    row = fixing.quarantined_row(hub, delivered, FIELD_COUNT_LINE)
    assert row is not None and row.status == "open"
    closed = coordinator_client.post(close, {"note": "The partner re-sent it in December"})
    assert (
        closed["Location"]
        == reverse("feeds:delivery", args=[delivered]) + f"?closed={FIELD_COUNT_LINE}"
    )
    row = fixing.quarantined_row(hub, delivered, FIELD_COUNT_LINE)
    assert row is not None and row.status == "closed"
    event = AuditEvent.objects.get(verb="feeds.row_closed")
    assert event.detail["closed"] == 1 and event.object_id == f"{delivered}:{FIELD_COUNT_LINE}"
    (record,) = history.deliveries(hub, FEED)
    assert record.still_open == 2
