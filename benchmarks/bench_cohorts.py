"""Benchmark: every built-in cohort (and the locality profiles) against straightforward pandas.

For a linked hub (``--home``) or a synthetic borough built, loaded and linked here (``--scale``),
the analysis base is built once (timed apart), then each built-in cohort runs as a user runs it
(`run_cohort`: purpose check, query, disclosure control, provenance) and as pandas code over the
same tables held in memory (pandas_cohorts.py; its loading time is reported apart). Both must
select the same people. Figures are medians over the repeats, beside the issue's targets.

    uv run python benchmarks/bench_cohorts.py --scale 1                 # five years, scale 1
    uv run python benchmarks/bench_cohorts.py --home /path/to/hub --repeats 5
    uv run python benchmarks/bench_cohorts.py --smoke                   # CI: tiny scale, once
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas_cohorts
from joinedup.analytics import base
from joinedup.analytics.cohorts.run import run_cohort
from measure import machine

COHORT_TARGET = {1.0: 1.0, 15.0: 10.0}  # seconds per cohort, by scale
PROFILES_TARGET = 10.0
SMOKE_SCALE = 0.03


def prepare(scale: float, folder: Path) -> Path:
    """A hub with the borough loaded and linked; returns its home."""
    home = folder / "hub"
    steps = [
        ["synth", str(folder / "borough"), "--scale", str(scale)],
        ["load", str(folder / "borough" / "extracts"), "--home", str(home), "--json"],
        ["link", "--home", str(home), "--json"],
    ]
    for step in steps:
        subprocess.run(
            [sys.executable, "-m", "joinedup.cli", *step],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return home


def _median_seconds(action: object, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _cohorts(home: Path, repeats: int, target: float, with_pandas: bool) -> None:
    started = time.perf_counter()
    connection = base.open_base(home)
    built = time.perf_counter() - started
    if not with_pandas:
        connection.close()
        print(f"analysis base (once per snapshot): {built:.1f} s; pandas baseline not run")
        print(f"{'cohort':<24} {'people':>10} {'ours s':>8} {'target':>7}")
        for name in pandas_cohorts.COHORTS:
            ours, found = _median_seconds(lambda name=name: run_cohort(home, name), repeats)
            verdict = "ok" if ours <= target else "SLOW"
            print(f"{name:<24} {found.total.display!s:>10} {ours:>8.3f} {target:>6.0f}s {verdict}")  # type: ignore[attr-defined]
        return
    started = time.perf_counter()
    tables = pandas_cohorts.load(connection)
    loaded = time.perf_counter() - started
    connection.close()
    print(
        f"analysis base (once per snapshot): {built:.1f} s; pandas loading the same tables: {loaded:.1f} s"
    )
    print(
        f"{'cohort':<24} {'people':>8} {'ours s':>8} {'target':>7} {'pandas s':>9} {'speed-up':>9} {'same people':>12}"
    )
    for name, baseline in pandas_cohorts.COHORTS.items():
        ours, _ = _median_seconds(lambda name=name: run_cohort(home, name), repeats)
        theirs, expected = _median_seconds(lambda baseline=baseline: baseline(tables), repeats)
        found = run_cohort(home, name, case_finding=True)
        same = set(found.person_keys or []) == expected
        verdict = "ok" if ours <= target else "SLOW"
        print(
            f"{name:<24} {len(found.person_keys or []):>8,} {ours:>8.3f} {target:>6.0f}s {theirs:>9.3f} "
            f"{theirs / ours:>8.1f}x {'yes' if same else 'NO':>12} {verdict}"
        )


def _profiles(home: Path, repeats: int) -> None:
    try:
        from joinedup.analytics.profiles import build_profiles
    except ImportError:
        print("locality profiles: not built yet")
        return
    seconds, _ = _median_seconds(lambda: build_profiles(home), repeats)
    verdict = "ok" if seconds <= PROFILES_TARGET else "SLOW"
    print(
        f"locality profiles, every LSOA and ward: {seconds:.2f} s median (target {PROFILES_TARGET:.0f} s) {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, help="a linked hub (else one is built at --scale)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny scale, once")
    parser.add_argument(
        "--no-pandas", action="store_true", help="time ours only (the baseline needs ~10x RAM)"
    )
    options = parser.parse_args()
    scale = SMOKE_SCALE if options.smoke else options.scale
    repeats = 1 if options.smoke else options.repeats
    print(machine())
    tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="bench-cohorts-") as temp:
        home = options.home or prepare(scale, Path(temp))
        print(f"hub: {home} (scale {scale if options.home is None else 'as given'})")
        target = COHORT_TARGET.get(scale, 10.0)
        _cohorts(home, repeats, target, with_pandas=not options.no_pandas)
        _profiles(home, min(repeats, 3))
    print(f"peak Python memory: {tracemalloc.get_traced_memory()[1] / 1024**2:.0f} MB")


if __name__ == "__main__":
    main()
