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
from pathlib import Path

WEB_TESTS = Path(__file__).parent


def test_the_web_suite_passes_on_postgresql() -> None:
    result = subprocess.run(
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
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    summary = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert " passed" in result.stdout and " failed" not in result.stdout, summary
