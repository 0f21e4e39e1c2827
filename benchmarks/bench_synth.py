"""Benchmark: wall time and peak memory of `joinedup synth`, against the foundation issue's targets.

Each run is a fresh process (so its peak resident memory is its own, read with wait4); figures are
medians over the repeats, printed beside the target with their ratio. The machines are shared and
noisy: compare medians and ratios, not single runs.

    uv run python benchmarks/bench_synth.py                  # scale 1.0, three runs
    uv run python benchmarks/bench_synth.py --scales 1,15 --repeats 1
    uv run python benchmarks/bench_synth.py --smoke          # CI: tiny scale, once
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from measure import machine, run_joinedup

# The targets on a 2-core machine: (seconds, peak GiB or None).
TARGETS = {1.0: (60.0, None), 15.0: (15 * 60.0, 8.0)}
SMOKE_SCALE = 0.05


def run_once(scale: float, seed: int) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, peak resident GiB and the JSON summary of one generation."""
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as folder:
        out = str(Path(folder) / "out")
        run = run_joinedup("synth", out, "--scale", str(scale), "--seed", str(seed), "--json")
        return run.seconds, run.peak_gib, json.loads(run.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="1", help="comma-separated scales (default 1)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--smoke", action="store_true", help=f"scale {SMOKE_SCALE}, one run (CI)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    scales = [SMOKE_SCALE] if args.smoke else [float(s) for s in args.scales.split(",")]
    repeats = 1 if args.smoke else args.repeats
    figures = []
    print(machine(), file=sys.stderr)
    for scale in scales:
        runs = [run_once(scale, args.seed) for _ in range(repeats)]
        seconds = statistics.median(r[0] for r in runs)
        memory = statistics.median(r[1] for r in runs)
        summary = runs[-1][2]
        target_seconds, target_memory = TARGETS.get(scale, (None, None))
        figures.append(
            {
                "scale": scale,
                "runs": repeats,
                "median_seconds": round(seconds, 2),
                "median_peak_gib": round(memory, 3),
                "target_seconds": target_seconds,
                "target_peak_gib": target_memory,
                "seconds_vs_target": round(seconds / target_seconds, 3) if target_seconds else None,
                "peak_vs_target": round(memory / target_memory, 3) if target_memory else None,
                "residents_ever": summary["population"]["residents_ever"],  # type: ignore[index]
                "records_per_extract": summary["records_per_extract"],
            }
        )
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"{'scale':>6} {'residents':>10} {'runs':>4} {'median s':>9} {'target s':>9} {'ratio':>6} {'peak GiB':>9} {'target':>7} {'ratio':>6}"
    )
    for f in figures:
        print(
            f"{f['scale']:>6} {f['residents_ever']:>10,} {f['runs']:>4} {f['median_seconds']:>9} {f['target_seconds'] or '-':>9} "
            f"{f['seconds_vs_target'] or '-':>6} {f['median_peak_gib']:>9} {f['target_peak_gib'] or '-':>7} {f['peak_vs_target'] or '-':>6}"
        )
        for name, rows in sorted(f["records_per_extract"].items()):  # type: ignore[attr-defined]
            print(f"{'':>8}{name:<28}{rows:>12,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
