"""Linkage a practitioner can question: a flag from the person page, inside a relationship only,
reaches the hub coordinator (record ids, never names) and `joinedup link review`; the
coordinator's finding becomes linkage decisions, applied at the next run, and the practitioner
sees it on the person page. On a small synthetic borough, loaded and linked for real."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from django.test import Client

from conftest import person_verbs, signed_in
from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.linkage.paths import decisions_path
from joinedup.linkage.persons import person_details
from joinedup.linkage.published import connect_linked
from joinedup.linkage.run import link
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import open_case
from joinedup.web.linkflags.models import FlagOutcome, LinkageFlag

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_linked_home")]
XSS = "<script>alert('flag')</script>"
UNDECIDABLE = "('same partner record', 'same valid NHS number')"

# A record with a name whose identity is held to its person by the model's links only, in a
# person known to three or more agencies: a record a decision can part from the rest.
MODEL_ONLY_RECORD = f"""
    WITH fixed AS (
        SELECT node_id_l AS node FROM link_edges WHERE evidence IN {UNDECIDABLE}
        UNION SELECT node_id_r FROM link_edges WHERE evidence IN {UNDECIDABLE}
    ), wide AS (
        SELECT person_key FROM link_record_persons GROUP BY 1 HAVING count(DISTINCT feed) >= 3
    )
    SELECT r.person_key, r.feed, i.record_id
    FROM link_record_persons AS r JOIN identity_records AS i USING (feed, record_key)
    WHERE r.node_id LIKE 'i%' AND r.node_id NOT IN (SELECT node FROM fixed)
      AND r.person_key IN (SELECT person_key FROM wide)
      AND coalesce(i.full_name, i.given_name) IS NOT NULL
    ORDER BY 1, 2, 3 LIMIT 1
"""


def rows(home: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    connection = connect_linked(home)
    try:
        return connection.execute(sql, params or []).fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="session")
def flagged_record(linked_home: Path) -> tuple[str, str, str]:
    """(person_key, feed, record_id) of a record only the model joined to its person."""
    found = rows(linked_home, MODEL_ONLY_RECORD)
    assert found, "the borough has no record joined by the model alone"
    key, feed, record_id = found[0]
    return str(key), str(feed), str(record_id)


@pytest.fixture
def hub_copy(on_linked_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The linked hub copied, for tests that record linkage decisions and link again."""
    copy = tmp_path / "hub"
    shutil.copytree(on_linked_home, copy, symlinks=True)
    monkeypatch.setenv(HOME_ENVIRONMENT_VARIABLE, str(copy))
    return copy


def on_a_case(person_key: str, worker: User, coordinator: User) -> None:
    open_case(
        person_key,
        organisation=worker.organisation,
        opened_by=coordinator,
        lead_professional=worker,
    )


def flag_url(person_key: str) -> str:
    return f"/linkage-flags/person/{person_key}/"


def send_flag(client: Client, person_key: str, **fields: object) -> object:
    form = {"kind": "not_same_person", "details": "A different date of birth", **fields}
    return client.post(flag_url(person_key), form)


