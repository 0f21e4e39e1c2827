"""The web suite again on a real PostgreSQL server, which the suite starts and stops.

A separate pytest process, because Django's database is fixed for the life of a process. The
browser tests are left out of this pass: they drive the same views the other tests call, and
what differs between the two databases (constraints, locking, triggers, transactions) is
tested without a browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

WEB_TESTS = Path(__file__).parent
TEST_NAME = "test_the_web_suite_passes_on_postgresql"
TIMEOUT_SECONDS = 1200


class PostgresqlPass:
    """The second pass, started as soon as collection ends so that it runs beside the rest of
    the suite (most of which leaves a core idle) rather than after it."""

    def __init__(self) -> None:
        self.log = Path(tempfile.mkdtemp(prefix="joinedup-postgresql-pass-")) / "pytest.log"
        with self.log.open("w", encoding="utf-8") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    str(WEB_TESTS),
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "-x",
                    "-m",
                    "not browser",
                ],
                env={**os.environ, "JOINEDUP_TEST_DATABASE": "postgresql"},
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def wait(self) -> tuple[int, str]:
        try:
            code = self.process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """If the suite ends early (-x, Ctrl-C), the second pass ends with it."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


STARTED = pytest.StashKey[PostgresqlPass]()


def start_beside_the_suite(session: pytest.Session) -> None:
    """Called by tests/conftest.py once the selection is final."""
    if any(item.name == TEST_NAME for item in session.items):
        second = PostgresqlPass()
        session.config.stash[STARTED] = second
        session.config.add_cleanup(second.stop)


def test_the_web_suite_passes_on_postgresql(request: pytest.FixtureRequest) -> None:
    second = request.config.stash.get(STARTED, None) or PostgresqlPass()
    code, output = second.wait()
    summary = output[-6000:]
    assert code == 0, summary
    assert " passed" in output and " failed" not in output, summary
