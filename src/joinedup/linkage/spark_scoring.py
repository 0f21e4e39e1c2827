"""The linkage model trained and scored on Apache Spark, through Splink's Spark backend.

Splink's candidate scoring (and, for a new model version, its training) is the part of a run that
grows with the square of a block's size; on Spark it runs in as many workers as the cluster has.
The model is the one DuckDB runs: the saved model JSON is written in DuckDB's SQL and carried to
Spark SQL on the way in, and a model trained on Spark is saved in DuckDB's SQL too, so that either
engine can score with any saved version. Everything else in a run (collapsing identities, edges,
clusters, keys) stays in DuckDB, on tables far smaller than the candidate pairs.

Identifiable data crosses to Spark as Parquet in a private working folder under the hub's home,
readable by the hub's own user only and deleted when the run ends, whether it succeeded or not.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from splink import Linker
from sqlglot import exp

from joinedup.linkage import model, scoring
from joinedup.linkage.paths import linkage_folder

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

WORKSPACE_PREFIX = ".spark-work-"
SPARK_DIALECT = "spark"
# Splink breaks the lineage of its intermediate tables by writing them as Parquet under the
# checkpoint folder, which is inside the private working folder, so that it goes with the run.
BREAK_LINEAGE = "parquet"
# DuckDB functions in the model's SQL with the Spark function of the same meaning: Spark's from
# Spark itself, the string similarities from the jar Splink ships (see engines.spark).
_SPARK_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.ArrayOverlaps: "arrays_overlap",  # DuckDB list_has_any
    exp.JarowinklerSimilarity: "jaro_winkler",
    exp.Length: "size",  # the model takes len() of lists only
}
_SPARK_NAMED_FUNCTIONS = {"list_intersect": "array_intersect"}


@contextmanager
def private_workspace(home: Path) -> Iterator[Path]:
    """A working folder for one run under the hub's linkage folder, mode 0700, removed with
    everything in it when the run ends, even if it fails."""
    parent = linkage_folder(home)
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=WORKSPACE_PREFIX, dir=parent))
    folder.chmod(0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _spark_function(node: exp.Expression) -> exp.Expression:
    for kind, name in _SPARK_FUNCTIONS.items():
        if type(node) is kind:
            arguments = [a for a in (node.this, node.args.get("expression")) if a is not None]
            # A replaced node's arguments are not visited again: carry them here.
            return exp.Anonymous(
                this=name, expressions=[a.transform(_spark_function) for a in arguments]
            )
    if isinstance(node, exp.Anonymous) and node.name.lower() in _SPARK_NAMED_FUNCTIONS:
        return exp.Anonymous(
            this=_SPARK_NAMED_FUNCTIONS[node.name.lower()],
            expressions=[a.transform(_spark_function) for a in node.expressions],
        )
    return node


def spark_sql(condition: str) -> str:
    """A condition of the model, written for DuckDB, as Spark SQL of the same meaning."""
    if condition.strip().upper() == "ELSE":
        return condition
    parsed = sqlglot.parse_one(condition, read="duckdb")
    return parsed.transform(_spark_function).sql(dialect=SPARK_DIALECT)


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A Splink settings dictionary (a saved model or an untrained design) in DuckDB's SQL as
    the same settings in Spark SQL."""
    carried = copy.deepcopy(settings)
    carried["sql_dialect"] = SPARK_DIALECT
    for comparison in carried["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = spark_sql(level["sql_condition"])
    carried["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": spark_sql(rule["blocking_rule"]), "sql_dialect": SPARK_DIALECT}
        for rule in carried["blocking_rules_to_generate_predictions"]
    ]
    return carried