def test_a_flag_goes_to_the_coordinator_is_resolved_and_the_records_split_at_the_next_run(
    practitioner: User,
    coordinator: User,
    flagged_record: tuple[str, str, str],
    hub_copy: Path,
) -> None:
    key, feed, record_id = flagged_record
    details = person_details(hub_copy, key)
    agency = next(r.agency for r in details.records if r.record_id == record_id)
    on_a_case(key, practitioner, coordinator)
    worker = signed_in(practitioner)

    page = worker.get(f"/people/{key}/").content.decode()
    assert "Flag a problem with this record" in page
    assert f'value="{feed}:{record_id}"' in page  # the record, to tick
    sent = send_flag(worker, key, records=[f"{feed}:{record_id}"], details=f"Not him {XSS}")
    assert sent.status_code == 302 and sent["Location"] == f"/people/{key}/#flags"  # type: ignore[attr-defined]
    flag = LinkageFlag.objects.get()
    assert flag.records == [{"feed": feed, "agency": agency, "record_id": record_id}]

    # The coordinator sees the person key, the agency and the record id, and no name.
    hub = signed_in(coordinator)
    listed = hub.get("/linkage-flags/").content.decode()
    assert key in listed and record_id in listed and html.escape(agency) in listed
    shown = hub.get(f"/linkage-flags/{flag.pk}/").content.decode()
    assert record_id in shown and html.escape(XSS) in shown and XSS not in shown
    for name in {r.name for r in details.records if r.name}:
        assert html.escape(name) not in listed + shown, name
    resolved = hub.post(
        f"/linkage-flags/{flag.pk}/",
        {"outcome": FlagOutcome.CHANGED, "note": "The fire service confirms another man"},
    )
    assert resolved.status_code == 302
    flag.refresh_from_db()
    assert flag.outcome == FlagOutcome.CHANGED and flag.decisions > 0 and not flag.held_by
    assert "No flags are waiting" in hub.get("/linkage-flags/").content.decode()

    # The practitioner sees the outcome on the person page.
    page = worker.get(f"/people/{key}/").content.decode()
    assert "Records split or merged at the next linkage run" in page
    assert "The fire service confirms another man" in page
    assert html.escape(XSS) in page and XSS not in page

    assert person_verbs(key) == [
        "person.viewed",
        "linkage.flagged",
        "linkage.flag_resolved",
        "person.viewed",
    ]
    flagged = AuditEvent.objects.get(verb="linkage.flagged")
    assert flagged.actor == practitioner.email
    assert flagged.detail == {"person_key": key, "kind": "not_same_person"}
    settled = AuditEvent.objects.get(verb="linkage.flag_resolved")
    assert settled.actor == coordinator.email and settled.detail["outcome"] == "changed"
    assert "note" not in settled.detail and "details" not in flagged.detail
    assert verify().intact

    # The decisions part the record from the person at the next linkage run.
    report = link(hub_copy)
    assert report.split_keys >= 1
    now = rows(
        hub_copy,
        "SELECT p.person_key FROM link_record_persons AS p JOIN identity_records AS i "
        "USING (feed, record_key) WHERE p.feed = ? AND i.record_id = ?",
        [feed, record_id],
    )
    assert now and now[0][0] != key
    reasons = rows(
        hub_copy,
        "SELECT reason FROM link_key_changes WHERE change = 'split' AND person_key = ?",
        [key],
    )
    assert any("reviewer decided" in str(r[0]) for r in reasons)


def test_without_a_relationship_a_flag_is_refused_as_not_found_and_audited(
    practitioner: User, flagged_record: tuple[str, str, str]
) -> None:
    key, feed, record_id = flagged_record
    refused = send_flag(signed_in(practitioner), key, records=[f"{feed}:{record_id}"])
    assert refused.status_code == 404  # type: ignore[attr-defined]
    assert "You cannot see this person" in refused.content.decode()  # type: ignore[attr-defined]
    assert not LinkageFlag.objects.exists()
    denied = AuditEvent.objects.get(verb="access.denied", object_id=key)
    assert denied.detail["reason"] == "no legitimate relationship"
    assert person_verbs(key) == ["access.denied"]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.EXECUTIVE_MEMBER])
def test_analysts_and_executives_can_neither_flag_nor_see_flags(
    role: Role, make_user: Callable[..., User], flagged_record: tuple[str, str, str]
) -> None:
    key = flagged_record[0]
    client = signed_in(make_user(role))
    for response in (
        send_flag(client, key),
        client.get("/linkage-flags/"),
        client.get("/referrals/case-finding/"),
    ):
        assert response.status_code == 403  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(verb="access.denied").count() == 3
    assert not LinkageFlag.objects.exists()


def test_a_practitioner_cannot_reach_the_coordinators_flags(
    practitioner: User, coordinator: User
) -> None:
    flag = LinkageFlag.objects.create(
        person_key="P000000001", kind="another_record", details="d", flagged_by=practitioner
    )
    client = signed_in(practitioner)
    assert client.get("/linkage-flags/").status_code == 403
    refused = client.post(f"/linkage-flags/{flag.pk}/", {"outcome": "linkage_right", "note": "n"})
    assert refused.status_code == 403
    flag.refresh_from_db()
    assert flag.is_open


