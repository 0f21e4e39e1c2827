"""Linkage on DuckDB and on Spark, measured the same way: wall time, peak memory of the linking
process and of Spark's JVM, and accuracy against the synthetic borough's truth.

`measure_linkage(home, engine)` links a copy of a loaded hub (training the model, as a first run
does) in its own process, `joinedup link --engine ENGINE --retrain`. Spark's JVM is a child of that
process and its memory is not in Python's: both peaks are read from /proc (VmHWM, the high-water
mark of resident memory) while the run goes on, so each is its own peak; their sum is an upper
bound on the two at once. F1 is bench_link's: `joinedup link evaluate`'s pairwise figures.

    uv run python benchmarks/scaleout_linkage.py --smoke           # a tiny borough, both engines
    uv run python benchmarks/scaleout_linkage.py --scale 1         # one size, both engines
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench_link import _prepare
from measure import machine

ENGINES = ("duckdb", "spark")
SMOKE_SCALE = 0.03
SAMPLE_SECONDS = 0.2


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # it has ended since it was listed
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    found, waiting = [], [pid]
    while waiting:
        children = _children(waiting.pop())
        found += children
        waiting += children
    return found


def _high_water_kib(pid: int) -> tuple[str, int] | None:
    """The process's name and its peak resident memory so far (KiB), if it is still running."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    peak = fields.get("VmHWM", "0 kB").split()[0]
    return fields.get("Name", "").strip(), int(peak)


class PeakSampler(threading.Thread):
    """Samples, until stopped, the peak resident memory of a process and of every Java process
    under it: VmHWM only grows, so the last sample of each is (nearly) its peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.process_kib = 0
        self.jvm_kib: dict[int, int] = {}
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.is_set():
            own = _high_water_kib(self.pid)
            if own is not None:
                self.process_kib = max(self.process_kib, own[1])
            for child in _descendants(self.pid):
                seen = _high_water_kib(child)
                if seen is not None and seen[0] == "java":
                    self.jvm_kib[child] = max(self.jvm_kib.get(child, 0), seen[1])
            self._finished.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._finished.set()
        self.join()


def _gib(kib: int) -> float:
    return round(kib / 1024**2, 3)


def _link_measured(home: Path, engine: str, log: Path) -> tuple[float, PeakSampler, dict[str, Any]]:
    command = [
        sys.executable,
        "-m",
        "joinedup.cli",
        "link",
        "--engine",
        engine,
        "--retrain",
        "--home",
        str(home),
        "--json",
    ]
    started = time.perf_counter()
    with (
        log.open("wb") as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors) as process,
    ):
        sampler = PeakSampler(process.pid)
        sampler.start()
        output, _ = process.communicate()
        sampler.stop()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(
            f"joinedup link --engine {engine} exited {process.returncode}\n"
            + log.read_text(errors="replace")[-3000:]
        )
    report: dict[str, Any] = json.loads(output)
    return seconds, sampler, report


def measure_linkage(
    home: Path, engine: str, truth: Path | None = None, in_place: bool = False
) -> dict[str, Any]:
    """Link a copy of the loaded hub at ``home`` on ``engine`` (or the hub itself, ``in_place``)
    and measure it. ``truth`` is the borough's truth folder (by default ``borough/truth`` beside
    the hub, as bench_link lays them out)."""
    from joinedup.linkage.evaluate import evaluate

    truth = truth or home.parent / "borough" / "truth"
    with tempfile.TemporaryDirectory(prefix="scaleout-link-", dir=home.parent) as temp:
        linked = home if in_place else Path(temp) / "hub"
        if not in_place:
            shutil.copytree(home, linked, symlinks=True)
        seconds, sampler, report = _link_measured(linked, engine, Path(temp) / "link.log")
        figures = evaluate(linked, truth, feed_pairs=False)
    jvm_kib = max(sampler.jvm_kib.values(), default=0)
    return {
        "engine": engine,
        "records": report["records"],
        "persons": report["persons"],
        "seconds": round(seconds, 1),
        "phases_seconds": report["seconds"],
        "process_peak_gib": _gib(sampler.process_kib),
        "jvm_peak_gib": _gib(jvm_kib),
        "peak_gib": _gib(sampler.process_kib + jvm_kib),
        "precision": figures["pairwise"]["precision"],
        "recall": figures["pairwise"]["recall"],
        "f1": figures["pairwise"]["f1"],
        "scored_pairs": report["scored_pairs"],
    }


COLUMNS = (
    ("records", "{:,}"),
    ("persons", "{:,}"),
    ("seconds", "{:.1f}"),
    ("process_peak_gib", "{:.2f}"),
    ("jvm_peak_gib", "{:.2f}"),
    ("peak_gib", "{:.2f}"),
    ("f1", "{:.5f}"),
    ("scored_pairs", "{:,}"),
)


def side_by_side(results: list[dict[str, Any]]) -> str:
    """One row per measure, one column per engine."""
    width = 18
    lines = ["measure".ljust(width) + "".join(r["engine"].rjust(width) for r in results)]
    for name, form in COLUMNS:
        lines.append(
            name.ljust(width) + "".join(form.format(r[name]).rjust(width) for r in results)
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--smoke", action="store_true", help=f"scale {SMOKE_SCALE}")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args()
    scale = SMOKE_SCALE if arguments.smoke else arguments.scale
    print(machine(), f"load average {os.getloadavg()[0]:.1f}", f"scale {scale}", sep="; ")
    with tempfile.TemporaryDirectory(prefix="scaleout-linkage-") as temp:
        home = _prepare(scale, Path(temp))
        results = [measure_linkage(home, e) for e in arguments.engines.split(",")]
    print(side_by_side(results))
    if arguments.json:
        arguments.json.write_text(json.dumps({"scale": scale, "results": results}, indent=2))


if __name__ == "__main__":
    main()
