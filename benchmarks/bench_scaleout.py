"""Benchmark: linkage and every built-in cohort on DuckDB and on local Spark, at growing sizes.

For each size (residents ever seen over the five synthetic years) a borough is built and loaded
once; then each engine links its own copy of it and runs every built-in cohort on the result.
Each measurement runs in a fresh process, so that peak memory is the measurement's own: the
process's peak resident memory plus the Spark JVM's, each read from the kernel's high-water mark
(VmHWM), since the JVM's memory is not Python's. From the growth of cost with size it projects the time for the
whole of England on a Spark cluster, with its assumptions printed beside it.

    uv run python benchmarks/bench_scaleout.py --residents 500000,1000000,2000000
    uv run python benchmarks/bench_scaleout.py --residents 35000,70000,140000 --engines duckdb,spark
    uv run python benchmarks/bench_scaleout.py --residents 284000 --record runs.json  # add a size
    uv run python benchmarks/bench_scaleout.py --smoke          # CI: one tiny borough, both engines
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from joinedup.engines.spark import DEFAULT_DRIVER_MEMORY
from measure import machine
from scaleout_linkage import measure_linkage

# Residents ever seen in the synthetic borough over its five years at scale 1 (`joinedup demo`:
# 142,555 people after linkage), so that a size in residents gives the synthetic scale.
RESIDENTS_AT_SCALE_1 = 142_555
SMOKE_RESIDENTS = 4_000
# England's usual residents, mid-2023: 57,690,300 (ONS, Population estimates for England and
# Wales: mid-2023, released July 2024).
ENGLAND = 57_690_300
ICS = 1_800_000
MACHINE_GIB = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
LOCAL_CORES = 2
CLUSTER_WORKERS = (10, 50, 200)
CORES_PER_WORKER = 8
# Share of the ideal speed-up a cluster keeps: shuffles, stragglers and scheduling cost some of
# it. 0.6 is an assumption to state, not a measurement; the projection prints it.
PARALLEL_EFFICIENCY = 0.6


def _joinedup(*arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "joinedup.cli", *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare(residents: int, folder: Path) -> Path:
    """A hub with a borough of about ``residents`` people loaded, not yet linked."""
    scale = residents / RESIDENTS_AT_SCALE_1
    home = folder / "loaded"
    _joinedup("synth", str(folder / "borough"), "--scale", f"{scale:.4f}")
    _joinedup("load", str(folder / "borough" / "extracts"), "--home", str(home), "--json")
    return home


# One measurement, in its own process --------------------------------------------------------


def jvm_peak_bytes() -> int:
    """The Spark JVM's peak resident memory so far (0 when no Spark session is running)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return 0
    spark = SparkSession.getActiveSession()
    if spark is None:
        return 0
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()  # type: ignore[union-attr]
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _measure_cohorts(home: Path, engine: str) -> dict[str, Any]:
    from joinedup.analytics import base
    from joinedup.analytics.cohorts import library
    from joinedup.analytics.cohorts.run import run_definition

    started = time.perf_counter()
    on = base.open_on(home, engine)
    built = time.perf_counter() - started
    seconds: dict[str, float] = {}
    people: dict[str, str] = {}
    try:
        for name in sorted(library.entries(home)):
            definition = library.find(home, name)
            started = time.perf_counter()
            run = run_definition(on, home, definition, {}, True, None)
            seconds[name] = time.perf_counter() - started
            keys = run.person_keys or []
            # The people themselves, compared across engines by a digest of their keys.
            people[name] = (
                f"{len(keys)}:{hashlib.sha256(chr(10).join(keys).encode()).hexdigest()[:16]}"
            )
    finally:
        on.close()
    return {"base_seconds": built, "cohort_seconds": seconds, "people": people}


def measure_here(home: Path, engine: str) -> None:
    started = time.perf_counter()
    result = _measure_cohorts(home, engine)
    result["wall_seconds"] = time.perf_counter() - started
    python_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["peak_bytes"] = python_peak + jvm_peak_bytes()
    print(json.dumps(result))