def test_a_flag_without_the_records_in_question_is_shown_again_with_the_error(
    practitioner: User, coordinator: User, flagged_record: tuple[str, str, str]
) -> None:
    key = flagged_record[0]
    on_a_case(key, practitioner, coordinator)
    refused = send_flag(signed_in(practitioner), key, details="")
    body = refused.content.decode()  # type: ignore[attr-defined]
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "There is a problem" in body and "Select the records that are not this person" in body
    assert "Say what makes you think the records are wrong" in body
    assert not LinkageFlag.objects.exists()
    assert person_verbs(key) == ["person.viewed"]  # the page shown again is a view


def test_another_record_is_joined_by_one_decision_or_checked_as_right(
    practitioner: User,
    coordinator: User,
    flagged_record: tuple[str, str, str],
    hub_copy: Path,
) -> None:
    key = flagged_record[0]
    other = str(
        rows(
            hub_copy, "SELECT min(person_key) FROM link_person_nodes WHERE person_key <> ?", [key]
        )[0][0]
    )
    on_a_case(key, practitioner, coordinator)
    worker, hub = signed_in(practitioner), signed_in(coordinator)
    for _ in range(2):
        send_flag(worker, key, kind="another_record", details="Known to us under her maiden name")
    first, second = LinkageFlag.objects.order_by("pk")
    assert first.records == []
    missing = hub.post(f"/linkage-flags/{first.pk}/", {"outcome": "changed", "note": "Found"})
    assert missing.status_code == 400
    assert "Enter the other record&#x27;s person key" in missing.content.decode()
    joined = hub.post(
        f"/linkage-flags/{first.pk}/",
        {"outcome": "changed", "other_person_key": other, "note": "Found her"},
    )
    assert joined.status_code == 302
    first.refresh_from_db()
    assert (first.decisions, first.other_person_key) == (1, other)
    with duckdb.connect(str(decisions_path(hub_copy)), read_only=True) as store:
        kept = store.execute("SELECT decision, reviewer, note FROM link_decisions").fetchall()
    assert kept == [("same_person", coordinator.email, f"practitioner flag {first.reference}")]
    checked = hub.post(
        f"/linkage-flags/{second.pk}/", {"outcome": "linkage_right", "note": "No other record"}
    )
    assert checked.status_code == 302
    again = hub.post(f"/linkage-flags/{second.pk}/", {"outcome": "changed", "note": "x"})
    assert again.status_code == 409 and "has been resolved already" in again.content.decode()
    page = worker.get(f"/people/{key}/").content.decode()
    assert "Checked: the linkage is right" in page and "No other record" in page


def test_link_review_lists_the_practitioners_open_flags(tmp_path: Path, linked_home: Path) -> None:
    """`joinedup link review` reads the flags from the hub's web database (its own process)."""
    hub = tmp_path / "hub"
    shutil.copytree(linked_home, hub, symlinks=True)
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("DJANGO_SETTINGS_MODULE", HOME_ENVIRONMENT_VARIABLE, "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    make_flag = (
        "import sys; from pathlib import Path\n"
        "from joinedup.web.governance.register import open_hub_database\n"
        "open_hub_database(Path(sys.argv[1]))\n"
        "from joinedup.web.accounts.models import Organisation, User\n"
        "from joinedup.web.linkflags.models import LinkageFlag\n"
        "o = Organisation.objects.create(name='Lancashire Constabulary')\n"
        "u = User.objects.create_user('pat@police.example', 'x' * 20, organisation=o)\n"
        "LinkageFlag.objects.create(person_key='P000000042', kind='not_same_person',"
        " records=[{'feed': 'police_incidents', 'agency': 'Police', 'record_id': 'INC1'}],"
        " details='Not him', flagged_by=u)\n"
    )
    for command in (
        [sys.executable, "-c", make_flag, str(hub)],
        [sys.executable, "-m", "joinedup.cli", "link", "review", "--json", "--home", str(hub)],
    ):
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, check=False, timeout=180
        )
        assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert "pairs" in listed
    assert listed["practitioner_flags"] == [
        {
            "flag": "FLAG-000001",
            "person_key": "P000000042",
            "kind": "These records are not all the same person",
            "records": ["police_incidents INC1"],
            "details": "Not him",
            "flagged_at": listed["practitioner_flags"][0]["flagged_at"],
        }
    ]