def with_parameters(design: dict[str, Any], trained: dict[str, Any]) -> dict[str, Any]:
    """``design`` (DuckDB's SQL) with the parameters a linker on another engine estimated for
    the same comparisons, so that the saved model reads the same whichever engine trained it."""
    saved = copy.deepcopy(design)
    saved["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    for ours, theirs in zip(saved["comparisons"], trained["comparisons"], strict=True):
        if ours["output_column_name"] != theirs["output_column_name"]:
            raise ValueError("the trained model's comparisons differ from the design's")
        for level, estimated in zip(
            ours["comparison_levels"], theirs["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in estimated:
                    level[key] = estimated[key]
    return saved


def _nodes_on_spark(
    connection: duckdb.DuckDBPyConnection, spark: SparkSession, nodes: str, folder: Path
) -> Any:
    """``nodes`` written by DuckDB as Parquet in ``folder`` and read back by Spark."""
    location = str(folder / "nodes.parquet").replace("'", "''")
    connection.execute(f"COPY {nodes} TO '{location}' (FORMAT parquet)")
    return spark.read.parquet(str(folder / "nodes.parquet"))


def spark_linker(spark: SparkSession, frame: Any, settings: dict[str, Any], folder: Path) -> Linker:
    """A Splink linker on Spark over the Spark DataFrame ``frame``, its intermediate tables
    under ``folder``."""
    from splink.backends.spark import SparkAPI

    checkpoints = folder / "checkpoints"
    checkpoints.mkdir(mode=0o700)
    spark.sparkContext.setCheckpointDir(str(checkpoints))
    api = SparkAPI(spark_session=spark, break_lineage_method=BREAK_LINEAGE)  # type: ignore[no-untyped-call]
    return Linker(
        api.register(frame, table_name="link_nodes"),
        spark_settings(settings),
        log_level=scoring.LOG_LEVEL,
    )


def score_on_spark(
    connection: duckdb.DuckDBPyConnection,
    home: Path,
    design: dict[str, Any],
    available: model.Available,
    threshold: float,
    into: str,
    chunks: int = 1,
    train: bool = False,
    seconds: dict[str, float] | None = None,
) -> tuple[int, dict[str, Any] | None]:
    """Score ``link_nodes`` on Spark into the DuckDB temp table ``into`` (the columns of
    :func:`scoring.predict`), with the model ``design`` in DuckDB's SQL. With ``train``, the
    model is trained on Spark first and returned in DuckDB's SQL for saving. ``seconds`` gets
    the time to start Spark and train (``model``) and to score (``score``)."""
    from joinedup.engines.spark import isolated_session

    timings = seconds if seconds is not None else {}
    started = time.perf_counter()
    spark = isolated_session()
    with private_workspace(home) as folder:
        frame = _nodes_on_spark(connection, spark, "link_nodes", folder)
        try:
            linker = spark_linker(spark, frame, design, folder)
            trained = None
            if train:
                model.train(linker, available)
                trained = with_parameters(design, model.model_json(linker))
            timings["model"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            count = _scores_into_duckdb(connection, spark, linker, threshold, chunks, into, folder)
        finally:
            spark.catalog.dropTempView("link_nodes")
    timings["score"] = round(time.perf_counter() - started, 2)
    return count, trained


def _scores_into_duckdb(
    connection: duckdb.DuckDBPyConnection,
    spark: SparkSession,
    linker: Linker,
    threshold: float,
    chunks: int,
    into: str,
    folder: Path,
) -> int:
    """The pairs scored on Spark, written as Parquet in ``folder`` and labelled in DuckDB."""
    comparisons = scoring.comparisons_of(linker)
    scored = scoring.scored_pairs(linker, threshold, chunks)
    pairs = folder / "scored.parquet"
    columns = scoring.score_columns(comparisons)
    spark.table(scored.physical_name).select(*columns).write.parquet(str(pairs))
    scored.drop_table_from_database_and_remove_from_cache()
    location = str(pairs).replace("'", "''")
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE _spark_scored AS "
        f"SELECT * FROM read_parquet('{location}/*.parquet')"
    )
    count = scoring.label_pairs(connection, comparisons, "_spark_scored", into)
    connection.execute("DROP TABLE _spark_scored")
    return count
