"""The lifecycle commands refuse bad input with one clear sentence (naming the feed or the field,
never repeating an identifier), and report what they did; on a hub with a web app an erasure is
an audit event with the tombstone's non-identifying detail."""

from __future__ import annotations

import json
import os
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.lifecycle import tombstones
from joinedup.web import operational_database


def joinedup(home: Path, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*arguments, "--home", str(home)])
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (
            "records erase --feed nope --record-id X1 --reason error",
            "no feed called 'nope'",
        ),
        (
            "records erase --feed gp_patients --record-id NOPE-7 --reason error",
            "feed gp_patients has no record with the record id #1 of those given",
        ),
        (
            "records rectify --feed gp_patients --record-id {record_id} --field birth_date "
            "--value 1950-02-30 --reason letter",
            "the value given for birth_date breaks the rules of feed gp_patients: invalid_date",
        ),
        (
            "records rectify --feed gp_patients --record-id {record_id} --field nhs_number "
            "--value 1234567890 --reason letter",
            "the value given for nhs_number is refused: it fails the NHS number check",
        ),
        (
            "records rectify --feed gp_patients --record-id {record_id} --field shoe_size "
            "--value 9 --reason letter",
            "--field must be one of given_name, family_name",
        ),
        (
            "records rectify --feed police_incidents --record-id X --field nhs_number "
            "--value 9990000018 --reason letter",
            "feed police_incidents holds no nhs_number",
        ),
        (
            "records erase --feed gp_patients --record-id {record_id} "
            "--reason 'asked by 999 000 0018'",
            "the reason must not hold personal data",
        ),
        (
            "records erase --feed gp_patients --delivery 999 --reason error",
            "there is no delivery 999 on this hub",
        ),
        (
            "retention hold --person-key P999999999 --reason inquest",
            "no resident has the person_key P999999999",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    hub: Path, patient: dict[str, Any], command: str, says: str
) -> None:
    given = shlex.split(command.format(record_id=patient["record_id"]))

    status, output = joinedup(hub, *given)

    assert status == 1 and f"error: {says}" in output, output
    assert patient["record_id"] not in output and "NOPE-7" not in output
    assert "1950-02-30" not in output


def test_a_request_that_is_not_one_is_a_usage_error(hub: Path) -> None:
    status, output = joinedup(hub, "records", "erase", "--feed", "gp_patients", "--reason", "x")
    assert status == 2 and "give either --record-id" in output
    status, output = joinedup(hub, "retention", "run", "--on", "2020-13-01")
    assert status == 2 and "not a date in the form YYYY-MM-DD" in output


# The user's environment: pytest-django's settings module is not theirs.
ENVIRONMENT = {
    k: v
    for k, v in os.environ.items()
    if k not in ("DJANGO_SETTINGS_MODULE", HOME_ENVIRONMENT_VARIABLE, "DJANGO_ALLOW_ASYNC_UNSAFE")
}


# One process (starting one costs seconds): the web app's database made, then the erasure.
IMPORT_THEN_ERASE = """
import sys
from joinedup.cli import app
home, record_id = sys.argv[1:]
app(["agreements", "import", "--home", home], standalone_mode=False)
app(["records", "erase", "--feed", "gp_patients", "--record-id", record_id,
     "--reason", "sent in error", "--home", home], standalone_mode=False)
"""


def test_an_erasure_on_a_hub_with_a_web_app_is_audited(hub: Path, patient: dict[str, Any]) -> None:
    script = [sys.executable, "-c", IMPORT_THEN_ERASE, str(hub), patient["record_id"]]
    erased = subprocess.run(script, env=ENVIRONMENT, capture_output=True, text=True, timeout=180)

    assert erased.returncode == 0, erased.stderr
    with sqlite3.connect(operational_database(hub)) as database:
        events = database.execute(
            "SELECT verb, object_id, detail FROM audit_auditevent WHERE verb LIKE 'records.%'"
        ).fetchall()
    database.close()
    assert [(verb, feed) for verb, feed, _ in events] == [("records.erased", "gp_patients")]
    detail = json.loads(events[0][2])
    assert detail["tombstone_id"] == tombstones.written(hub)[0]["tombstone_id"]
    assert detail["records"] == 1 and len(detail["record_hashes"]) == 1
    for identifier in (patient["record_id"], patient["family_name"], patient["nhs_number"]):
        assert identifier not in events[0][2]