def measure_cohorts(home: Path, engine: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", "--home", str(home), "--engine", engine]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# The whole benchmark --------------------------------------------------------------------------


def run_size(residents: int, engines: list[str], folder: Path) -> dict[str, dict[str, Any]]:
    """Each engine links its own copy of the loaded borough; then every engine runs the cohorts
    on the first engine's linkage, so that their answers can be compared person for person."""
    started = time.perf_counter()
    loaded = prepare(residents, folder)
    print(f"\n{residents:,} residents: built and loaded in {time.perf_counter() - started:.0f} s")
    results: dict[str, dict[str, Any]] = {}
    linked: Path | None = None
    for engine in engines:
        shutil.copytree(loaded, folder / engine, symlinks=True)
    shutil.rmtree(loaded)  # at two million residents, every copy counts on a small disk
    for engine in engines:
        home = folder / engine
        try:
            link = measure_linkage(home, engine, folder / "borough" / "truth", in_place=True)
            linked = linked or home
        except SystemExit as failed:
            link = {"error": str(failed).splitlines()[:1]}
        results[engine] = {"link": link}
    for engine in engines:
        results[engine]["cohorts"] = (
            measure_cohorts(linked, engine) if linked is not None else {"error": "no linkage"}
        )
    _print_size(residents, results)
    return results


def _gib(value: Any) -> str:
    return f"{value / 1024**3:.2f}" if isinstance(value, (int, float)) else "-"


def _seconds(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "-"


def _print_size(residents: int, results: dict[str, dict[str, Any]]) -> None:
    print(
        f"{'engine':<8} {'link s':>8} {'link GiB':>9} {'F1':>7} {'persons':>9} "
        f"{'base s':>7} {'cohorts s':>10} {'median s':>9} {'cohort GiB':>11}"
    )
    for engine, result in results.items():
        link, cohorts = result["link"], result["cohorts"]
        if "error" in link or "error" in cohorts:
            print(f"{engine:<8} failed: {link.get('error') or cohorts.get('error')}")
            continue
        each = list(cohorts["cohort_seconds"].values())
        print(
            f"{engine:<8} {_seconds(link['seconds']):>8} {link['peak_gib']:>9.2f} "
            f"{link.get('f1', float('nan')):>7.4f} {link.get('persons', 0):>9,} "
            f"{_seconds(cohorts['base_seconds']):>7} {sum(each):>10.1f} "
            f"{statistics.median(each):>9.2f} {_gib(cohorts['peak_bytes']):>11}"
        )
    for engine, result in results.items():
        timed = result["cohorts"].get("cohort_seconds")
        if timed:
            slowest = max(timed, key=timed.get)
            print(f"{engine}: slowest cohort {slowest}, {timed[slowest]:.1f} s")
    if len(results) == 2 and all("error" not in r["cohorts"] for r in results.values()):
        duck, spark = (results[e]["cohorts"]["people"] for e in ("duckdb", "spark"))
        print(
            "every cohort the same people on both engines (on one linkage): "
            + ("yes" if duck == spark else f"NO {duck} {spark}")
        )


def growth(sizes: list[int], values: list[float]) -> float:
    """The exponent b of values = a * residents ** b, fitted on log scales: 1 is linear."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(v, 1e-3)) for v in values]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def fixed_and_per_resident(sizes: list[int], values: list[float]) -> tuple[float, float]:
    """Least-squares values = fixed + per_resident * residents: the fixed part (starting Spark,
    Splink's sampling) does not grow with the population, and only the rest spreads over a
    cluster."""
    mean_n, mean_v = statistics.fmean(sizes), statistics.fmean(values)
    spread = sum((n - mean_n) ** 2 for n in sizes)
    slope = sum((n - mean_n) * (v - mean_v) for n, v in zip(sizes, values, strict=True)) / spread
    return max(mean_v - slope * mean_n, 0.0), slope


def _cluster_minutes(fixed: float, variable: float, workers: int) -> float:
    speed_up = workers * CORES_PER_WORKER * PARALLEL_EFFICIENCY / LOCAL_CORES
    return (fixed + variable / speed_up) / 60


def project(all_results: dict[int, dict[str, dict[str, Any]]]) -> None:
    sizes = sorted(all_results)
    if len(sizes) < 2:
        print("\nprojection: needs two sizes or more")
        return
    print(
        f"\nGrowth with size, and projections ({ICS:,} residents for an ICS, {ENGLAND:,} for England):"
    )
    for engine in ("duckdb", "spark"):
        try:
            runs = [all_results[n][engine] for n in sizes]
            series = {
                "linkage": [r["link"]["seconds"] for r in runs],
                "all cohorts": [
                    r["cohorts"]["base_seconds"] + sum(r["cohorts"]["cohort_seconds"].values())
                    for r in runs
                ],
            }
            memory = [r["link"]["peak_gib"] for r in runs]
        except KeyError:
            continue
        fixed, per = fixed_and_per_resident(sizes, memory)
        print(
            f"  {engine:<7} linkage peak memory: size^{growth(sizes, memory):.2f}; "
            f"about {fixed + per * ICS:,.1f} GiB for an ICS (this machine has {MACHINE_GIB:.0f} GiB)"
        )
        for what, seconds in series.items():
            fixed, per = fixed_and_per_resident(sizes, seconds)
            line = (
                f"  {engine:<7} {what:<12} size^{growth(sizes, seconds):.2f}; {fixed:.0f} s fixed + "
                f"{per * 1e6:.1f} s per million residents: an ICS {(fixed + per * ICS) / 60:,.0f} min, "
                f"England {(fixed + per * ENGLAND) / 3600:,.1f} h on this machine"
            )
            if engine == "spark":
                line += "; England on a cluster of " + ", ".join(
                    f"{w} workers {_cluster_minutes(fixed, per * ENGLAND, w):,.0f} min"
                    for w in CLUSTER_WORKERS
                )
            print(line)
    print(
        f"  assumptions: cost grows in proportion to residents beyond the sizes measured (the "
        f"exponent says how far that holds: above 1, the projection is low); a worker has "
        f"{CORES_PER_WORKER} cores of this machine's speed; a cluster keeps "
        f"{PARALLEL_EFFICIENCY:.0%} of the ideal speed-up over this machine's {LOCAL_CORES} cores, "
        f"and its fixed cost is this machine's; Parquet reads from the object store keep pace. "
        f"DuckDB cannot use a cluster: its England figure assumes one machine could hold the work."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", default="500000,1000000,2000000")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--smoke", action="store_true", help="one tiny borough, both engines")
    parser.add_argument(
        "--record",
        type=Path,
        help="a JSON file of results: sizes measured before are added to the projection, and "
        "this run's are saved to it (to measure one size at a time)",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure_here(options.home, options.engine)
        return
    sizes = [SMOKE_RESIDENTS] if options.smoke else [int(n) for n in options.residents.split(",")]
    engines = options.engines.split(",")
    print(machine())
    print(f"engines: {', '.join(engines)}; sizes: {', '.join(f'{n:,}' for n in sizes)} residents")
    if "spark" in engines:
        memory = os.environ.get("JOINEDUP_SPARK_MEMORY", DEFAULT_DRIVER_MEMORY)
        print(f"spark: local[{LOCAL_CORES}], driver memory {memory} (JOINEDUP_SPARK_MEMORY)")
    results: dict[int, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as temp:
        for residents in sizes:
            folder = Path(temp) / str(residents)
            folder.mkdir()
            results[residents] = run_size(residents, engines, folder)
            shutil.rmtree(folder, ignore_errors=True)
    if options.record is not None:
        earlier = json.loads(options.record.read_text()) if options.record.exists() else {}
        merged = {int(n): r for n, r in earlier.items()} | results
        options.record.write_text(json.dumps({str(n): r for n, r in merged.items()}, indent=1))
        results = merged
    project(results)
    failed = [
        (n, e)
        for n, r in results.items()
        for e, x in r.items()
        if any("error" in v for v in x.values())
    ]
    if failed:
        raise SystemExit(f"failed: {failed}")


if __name__ == "__main__":
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    main()
