"""The register the feed loader obeys is the web database's, when the hub has a web app (GDPR-06):
an agreement suspended or ended there refuses its partner's deliveries, naming it and why, and
the IG lead is told; a hub without a web app still loads under its TOML register.

The command-line runs are separate processes: this one has Django set up for the test database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client

from joinedup.feeds.agreements import RegisterUnavailableError, load_register
from joinedup.feeds.agreements import reviews_due as toml_reviews_due
from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.web import SETTINGS_MARKER, operational_database
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import record
from joinedup.web.governance.importer import import_register
from joinedup.web.governance.models import Agreement
from joinedup.web.governance.reviews import reviews_due

# The user's environment: pytest-django's settings module is not theirs.
ENVIRONMENT = {
    k: v
    for k, v in os.environ.items()
    if k not in ("DJANGO_SETTINGS_MODULE", HOME_ENVIRONMENT_VARIABLE, "DJANGO_ALLOW_ASYNC_UNSAFE")
}
VCS = (
    '"Ref","Name","Date of birth","Postcode","Referred on","Referred by","Service","Outcome"\n'
    '"VCS-000001","Ann Smith","01/02/1950","PR7 1AB","03/04/2020","Self","Befriending","Engaged"\n'
)
FIRE = (
    "INCIDENT_NUMBER,ACTIVITY,ACTIVITY_DATE,OCCUPIER_NAME,OCCUPIER_DOB,ADDRESS,POSTCODE,"
    "RISK_SCORE,SMOKE_ALARM_FITTED\n"
    "LFRS-000001,HFSC,2020-05-06,Mrs Eileen Ross,1940-03-02,1 Market Street,PR7 1DP,3,Y\n"
)


def joinedup(home: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "joinedup.cli", *arguments, "--home", str(home)],
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


@pytest.fixture
def deliveries(tmp_path: Path) -> Path:
    """One delivery from the voluntary sector (DSA-VCFS-001), one from the fire service (DSA-LFRS-001)."""
    folder = tmp_path / "extracts"
    folder.mkdir()
    (folder / "vcs_referrals.csv").write_text(VCS, encoding="utf-8")
    (folder / "lfrs_activity.csv").write_text(FIRE, encoding="utf-8")
    return folder


def by_feed(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, object]]:
    return {d["feed"]: d for d in json.loads(result.stdout)["deliveries"]}


def test_the_loader_obeys_the_register_in_the_web_database(
    tmp_path: Path, deliveries: Path
) -> None:
    hub = tmp_path / "hub"
    imported = joinedup(hub, "agreements", "import", "--json")
    assert imported.returncode == 0, imported.stderr
    assert len(json.loads(imported.stdout)["created"]) == 10
    # What the IG lead does on the agreement's page: suspend one, end another early.
    with sqlite3.connect(operational_database(hub)) as database:
        database.execute(
            "UPDATE governance_agreement SET status = 'suspended' WHERE reference = 'DSA-VCFS-001'"
        )
        database.execute(
            "UPDATE governance_agreement SET review = '2020-06-30', \"end\" = '2020-12-31' "
            "WHERE reference = 'DSA-LFRS-001'"
        )
    database.close()

    loaded = joinedup(hub, "load", str(deliveries), "--json")

    assert loaded.returncode == 1, loaded.stderr
    reports = by_feed(loaded)
    vcs, fire = str(reports["vcs_referrals"]["message"]), str(reports["fire_activity"]["message"])
    assert reports["vcs_referrals"]["status"] == reports["fire_activity"]["status"] == "refused"
    assert "agreement DSA-VCFS-001 is not in force" in vcs and "status is suspended" in vcs
    assert "agreement DSA-LFRS-001 is not in force" in fire and "ended on 2020-12-31" in fire
    assert "information governance lead has been told" in fire
    # The IG lead is told in the web app (audit events the banner shows) and in the hub's log.
    with sqlite3.connect(operational_database(hub)) as database:
        notices = database.execute(
            "SELECT verb, object_id, detail FROM audit_auditevent WHERE verb LIKE 'notice.%' "
            "ORDER BY sequence"
        ).fetchall()
    database.close()
    assert [(verb, agreement) for verb, agreement, _ in notices] == [
        ("notice.agreement_not_in_force", "DSA-LFRS-001"),
        ("notice.agreement_not_in_force", "DSA-VCFS-001"),
    ]
    assert json.loads(notices[0][2]) == {
        "feed": "fire_activity",
        "agreement": "DSA-LFRS-001",
        "reason": "it ended on 2020-12-31",
    }
    lines = (hub / "governance" / "notifications.jsonl").read_text().splitlines()
    assert len(lines) == 2
    # The TOML register was neither copied nor read: the database's is the register.
    assert not (hub / "governance" / "agreements.toml").exists()


def test_a_hub_without_a_web_app_loads_under_its_toml_register(
    tmp_path: Path, deliveries: Path
) -> None:
    hub = tmp_path / "plain"
    loaded = joinedup(hub, "load", str(deliveries), "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert {feed: d["status"] for feed, d in by_feed(loaded).items()} == {
        "vcs_referrals": "loaded",
        "fire_activity": "loaded",
    }
    assert (hub / "governance" / "agreements.toml").is_file()
    assert not (hub / "web").exists()


def test_django_set_up_for_another_database_is_refused_not_read(tmp_path: Path) -> None:
    """This process's Django is on the test database: the hub's register is not in it."""
    operational_database(tmp_path).parent.mkdir(parents=True)
    operational_database(tmp_path).touch()
    with pytest.raises(RegisterUnavailableError, match="already set up in this process"):
        load_register(tmp_path)
    assert not (tmp_path / "governance").exists()


def test_a_hub_served_with_other_settings_refuses_a_loader_run_without_them(
    tmp_path: Path,
) -> None:
    marker = tmp_path / SETTINGS_MARKER
    marker.parent.mkdir(parents=True)
    marker.write_text("joinedup.web.settings.production\n", encoding="utf-8")
    with pytest.raises(RegisterUnavailableError) as refusal:
        load_register(tmp_path)
    assert "DJANGO_SETTINGS_MODULE=joinedup.web.settings.production" in str(refusal.value)


@pytest.mark.django_db
def test_the_command_line_and_the_web_app_warn_of_the_same_reviews(tmp_path: Path) -> None:
    """One rule (feeds.agreements.due_for_review); an agreement ending soon is due whatever its
    review date says."""
    import_register()
    for on in (dt.date(2027, 1, 1), dt.date(2027, 3, 15)):
        expected = [a.id for a in toml_reviews_due(tmp_path, on, 30)]
        assert [a.id for a in reviews_due(on, 30)] == expected
    Agreement.objects.filter(reference="DSA-LFRS-001").update(
        review=dt.date(2030, 1, 1), end=dt.date(2027, 1, 20)
    )
    assert [a.id for a in reviews_due(dt.date(2027, 1, 1), 30)] == ["DSA-LFRS-001"]


@pytest.mark.django_db
def test_the_ig_lead_sees_the_loaders_notices(client_as: Callable[..., Client]) -> None:
    with transaction.atomic():
        record(
            "notice.agreement_not_in_force",
            actor="joinedup load",
            object_type="agreement",
            object_id="DSA-VCFS-001",
            detail={
                "feed": "vcs_referrals",
                "agreement": "DSA-VCFS-001",
                "reason": "its status is suspended",
            },
        )
        record(
            "notice.field_outside_agreement",
            actor="joinedup load",
            object_type="agreement",
            object_id="DSA-LANCSPOL-001",
            detail={
                "feed": "police_incidents",
                "agreement": "DSA-LANCSPOL-001",
                "fields": ["Summary"],
            },
        )
    page = client_as(Role.IG_LEAD).get("/").content.decode()
    assert "Notices from the feed loader" in page
    assert "vcs_referrals" in page and "its status is suspended" in page
    assert "field(s) outside the agreement: Summary" in page
    assert "Notices from the feed loader" not in client_as(Role.ANALYST).get("/").content.decode()
