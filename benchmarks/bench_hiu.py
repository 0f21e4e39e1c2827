"""Benchmark: the HIU prediction model on a linked hub, with its held-out figures.

It builds nothing: point it at a hub that is loaded and linked (its analysis base is built on
first use). It runs the model as `joinedup risk hiu-model` does, in this process, so the run is
recorded in the hub's provenance log and the model saved, like any other. It prints the time to
build the features, train and validate, the held-out AUC with its 95% interval beside the rule
"5+ attendances last year", calibration, the figures per sex and IMD quintile, wall time and
peak resident memory. With --class-weights it also fits the "balanced" variant on the same
years and prints its AUC and calibration beside (that one is not saved).

    uv run python benchmarks/bench_hiu.py --home /tmp/hub
    uv run python benchmarks/bench_hiu.py --home /tmp/hub --class-weights --bootstrap 2000
    uv run python benchmarks/bench_hiu.py --smoke        # CI: nothing to measure without --home
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import bench_cohorts
from joinedup.analytics import base, hiu_model
from measure import machine

SMOKE_SCALE = 0.05


def _interval(interval: hiu_model.Interval) -> str:
    return f"{interval.value.display} ({interval.lower.display} to {interval.upper.display})"


def print_figures(report: hiu_model.HiuReport) -> None:
    checked, settings = report.validation, report.settings
    overall = checked.overall
    print(
        f"snapshot {report.snapshot['zone_version']}-r{report.snapshot['linkage_run']}; "
        f"HIU = {settings.threshold}+ A&E attendances; trained on index years "
        f"{settings.training_index_years}, validated on {settings.validation_index_year} -> "
        f"{settings.validation_year}; {overall.people.display} people, {overall.hiu.display} HIU"
    )
    print(f"features left out: {', '.join(report.left_out) or 'none'}")
    print(f"held-out AUC          {_interval(overall.auc)}")
    print(f"rule AUC (5+ last yr) {_interval(overall.rule_auc)}")
    print(f"count AUC (last yr n) {_interval(overall.count_auc)}")
    print(f"AUC gain over rule    {_interval(checked.auc_gain)}")
    print(
        f"calibration: intercept (in the large) {overall.calibration_intercept.display}, "
        f"slope {overall.calibration_slope.display}; observed {overall.observed_percent.display}%"
        f" vs predicted {overall.predicted_percent.display}%"
    )
    print(
        f"{'group':<16}{'people':>8}{'HIU':>6}{'AUC (95% CI)':>26}{'rule AUC':>10}"
        f"{'intercept':>11}{'slope':>8}"
    )
    for group in checked.groups:
        print(
            f"{group.group:<16}{group.people.display:>8}{group.hiu.display:>6}"
            f"{_interval(group.auc):>26}{group.rule_auc.value.display:>10}"
            f"{group.calibration_intercept.display:>11}{group.calibration_slope.display:>8}"
        )
    print("gaps: " + ", ".join(f"{k} {v}" for k, v in checked.gaps.items()))
    flagged = checked.flagged
    print(
        f"same-size lists: rule flags {flagged.people.display}, catching "
        f"{flagged.rule_hiu.display} HIU; model's top {flagged.people.display} catch "
        f"{flagged.model_hiu.display}"
    )


def compare_class_weights(home: Path, report: hiu_model.HiuReport) -> None:
    """The balanced variant on the same years, for the record; its figures stay here."""
    connection = base.open_base(home)
    try:
        settings = report.settings
        tables = [
            hiu_model.feature_table(connection, year, report.features, report.agencies)
            for year in [*settings.training_index_years, settings.validation_index_year]
        ]
    finally:
        connection.close()
    held_out = tables[-1]
    outcome = held_out.outcome(settings.threshold)
    for weight in (None, "balanced"):
        model = hiu_model.fit(tables[:-1], report.features, settings.threshold, weight)
        risk = model.risk(held_out.values)
        intercept, slope = hiu_model.calibration(risk, outcome)
        print(
            f"class_weight={weight}: AUC {hiu_model.auc(risk, outcome):.3f}, mean predicted "
            f"{100 * risk.mean():.2f}% vs observed {100 * outcome.mean():.2f}%, "
            f"calibration intercept {intercept:.3f}, slope {slope:.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, help="a loaded and linked hub (nothing is built)")
    parser.add_argument("--validation-year", type=int, default=None)
    parser.add_argument("--bootstrap", type=int, default=hiu_model.REPLICATES)
    parser.add_argument("--class-weights", action="store_true", help="compare balanced weights")
    parser.add_argument("--smoke", action="store_true", help="CI: only check it runs")
    args = parser.parse_args(argv)
    if args.home is None and not args.smoke:
        print("give --home, a loaded and linked hub (or --smoke to build a tiny one)")
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-hiu-") as temp:
        home = args.home or bench_cohorts.prepare(SMOKE_SCALE, Path(temp))
        return _measure(
            home, args.validation_year, 50 if args.smoke else args.bootstrap, args.class_weights
        )


def _measure(home: Path, validation_year: int | None, bootstrap: int, class_weights: bool) -> int:
    print(machine())
    started = time.perf_counter()
    # Imported first so that the training time is the fit, not loading scikit-learn.
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped] # noqa: F401

    imported = time.perf_counter() - started
    report = hiu_model.run_hiu_model(home, validation_year, replicates=bootstrap)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    seconds = report.seconds
    print(
        f"import scikit-learn {imported:.1f} s; features {seconds['features']:.1f} s; "
        f"training {seconds['training']:.1f} s; validation ({bootstrap} bootstrap "
        f"resamples) {seconds['validation']:.1f} s; wall {wall:.1f} s; peak {peak:.2f} GiB"
    )
    print_figures(report)
    if class_weights:
        compare_class_weights(home, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
