"""Benchmark: loading the whole synthetic borough (`joinedup load`), against the feeds issue's targets.

For each scale, the borough is generated once; then each run loads it into an empty data
directory in a fresh process (wall time, peak resident memory read with wait4, rows per second).
Figures are medians over the repeats, beside the target and their ratio. The baseline in the
same script is the plain speed of reading the same files with Python's csv module and doing
nothing else, the floor any row-by-row loader would start from.

    uv run python benchmarks/bench_load.py                    # scale 1.0, three runs
    uv run python benchmarks/bench_load.py --scales 1,15 --repeats 1
    uv run python benchmarks/bench_load.py --smoke            # CI: tiny scale, once
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import machine, run_joinedup

TARGETS = {1.0: (60.0, None), 15.0: (15 * 60.0, 8.0)}  # seconds, peak GiB
SMOKE_SCALE = 0.03


def generate(scale: float, folder: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "joinedup.cli",
        "synth",
        str(folder),
        "--scale",
        str(scale),
        "--json",
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def load_once(extracts: Path, home: Path) -> tuple[float, float, dict[str, object]]:
    log = home.parent / f"{home.name}-stderr.log"
    run = run_joinedup("load", str(extracts), "--home", str(home), "--json", log=log)
    report = json.loads(run.stdout)
    if not all(d["reconciles"] for d in report["deliveries"]):
        raise SystemExit("a load report did not reconcile")
    return run.seconds, run.peak_gib, report


def python_csv_baseline(extracts: Path) -> float:
    """Seconds to read every delimited extract with the csv module and do nothing else."""
    started = time.perf_counter()
    for path in sorted(extracts.glob("*.csv")) + sorted(extracts.glob("*.txt")):
        encoding = "cp1252" if "police" in path.name else "utf-8-sig"
        delimiter = "|" if path.suffix == ".txt" else ","
        with path.open(encoding=encoding, errors="replace", newline="") as handle:
            for _ in csv.reader(handle, delimiter=delimiter):
                pass
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="1")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    scales = [SMOKE_SCALE] if args.smoke else [float(s) for s in args.scales.split(",")]
    repeats = 1 if args.smoke else args.repeats
    print(machine(), file=sys.stderr)
    figures = []
    for scale in scales:
        with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
            borough = Path(folder) / "borough"
            generate(scale, borough)
            runs = [
                load_once(borough / "extracts", Path(folder) / f"hub{i}") for i in range(repeats)
            ]
            baseline = python_csv_baseline(borough / "extracts")
        seconds = statistics.median(r[0] for r in runs)
        report = runs[-1][2]
        read = int(report["read"])  # type: ignore[arg-type]
        target_seconds, target_memory = TARGETS.get(scale, (None, None))
        figures.append(
            {
                "scale": scale,
                "runs": repeats,
                "rows": read,
                "median_seconds": round(seconds, 2),
                "rows_per_second": round(read / seconds),
                "median_peak_gib": round(statistics.median(r[1] for r in runs), 3),
                "target_seconds": target_seconds,
                "target_peak_gib": target_memory,
                "seconds_vs_target": round(seconds / target_seconds, 3) if target_seconds else None,
                "baseline_python_csv_read_seconds": round(baseline, 2),
                "quarantined": sum(int(d["quarantined"]) for d in report["deliveries"]),  # type: ignore[union-attr, index]
            }
        )
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"{'scale':>6} {'rows':>11} {'runs':>4} {'median s':>9} {'rows/s':>9} {'target s':>9} {'ratio':>6} {'peak GiB':>9} {'target':>7} {'csv read s':>10}"
    )
    for f in figures:
        print(
            f"{f['scale']:>6} {f['rows']:>11,} {f['runs']:>4} {f['median_seconds']:>9} {f['rows_per_second']:>9,} "
            f"{f['target_seconds'] or '-':>9} {f['seconds_vs_target'] or '-':>6} {f['median_peak_gib']:>9} "
            f"{f['target_peak_gib'] or '-':>7} {f['baseline_python_csv_read_seconds']:>10}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
