"""The analysis base is built once per snapshot, even when two jobs ask for it at once (two
cohort runs started from the web app after a publish); a build that needs more memory than
DuckDB may use is refused saying what to do, and leaves nothing half-built."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from joinedup.analytics import base
from joinedup.engines import EngineError
from joinedup.engines.duck import MEMORY_VARIABLE


def test_two_jobs_asking_at_once_build_the_base_once(
    hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file = base._build_file
    builds: list[Path] = []

    def slow_build(*args: Any) -> None:
        builds.append(args[1])
        time.sleep(0.5)  # long enough for the second job to arrive mid-build
        build_file(*args)

    monkeypatch.setattr(base, "_build_file", slow_build)
    for old in base.base_folder(hub).glob("v*.duckdb"):
        old.unlink()
    counts: list[int] = []
    failures: list[BaseException] = []

    def job() -> None:
        try:
            connection = base.open_base(hub)
            counts.append(connection.execute("SELECT count(*) FROM people").fetchall()[0][0])
            connection.close()
        except BaseException as error:  # the test reports it, with its type
            failures.append(error)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    assert len(builds) == 1
    assert len(counts) == 2 and counts[0] == counts[1] > 0


@pytest.mark.parametrize(
    ("setting", "says"),
    [("2MB", "needed more than the 2MB of memory DuckDB may use"), ("lots", "not a size")],
)
def test_a_base_too_big_for_duckdbs_memory_is_refused_saying_what_to_do(
    hub: Path, monkeypatch: pytest.MonkeyPatch, setting: str, says: str
) -> None:
    for old in base.base_folder(hub).glob("v*.duckdb"):
        old.unlink()
    monkeypatch.setenv(MEMORY_VARIABLE, setting)

    with pytest.raises(EngineError, match=says) as refused:
        base.open_base(hub)

    assert MEMORY_VARIABLE in str(refused.value)
    assert list(base.base_folder(hub).glob("v*")) == []
