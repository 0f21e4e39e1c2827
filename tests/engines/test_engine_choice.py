"""The hub's engine: chosen on the command line, in the environment or in the hub's settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.engines import EngineError, resolve_engine


def test_duckdb_unless_something_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOINEDUP_ENGINE", raising=False)
    assert resolve_engine(None, tmp_path) == "duckdb"


def test_the_command_line_wins_over_the_environment_over_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "settings.toml").write_text('engine = "spark"\n', encoding="utf-8")
    monkeypatch.delenv("JOINEDUP_ENGINE", raising=False)
    assert resolve_engine(None, tmp_path) == "spark"
    monkeypatch.setenv("JOINEDUP_ENGINE", "duckdb")
    assert resolve_engine(None, tmp_path) == "duckdb"
    assert resolve_engine("spark", tmp_path) == "spark"


def test_a_broken_settings_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOINEDUP_ENGINE", raising=False)
    (tmp_path / "settings.toml").write_text('engine = "spark\n', encoding="utf-8")
    with pytest.raises(EngineError, match=r"settings\.toml"):
        resolve_engine(None, tmp_path)
    (tmp_path / "settings.toml").write_text('engine = "hadoop"\n', encoding="utf-8")
    with pytest.raises(EngineError, match="unknown engine 'hadoop'"):
        resolve_engine(None, tmp_path)


def test_engine_check_reports_an_unknown_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["engine", "check", "--engine", "sqlite", "--home", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "unknown engine 'sqlite'" in result.output


def test_engine_check_runs_a_query_on_duckdb(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["engine", "check", "--engine", "duckdb", "--home", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"answer": 42' in result.output
