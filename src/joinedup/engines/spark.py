"""Apache Spark, through PySpark: local mode on one machine (``local[2]``), or a cluster.

The Spark context is made once per process and shared, as Spark wants; each engine (and each
linkage run) works in a session of its own on it, so that two cohort jobs running at once on the
web app's threads never see each other's tables. Settings come from the arguments, then from the
environment (``JOINEDUP_SPARK_MASTER``, ``JOINEDUP_SPARK_MEMORY``), then from local defaults; on a
cluster, spark-submit's own settings win over all of them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joinedup.engines import EngineError, EngineName, checked_table_name
from joinedup.engines.dialect import translate

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DIALECT = "spark"
DEFAULT_MASTER = "local[2]"
DEFAULT_DRIVER_MEMORY = "4g"
# Small data per query on one machine: Spark's 200 shuffle partitions would be 200 tiny tasks.
DEFAULT_SHUFFLE_PARTITIONS = 8


def _session_settings(master: str | None, driver_memory: str | None) -> dict[str, str]:
    from splink.internals.spark.jar_location import similarity_jar_location

    placement = (
        {}  # spark-submit has placed the driver already: its --master and memory stand
        if under_spark_submit()
        else {
            "spark.master": master or os.environ.get("JOINEDUP_SPARK_MASTER", DEFAULT_MASTER),
            "spark.driver.memory": driver_memory
            or os.environ.get("JOINEDUP_SPARK_MEMORY", DEFAULT_DRIVER_MEMORY),
        }
    )
    return placement | {
        "spark.app.name": "joinedup",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(DEFAULT_SHUFFLE_PARTITIONS),
        # DuckDB's meaning for the hub's SQL: a failed cast or a division by zero gives NULL.
        "spark.sql.ansi.enabled": "false",
        "spark.sql.legacy.timeParserPolicy": "CORRECTED",
        # DuckDB's meaning for Splink's SQL: the size of a missing list is missing, not -1.
        "spark.sql.legacy.sizeOfNull": "false",
        # Splink's string similarity functions (Jaro-Winkler and others) for linkage on Spark.
        "spark.jars": similarity_jar_location(),
        "spark.driver.extraJavaOptions": "-Dlog4j2.level=ERROR",
    }


def under_spark_submit() -> bool:
    """Whether spark-submit started this process (it hands Python its JVM's gateway)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _unless_submitted(settings: dict[str, str]) -> dict[str, str]:
    """The settings less those spark-submit was given (``--conf``, ``--jars``): the operator's
    word wins. Splink's jar is added to theirs rather than replacing them."""
    if not under_spark_submit():
        return settings
    from pyspark import SparkConf

    given = SparkConf()  # spark-submit's settings, read from its JVM
    kept = {key: value for key, value in settings.items() if not given.contains(key)}
    if given.contains("spark.jars"):
        theirs = given.get("spark.jars") or ""
        jar = settings["spark.jars"]
        kept["spark.jars"] = theirs if jar in theirs.split(",") else f"{theirs},{jar}"
    return kept


def _sql_settings(spark: SparkSession) -> None:
    """The settings that give DuckDB's answers, on a session of its own (a new session starts
    from the context's settings, which may not hold them when another made the context), less
    those spark-submit was given."""
    for key, value in _unless_submitted(_session_settings(None, None)).items():
        if key.startswith("spark.sql."):
            spark.conf.set(key, value)


def isolated_session(master: str | None = None, driver_memory: str | None = None) -> SparkSession:
    """A session of its own (its own temporary views and SQL settings) on the process's
    context: for one engine, or one linkage run."""
    spark = session(master, driver_memory).newSession()
    _sql_settings(spark)
    return spark


def session(master: str | None = None, driver_memory: str | None = None) -> SparkSession:
    """The process's Spark session, started on first use."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:  # pragma: no cover - the project's setup installs PySpark
        raise EngineError(
            "the Spark engine needs PySpark: install JoinedUp with its spark extra "
            "(uv sync --extra spark)"
        ) from error
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        raise EngineError("the Spark engine needs Java 17 or later: install it or set JAVA_HOME")
    builder = SparkSession.builder
    for key, value in _unless_submitted(_session_settings(master, driver_memory)).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _row_tuple(row: Any) -> tuple[Any, ...]:
    return tuple(row)


@dataclass
class SparkEngine:
    spark: SparkSession
    workspace: Path
    name: EngineName = "spark"
    _owned_workspace: bool = field(default=False, repr=False)

    @classmethod
    def start(
        cls,
        master: str | None = None,
        driver_memory: str | None = None,
        workspace: Path | None = None,
        work_under: Path | None = None,
    ) -> SparkEngine:
        """An engine on a session of its own. ``workspace`` holds tables made by
        :meth:`create_table`; if not given, a private folder made under ``work_under`` (the
        hub's own, which a cluster's executors share with the driver; else the system's
        temporary folder) and removed on close."""
        spark = isolated_session(master, driver_memory)
        if workspace is not None:
            return cls(spark, workspace)
        if work_under is not None:
            work_under.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder = Path(tempfile.mkdtemp(prefix="joinedup-spark-", dir=work_under))
        return cls(spark, folder, _owned_workspace=True)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [_row_tuple(row) for row in self.spark.sql(translate(sql, DIALECT)).collect()]

    def execute(self, sql: str) -> None:
        self.spark.sql(translate(sql, DIALECT))

    def read_parquet(self, table: str, location: str) -> None:
        self.spark.read.option("mergeSchema", "true").parquet(location).createOrReplaceTempView(
            checked_table_name(table)
        )

    def write_parquet(self, sql: str, location: str, partition_by: Sequence[str] = ()) -> None:
        frame = self.spark.sql(translate(sql, DIALECT))
        writer = frame.write.mode("overwrite")
        if partition_by and not frame.isEmpty():
            # No rows, no partitions: unpartitioned, Spark writes one empty file with the columns.
            writer = writer.partitionBy(*partition_by)
        writer.parquet(location)

    def create_table(self, table: str, sql: str) -> None:
        """Materialise a query as ``table``: Parquet in the workspace that later queries read."""
        location = str(self.workspace / checked_table_name(table).replace(".", "__"))
        self.write_parquet(sql, location)
        self.read_parquet(table, location)

    def close(self) -> None:
        # The session is the process's and outlives an engine; the workspace does not.
        if self._owned_workspace:
            shutil.rmtree(self.workspace, ignore_errors=True)
