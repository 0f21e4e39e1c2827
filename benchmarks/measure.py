"""Running a `joinedup` command in a fresh process and measuring it, for every benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_gib: float
    stdout: bytes


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"machine: {os.cpu_count()} cores, {memory:.0f} GiB"


def run_joinedup(*arguments: str, log: Path | None = None) -> Measured:
    """Wall time and peak resident memory (from wait4) of `joinedup ARGUMENTS` in its own process.
    Its standard error goes to ``log`` (shown if it fails), else is discarded."""
    command = [sys.executable, "-m", "joinedup.cli", *arguments]
    started = time.perf_counter()
    errors_to = log or Path(os.devnull)
    with (
        errors_to.open("wb") as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors) as process,
    ):
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1) or not output:
        detail = log.read_text(errors="replace")[-3000:] if log else ""
        raise SystemExit(
            f"joinedup {arguments[0]} exited {process.returncode} with no report\n{detail}"
        )
    return Measured(seconds, usage.ru_maxrss / 1024**2, output)
