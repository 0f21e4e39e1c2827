"""Benchmark: `joinedup evaluate` at a couple of scales, and the effect it recovers.

For each scale a synthetic borough is built, loaded and linked here (that time is reported
apart, as is the analysis base, built once per data snapshot), then `joinedup evaluate --json` runs in its own process against the control area and
against a matched group. Each line gives the wall time, the peak resident memory, the A&E rate
ratio with its 95% interval beside the planted one, and the placebo intervals (which should hold 1).

    uv run python benchmarks/bench_evaluation.py                       # scales 0.25 and 1
    uv run python benchmarks/bench_evaluation.py --scales 1 5
    uv run python benchmarks/bench_evaluation.py --smoke               # CI: tiny scale, once
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from joinedup.analytics.base import open_base
from joinedup.synth.params import load_params
from measure import machine, run_joinedup

SMOKE_SCALE = 0.05
COMPARISONS = ("control-area", "matched")


def prepare(scale: float, folder: Path) -> tuple[Path, float]:
    """A hub with the borough loaded and linked, and the seconds that took."""
    home = folder / "hub"
    started = time.perf_counter()
    for step in (
        ["synth", str(folder / "borough"), "--scale", str(scale), "--bad-rows", "0"],
        ["load", str(folder / "borough" / "extracts"), "--home", str(home), "--json"],
        ["link", "--home", str(home), "--json"],
    ):
        subprocess.run(
            [sys.executable, "-m", "joinedup.cli", *step],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return home, time.perf_counter() - started


def _interval(item: dict[str, object]) -> str:
    ci = item.get("ci95")
    if not isinstance(ci, list):
        return "not computed"
    return f"{item['estimate']} [{ci[0]}, {ci[1]}]"


def _one(home: Path, comparison: str, planted: float) -> None:
    measured = run_joinedup("evaluate", "--home", str(home), "--comparison", comparison, "--json")
    record = json.loads(measured.stdout)
    ae = record["outcomes"]["ae_attendance"]
    ci = ae.get("ci95")
    inside = isinstance(ci, list) and ci[0] <= planted <= ci[1]
    placebo = record["placebo"]
    print(
        f"  {comparison:<13} {measured.seconds:>6.1f} s {measured.peak_gib:>6.2f} GiB  "
        f"n={record['intervention']['people']}/{record['comparison']['people']}  "
        f"A&E rate ratio {_interval(ae)} vs planted {planted} ({'inside' if inside else 'OUTSIDE'})  "
        f"placebo date {_interval(placebo['date'])}, area "
        f"{_interval(placebo['area']) if placebo['area'] else 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[0.25, 1.0])
    parser.add_argument("--smoke", action="store_true", help="tiny scale, control area only")
    options = parser.parse_args()
    scales = [SMOKE_SCALE] if options.smoke else options.scales
    comparisons = COMPARISONS[:1] if options.smoke else COMPARISONS
    planted = float(load_params().section("intervention")["ae_rate_ratio"])
    print(machine())
    for scale in scales:
        with tempfile.TemporaryDirectory(prefix="bench-evaluation-") as temp:
            home, built = prepare(scale, Path(temp))
            started = time.perf_counter()
            open_base(home).close()  # built once per data snapshot, not by each evaluation
            print(
                f"scale {scale}: borough built, loaded and linked in {built:.1f} s; "
                f"analysis base {time.perf_counter() - started:.1f} s"
            )
            for comparison in comparisons:
                _one(home, comparison, planted)


if __name__ == "__main__":
    main()
