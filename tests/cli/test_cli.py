"""The command line a newcomer meets: help, the synthetic borough, the demo, and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.home import HOME_ENVIRONMENT_VARIABLE, resolve_home

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("synth", "demo", "version"):
        assert command in result.output
    assert "JOINEDUP_HOME" in result.output


def test_synth_json_report(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "synth",
            str(tmp_path / "b"),
            "--scale",
            "0.02",
            "--seed",
            "3",
            "--bad-rows",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["population"]["residents_at_start"] > 2000
    assert set(report["planted_bad_rows"].values()) == {2}
    assert report["records_per_extract"]["ae_attendances"] > 0
    assert (tmp_path / "b" / "truth" / "intervention.json").is_file()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--scale", "0"], "scale must be above 0"),
        (["--from", "2019-13-01"], "not a date"),
        (["--from", "2019-01-01", "--to", "2018-01-01"], "must end after it starts"),
    ],
)
def test_bad_options_are_refused_clearly(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["synth", str(tmp_path), *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "extracts").exists()


# The demo seeds the web app's database too: in-process, that is the test database.
@pytest.mark.django_db
def test_demo_writes_into_the_home_directory(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--scale", "0.02", "--no-serve", "--home", str(tmp_path / "hub"), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["synth"]["scale"] == 0.02
    assert (tmp_path / "hub" / "demo" / "summary.json").is_file()
    deliveries = report["load"]["deliveries"]
    assert len(deliveries) == 14 and all(
        d["status"] == "loaded" and d["reconciles"] for d in deliveries
    )
    assert (tmp_path / "hub" / "zones" / "current").is_symlink()
    # One user per role and three more practitioners of the team, and their caseload.
    assert len(report["web"]["users_created"]) == 10 and len(report["web"]["new_passwords"]) == 10
    assert len(report["web"]["cases_opened"]) == 12


def test_home_is_option_then_environment_then_var(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(HOME_ENVIRONMENT_VARIABLE, raising=False)
    assert resolve_home(None) == Path("var")
    monkeypatch.setenv(HOME_ENVIRONMENT_VARIABLE, str(tmp_path / "env"))
    assert resolve_home(None) == tmp_path / "env"
    assert resolve_home(tmp_path / "explicit") == tmp_path / "explicit"


def test_installed_entry_point_runs(tmp_path: Path) -> None:
    """The `joinedup` script a user types, not only the Python function behind it."""
    script = Path(sys.executable).parent / "joinedup"
    env = {**os.environ, HOME_ENVIRONMENT_VARIABLE: str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest-django's; the user's run has the default
    done = subprocess.run(
        [str(script), "demo", "--scale", "0.01", "--no-serve"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Synthetic borough" in done.stderr
    assert (tmp_path / "demo" / "extracts" / "police_incidents.csv").is_file()
    # One line per demo user on standard output, with its password; never on stderr.
    printed = [line for line in done.stdout.splitlines() if "@demo.example" in line]
    assert len(printed) == 10 and all(" password " in line for line in printed)
    password = printed[0].split()[-1]
    assert password not in done.stderr
    assert (tmp_path / "web" / "operational.sqlite3").is_file()


def test_quarantine_commands(tmp_path: Path) -> None:
    """load, then quarantine list, export, close and resubmit, as a coordinator types them."""
    header = (
        '"Ref","Name","Date of birth","Postcode","Referred on","Referred by","Service","Outcome"'
    )
    bad = '"VCS-1","Ann Smith","01/02/1950","PR7 1AB","31/02/2017","Self","Befriending","Engaged"'
    short = '"VCS-2","Bob Jones","01/02/1950","PR7 1AB","03/04/2017","Self","Befriending"'
    path = tmp_path / "vcs_referrals.csv"
    path.write_text("\n".join([header, bad, short]) + "\n", encoding="utf-8")
    home = ["--home", str(tmp_path / "hub")]
    loaded = runner.invoke(app, ["load", "--feed", "vcs_referrals", str(path), *home, "--json"])
    assert loaded.exit_code == 0, loaded.output
    listed = json.loads(runner.invoke(app, ["quarantine", "list", *home, "--json"]).stdout)
    assert listed["counts"] == {"vcs_referrals": {"invalid_date": 1, "wrong_field_count": 1}}
    exported = runner.invoke(
        app, ["quarantine", "export", str(tmp_path / "q.xlsx"), *home, "--json"]
    )
    assert json.loads(exported.stdout)["exported"] == 2
    assert (tmp_path / "q.xlsx").stat().st_mode & 0o077 == 0
    closed = runner.invoke(
        app,
        [
            "quarantine",
            "close",
            "--delivery",
            "1",
            "--line",
            "3",
            "--note",
            "re-sent",
            *home,
            "--json",
        ],
    )
    assert json.loads(closed.stdout) == {"closed": 1}
    fixed = tmp_path / "vcs_fixed.csv"
    fixed.write_text(
        "\n".join([header, bad.replace("31/02/2017", "28/02/2017")]) + "\n", encoding="utf-8"
    )
    resubmitted = runner.invoke(
        app, ["quarantine", "resubmit", "--feed", "vcs_referrals", str(fixed), *home, "--json"]
    )
    assert json.loads(resubmitted.stdout)["deliveries"][0]["resolved"] == 1
    remaining = json.loads(runner.invoke(app, ["quarantine", "list", *home, "--json"]).stdout)
    assert remaining["rows"] == []
